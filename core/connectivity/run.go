package connectivity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Sentinels for what a server did not offer.
var (
	errNoSTARTTLS  = errors.New("the server does not offer STARTTLS")
	errNoAUTH      = errors.New("the server offers no authentication")
	errNoCRAMMD5   = errors.New("the server does not offer CRAM-MD5")
	errNoPlainAuth = errors.New("the server offers neither PLAIN nor LOGIN")
	errLineBreak   = errors.New("the user or password contains a line break")
)

// Run carries out one test. It always returns a Result: what failed is in
// its checks, its Err and its Explanation. Cancelling ctx stops the test
// at once.
func Run(ctx context.Context, req Request) *Result {
	if req.Protection == "" {
		req.Protection = Off
	}
	if req.Auth == "" {
		req.Auth = AuthNone
	}
	if req.Protocol == TLS {
		req.Protection = Implicit
	}
	res := &Result{Protocol: req.Protocol, Protection: req.Protection, Auth: req.Auth}
	host, port, err := NormalizeHost(req.Host, req.Port)
	if err != nil {
		res.Err = err
		res.Banner = err.Error()
		res.Explanation = explain(res)
		return res
	}
	if port == 0 {
		port = DefaultPort(req.Protocol, req.Protection)
	}
	res.Host, res.Port, res.Protection = host, port, req.Protection
	s := newSession(ctx, &req, res)
	defer s.close()
	ctx, cancel := context.WithDeadline(ctx, s.deadline)
	defer cancel()
	s.ctx = ctx

	err = s.dial()
	if err == nil {
		switch req.Protocol {
		case SMTP:
			err = runSMTP(s)
		case IMAP:
			err = runIMAP(s)
		case POP3:
			err = runPOP3(s)
		case TLS:
			err = runTLS(s)
		default:
			err = fmt.Errorf("unknown protocol %q", req.Protocol)
		}
	}
	if err != nil && res.Err == nil {
		res.Err = err
	}
	switch {
	case !res.Reached && errors.Is(res.Err, context.Canceled):
		// Not the host's fault either: the user stopped before it answered.
		res.Banner = fmt.Sprintf("The test was cancelled while connecting to %s:%d", host, port)
	case !res.Reached:
		res.Banner = fmt.Sprintf("Could not reach host at %s:%d", host, port)
	case res.Banner == "" && errors.Is(res.Err, context.Canceled):
		// Not the server's fault: the user stopped waiting for it.
		res.Banner = fmt.Sprintf("Reached %s; the test was cancelled before the server greeted", res.Address)
	case res.Banner == "":
		res.Banner = fmt.Sprintf("Reached %s but the server did not greet as expected", res.Address)
	}
	if !res.OK() {
		res.Explanation = explain(res)
	}
	return res
}

// clientCertVerdictWait is how long the TLS tab waits for a server's
// verdict on a client certificate, which TLS 1.3 sends after the handshake.
const clientCertVerdictWait = 300 * time.Millisecond

func runTLS(s *session) error {
	if err := s.startTLS(); err != nil {
		return err
	}
	if s.clientCertAsked {
		// A server that refuses the client certificate says so with an
		// alert on the first read; one that accepts stays quiet or talks.
		_ = s.conn.SetReadDeadline(time.Now().Add(clientCertVerdictWait))
		_, err := s.r.Peek(1)
		var ne net.Error
		if err != nil && !(errors.As(err, &ne) && ne.Timeout()) && !errors.Is(err, io.EOF) {
			return &TLSError{Err: err}
		}
	}
	s.greeted()
	s.checkChain()
	return nil
}

// greeted records that the server answered as its protocol's servers do:
// the tenant's banner.
func (s *session) greeted() {
	s.res.Greeted = true
	s.res.Banner = fmt.Sprintf("Successfully reached host at %s:%d", s.res.Host, s.res.Port)
}

// noteClearText records that a password is about to go over a
// connection without TLS, which only happens when the user chose so.
// CRAM-MD5 sends a digest of the password, not the password: the note says
// which, so that nobody changes a password that was never sent.
func (s *session) noteClearText() {
	if !s.isTLS {
		sent := "the password was"
		switch s.req.Auth {
		case AuthEncrypted:
			sent = "the password's digest was"
		case AuthOAuth2:
			sent = "the access token was"
		}
		s.res.SentInClear = true
		s.res.add(Check{Name: "Encryption", Value: "None", OK: true,
			Note: sent + " sent unencrypted, as Protection " + s.req.Protection.Label(s.req.Protocol) + " allows"})
	}
}

// authFailed records an authentication that could not even be tried.
func (s *session) authFailed(err error) error {
	s.res.add(Check{Name: "Authentication", Value: "Unsuccessful", Note: err.Error()})
	return err
}

// authResult records the outcome of an authentication exchange.
func (s *session) authResult(err error) error {
	var re *ReplyError
	switch {
	case err == nil:
		s.res.add(Check{Name: "Authentication", Value: "Successful", OK: true})
		return nil
	case asReply(err, &re):
		s.res.add(Check{Name: "Authentication", Value: "Unsuccessful", Note: re.Text})
		return err
	}
	return s.authFailed(err)
}

func asReply(err error, re **ReplyError) bool { return errors.As(err, re) }
