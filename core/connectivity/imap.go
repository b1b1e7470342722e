package connectivity

import (
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-sasl"
)

// imapReply is a tagged command's outcome with the untagged lines before it.
type imapReply struct {
	untagged []string // without the leading "* "
	status   string   // OK, NO or BAD
	text     string
}

// readIMAPReply reads up to the line tagged tag. Literals ({n} at a line's
// end) are read into the line, within MaxReplyLength.
func (s *session) readIMAPReply(step, tag string) (imapReply, error) {
	var r imapReply
	total := 0
	for {
		line, err := s.readIMAPLine(&total)
		if err != nil {
			return r, err
		}
		switch {
		case strings.HasPrefix(line, "* "):
			r.untagged = append(r.untagged, line[2:])
		case tag != "" && strings.HasPrefix(line, tag+" "):
			status, text, _ := strings.Cut(line[len(tag)+1:], " ")
			r.status, r.text = strings.ToUpper(status), text
			if r.status != "OK" && r.status != "NO" && r.status != "BAD" {
				return r, &ProtocolError{Step: step, Line: line}
			}
			return r, nil
		case strings.HasPrefix(line, "+"):
			r.status, r.text = "+", strings.TrimSpace(strings.TrimPrefix(line, "+"))
			return r, nil
		default:
			return r, &ProtocolError{Step: step, Line: line}
		}
		if tag == "" { // the greeting: one untagged line
			return r, nil
		}
	}
}

// refusal is a tagged NO or BAD as a *ReplyError for the command shown.
func (r imapReply) refusal(shown string) *ReplyError {
	text := strings.TrimSpace(r.status + " " + r.text)
	return &ReplyError{Command: shown, Text: text, Reply: text}
}

func (s *session) readIMAPLine(total *int) (string, error) {
	line, err := s.readLine()
	if err != nil {
		return "", err
	}
	for {
		*total += len(line)
		if *total > MaxReplyLength {
			return "", fmt.Errorf("%w: more than %d bytes", ErrReplyTooLong, MaxReplyLength)
		}
		open := strings.LastIndexByte(line, '{')
		if open < 0 || !strings.HasSuffix(line, "}") {
			return line, nil
		}
		size := line[open+1 : len(line)-1]
		if size == "" || strings.Trim(size, "0123456789") != "" {
			return "", fmt.Errorf("%w: a literal of %q bytes", ErrGarbage, truncate(size, 20))
		}
		// A size past int's range fails Atoi: too long as well.
		n, err := strconv.Atoi(size)
		if err != nil || *total+n > MaxReplyLength {
			return "", fmt.Errorf("%w: a literal of %q bytes", ErrReplyTooLong, truncate(size, 20))
		}
		buf := make([]byte, n)
		s.arm()
		if _, err := io.ReadFull(s.r, buf); err != nil {
			return "", s.netErr("read", err)
		}
		rest, err := s.readLine()
		if err != nil {
			return "", err
		}
		line = line[:open] + quote(string(buf)) + rest
	}
}

type imapClient struct {
	s   *session
	seq int
}

func (c *imapClient) command(step, args, shown string) (imapReply, error) {
	c.seq++
	tag := fmt.Sprintf("a%d", c.seq)
	line := tag + " " + args
	var err error
	if shown != "" {
		err = c.s.send(line, tag+" "+shown)
	} else {
		err = c.s.send(line)
		shown = args
	}
	if err != nil {
		return imapReply{}, err
	}
	r, err := c.s.readIMAPReply(step, tag)
	if err == nil && r.status != "OK" && r.status != "+" {
		err = r.refusal(shown)
	}
	return r, err
}

func capabilities(lines ...string) map[string]bool {
	caps := map[string]bool{}
	for _, l := range lines {
		upper := strings.ToUpper(l)
		if i := strings.Index(upper, "CAPABILITY "); i >= 0 {
			for _, c := range strings.Fields(strings.TrimSuffix(strings.SplitN(upper[i+11:], "]", 2)[0], "]")) {
				caps[c] = true
			}
		}
	}
	return caps
}

func runIMAP(s *session) error {
	c := &imapClient{s: s}
	if s.req.Protection == Implicit {
		if err := s.startTLS(); err != nil {
			return err
		}
	}
	var greeting imapReply
	if err := s.phase("greeting", func() (err error) {
		greeting, err = s.readIMAPReply("greeting", "")
		return err
	}); err != nil {
		return err
	}
	g := greeting.untagged
	if len(g) == 0 || !(strings.HasPrefix(strings.ToUpper(g[0]), "OK") || strings.HasPrefix(strings.ToUpper(g[0]), "PREAUTH")) {
		return &ReplyError{Command: "greeting", Text: strings.Join(g, " "), Reply: "* " + strings.Join(g, "\n* ")}
	}
	s.greeted()
	caps := capabilities(g[0])
	ask := func() error {
		r, err := c.command("CAPABILITY", "CAPABILITY", "")
		caps = capabilities(r.untagged...)
		return err
	}
	if len(caps) == 0 {
		if err := ask(); err != nil {
			return err
		}
	}
	if s.req.Protection == STARTTLSMandatory || s.req.Protection == STARTTLSOptional {
		if !caps["STARTTLS"] {
			s.res.add(Check{Name: "STARTTLS", Value: "Not Supported", OK: s.req.Protection == STARTTLSOptional})
			if s.req.Protection == STARTTLSMandatory {
				return errNoSTARTTLS
			}
		} else {
			s.res.add(Check{Name: "STARTTLS", Value: "Supported", OK: true})
			if err := s.phase("STARTTLS", func() error { _, err := c.command("STARTTLS", "STARTTLS", ""); return err }); err != nil {
				return err
			}
			if err := s.startTLS(); err != nil {
				return err
			}
			// RFC 9051 §6.2.1: capabilities said in clear are void. Ask
			// again only when they matter: for the login.
			caps = nil
			if s.req.Auth != AuthNone {
				if err := ask(); err != nil {
					return err
				}
			}
		}
	}
	if s.isTLS && !s.checkChain() {
		return nil
	}
	if s.req.Auth != AuthNone {
		if err := c.login(caps); err != nil {
			return err
		}
	}
	switch {
	case s.req.ListFolders:
		r, err := c.command("LIST", `LIST "" "*"`, "")
		if err != nil {
			return err
		}
		for _, l := range r.untagged {
			if name, ok := listName(l); ok {
				s.res.Folders = append(s.res.Folders, name)
			}
		}
		s.res.add(Check{Name: "Folders", Value: strconv.Itoa(len(s.res.Folders)), OK: true})
	case s.req.Mailbox != "":
		r, err := c.command("STATUS", "STATUS "+quote(s.req.Mailbox)+" (MESSAGES UNSEEN)", "")
		if err != nil {
			return err
		}
		for _, l := range r.untagged {
			s.res.Messages, s.res.Unread = statusCounts(l, s.res.Messages, s.res.Unread)
		}
		s.res.add(Check{Name: "Mailbox " + s.req.Mailbox, Value: fmt.Sprintf("%d messages, %d unread", s.res.Messages, s.res.Unread), OK: true})
	}
	_ = s.send(fmt.Sprintf("a%d LOGOUT", c.seq+1))
	return nil
}

func (c *imapClient) login(caps map[string]bool) error {
	s := c.s
	if s.req.Auth == AuthOAuth2 {
		var offered []string
		for k := range caps {
			if m, ok := strings.CutPrefix(k, "AUTH="); ok {
				offered = append(offered, m)
			}
		}
		slices.Sort(offered)
		s.noteClearText()
		return s.oauthLogin(offered, func(cl sasl.Client) error { return c.imapSASL(cl, caps["SASL-IR"]) })
	}
	if s.req.Auth == AuthEncrypted {
		if !caps["AUTH=CRAM-MD5"] {
			return s.authFailed(errNoCRAMMD5)
		}
		s.noteClearText()
		return s.phase("authentication", func() error {
			r, err := c.command("AUTHENTICATE", "AUTHENTICATE CRAM-MD5", "")
			if err != nil {
				return s.authResult(err)
			}
			chal, err := base64.StdEncoding.DecodeString(r.text)
			if err != nil {
				return &ProtocolError{Step: "AUTHENTICATE", Line: r.text}
			}
			if err := s.send(cramMD5(s.req.User, s.req.Password, chal), "***"); err != nil {
				return err
			}
			r, err = s.readIMAPReply("AUTHENTICATE", fmt.Sprintf("a%d", c.seq))
			if err == nil && r.status != "OK" {
				err = r.refusal("AUTHENTICATE CRAM-MD5")
			}
			return s.authResult(err)
		})
	}
	if caps["LOGINDISABLED"] {
		return s.authFailed(errNoAUTH)
	}
	if strings.ContainsAny(string(s.req.Password), "\r\n\x00") || strings.ContainsAny(s.req.User, "\r\n\x00") {
		return s.authFailed(fmt.Errorf("%w, which IMAP LOGIN cannot carry", errLineBreak))
	}
	s.noteClearText()
	return s.phase("authentication", func() error {
		_, err := c.command("LOGIN", "LOGIN "+quote(s.req.User)+" "+quote(string(s.req.Password)), "LOGIN "+quote(s.req.User)+" ***")
		return s.authResult(err)
	})
}

// quote makes an IMAP quoted string.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// listName reads the mailbox name from a LIST response:
// LIST (\HasNoChildren) "/" "INBOX".
func listName(l string) (string, bool) {
	if !strings.HasPrefix(strings.ToUpper(l), "LIST ") {
		return "", false
	}
	rest := l[5:]
	if i := strings.IndexByte(rest, ')'); i >= 0 {
		rest = strings.TrimSpace(rest[i+1:])
	}
	// Skip the delimiter: a quoted character or NIL.
	if strings.HasPrefix(rest, `"`) {
		if end := strings.Index(rest[1:], `"`); end >= 0 {
			if rest[1:2] == `\` {
				end = strings.Index(rest[3:], `"`) + 2
			}
			rest = strings.TrimSpace(rest[end+2:])
		}
	} else {
		_, rest, _ = strings.Cut(rest, " ")
	}
	if strings.HasPrefix(rest, `"`) && strings.HasSuffix(rest, `"`) && len(rest) >= 2 {
		rest = strings.NewReplacer(`\\`, `\`, `\"`, `"`).Replace(rest[1 : len(rest)-1])
	}
	return rest, rest != ""
}

// statusCounts reads STATUS "INBOX" (MESSAGES 3 UNSEEN 1).
func statusCounts(l string, messages, unseen int) (int, int) {
	open := strings.LastIndexByte(l, '(')
	if !strings.HasPrefix(strings.ToUpper(l), "STATUS ") || open < 0 {
		return messages, unseen
	}
	f := strings.Fields(strings.Trim(l[open:], "()"))
	for i := 0; i+1 < len(f); i += 2 {
		n, err := strconv.Atoi(f[i+1])
		if err != nil {
			continue
		}
		switch strings.ToUpper(f[i]) {
		case "MESSAGES":
			messages = n
		case "UNSEEN":
			unseen = n
		}
	}
	return messages, unseen
}
