package mailsetup

import (
	"crypto/x509"
	"strconv"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
)

// Account is what the user chose along the flow: the server to test and
// how to sign in to it.
type Account struct {
	Settings   Settings
	Server     Server // the server chosen (SMTP by default)
	User       string // the user name; the address for every provider we know
	Credential string // the Credential Name the secret is stored under
	// CredentialType is UserCredentials, or OAuth2AuthorizationCode
	// where the account signs in with OAuth2.
	CredentialType credentials.Type
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
	panic("mailsetup: CredentialName not written yet")
}

// NormalizeSecret returns the secret as the provider takes it (spaces of an
// App Password taken out), in a new slice; the caller clears both.
func NormalizeSecret(p *Provider, secret []byte) []byte {
	panic("mailsetup: NormalizeSecret not written yet")
}

// Request is the connectivity test of the account's server. The first test
// runs without "Valid Server Certificate Required" so the chain is seen
// even before it is trusted; the proof runs with it (verify). The caller
// fills Trusted from the keystore and the credential's secret or token.
func (a Account) Request(verify bool) connectivity.Request {
	panic("mailsetup: Request not written yet")
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
	panic("mailsetup: ProposeTrust not written yet")
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
func GoBackTo(res *connectivity.Result) (Step, string) {
	panic("mailsetup: GoBackTo not written yet")
}
