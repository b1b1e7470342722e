package mailsetup

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// trusted adds the proposal for c's chain to a new JKS, as the Trust step
// does, and returns the results and the keystore's path.
func trusted(t *testing.T, c mailtest.Chain) ([]keystore.Result, string) {
	t.Helper()
	trustStore(t, c.Root)
	ks, err := keystore.Create(filepath.Join(t.TempDir(), "keystore.jks"), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	res, err := AddTrust(ks, ProposeTrust(sent(c)).Chosen())
	if err != nil {
		t.Fatal(err)
	}
	return res, ks.Path()
}

func gmailAccount() Account {
	return Account{
		Settings:   Settings{Address: "me@gmail.com", Domain: "gmail.com", User: "me@gmail.com", Provider: gmail},
		Server:     Server{Protocol: connectivity.SMTP, Host: "smtp.gmail.com", Port: 587, Protection: connectivity.STARTTLSMandatory},
		User:       "me@gmail.com",
		Credential: "gmail_smtp",
	}
}

// TestHandOverFieldByField: the User Credentials case, the way the
// tutorial ends, every value where the tenant asks for it.
func TestHandOverFieldByField(t *testing.T) {
	c := mailtest.NewChain(t)
	res, path := trusted(t, c)
	h := NewHandOver(gmailAccount(), res, path)

	if h.Address != "me@gmail.com" || h.KeystorePath != path || len(h.Adapters) != 1 {
		t.Fatalf("hand-over: %+v", h)
	}
	ad := h.Adapters[0]
	if ad.Protocol != "SMTP" || ad.Address != "smtp.gmail.com:587" || ad.Protection != "STARTTLS Mandatory" ||
		ad.Authentication != "Plain User/Password" || ad.CredentialName != "gmail_smtp" || !ad.Sends() {
		t.Errorf("adapter: %+v", ad)
	}
	if h.Credential != (HandOverCredential{Type: credentials.UserCredentials, Name: "gmail_smtp", User: "me@gmail.com"}) {
		t.Errorf("credential: %+v", h.Credential)
	}
	wantTest := HandOverTest{Tab: "SMTP", Host: "smtp.gmail.com", Port: 587, Protection: "STARTTLS Mandatory",
		Authentication: "Plain User/Password", CredentialName: "gmail_smtp", ValidCertificateRequired: true}
	if ad.Test != wantTest {
		t.Errorf("test: %+v", ad.Test)
	}
	wantEntries := []KeystoreEntry{
		{Alias: "opsdesk_test_ca_1o1", Subject: "CN=Opsdesk Test CA 1O1, O=Opsdesk Test Trust, C=DE", Role: RoleIntermediate, SHA256: certs.SHA256(c.Intermediate.Cert)},
		{Alias: "opsdesk_test_root_r1", Subject: "CN=Opsdesk Test Root R1, O=Opsdesk Test Trust, C=DE", Role: RoleRoot, SHA256: certs.SHA256(c.Root.Cert)},
	}
	if len(h.Entries) != 2 || h.Entries[0] != wantEntries[0] || h.Entries[1] != wantEntries[1] {
		t.Errorf("entries:\n%+v\nwant\n%+v", h.Entries, wantEntries)
	}
	if len(h.Notes) != 2 || !strings.Contains(h.Notes[0], "App Password") || !strings.Contains(h.Notes[0], "without spaces") ||
		!strings.Contains(h.Notes[1], ".cer") {
		t.Errorf("notes: %q", h.Notes)
	}

	text := h.Text()
	for _, line := range []string{
		"Hand-over to Cloud Integration: me@gmail.com",
		"1. Security Material: Create ▾ User Credentials, then Deploy",
		"   Name: gmail_smtp",
		"   Type: User Credentials",
		"   User: me@gmail.com",
		"   Password: type it yourself (Opsdesk never shows it)",
		"2. Keystore: Add ▾ Certificate, once for each",
		"   Alias: opsdesk_test_ca_1o1",
		"   Subject DN: CN=Opsdesk Test CA 1O1, O=Opsdesk Test Trust, C=DE",
		"   Role: Intermediate certificate",
		"   SHA-256: " + certs.SHA256(c.Intermediate.Cert),
		"   Alias: opsdesk_test_root_r1",
		"   Role: Root certificate",
		"   SHA-256: " + certs.SHA256(c.Root.Cert),
		"   Or upload the keystore " + path + " via Keystore ▾ Add ▾ Keystore, choosing Add (Replace would drop the tenant's own entries); Opsdesk's Keystore ▾ Download saves a copy with a password of your choosing and checks the tenant's limits.",
		"3. Mail adapter (receiver: it sends mail), Connection tab",
		"   Address: smtp.gmail.com:587",
		"   Protection: STARTTLS Mandatory",
		"   Authentication: Plain User/Password",
		"   Credential Name: gmail_smtp",
		"4. Connectivity Tests: SMTP tab, then Send",
		"   Host: smtp.gmail.com",
		"   Port: 587",
		"   Valid Server Certificate Required: on",
		"Still to do by hand",
		" - " + h.Notes[0],
	} {
		if !hasLine(text, line) {
			t.Errorf("the text lacks the line %q:\n%s", line, text)
		}
	}
	if strings.Contains(text, c.Leaf.Cert.Subject.CommonName+"\n") || strings.Contains(text, "Server certificate") {
		t.Errorf("the leaf is handed over:\n%s", text)
	}
	md := h.Markdown()
	for _, line := range []string{"# Hand-over to Cloud Integration: me@gmail.com", "## 3. Mail adapter (receiver: it sends mail), Connection tab",
		"- Address: `smtp.gmail.com:587`", "- Alias: `opsdesk_test_root_r1`", "- Valid Server Certificate Required: `on`"} {
		if !hasLine(md, line) {
			t.Errorf("the Markdown lacks %q:\n%s", line, md)
		}
	}
	page := h.HTML()
	for _, part := range []string{"<h1>Hand-over to Cloud Integration: me@gmail.com</h1>", "<dt>Address</dt><dd>smtp.gmail.com:587</dd>",
		"<dt>Subject DN</dt><dd>CN=Opsdesk Test Root R1, O=Opsdesk Test Trust, C=DE</dd>"} {
		if !strings.Contains(page, part) {
			t.Errorf("the HTML lacks %q", part)
		}
	}
}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// TestHandOverNeverHoldsASecret walks the flow's storing and trusting with
// a real keyring and keystore, then looks for the secret in every format.
func TestHandOverNeverHoldsASecret(t *testing.T) {
	c := mailtest.NewChain(t)
	res, path := trusted(t, c)
	keyrings(t, func(t *testing.T, store *credentials.Store) {
		a := gmailAccount()
		a.Credential = freeName(t, store, "gmail_smtp")
		const secret = "wxyz qrst uvab cdef"
		if _, err := StoreCredential(store, a, []byte(secret)); err != nil {
			t.Fatal(err)
		}
		h := NewHandOver(a, res, path)
		for name, out := range map[string]string{"text": h.Text(), "markdown": h.Markdown(), "html": h.HTML()} {
			if strings.Contains(out, secret) || strings.Contains(out, "wxyzqrstuvabcdef") || strings.Contains(out, "wxyz") {
				t.Errorf("the %s holds the secret:\n%s", name, out)
			}
		}
	})
}

// TestHandOverEscapes: a hostile address and user cannot add markup to
// the HTML or the Markdown, or lines to the text.
func TestHandOverEscapes(t *testing.T) {
	a := gmailAccount()
	a.Settings.Address = `<script>alert("x")</script>@evil.test`
	a.User = "me\"&'<img src=x onerror=alert(1)>\nInjected: line"
	a.Server.Host = "smtp.<b>bold</b>.test"
	h := NewHandOver(a, nil, "/tmp/<i>keystore</i>.jks")
	page := h.HTML()
	for _, bad := range []string{"<script>", "<img", "<b>", "<i>", `"x"`} {
		if strings.Contains(page, bad) {
			t.Errorf("the HTML holds %q unescaped:\n%s", bad, page)
		}
	}
	for _, good := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;@evil.test", "me&#34;&amp;&#39;&lt;img src=x onerror=alert(1)&gt; Injected: line"} {
		if !strings.Contains(page, good) {
			t.Errorf("the HTML lacks %q:\n%s", good, page)
		}
	}
	if hasLine(h.Text(), "Injected: line") || !strings.Contains(h.Text(), "   User: me\"&'<img src=x onerror=alert(1)> Injected: line") {
		t.Errorf("a line break in a value made a line of its own:\n%s", h.Text())
	}
	md := h.Markdown()
	if !hasLine(md, "- User: `me\"&'<img src=x onerror=alert(1)> Injected: line`") ||
		!hasLine(md, "# Hand-over to Cloud Integration: \\<script\\>alert(\"x\")\\</script\\>@evil.test") {
		t.Errorf("the Markdown:\n%s", md)
	}
	if got := mdCode("a`b``c"); got != "```a`b``c```" {
		t.Errorf("mdCode = %s", got)
	}
	if got := mdCode("`x"); got != "`` `x ``" {
		t.Errorf("mdCode = %s", got)
	}
}

// TestHandOverOAuth2 lists what the tenant's OAuth2 Authorization Code
// form asks for, and what is left to do by hand.
func TestHandOverOAuth2(t *testing.T) {
	preset := oauth.PresetFor(oauth.Microsoft365, "contoso.onmicrosoft.com")
	settings := &credentials.OAuth2{Provider: oauth.Microsoft365, AuthorizationURL: preset.AuthorizationURL, TokenURL: preset.TokenURL,
		Scope: preset.Scope, ClientID: "11111111-2222-3333-4444-555555555555", SendAs: oauth.BodyParameter, RefreshTokenExpiryDays: 90}
	a := Account{Settings: Settings{Address: "ops@contoso.com", User: "ops@contoso.com"},
		Server: Server{Protocol: connectivity.POP3, Host: "outlook.office365.com", Port: 995, Protection: connectivity.Implicit},
		User:   "ops@contoso.com", Credential: "microsoft365_pop3", CredentialType: credentials.OAuth2AuthorizationCode, OAuth2: settings}
	h := NewHandOver(a, nil, "")
	if h.Credential.Type != credentials.OAuth2AuthorizationCode || h.Credential.OAuth2 == nil || h.Credential.OAuth2 == settings ||
		*h.Credential.OAuth2 != *settings || len(h.Adapters) != 1 || h.Adapters[0].Authentication != "OAuth2 Authorization Code" || h.Adapters[0].Protection != "POP3S" {
		t.Errorf("%+v", h)
	}
	text := h.Text()
	for _, line := range []string{
		"1. Security Material: Create ▾ OAuth2 Authorization Code, then Deploy",
		"   Name: microsoft365_pop3",
		"   Provider: Microsoft 365",
		"   Authorization URL: " + preset.AuthorizationURL,
		"   Token Service URL: " + preset.TokenURL,
		"   Refresh Token Expiry: 90 days",
		"   Client ID: 11111111-2222-3333-4444-555555555555",
		"   Client Secret: type it yourself",
		"   Send As: Body Parameter",
		"   User Name: ops@contoso.com",
		"   Scope: " + preset.Scope,
		"3. Mail adapter (sender: it reads mail), Connection tab",
		"   Protection: POP3S",
		"   Authentication: OAuth2 Authorization Code",
	} {
		if !hasLine(text, line) {
			t.Errorf("the text lacks %q:\n%s", line, text)
		}
	}
	notes := strings.Join(h.Notes, "\n")
	for _, want := range []string{"client secret", oauth.TenantRedirectURL(""), "press Authorize on the tenant and sign in as ops@contoso.com",
		"IMAP only", "No certificate was added"} {
		if !strings.Contains(notes, want) {
			t.Errorf("the notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(text, "Keystore: Add") {
		t.Errorf("no entries, yet a keystore section:\n%s", text)
	}
}

// TestHandOverRejectedAndDuplicates: an entry found already there is
// handed over under its alias; one the keystore refused becomes a note.
func TestHandOverRejectedAndDuplicates(t *testing.T) {
	c := mailtest.NewChain(t)
	res := []keystore.Result{
		{Alias: "wr2", Outcome: keystore.Duplicate, Existing: "google_wr2", Cert: c.Intermediate.Cert},
		{Alias: "sap_root", Outcome: keystore.Rejected, Reason: "The alias belongs to SAP.", Cert: c.Root.Cert},
	}
	h := NewHandOver(gmailAccount(), res, "")
	if len(h.Entries) != 1 || h.Entries[0].Alias != "google_wr2" || h.Entries[0].Role != RoleIntermediate {
		t.Errorf("entries %+v", h.Entries)
	}
	if !strings.Contains(h.Notes[0], "Opsdesk Test Root R1 was not added to the keystore (The alias belongs to SAP); add it") {
		t.Errorf("notes %q", h.Notes)
	}
	if strings.Contains(h.Text(), "Or upload") {
		t.Error("no keystore path, yet an upload")
	}
	off := gmailAccount()
	off.Server.Protection = connectivity.Off
	h = NewHandOver(off, nil, "")
	if h.Adapters[0].Test.ValidCertificateRequired || strings.Contains(strings.Join(h.Notes, " "), "certificate") {
		t.Errorf("Protection Off: %+v", h)
	}
}

// FuzzHandOverHTML: whatever the address, user, host and credential name
// hold, they add no markup: the page has as many "<" as with plain values.
func FuzzHandOverHTML(f *testing.F) {
	f.Add("me@gmail.com", "me@gmail.com", "smtp.gmail.com", "gmail_smtp")
	f.Add(`<script>@x`, "a\"&'<>\n", "h<b>", "</dd>")
	plain := strings.Count(NewHandOver(gmailAccount(), nil, "/k.jks").HTML(), "<")
	f.Fuzz(func(t *testing.T, address, user, host, name string) {
		a := gmailAccount()
		a.Settings.Address, a.User, a.Server.Host, a.Credential = address, user, host, name
		if address == "" {
			a.Settings.Address = "x" // else the user stands in for it
		}
		page := NewHandOver(a, nil, "/k.jks").HTML()
		if n := strings.Count(page, "<"); n != plain {
			t.Fatalf("%d '<' instead of %d:\n%s", n, plain, page)
		}
	})
}
