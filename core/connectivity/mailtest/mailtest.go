// Package mailtest starts real mail servers on loopback for tests: SMTP
// (emersion/go-smtp's server), IMAP and POP3, each with STARTTLS and
// implicit TLS, serving a generated root → intermediate → leaf chain, and
// able to answer as Gmail does when a password is wrong or an App Password
// is required.
package mailtest

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

// Host is the name the test certificates are made for; it resolves
// nowhere, so tests reach it as 127.0.0.1 and check it with the name.
const Host = "mail.opsdesk.test"

// Options shape a test server.
type Options struct {
	Implicit bool     // TLS from the first byte (SMTPS, IMAPS, POP3S)
	STARTTLS bool     // offer STARTTLS (STLS for POP3)
	Mechs    []string // SASL mechanisms offered: PLAIN, LOGIN, CRAM-MD5
	User     string
	Password string
	// Gmail makes the server answer as smtp.gmail.com does: 530 5.7.0
	// before STARTTLS, and its 535 5.7.8 text for a wrong password.
	Gmail bool
	// AppPasswordRequired answers a right password with Gmail's 534 5.7.9.
	AppPasswordRequired bool
	// Cert replaces the server's certificate chain (leaf first).
	Cert *tls.Certificate
	// Messages and Unread fill the mailbox for IMAP and POP3.
	Messages, Unread int
	Folders          []string

	// CheckToken makes the servers accept OAuth2 access tokens (list
	// XOAUTH2 and OAUTHBEARER in Mechs to offer them): each token is
	// checked with the authorization server, and User must be its owner.
	CheckToken TokenCheck
	// Microsoft makes a refused token answer at once with Microsoft's
	// 535 5.7.3 (Gmail sends an error challenge first, as the others).
	Microsoft bool
	// PasswordRefusal answers every password login (PLAIN, LOGIN,
	// CRAM-MD5) with it, right or wrong: Microsoft's basic-auth refusals.
	PasswordRefusal *smtp.SMTPError
	// TokenRefusal answers a valid token with it: Microsoft's
	// SmtpClientAuthentication refusal.
	TokenRefusal *smtp.SMTPError
}

// Chain is a generated chain with the server certificate for Host.
type Chain struct {
	certtest.Chain
	TLS tls.Certificate // leaf + intermediate, as a server sends them
}

// NewChain makes a root → intermediate → leaf chain for Host.
func NewChain(t testing.TB) Chain {
	return withTLS(certtest.NewChain(t, Host))
}

// Sibling is a chain for host under c's root and intermediate: a second
// server of the same provider (smtp. and imap.opsdesk.test), whose leaf
// is its own while root and intermediate are shared.
func (c Chain) Sibling(t testing.TB, host string) Chain {
	s := c.Chain
	s.Leaf = certtest.Leaf(t, host, &s.Intermediate)
	return withTLS(s)
}

func withTLS(c certtest.Chain) Chain {
	return Chain{Chain: c, TLS: tls.Certificate{
		Certificate: [][]byte{c.Leaf.Cert.Raw, c.Intermediate.Cert.Raw},
		PrivateKey:  c.Leaf.Key,
		Leaf:        c.Leaf.Cert,
	}}
}

// Trusted returns the root, as a keystore holding the imported chain would.
func (c Chain) Trusted() []*x509.Certificate { return []*x509.Certificate{c.Root.Cert} }

func tlsConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}

// listen opens a loopback listener and stops it when the test ends.
func listen(t testing.TB) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// Port returns a listener's port.
func Port(l net.Listener) int { return l.Addr().(*net.TCPAddr).Port }

var errBadCredentials = errors.New("invalid credentials")

// checkCRAMMD5 verifies a CRAM-MD5 response to challenge (RFC 2195).
func checkCRAMMD5(challenge, response []byte, user, password string) error {
	u, digest, ok := strings.Cut(string(response), " ")
	mac := hmac.New(md5.New, []byte(password))
	mac.Write(challenge)
	if !ok || u != user || !hmac.Equal([]byte(digest), []byte(hex.EncodeToString(mac.Sum(nil)))) {
		return errBadCredentials
	}
	return nil
}

func challenge() []byte { return []byte(fmt.Sprintf("<%d.opsdesk@%s>", 1896697170952, Host)) }

// Raw accepts connections on loopback and hands each to serve, closing it
// when serve returns: a peer that misbehaves in ways the real servers
// won't (garbage, silence, a TLS handshake refused). It returns the port.
func Raw(t testing.TB, serve func(c net.Conn)) int {
	l := listen(t)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return Port(l)
}
