package mailsetup

import (
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// KeystoreEntry is one certificate the tenant's keystore needs.
type KeystoreEntry struct {
	Alias   string // as added to the local keystore
	Subject string // Java's spelling of the subject DN
	Role    Role
	SHA256  string // fingerprint, as the tenant's entry details show it
}

// HandOver is exactly what to do on the Cloud Integration tenant, with the
// values filled in. It never holds a secret.
type HandOver struct {
	Address string // the e-mail address
	// The Security Material to create: Type, Name, User (never the
	// password); for OAuth2 the settings the tenant's form asks for.
	Credential HandOverCredential
	// The certificates to add under Keystore ▾ Add ▾ Certificate, or the
	// local keystore to upload (KeystorePath) via Add ▾ Keystore.
	Entries      []KeystoreEntry
	KeystorePath string
	// The Mail adapter's settings.
	Protocol       string // SMTP, IMAP, POP3
	AdapterAddress string // "smtp.gmail.com:587"
	Protection     string // the tenant's label: "STARTTLS Mandatory", "SMTPS"
	Authentication string // "Plain User/Password", "OAuth2 Authorization Code"
	CredentialName string
	// Notes are what the user must still do by hand, one sentence each
	// (authorize the OAuth2 credential on the tenant, add the tenant's
	// redirect URL to the app registration, …).
	Notes []string
}

// HandOverCredential is the Security Material to create on the tenant.
type HandOverCredential struct {
	Type credentials.Type
	Name string
	User string
	// OAuth2 holds an OAuth2 Authorization Code credential's settings
	// (no secret); nil for User Credentials.
	OAuth2 *credentials.OAuth2
}

// NewHandOver builds the hand-over from the account and the keystore
// entries the Trust step added or found already there.
func NewHandOver(a Account, trusted []keystore.Result, keystorePath string) HandOver {
	panic("mailsetup: NewHandOver not written yet")
}

// Text is the hand-over as plain text, for the clipboard and the terminal.
func (h HandOver) Text() string { panic("mailsetup: Text not written yet") }

// Markdown is the hand-over as a small Markdown file.
func (h HandOver) Markdown() string { panic("mailsetup: Markdown not written yet") }

// HTML is the hand-over as a small HTML page, every value escaped.
func (h HandOver) HTML() string { panic("mailsetup: HTML not written yet") }
