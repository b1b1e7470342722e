package mailsetup

import (
	"crypto/x509"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/oauth"
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
	// Adapters are the Mail adapters to set up, one per server of the
	// account (Account.Servers): the receiver that sends mail first, the
	// sender that reads mail second, each with its test.
	Adapters []HandOverAdapter
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

// HandOverAdapter is one Mail adapter's Connection tab, filled in, and
// the Connectivity Test that proves it on the tenant.
type HandOverAdapter struct {
	Protocol       string // SMTP, IMAP, POP3
	Address        string // "smtp.gmail.com:587"
	Protection     string // the tenant's label: "STARTTLS Mandatory", "SMTPS"
	Authentication string // "Plain User/Password", "OAuth2 Authorization Code"
	CredentialName string
	// Test is the Connectivity Test to run on the tenant, which proves
	// the same as the Proof step did here.
	Test HandOverTest
}

// Sends says whether the adapter is a receiver adapter, which sends mail
// (SMTP), rather than a sender adapter, which reads it.
func (ad HandOverAdapter) Sends() bool { return ad.Protocol == string(connectivity.SMTP) }

// HandOverTest is the tenant's Connectivity Tests form, filled in.
type HandOverTest struct {
	Tab                      string // SMTP, IMAP, POP3
	Host                     string
	Port                     int
	Protection               string // as the tenant spells it
	Authentication           string
	CredentialName           string
	ValidCertificateRequired bool // "Valid Server Certificate Required"
}

// NewHandOver builds the hand-over from the account and the keystore
// entries the Trust step added or found already there.
func NewHandOver(a Account, trusted []keystore.Result, keystorePath string) HandOver {
	h := HandOver{
		Address:      a.Settings.Address,
		Credential:   HandOverCredential{Type: credentials.UserCredentials, Name: a.Credential, User: a.User},
		KeystorePath: keystorePath,
	}
	for _, sv := range a.Servers() {
		p := sv.Protocol
		h.Adapters = append(h.Adapters, HandOverAdapter{Protocol: string(p), Address: sv.Address(), Protection: sv.Protection.Label(p),
			Authentication: string(a.Auth()), CredentialName: a.Credential,
			Test: HandOverTest{Tab: string(p), Host: sv.Host, Port: sv.Port, Protection: sv.Protection.Label(p),
				Authentication: string(a.Auth()), CredentialName: a.Credential, ValidCertificateRequired: sv.Protection != connectivity.Off}})
	}
	if h.Address == "" {
		h.Address = a.User
	}
	if a.CredentialType == credentials.OAuth2AuthorizationCode {
		h.Credential.Type = credentials.OAuth2AuthorizationCode
		if a.OAuth2 != nil {
			o := *a.OAuth2
			h.Credential.OAuth2 = &o
		}
	}
	for _, r := range trusted {
		alias := r.Alias
		switch r.Outcome {
		case keystore.Added:
		case keystore.Duplicate:
			alias = r.Existing
		default:
			h.Notes = append(h.Notes, CertName(r.Cert)+" was not added to the keystore ("+strings.TrimSuffix(r.Reason, ".")+
				"); add it to the tenant's keystore yourself.")
			continue
		}
		h.Entries = append(h.Entries, KeystoreEntry{Alias: alias, Subject: certs.JavaDN(r.Cert.RawSubject),
			Role: roleOf(r.Cert), SHA256: certs.SHA256(r.Cert)})
	}
	h.Notes = append(h.Notes, handOverNotes(a, h)...)
	return h
}

// roleOf is a certificate's place in a chain, read from the certificate
// alone: the hand-over gets keystore results, not the chain.
func roleOf(c *x509.Certificate) Role {
	switch {
	case c.BasicConstraintsValid && c.IsCA && selfSigned(c):
		return RoleRoot
	case c.BasicConstraintsValid && c.IsCA:
		return RoleIntermediate
	}
	return RoleServer
}

// handOverNotes are what the user must still do by hand.
func handOverNotes(a Account, h HandOver) []string {
	var notes []string
	switch {
	case h.Credential.Type == credentials.OAuth2AuthorizationCode:
		if o := h.Credential.OAuth2; o == nil || !o.PublicClient {
			notes = append(notes, "Type the app registration's client secret into the tenant's Client Secret field yourself: Opsdesk never shows it.")
		}
		notes = append(notes,
			"Add the tenant's redirect URL, "+oauth.TenantRedirectURL("")+" with your tenant's host, to the app registration, beside the one Opsdesk uses.",
			"After deploying the credential, press Authorize on the tenant and sign in as "+h.Credential.User+": it stays Unauthorized, and the Mail adapter cannot use it, until then.")
		if slices.ContainsFunc(a.Servers(), func(sv Server) bool { return sv.Protocol == connectivity.POP3 }) {
			notes = append(notes, "The tenant's Mail sender adapter offers OAuth2 Authorization Code with IMAP only, not POP3: connect it with IMAP.")
		}
	default:
		secret := "password"
		if pr := a.Settings.Provider; pr != nil && pr.Help.SecretLabel != "" {
			secret = pr.Help.SecretLabel
		}
		spaces := ""
		if pr := a.Settings.Provider; pr != nil && pr.SecretSpacesIgnored {
			spaces = ", without spaces"
		}
		notes = append(notes, "Type the "+secret+" into the tenant's Password and Repeat Password fields yourself"+spaces+": Opsdesk never shows it.")
	}
	switch {
	case !slices.ContainsFunc(a.Servers(), func(sv Server) bool { return sv.Protection != connectivity.Off }):
	case len(h.Entries) == 0:
		notes = append(notes, "No certificate was added to the keystore: until the server's root certificate is in the tenant's keystore, the tenant refuses the server (PKIX path building failed).")
	default:
		notes = append(notes, "Save the certificates as .cer files to upload them: Save Certificates… beside this hand-over in the window (a .zip with one .cer each), the Keystore window's Download, or opsdesk keystore export ALIAS.")
	}
	return notes
}

// A hand-over is written as a few blocks, the same for each format: a
// heading, fields, a paragraph or a list. The formats differ only in how
// they spell and escape a block.
type block struct {
	heading string
	text    string
	fields  []field
	list    []string
}

type field struct{ label, value string }

// blocks is the hand-over's content, in the order the tenant's pages are
// visited: Security Material, Keystore, the Mail adapter, the test.
func (h HandOver) blocks() []block {
	c := h.Credential
	cred := block{heading: "1. Security Material: Create ▾ " + string(c.Type) + ", then Deploy",
		fields: []field{{"Name", c.Name}}}
	if o := c.OAuth2; c.Type == credentials.OAuth2AuthorizationCode && o != nil {
		provider := string(o.Provider)
		if o.Provider == oauth.Google {
			provider = "Generic (Google's URLs below)"
		}
		expiry := ""
		if o.RefreshTokenExpiryDays > 0 {
			expiry = strconv.Itoa(o.RefreshTokenExpiryDays) + " days"
		}
		cred.fields = append(cred.fields, field{"Provider", provider}, field{"Authorization URL", o.AuthorizationURL},
			field{"Token Service URL", o.TokenURL}, field{"Refresh Token Expiry", expiry}, field{"Client ID", o.ClientID},
			field{"Client Secret", "type it yourself"}, field{"Send As", string(o.SendAs)}, field{"User Name", c.User}, field{"Scope", o.Scope})
	} else {
		cred.fields = append(cred.fields, field{"Type", string(c.Type)}, field{"User", c.User},
			field{"Password", "type it yourself (Opsdesk never shows it)"})
	}
	out := []block{{heading: "Hand-over to Cloud Integration: " + h.Address}, cred}
	if len(h.Entries) > 0 {
		out = append(out, block{heading: "2. Keystore: Add ▾ Certificate, once for each"})
		for _, e := range h.Entries {
			out = append(out, block{fields: []field{{"Alias", e.Alias}, {"Subject DN", e.Subject}, {"Role", string(e.Role)}, {"SHA-256", e.SHA256}}})
		}
		if h.KeystorePath != "" {
			out = append(out, block{text: "Or upload the keystore " + h.KeystorePath +
				" via Keystore ▾ Add ▾ Keystore, choosing Add (Replace would drop the tenant's own entries); Opsdesk's Keystore ▾ Download saves a copy with a password of your choosing and checks the tenant's limits."})
		}
	}
	// Numbered on from 3 whether or not the keystore has a part: the
	// adapters first, then their tests, as the tenant's pages are
	// visited.
	n := 3
	numbered := func(s string) string { n++; return strconv.Itoa(n-1) + ". " + s }
	for _, ad := range h.Adapters {
		kind := "sender: it reads mail"
		if ad.Sends() {
			kind = "receiver: it sends mail"
		}
		out = append(out, block{heading: numbered("Mail adapter (" + kind + "), Connection tab"),
			fields: []field{{"Address", ad.Address}, {"Protection", ad.Protection}, {"Authentication", ad.Authentication}, {"Credential Name", ad.CredentialName}}})
	}
	for _, ad := range h.Adapters {
		t := ad.Test
		out = append(out, block{heading: numbered("Connectivity Tests: " + t.Tab + " tab, then Send"),
			fields: []field{{"Host", t.Host}, {"Port", strconv.Itoa(t.Port)}, {"Protection", t.Protection},
				{"Authentication", t.Authentication}, {"Credential Name", t.CredentialName},
				{"Valid Server Certificate Required", onOff(t.ValidCertificateRequired)}}})
	}
	if len(h.Notes) > 0 {
		out = append(out, block{heading: "Still to do by hand", list: h.Notes})
	}
	return out
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// oneLine keeps a value on its line: a line break in an address or a user
// name must not start a line of its own in what the user copies.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 || r == 0x85 {
			return ' '
		}
		return r
	}, s)
}

// format is how one output spells the blocks: each function is given
// the raw string and escapes it as its format needs.
type format struct {
	title, heading func(string) string
	fields         func(headed bool) (before, after string)
	field          func(label, value string) string
	text           func(string) string
	list           [2]string // before and after a list
	item           func(string) string
	begin, end     func(title string) string
}

// render writes the blocks in format f: the one walk the three formats
// share, so that they never differ in content.
func (h HandOver) render(f format) string {
	var b strings.Builder
	bls := h.blocks()
	b.WriteString(f.begin(bls[0].heading))
	for i, bl := range bls {
		switch {
		case i == 0:
			b.WriteString(f.title(bl.heading))
		case bl.heading != "":
			b.WriteString(f.heading(bl.heading))
		}
		if len(bl.fields) > 0 {
			before, after := f.fields(bl.heading != "")
			b.WriteString(before)
			for _, fl := range bl.fields {
				b.WriteString(f.field(fl.label, fl.value))
			}
			b.WriteString(after)
		}
		if bl.text != "" {
			b.WriteString(f.text(bl.text))
		}
		if len(bl.list) > 0 {
			b.WriteString(f.list[0])
			for _, l := range bl.list {
				b.WriteString(f.item(l))
			}
			b.WriteString(f.list[1])
		}
	}
	b.WriteString(f.end(bls[0].heading))
	return b.String()
}

func none(string) string { return "" }

// Text is the hand-over as plain text, for the clipboard and the terminal.
func (h HandOver) Text() string {
	return h.render(format{
		begin: none, end: none,
		title:   func(s string) string { return oneLine(s) + "\n" },
		heading: func(s string) string { return "\n" + oneLine(s) + "\n" },
		fields: func(headed bool) (string, string) {
			if headed {
				return "", ""
			}
			return "\n", "" // a certificate of its own, apart from the one before
		},
		field: func(l, v string) string { return "   " + l + ": " + oneLine(v) + "\n" },
		text:  func(s string) string { return "\n   " + oneLine(s) + "\n" },
		item:  func(s string) string { return " - " + oneLine(s) + "\n" },
	})
}

// Markdown is the hand-over as a small Markdown file. Values are code
// spans, inside which Markdown interprets nothing, so an address or a
// user name cannot turn into a link or markup.
func (h HandOver) Markdown() string {
	return h.render(format{
		begin: none, end: none,
		title:   func(s string) string { return "# " + mdText(s) + "\n" },
		heading: func(s string) string { return "\n## " + mdText(s) + "\n" },
		fields:  func(bool) (string, string) { return "\n", "" },
		field:   func(l, v string) string { return "- " + l + ": " + mdCode(v) + "\n" },
		text:    func(s string) string { return "\n" + mdText(s) + "\n" },
		list:    [2]string{"\n", ""},
		item:    func(s string) string { return "- " + mdText(s) + "\n" },
	})
}

// mdCode is s as a CommonMark code span: fenced by more backticks than
// any run inside it, padded with spaces where it starts or ends with one.
func mdCode(s string) string {
	s = oneLine(s)
	if s == "" {
		return "(none)"
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdText escapes the characters Markdown could read as markup inside a
// line of running text (a sentence may quote an address or a path):
// emphasis, code, links, HTML, entities, tables and strike-through. The
// line never starts with the text, so "#", "-" and "1." cannot start a
// block.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range oneLine(s) {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// HTML is the hand-over as a small HTML page, every value escaped.
func (h HandOver) HTML() string {
	esc := func(s string) string { return html.EscapeString(oneLine(s)) }
	return h.render(format{
		begin: func(title string) string {
			return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title) + "</title>\n" +
				"<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}dt{font-weight:bold}dd{margin:0 0 .3em 1em;font-family:monospace}</style>\n</head>\n<body>\n"
		},
		end:     func(string) string { return "</body>\n</html>\n" },
		title:   func(s string) string { return "<h1>" + esc(s) + "</h1>\n" },
		heading: func(s string) string { return "<h2>" + esc(s) + "</h2>\n" },
		fields:  func(bool) (string, string) { return "<dl>\n", "</dl>\n" },
		field:   func(l, v string) string { return "<dt>" + esc(l) + "</dt><dd>" + esc(v) + "</dd>\n" },
		text:    func(s string) string { return "<p>" + esc(s) + "</p>\n" },
		list:    [2]string{"<ul>\n", "</ul>\n"},
		item:    func(s string) string { return "<li>" + esc(s) + "</li>\n" },
	})
}
