// Package connectivity runs the Connectivity Tests of Cloud Integration's
// Operations View on the user's own computer: it talks SMTP (RFC 5321,
// STARTTLS RFC 3207, AUTH RFC 4954), IMAP (RFC 9051), POP3 (RFC 1939, STLS
// RFC 2595) or plain TLS to a server, authenticates with a stored
// credential, captures the server's certificate chain exactly as sent, and
// reports what happened in words a non-technical user can act on.
package connectivity

import (
	"crypto/tls"
	"crypto/x509"
	"time"
)

// Protocol is a tab of the Connectivity Tests page.
type Protocol string

const (
	SMTP Protocol = "SMTP"
	IMAP Protocol = "IMAP"
	POP3 Protocol = "POP3"
	TLS  Protocol = "TLS"
)

// Protection is the tenant's Protection drop-down.
type Protection string

const (
	Off               Protection = "Off"
	Implicit          Protection = "Implicit" // shown as SMTPS, IMAPS or POP3S
	STARTTLSMandatory Protection = "STARTTLS Mandatory"
	STARTTLSOptional  Protection = "STARTTLS Optional"
)

// Label is the protection as the tenant spells it for protocol p.
func (pr Protection) Label(p Protocol) string {
	if pr == Implicit {
		return string(p) + "S"
	}
	return string(pr)
}

// Auth is the tenant's Authentication drop-down.
type Auth string

const (
	AuthNone      Auth = "None"
	AuthPlain     Auth = "Plain User/Password"     // AUTH PLAIN or LOGIN, as offered
	AuthEncrypted Auth = "Encrypted User/Password" // CRAM-MD5
	// AuthOAuth2 signs in with an OAuth2 access token (SASL XOAUTH2 or
	// OAUTHBEARER): Request.OAuth2 gives the token, Request.User the
	// mailbox.
	AuthOAuth2 Auth = "OAuth2 Authorization Code"
)

// Timeouts bound each phase of a test. Zero values take the defaults.
type Timeouts struct {
	Connect time.Duration // 10 s
	Reply   time.Duration // 30 s per server reply
	Total   time.Duration // 60 s for the whole test
}

// WithDefaults fills in the defaults for the zero values: the limits a
// test runs under, which a window may show while it waits.
func (t Timeouts) WithDefaults() Timeouts {
	if t.Connect <= 0 {
		t.Connect = 10 * time.Second
	}
	if t.Reply <= 0 {
		t.Reply = 30 * time.Second
	}
	if t.Total <= 0 {
		t.Total = 60 * time.Second
	}
	return t
}

// Request is one test, as the Request form of a tab describes it.
type Request struct {
	Protocol   Protocol
	Host       string // as the user typed it: NormalizeHost cleans it
	Port       int    // 0: the protocol's default for the protection
	Protection Protection
	Auth       Auth
	User       string
	Password   []byte // the caller clears it after the test
	// Credential is the Credential Name whose user and password the
	// caller looks up before the test runs, in place of User and Password.
	Credential string
	// OAuth2 gives the access token of Authentication OAuth2
	// Authorization Code, fetched when the test reaches the login.
	OAuth2 TokenSource
	// SASL forces XOAUTH2 or OAUTHBEARER; SASLAuto takes XOAUTH2 where
	// offered, otherwise OAUTHBEARER.
	SASL SASLChoice

	// VerifyCertificate is "Valid Server Certificate Required": without
	// a valid chain the test stops before authenticating.
	VerifyCertificate bool
	// Trusted are the keystore's certificates: the tenant checks server
	// certificates against its keystore, and so do we.
	Trusted []*x509.Certificate
	// ClientCert authenticates the TLS tab with a key pair.
	ClientCert *tls.Certificate

	// SMTP's Check Mail Addresses: MAIL FROM and RCPT TO, then RSET.
	From, To string
	// IMAP: List Folders, or Check Mailbox Content of Mailbox.
	ListFolders bool
	Mailbox     string
	// POP3: Check Mailbox Content (STAT).
	CheckMailbox bool

	Timeouts Timeouts

	// ConnectTo, when set, is the address (IP or name) connected to in
	// place of Host, while certificates are still checked for Host — as
	// curl's --connect-to. Tests reach a named server on loopback with it.
	ConnectTo string
}

// DefaultPort is the usual port of p under protection pr.
func DefaultPort(p Protocol, pr Protection) int {
	implicit := pr == Implicit
	switch p {
	case SMTP:
		if implicit {
			return 465
		}
		return 587
	case IMAP:
		if implicit {
			return 993
		}
		return 143
	case POP3:
		if implicit {
			return 995
		}
		return 110
	}
	return 443
}
