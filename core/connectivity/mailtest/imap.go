package mailtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// IMAP starts a real IMAP server (go-imap's, with an in-memory mailbox) on
// loopback and returns its port. INBOX holds o.Messages messages, o.Unread
// of them unseen; o.Folders are created beside it.
func IMAP(t testing.TB, chain Chain, o Options) int {
	cert := chain.TLS
	if o.Cert != nil {
		cert = *o.Cert
	}
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(o.User, o.Password)
	for _, f := range append([]string{"INBOX"}, o.Folders...) {
		if err := u.Create(f, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < o.Messages; i++ {
		var flags []imap.Flag
		if i >= o.Unread {
			flags = []imap.Flag{imap.FlagSeen}
		}
		msg := fmt.Sprintf("From: a@example.com\r\nSubject: %d\r\n\r\nhello\r\n", i)
		if _, err := u.Append("INBOX", literal{bytes.NewReader([]byte(msg)), int64(len(msg))}, &imap.AppendOptions{Flags: flags}); err != nil {
			t.Fatal(err)
		}
	}
	mem.AddUser(u)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &imapSession{Session: mem.NewSession(), o: o}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	}
	if o.STARTTLS {
		opts.TLSConfig = tlsConfig(cert)
	}
	srv := imapserver.New(opts)
	l := listen(t)
	port := Port(l)
	if o.Implicit {
		l = tls.NewListener(l, tlsConfig(cert))
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return port
}

type literal struct {
	io.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// imapSession adds the SASL mechanisms of o to the in-memory session.
type imapSession struct {
	imapserver.Session
	o Options
}

func (s *imapSession) AuthenticateMechanisms() []string { return s.o.Mechs }

func (s *imapSession) Authenticate(mech string) (sasl.Server, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(_, user, pass string) error { return s.Login(user, pass) }), nil
	case "CRAM-MD5":
		return &imapCRAM{s: s}, nil
	case XOAUTH2, OAUTHBEARER:
		if s.o.CheckToken == nil {
			break
		}
		return &tokenServer{mech: mech, o: s.o, ok: func(string) error { return s.Login(s.o.User, s.o.Password) }, refuse: func() error {
			// Gmail's and Outlook's words.
			return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Invalid credentials (Failure)"}
		}}, nil
	}
	return nil, errors.New("mechanism not supported")
}

type imapCRAM struct {
	s    *imapSession
	sent bool
}

func (c *imapCRAM) Next(response []byte) ([]byte, bool, error) {
	if !c.sent {
		c.sent = true
		return challenge(), false, nil
	}
	if err := checkCRAMMD5(challenge(), response, c.s.o.User, c.s.o.Password); err != nil {
		return nil, true, &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Invalid credentials"}
	}
	return nil, true, c.s.Login(c.s.o.User, c.s.o.Password)
}
