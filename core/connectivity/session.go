package connectivity

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Limits on what a server may send, so that a hostile or broken one can
// neither exhaust memory nor keep a test running forever.
const (
	MaxLineLength  = 4 << 10  // one reply line
	MaxReplyLength = 64 << 10 // one multi-line reply, or an IMAP literal
)

var (
	ErrLineTooLong  = errors.New("connectivity: reply line too long")
	ErrReplyTooLong = errors.New("connectivity: reply too long")
	ErrGarbage      = errors.New("connectivity: unreadable reply")
)

// session is one connection to a server, whatever the protocol.
type session struct {
	ctx      context.Context
	req      *Request
	res      *Result
	timeouts Timeouts
	start    time.Time
	deadline time.Time

	conn  net.Conn
	r     *bufio.Reader
	isTLS bool
	stop  func() bool // detaches the context's close-on-cancel

	clientCertAsked bool
}

func newSession(ctx context.Context, req *Request, res *Result) *session {
	t := req.Timeouts.WithDefaults()
	now := time.Now()
	return &session{ctx: ctx, req: req, res: res, timeouts: t, start: now, deadline: now.Add(t.Total)}
}

// phase runs fn and records how long it took.
func (s *session) phase(name string, fn func() error) error {
	t := time.Now()
	err := fn()
	s.res.Phases = append(s.res.Phases, Phase{Name: name, Duration: time.Since(t)})
	return err
}

func (s *session) dial() error {
	return s.phase("connect", func() error {
		d := net.Dialer{Timeout: s.timeouts.Connect, Deadline: s.deadline}
		host := s.res.Host
		if s.req.ConnectTo != "" {
			host = s.req.ConnectTo
		}
		conn, err := d.DialContext(s.ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(s.res.Port)))
		if err != nil {
			return &NetError{Op: "connect", Err: err}
		}
		s.conn = conn
		s.res.Address = conn.RemoteAddr().String()
		s.res.Reached = true
		// Cancelling the context closes the connection, which ends any
		// read or write at once.
		s.stop = context.AfterFunc(s.ctx, func() { conn.Close() })
		s.r = bufio.NewReaderSize(conn, MaxLineLength)
		return nil
	})
}

func (s *session) close() {
	if s.stop != nil {
		s.stop()
	}
	if s.conn != nil {
		s.conn.Close()
	}
	s.res.Elapsed = time.Since(s.start)
}

// arm sets the deadline for the next exchange: a reply timeout, never
// past the whole test's.
func (s *session) arm() {
	d := time.Now().Add(s.timeouts.Reply)
	if s.deadline.Before(d) {
		d = s.deadline
	}
	_ = s.conn.SetDeadline(d)
}

func (s *session) record(fromServer bool, text string) {
	s.res.Transcript = append(s.res.Transcript, Line{FromServer: fromServer, Text: text, At: time.Since(s.start)})
}

// send writes one command line. shown is what the transcript records in
// its place when the line carries a secret.
func (s *session) send(line string, shown ...string) error {
	s.arm()
	if len(shown) > 0 {
		s.record(false, shown[0])
	} else {
		s.record(false, line)
	}
	if _, err := io.WriteString(s.conn, line+"\r\n"); err != nil {
		return s.netErr("send", err)
	}
	return nil
}

// readLine reads one reply line, without its line end.
func (s *session) readLine() (string, error) {
	s.arm()
	b, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return "", fmt.Errorf("%w: more than %d bytes without a line end", ErrLineTooLong, MaxLineLength)
	}
	if err != nil {
		if len(b) > 0 && errors.Is(err, io.EOF) {
			s.record(true, string(b))
		}
		return "", s.netErr("read", err)
	}
	line := strings.TrimRight(string(b), "\r\n")
	s.record(true, line)
	return line, nil
}

func (s *session) netErr(op string, err error) error {
	if s.ctx.Err() != nil {
		return &NetError{Op: op, Err: s.ctx.Err()}
	}
	return &NetError{Op: op, Err: err}
}

// startTLS runs the TLS handshake on the open connection and captures the
// chain the server sends, whatever its validity: the tenant's tutorial
// turns validation off for exactly this reason. Validation against the
// keystore (and, for information, the system) follows in checkChain.
func (s *session) startTLS() error {
	return s.phase("TLS handshake", func() error {
		cfg := &tls.Config{
			ServerName:         s.serverName(),
			InsecureSkipVerify: true, // verified below, against the keystore
			VerifyConnection: func(cs tls.ConnectionState) error {
				s.res.Chain = cs.PeerCertificates
				return nil
			},
		}
		// Noting whether the server asks for a client certificate lets
		// the TLS tab find out, below, whether it accepted ours.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			s.clientCertAsked = true
			if s.req.ClientCert != nil {
				return s.req.ClientCert, nil
			}
			return &tls.Certificate{}, nil
		}
		tc := tls.Client(s.conn, cfg)
		s.arm()
		if err := tc.HandshakeContext(s.ctx); err != nil {
			return &TLSError{Err: err}
		}
		cs := tc.ConnectionState()
		s.res.TLSVersion = tls.VersionName(cs.Version)
		s.res.Cipher = tls.CipherSuiteName(cs.CipherSuite)
		s.conn, s.isTLS = tc, true
		s.r = bufio.NewReaderSize(tc, MaxLineLength)
		return nil
	})
}

// serverName is what the certificate must name: the host, unless it is an
// IP address (then SNI is left out and the IP is checked).
func (s *session) serverName() string {
	if net.ParseIP(s.res.Host) != nil {
		return ""
	}
	return s.res.Host
}

// checkChain adds the Server Certificate line and reports whether the test
// may go on: with Valid Server Certificate Required, an invalid chain
// stops it before any password is sent.
func (s *session) checkChain() bool {
	v := verifyChain(s.res.Chain, s.req.Trusted, s.res.Host, time.Now())
	c := Check{Name: "Server Certificate", Value: "Valid", OK: true}
	if v.err != nil {
		c.Value, c.Note = "Invalid", v.reason
		c.OK = !s.req.VerifyCertificate // reported, but not a failure when not required
	}
	// Said only of a chain the keystore does not accept: then it tells
	// the user that the server is genuine and only the keystore lacks
	// its root. Beside "Valid" it would read as the reason for it.
	if v.err != nil && v.systemTrusts {
		c.Note += "; this computer's own trust store accepts it"
	}
	s.res.add(c)
	if v.err != nil && s.req.VerifyCertificate {
		s.res.Err = &CertError{Reason: v.reason, Kind: v.kind, Err: v.err}
		return false
	}
	return true
}

// NetError is a failure to reach or talk to the server.
type NetError struct {
	Op  string
	Err error
}

func (e *NetError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *NetError) Unwrap() error { return e.Err }

// TLSError is a failed TLS handshake.
type TLSError struct{ Err error }

func (e *TLSError) Error() string { return "TLS handshake: " + e.Err.Error() }
func (e *TLSError) Unwrap() error { return e.Err }

// CertError is an invalid server certificate with validation required.
type CertError struct {
	Reason string
	Kind   CertProblem
	Err    error
}

func (e *CertError) Error() string { return "server certificate: " + e.Reason }
func (e *CertError) Unwrap() error { return e.Err }

// ReplyError is a server's refusal: a reply code and its text.
type ReplyError struct {
	Command string // what we sent, secrets hidden: "AUTH PLAIN ***"
	Code    int    // SMTP's 535; 0 for IMAP and POP3
	Text    string // the server's words, all lines joined, without codes
	// Reply is the reply as the server sent it, line by line (an IMAP
	// command's tag left out): what the user may quote to its
	// administrator or search for.
	Reply string
	// Token is the error a server sent, decoded, before refusing an
	// OAuth2 access token (Google's base64 JSON in a 334 challenge).
	Token *TokenError
}

func (e *ReplyError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s: %d %s", e.Command, e.Code, e.Text)
	}
	return e.Command + ": " + e.Text
}

// ProtocolError is a reply that does not follow the protocol.
type ProtocolError struct {
	Step string
	Line string
	Err  error
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("%s: unexpected reply %q", e.Step, truncate(e.Line, 200))
}
func (e *ProtocolError) Unwrap() error { return ErrGarbage }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
