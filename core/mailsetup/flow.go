package mailsetup

import (
	"context"
	"crypto/x509"
	"errors"
	"strconv"
	"strings"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
)

// Account is what the user chose along the flow: the server to test and
// how to sign in to it.
type Account struct {
	Settings Settings
	Server   Server // the server chosen (SMTP by default)
	// Read is the reading server (IMAP or POP3) connected beside Server
	// when the user wants to read mail too; the zero Server when not.
	// It signs in with the same credential: the tenant's Mail receiver
	// and sender adapters can share one Security Material entry.
	Read       Server
	User       string // the user name; the address for every provider we know
	Credential string // the Credential Name the secret is stored under
	// CredentialType is UserCredentials, or OAuth2AuthorizationCode
	// where the account signs in with OAuth2.
	CredentialType credentials.Type
	// OAuth2 are the settings of the OAuth2 Authorization Code
	// credential (never its secret), for the hand-over; nil for User
	// Credentials.
	OAuth2 *credentials.OAuth2
	// ConnectTo, when set, is dialled in place of Server.Host, which the
	// certificate is still checked for (connectivity.Request.ConnectTo):
	// tests reach a named server on loopback with it.
	ConnectTo string
}

// Auth is the Authentication the tests and the tenant's adapter use.
func (a Account) Auth() connectivity.Auth {
	if a.CredentialType == credentials.OAuth2AuthorizationCode {
		return connectivity.AuthOAuth2
	}
	return connectivity.AuthPlain
}

// CredentialName proposes a Credential Name for the account's server:
// the provider's ID or the domain's first label and the protocol, in the
// tenant's lowercase style ("gmail_smtp", "example_imap"), made unique
// against taken ("gmail_smtp_2") so an existing credential is never
// overwritten.
func CredentialName(s Settings, p connectivity.Protocol, taken func(string) bool) string {
	base := ""
	if s.Provider != nil {
		base = s.Provider.ID
	}
	if base == "" {
		domain := s.Domain
		if domain == "" {
			domain = s.Address[strings.LastIndex(s.Address, "@")+1:]
		}
		base, _, _ = strings.Cut(domain, ".")
	}
	base = nameSafe(base)
	if base == "" {
		base = "mail"
	}
	proto := nameSafe(string(p))
	if proto == "" || len(proto) > 8 { // SMTP, IMAP, POP3: anything else is not a protocol of ours
		proto = "mail"
	}
	return uniqueName(base, "_"+proto, taken)
}

// nameSafe lowers s and keeps only what credentials.CheckName accepts: a
// run of anything else (the letters of an internationalised domain, a
// space) becomes one "_", so that the name still reads like the domain.
func nameSafe(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(s) {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	return strings.Trim(b.String(), "._-")
}

// uniqueName is base+tail, or base+tail+"_2", "_3", … whichever taken
// does not report, within credentials.MaxNameLength (base is shortened,
// the protocol in tail kept): the proposal never names an entry that
// exists, so that storing under it can never replace one.
func uniqueName(base, tail string, taken func(string) bool) string {
	fit := func(suffix string) string {
		b := base
		if len(b)+len(tail)+len(suffix) > credentials.MaxNameLength {
			b = b[:credentials.MaxNameLength-len(tail)-len(suffix)]
		}
		return b + tail + suffix
	}
	if name := fit(""); taken == nil || !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		if n := fit("_" + strconv.Itoa(i)); !taken(n) {
			return n
		}
	}
}

// NormalizeSecret returns the secret as the provider takes it (spaces of an
// App Password taken out), in a new slice; the caller clears both.
func NormalizeSecret(p *Provider, secret []byte) []byte {
	out := make([]byte, 0, len(secret))
	if p == nil || !p.SecretSpacesIgnored {
		return append(out, secret...)
	}
	// Byte by byte, never through a string: a string cannot be cleared.
	// Copying from the provider's page brings spaces, tabs, and in some
	// browsers no-break spaces (U+00A0, C2 A0 in UTF-8) between the groups.
	for i := 0; i < len(secret); i++ {
		switch {
		case secret[i] == ' ', secret[i] == '\t':
			continue
		case secret[i] == 0xC2 && i+1 < len(secret) && secret[i+1] == 0xA0:
			i++
			continue
		}
		out = append(out, secret[i])
	}
	return out
}

// SignInHelpFor is what the Sign-in step tells the user to type: the
// provider's advice, or for an address of no provider in the table the
// advice that fits most: the mailbox's password.
func SignInHelpFor(s Settings) SignInHelp {
	h := SignInHelp{Summary: "Type the mailbox's password; where your provider offers app passwords, an app password is the safer choice.",
		SecretLabel: "Password"}
	if s.Provider != nil && s.Provider.Help.Summary != "" {
		h = s.Provider.Help
		if h.SecretLabel == "" {
			h.SecretLabel = "Password"
		}
	}
	return h
}

// Request is the connectivity test of the account's server. The first test
// runs without "Valid Server Certificate Required" so the chain is seen
// even before it is trusted; the proof runs with it (verify). The caller
// fills Trusted from the keystore and the credential's secret or token.
//
// The first test does not sign in either (Authentication None): until the
// chain is trusted, nothing proves that the server answering is the
// provider's and not a machine in between, and the secret must not go to
// it. The server's chain, which is all the first test is for, comes
// before any sign-in anyway. The proof signs in only after the chain has
// been validated against the keystore: connectivity.Run stops before
// authenticating when it is not.
func (a Account) Request(verify bool) connectivity.Request { return a.RequestFor(a.Server, verify) }

// RequestFor is Request for one of the account's Servers.
func (a Account) RequestFor(sv Server, verify bool) connectivity.Request {
	req := connectivity.Request{
		Protocol:   sv.Protocol,
		Host:       sv.Host,
		Port:       sv.Port,
		Protection: sv.Protection,
		Auth:       connectivity.AuthNone,
		ConnectTo:  a.ConnectTo,
		// Off has no certificate to require (and the tenant's checkbox
		// is not offered then).
		VerifyCertificate: verify && sv.Protection != connectivity.Off,
	}
	if verify {
		req.Auth, req.Credential = a.Auth(), a.Credential
	}
	return req
}

// Role is a certificate's place in a chain.
type Role string

const (
	RoleServer       Role = "Server certificate"
	RoleIntermediate Role = "Intermediate certificate"
	RoleRoot         Role = "Root certificate"
)

// TrustItem is one certificate of the completed chain, and whether the
// tenant's keystore needs it.
type TrustItem struct {
	Cert *x509.Certificate
	Role Role
	// Why says in one sentence why the keystore needs it, or why not.
	Why string
	// Proposed: the root and the intermediates are; the server's own
	// short-lived certificate is not (the user may still choose it).
	Proposed bool
	// FromThisComputer: the server did not send it; this computer's
	// trust store completed the chain with it.
	FromThisComputer bool
}

// TrustProposal is the Trust step: the chain as sent, completed from this
// computer's trust store (connectivity.CompleteChain), leaf first.
type TrustProposal struct {
	Items []TrustItem
	// Complete is set when the chain ends at a root this computer
	// trusts; otherwise Note says what it means and what to do.
	Complete bool
	Note     string
}

// ProposeTrust completes the chain a server sent and proposes the root
// and the intermediates.
func ProposeTrust(sent []*x509.Certificate) TrustProposal {
	chain, complete := connectivity.CompleteChain(sent)
	p := TrustProposal{Complete: complete}
	if len(chain) == 0 {
		p.Note = "The server sent no certificate, so there is nothing to trust: the connection is not encrypted."
		return p
	}
	for i, c := range chain {
		it := TrustItem{Cert: c, FromThisComputer: !contains(sent, c)}
		last := i == len(chain)-1
		switch {
		case i == 0 && last && selfSigned(c):
			it.Role, it.Proposed = RoleServer, true
			it.Why = whySelfSigned(c)
		case i == 0:
			it.Role, it.Why = RoleServer, whyLeaf(c)
		case last && (complete || selfSigned(c)):
			it.Role, it.Proposed = RoleRoot, true
			it.Why = whyRoot(chain, complete, it.FromThisComputer)
		default:
			it.Role, it.Proposed = RoleIntermediate, true
			it.Why = whyIntermediate(chain, i)
		}
		p.Items = append(p.Items, it)
	}
	if !complete {
		p.Note = "The chain " + CertName(chain[0]) + " sent does not end at a root this computer knows: " +
			"add what the server sent, as proposed, or ask the provider for its root certificate and add that instead."
		if !p.Items[0].Proposed && len(p.Items) == 1 {
			// Only the server's own certificate came, and nothing here
			// knows its issuer: trusting it is the one way to connect.
			p.Items[0].Proposed = true
			p.Items[0].Why = whyLeafAlone(chain[0])
		}
	}
	return p
}

// Chosen returns the certificates proposed (or chosen since), root first
// is not implied: chain order, leaf side first.
func (p TrustProposal) Chosen() []*x509.Certificate {
	var out []*x509.Certificate
	for _, it := range p.Items {
		if it.Proposed {
			out = append(out, it.Cert)
		}
	}
	return out
}

// Step is a step of the flow, as the window numbers them.
type Step int

const (
	StepAddress   Step = iota + 1 // the address, and the servers found for it
	StepSignIn                    // how to sign in; the secret stored as a credential
	StepFirstTest                 // the test without certificate validation: the chain
	StepTrust                     // the certificates added to the keystore
	StepProof                     // the test again, validating and signing in
	StepHandOver                  // what to do on the tenant
)

// String is the step's title, as the window and the command show it.
func (s Step) String() string {
	switch s {
	case StepAddress:
		return "Address"
	case StepSignIn:
		return "Sign-in"
	case StepFirstTest:
		return "First Test"
	case StepTrust:
		return "Trust"
	case StepProof:
		return "Proof"
	case StepHandOver:
		return "Hand-over"
	}
	return "Step " + strconv.Itoa(int(s))
}

// GoBackTo says, for a proof test that did not pass, which step to go back
// to and why, in one sentence: the server not reached or the wrong port
// → Address; sign-in refused → Sign-in; the certificate still not valid →
// Trust. The window and the command both say it.
//
// The rule reads the result's failure, not its wording: the Result's
// Reached and Greeted, its check lines and the kind of its error, so
// that it holds for every protocol and server.
func GoBackTo(res *connectivity.Result) (Step, string) { return goBackTo(res, "") }

// GoBackToFirst is GoBackTo for the tests of all of an account's
// servers, in the order of Account.Servers: the first that did not pass
// decides, and with two servers the sentence names its server ("for
// IMAP at imap.gmail.com:993"). Nil results (a test not run) are skipped.
func GoBackToFirst(results []*connectivity.Result) (Step, string) {
	for _, res := range results {
		if res == nil || res.OK() {
			continue
		}
		who := ""
		if len(results) > 1 {
			who = " for " + string(res.Protocol) + " at " + res.Host + ":" + strconv.Itoa(res.Port)
		}
		return goBackTo(res, who)
	}
	return 0, ""
}

// goBackTo is GoBackTo; who, when not "", names the server in the
// sentence.
func goBackTo(res *connectivity.Result, who string) (Step, string) {
	if res == nil || res.OK() {
		return 0, ""
	}
	at := res.Host + ":" + strconv.Itoa(res.Port)
	back := func(s Step, todo, why string) (Step, string) {
		return s, "Go back to " + s.String() + " (step " + strconv.Itoa(int(s)) + ")" + who + " and " + todo + ": " + why + "."
	}
	var ce *connectivity.CertError
	var re *connectivity.ReplyError
	auth, authTried := res.Check("Authentication")
	cert, certChecked := res.Check("Server Certificate")
	switch {
	case errors.Is(res.Err, context.Canceled):
		return StepProof, "Run the " + StepProof.String() + " (step 5) again" + who + ": the test was cancelled before it finished."
	case !res.Reached:
		return back(StepAddress, "check the host and port", "nothing answered at "+at)
	case errors.As(res.Err, &re) && (re.Code == 421 || re.Code == 454):
		return StepProof, "Run the " + StepProof.String() + " (step 5) again" + who + " in a few minutes: the server at " + at + " is busy for now."
	case errors.As(res.Err, &ce) && ce.Kind == connectivity.CertNameMismatch:
		return back(StepAddress, "use the host name the certificate is made for", ce.Reason)
	case errors.As(res.Err, &ce), certChecked && !cert.OK:
		why := "the server's certificate is still not valid"
		if ce != nil {
			why += ": " + ce.Reason
		}
		return back(StepTrust, "add the certificates the chain needs to the keystore", why)
	case authTried && !auth.OK && res.Explanation != nil && res.Explanation.ProposeOAuth2:
		return back(StepSignIn, "sign in with OAuth2, an OAuth2 Authorization Code credential",
			"the server no longer accepts a password for this account")
	case authTried && !auth.OK && res.Auth == connectivity.AuthOAuth2:
		return back(StepSignIn, "authorize the OAuth2 credential again", "the server did not accept its access token")
	case authTried && !auth.OK:
		return back(StepSignIn, "type the right password (the app password, where the provider asks for one)",
			"the server did not accept the user name and password")
	}
	// Reached, but not greeted, not encrypted as chosen, or the
	// conversation broke off: the settings of the Address step do not
	// fit the server there.
	return back(StepAddress, "check the port and protection", "the server at "+at+" did not answer as these settings expect")
}
