package mailtest

import (
	"crypto/tls"
	"errors"
	"io"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Gmail's replies, word for word.
var (
	GmailBadCredentials = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
		Message: "Username and Password not accepted. Learn more at\nhttps://support.google.com/mail/?p=BadCredentials a1-20020a170906 - gsmtp"}
	GmailAppPassword = &smtp.SMTPError{Code: 534, EnhancedCode: smtp.EnhancedCode{5, 7, 9},
		Message: "Application-specific password required. Learn more at\nhttps://support.google.com/mail/?p=InvalidSecondFactor a1-20020a170906 - gsmtp"}
	GmailSTARTTLSFirst = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0},
		Message: "Must issue a STARTTLS command first. a1-20020a170906 - gsmtp"}
)

// SMTP starts a real SMTP server on loopback and returns its port.
func SMTP(t testing.TB, chain Chain, o Options) int {
	cert := chain.TLS
	if o.Cert != nil {
		cert = *o.Cert
	}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{o: o, conn: c}, nil
	}))
	s.Domain = Host
	s.MaxLineLength = 12288        // RFC 4954 §4: an AUTH line with a token may be that long
	s.AllowInsecureAuth = !o.Gmail // Gmail refuses AUTH before STARTTLS
	if o.STARTTLS {
		s.TLSConfig = tlsConfig(cert)
	}
	l := listen(t)
	port := Port(l)
	if o.Implicit {
		l = tls.NewListener(l, tlsConfig(cert))
	}
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return port
}

type smtpSession struct {
	o    Options
	conn *smtp.Conn
}

func (s *smtpSession) isTLS() bool {
	_, ok := s.conn.TLSConnectionState()
	return ok
}

func (s *smtpSession) AuthMechanisms() []string {
	if s.o.Gmail && !s.isTLS() {
		return nil // Gmail offers AUTH only after STARTTLS
	}
	return s.o.Mechs
}

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		switch {
		case s.o.PasswordRefusal != nil:
			return s.o.PasswordRefusal
		case user != s.o.User || pass != s.o.Password:
			if s.o.Gmail {
				return GmailBadCredentials
			}
			return smtp.ErrAuthFailed
		case s.o.AppPasswordRequired:
			return GmailAppPassword
		}
		return nil
	}
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case "LOGIN":
		return &loginServer{check: check}, nil
	case "CRAM-MD5":
		if s.o.PasswordRefusal != nil {
			return &loginServer{check: check, step: 2}, nil // refused after the one response
		}
		return &cramServer{o: s.o}, nil
	case XOAUTH2, OAUTHBEARER:
		if s.o.CheckToken == nil {
			break
		}
		return &tokenServer{mech: mech, o: s.o, ok: func(string) error { return nil }, refuse: func() error {
			switch {
			case s.o.Microsoft:
				return MicrosoftTokenRefused
			case s.o.Gmail:
				return GmailBadCredentials
			}
			return smtp.ErrAuthFailed
		}}, nil
	}
	return nil, smtp.ErrAuthUnsupported
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.o.Gmail && !s.isTLS() {
		return GmailSTARTTLSFirst
	}
	if from == "rejected@example.com" {
		return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender address rejected"}
	}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == "nobody@example.com" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "The email account that you tried to reach does not exist."}
	}
	return nil
}

// Data fails the test's server on purpose: a connectivity test never
// sends a mail.
func (s *smtpSession) Data(io.Reader) error { return errors.New("mailtest: DATA must never be sent") }
func (s *smtpSession) Reset()               {}
func (s *smtpSession) Logout() error        { return nil }

// loginServer is the server side of the (non-standard but ubiquitous)
// LOGIN mechanism.
type loginServer struct {
	check func(user, pass string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	}
	return nil, true, l.check(l.user, string(response))
}

type cramServer struct {
	o    Options
	sent bool
}

func (c *cramServer) Next(response []byte) ([]byte, bool, error) {
	if !c.sent {
		c.sent = true
		return challenge(), false, nil
	}
	if err := checkCRAMMD5(challenge(), response, c.o.User, c.o.Password); err != nil {
		return nil, true, smtp.ErrAuthFailed
	}
	return nil, true, nil
}
