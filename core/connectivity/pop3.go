package connectivity

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// pop3Command sends a command and reads its one-line status: +OK, or
// -ERR as a *ReplyError. A "+ " continuation is returned as is.
func (s *session) pop3Command(line, shown string) (string, error) {
	var err error
	if shown != "" {
		err = s.send(line, shown)
	} else {
		err = s.send(line)
		shown = line
	}
	if err != nil {
		return "", err
	}
	return s.pop3Status(shown)
}

func (s *session) pop3Status(cmd string) (string, error) {
	reply, err := s.readLine()
	if err != nil {
		return "", err
	}
	switch {
	case strings.HasPrefix(reply, "+OK"):
		return strings.TrimSpace(strings.TrimPrefix(reply, "+OK")), nil
	case strings.HasPrefix(reply, "+ ") || reply == "+":
		return strings.TrimSpace(strings.TrimPrefix(reply, "+")), nil
	case strings.HasPrefix(reply, "-ERR"):
		return "", &ReplyError{Command: cmd, Text: strings.TrimSpace(reply), Reply: reply}
	}
	return "", &ProtocolError{Step: cmd, Line: reply}
}

// pop3Lines reads a multi-line response body, up to the line ".".
func (s *session) pop3Lines() ([]string, error) {
	var out []string
	total := 0
	for {
		l, err := s.readLine()
		if err != nil {
			return nil, err
		}
		if l == "." {
			return out, nil
		}
		total += len(l)
		if total > MaxReplyLength {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrReplyTooLong, MaxReplyLength)
		}
		out = append(out, strings.TrimPrefix(l, "."))
	}
}

func (s *session) pop3Capabilities() map[string]string {
	caps := map[string]string{}
	if _, err := s.pop3Command("CAPA", ""); err != nil {
		return caps // RFC 1939 servers without CAPA: USER/PASS is assumed
	}
	lines, err := s.pop3Lines()
	if err != nil {
		return caps
	}
	for _, l := range lines {
		k, v, _ := strings.Cut(l, " ")
		caps[strings.ToUpper(k)] = strings.ToUpper(v)
	}
	return caps
}

func runPOP3(s *session) error {
	if s.req.Protection == Implicit {
		if err := s.startTLS(); err != nil {
			return err
		}
	}
	if err := s.phase("greeting", func() error { _, err := s.pop3Status("greeting"); return err }); err != nil {
		return err
	}
	s.greeted()
	var caps map[string]string
	if s.req.Protection == STARTTLSMandatory || s.req.Protection == STARTTLSOptional {
		caps = s.pop3Capabilities()
		if _, ok := caps["STLS"]; !ok {
			s.res.add(Check{Name: "STARTTLS", Value: "Not Supported", OK: s.req.Protection == STARTTLSOptional})
			if s.req.Protection == STARTTLSMandatory {
				return errNoSTARTTLS
			}
		} else {
			s.res.add(Check{Name: "STARTTLS", Value: "Supported", OK: true})
			if err := s.phase("STARTTLS", func() error { _, err := s.pop3Command("STLS", ""); return err }); err != nil {
				return err
			}
			if err := s.startTLS(); err != nil {
				return err
			}
			caps = nil // RFC 2595: capabilities said in clear are void
		}
	}
	if s.isTLS && !s.checkChain() {
		return nil
	}
	if s.req.Auth != AuthNone {
		if (s.req.Auth == AuthEncrypted || s.req.Auth == AuthOAuth2) && caps == nil {
			caps = s.pop3Capabilities() // only CRAM-MD5 and OAuth2 need to know the mechanisms
		}
		if err := s.pop3Login(caps); err != nil {
			return err
		}
	}
	if s.req.CheckMailbox {
		reply, err := s.pop3Command("STAT", "")
		if err != nil {
			return err
		}
		f := strings.Fields(reply)
		if len(f) < 2 {
			return &ProtocolError{Step: "STAT", Line: reply}
		}
		n, err1 := strconv.Atoi(f[0])
		size, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return &ProtocolError{Step: "STAT", Line: reply}
		}
		s.res.Messages, s.res.MailboxBytes = n, size
		s.res.add(Check{Name: "Mailbox", Value: fmt.Sprintf("%d messages", n), OK: true})
	}
	_ = s.send("QUIT")
	return nil
}

func (s *session) pop3Login(caps map[string]string) error {
	if s.req.Auth == AuthOAuth2 {
		s.noteClearText()
		return s.oauthLogin(strings.Fields(caps["SASL"]), s.pop3SASL)
	}
	if s.req.Auth == AuthEncrypted {
		if !strings.Contains(" "+caps["SASL"]+" ", " CRAM-MD5 ") {
			return s.authFailed(errNoCRAMMD5)
		}
		s.noteClearText()
		return s.phase("authentication", func() error {
			chal64, err := s.pop3Command("AUTH CRAM-MD5", "")
			if err != nil {
				return s.authResult(err)
			}
			chal, err := base64.StdEncoding.DecodeString(chal64)
			if err != nil {
				return &ProtocolError{Step: "AUTH CRAM-MD5", Line: chal64}
			}
			if err := s.send(cramMD5(s.req.User, s.req.Password, chal), "***"); err != nil {
				return err
			}
			_, err = s.pop3Status("AUTH CRAM-MD5")
			return s.authResult(err)
		})
	}
	if strings.ContainsAny(string(s.req.Password), "\r\n") {
		return s.authFailed(fmt.Errorf("%w, which POP3 cannot carry", errLineBreak))
	}
	s.noteClearText()
	return s.phase("authentication", func() error {
		if _, err := s.pop3Command("USER "+s.req.User, ""); err != nil {
			return s.authResult(err)
		}
		_, err := s.pop3Command("PASS "+string(s.req.Password), "PASS ***")
		return s.authResult(err)
	})
}
