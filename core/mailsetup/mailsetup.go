// Package mailsetup is the "Connect a Mail Account" flow without a window:
// from an e-mail address to the settings of its mail servers (a built-in
// provider table, DNS SRV records of RFC 6186, MX records mapped to a known
// provider, the provider's autoconfig XML), how the account signs in, the
// Credential Name to propose, which certificates the tenant's keystore
// needs (the chain completed from this computer's trust store: root and
// intermediates, never the short-lived leaf unless asked), and the
// hand-over: what to create on the Cloud Integration tenant, with the
// values filled in. The window (ui) and the command (internal/cli) both
// walk it; the rules live here once.
package mailsetup

import (
	"net"
	"strconv"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// SignIn is how a provider's accounts sign in from a program such as the
// tenant's Mail adapter.
type SignIn string

const (
	// SignInPassword: the account's password, or an app password where
	// the provider offers them.
	SignInPassword SignIn = "password"
	// SignInAppPassword: an App Password; the normal password is refused
	// (Gmail with 2-Step Verification, iCloud, Yahoo).
	SignInAppPassword SignIn = "app-password"
	// SignInOAuth2: OAuth2 Authorization Code; passwords are being
	// switched off (Microsoft 365, Outlook.com).
	SignInOAuth2 SignIn = "oauth2"
)

// Server is one mail server of an account, and where its settings came
// from.
type Server struct {
	Protocol   connectivity.Protocol // SMTP, IMAP or POP3
	Host       string
	Port       int
	Protection connectivity.Protection // Implicit, STARTTLSMandatory (Off only when a source says plain)
	// Source says in words where the setting came from, for the user to
	// judge it: "Opsdesk's provider table (Gmail)", "DNS record
	// _submission._tcp.example.com", "MX records: Google Workspace",
	// "autoconfig.example.com", "the usual port; check with your provider".
	Source string
}

// Address is the tenant's Address field of the Mail adapter: "host:port".
func (s Server) Address() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// SignInHelp tells a user, in plain words, what to type as the secret and
// where to get it.
type SignInHelp struct {
	Summary     string   // one sentence: "Gmail needs an App Password, not your Google password."
	Steps       []string // what to do, one step each
	URL         string   // where to create it, or ""
	SecretLabel string   // the field's label: "App Password", "Password"
}

// Provider is one entry of the built-in table.
type Provider struct {
	ID         string   // for --provider: "gmail", "microsoft365", …
	Name       string   // "Gmail / Google Workspace"
	Domains    []string // the address domains it serves: gmail.com, googlemail.com
	MXSuffixes []string // MX host suffixes that mean this provider: google.com, googlemail.com
	Servers    []Server // SMTP, IMAP and POP3; within a protocol the preferred first
	SignIn     SignIn
	// OAuth is the OAuth2 preset (core/oauth) for SignInOAuth2, or
	// where the provider also offers OAuth2; "" when none.
	OAuth oauth.Provider
	Help  SignInHelp
	// SecretSpacesIgnored is set where the provider shows its app
	// passwords in groups ("abcd efgh ijkl mnop") and ignores the spaces:
	// they are taken out before the secret is stored.
	SecretSpacesIgnored bool
}

// Settings are what detection found for an address.
type Settings struct {
	Address  string
	Domain   string
	User     string    // the user name to sign in with: the address, for every provider we know
	Provider *Provider // nil when none of the table's
	// Servers are the servers found, SMTP, IMAP and POP3; within a
	// protocol the proposed one first. Every value stays editable.
	Servers []Server
	// Tried says, in words, what was looked at and found nothing or
	// failed ("No DNS SRV records for example.com", "autoconfig.example.com
	// did not answer"): shown when the user has to type the settings.
	Tried []string
}

// Server returns the proposed server for p.
func (s Settings) Server(p connectivity.Protocol) (Server, bool) {
	for _, sv := range s.Servers {
		if sv.Protocol == p {
			return sv, true
		}
	}
	return Server{}, false
}

// Candidates returns every server found for p, the proposed one first.
func (s Settings) Candidates(p connectivity.Protocol) []Server {
	var out []Server
	for _, sv := range s.Servers {
		if sv.Protocol == p {
			out = append(out, sv)
		}
	}
	return out
}

// SignIn is how the account signs in: the provider's way, or a password
// when the provider is unknown.
func (s Settings) SignIn() SignIn {
	if s.Provider != nil {
		return s.Provider.SignIn
	}
	return SignInPassword
}
