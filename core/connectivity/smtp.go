package connectivity

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// smtpReply is one SMTP reply: a code and its text lines.
type smtpReply struct {
	code  int
	lines []string // without their codes
	raw   []string // as the server sent them
}

func (r smtpReply) text() string { return strings.Join(r.lines, " ") }

// refusal is the reply as a *ReplyError for the command shown.
func (r smtpReply) refusal(shown string) *ReplyError {
	return &ReplyError{Command: shown, Code: r.code, Text: r.text(), Reply: strings.Join(r.raw, "\n")}
}

// readSMTPReply reads a possibly multi-line reply ("250-…" lines, then
// "250 …").
func (s *session) readSMTPReply(step string) (smtpReply, error) {
	var r smtpReply
	total := 0
	for {
		line, err := s.readLine()
		if err != nil {
			return r, err
		}
		total += len(line)
		if total > MaxReplyLength {
			return r, fmt.Errorf("%w: %s reply over %d bytes", ErrReplyTooLong, step, MaxReplyLength)
		}
		if len(line) < 3 || (len(line) > 3 && line[3] != ' ' && line[3] != '-') {
			return r, &ProtocolError{Step: step, Line: line}
		}
		code, err := strconv.Atoi(line[:3])
		if err != nil || code < 200 || code > 599 || (r.code != 0 && code != r.code) {
			return r, &ProtocolError{Step: step, Line: line}
		}
		r.code = code
		r.raw = append(r.raw, line)
		if len(line) > 4 {
			r.lines = append(r.lines, line[4:])
		} else {
			r.lines = append(r.lines, "")
		}
		if len(line) == 3 || line[3] == ' ' {
			return r, nil
		}
	}
}

// smtpCommand sends a command and reads its reply; a reply outside want
// becomes a *ReplyError.
func (s *session) smtpCommand(step, line, shown string, want ...int) (smtpReply, error) {
	var err error
	if shown != "" {
		err = s.send(line, shown)
	} else {
		err = s.send(line)
	}
	if err != nil {
		return smtpReply{}, err
	}
	r, err := s.readSMTPReply(step)
	if err != nil {
		return r, err
	}
	for _, w := range want {
		if r.code == w {
			return r, nil
		}
	}
	switch shown {
	case "":
		shown = line
	case "***": // a secret alone: the step says what it was
		shown = step
	}
	return r, r.refusal(shown)
}

// ehlo greets the server and returns its extensions, upper-cased
// keyword → parameters.
func (s *session) ehlo() (map[string]string, error) {
	r, err := s.smtpCommand("EHLO", "EHLO opsdesk.localhost", "", 250)
	if err != nil {
		return nil, err
	}
	ext := map[string]string{}
	for _, l := range r.lines[1:] {
		k, v, _ := strings.Cut(l, " ")
		ext[strings.ToUpper(k)] = v
	}
	return ext, nil
}

func runSMTP(s *session) error {
	if s.req.Protection == Implicit {
		if err := s.startTLS(); err != nil {
			return err
		}
	}
	var greeting smtpReply
	err := s.phase("greeting", func() (err error) {
		greeting, err = s.readSMTPReply("greeting")
		return err
	})
	if err != nil {
		return err
	}
	if greeting.code != 220 {
		return greeting.refusal("greeting")
	}
	s.greeted()
	ext, err := s.ehlo()
	if err != nil {
		return err
	}
	if err := s.smtpStartTLS(ext, &ext); err != nil {
		return err
	}
	if s.isTLS && !s.checkChain() {
		return nil
	}
	if s.req.Auth != AuthNone {
		if err := s.smtpAuth(ext); err != nil {
			return err
		}
	}
	if s.req.From != "" || s.req.To != "" {
		if err := s.smtpCheckAddresses(); err != nil {
			return err
		}
	}
	// QUIT without waiting for its reply: nothing more is learnt from it.
	_ = s.send("QUIT")
	return nil
}

func (s *session) smtpStartTLS(ext map[string]string, after *map[string]string) error {
	if s.req.Protection != STARTTLSMandatory && s.req.Protection != STARTTLSOptional {
		return nil
	}
	_, offered := ext["STARTTLS"]
	if !offered {
		s.res.add(Check{Name: "STARTTLS", Value: "Not Supported", OK: s.req.Protection == STARTTLSOptional})
		if s.req.Protection == STARTTLSMandatory {
			return errNoSTARTTLS
		}
		return nil
	}
	s.res.add(Check{Name: "STARTTLS", Value: "Supported", OK: true})
	if err := s.phase("STARTTLS", func() error {
		_, err := s.smtpCommand("STARTTLS", "STARTTLS", "", 220)
		return err
	}); err != nil {
		return err
	}
	if err := s.startTLS(); err != nil {
		return err
	}
	// RFC 3207: forget what was said in clear, and greet again before
	// anything else — but only if something else follows: a test that
	// only fetches the chain needs no further round trip.
	*after = nil
	if s.req.Auth == AuthNone && s.req.From == "" && s.req.To == "" {
		return nil
	}
	next, err := s.ehlo()
	*after = next
	return err
}

func (s *session) smtpAuth(ext map[string]string) error {
	mechs := strings.Fields(strings.ToUpper(ext["AUTH"]))
	has := func(m string) bool {
		for _, x := range mechs {
			if x == m {
				return true
			}
		}
		return false
	}
	var mech string
	switch {
	case len(mechs) == 0:
		return s.authFailed(errNoAUTH)
	case s.req.Auth == AuthOAuth2:
		s.noteClearText()
		return s.oauthLogin(mechs, s.smtpSASL)
	case s.req.Auth == AuthEncrypted && has("CRAM-MD5"):
		mech = "CRAM-MD5"
	case s.req.Auth == AuthEncrypted:
		return s.authFailed(fmt.Errorf("%w (it offers %s)", errNoCRAMMD5, strings.Join(mechs, ", ")))
	case has("PLAIN"):
		mech = "PLAIN"
	case has("LOGIN"):
		mech = "LOGIN"
	default:
		return s.authFailed(fmt.Errorf("%w (it offers %s)", errNoPlainAuth, strings.Join(mechs, ", ")))
	}
	s.noteClearText()
	return s.phase("authentication", func() error {
		var err error
		switch mech {
		case "PLAIN":
			msg := append(append(append([]byte{0}, s.req.User...), 0), s.req.Password...)
			line := "AUTH PLAIN " + base64.StdEncoding.EncodeToString(msg)
			clear(msg)
			_, err = s.smtpCommand("AUTH", line, "AUTH PLAIN ***", 235)
		case "LOGIN":
			if _, err = s.smtpCommand("AUTH", "AUTH LOGIN", "", 334); err == nil {
				user := base64.StdEncoding.EncodeToString([]byte(s.req.User))
				if _, err = s.smtpCommand("AUTH LOGIN", user, "", 334); err == nil {
					_, err = s.smtpCommand("AUTH LOGIN", base64.StdEncoding.EncodeToString(s.req.Password), "***", 235)
				}
			}
		case "CRAM-MD5":
			var r smtpReply
			if r, err = s.smtpCommand("AUTH", "AUTH CRAM-MD5", "", 334); err == nil {
				var challenge []byte
				challenge, err = base64.StdEncoding.DecodeString(strings.TrimSpace(r.text()))
				if err != nil {
					return &ProtocolError{Step: "AUTH CRAM-MD5", Line: r.text()}
				}
				_, err = s.smtpCommand("AUTH CRAM-MD5", cramMD5(s.req.User, s.req.Password, challenge), "***", 235)
			}
		}
		return s.authResult(err)
	})
}

func (s *session) smtpCheckAddresses() error {
	check := func(name, line string) error {
		r, err := s.smtpCommand(name, line, "", 250, 251)
		var re *ReplyError
		switch {
		case err == nil:
			s.res.add(Check{Name: name, Value: "Accepted", OK: true, Note: r.text()})
		case asReply(err, &re) && re.Code == 530:
			return err // not about the address: the server wants STARTTLS first
		case asReply(err, &re):
			s.res.add(Check{Name: name, Value: "Rejected", Note: re.Reply})
		default:
			return err
		}
		return nil
	}
	if err := check("MAIL FROM", "MAIL FROM:<"+s.req.From+">"); err != nil {
		return err
	}
	if err := check("RCPT TO", "RCPT TO:<"+s.req.To+">"); err != nil {
		return err
	}
	// RSET, so that no mail is ever sent: the transaction ends here.
	_, err := s.smtpCommand("RSET", "RSET", "", 250)
	return err
}
