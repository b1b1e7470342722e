package ui

import (
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/mailsetup"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// closedPort is a loopback port nothing listens on, TCP or UDP.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	return port
}

// TestConnectFindSettingsFailsFastOffline: with DNS and the autoconfig
// address leading nowhere, Find Settings ends at once, says what it
// tried, and proposes the usual servers to check.
func TestConnectFindSettingsFailsFastOffline(t *testing.T) {
	h, _, w := connectHome(t)
	port := closedPort(t)
	w.detector = mailsetup.Detector{
		Resolver: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", "127.0.0.1:"+port)
		}},
		AutoconfigURLs: func(string, string) []string { return []string{"http://127.0.0.1:" + port + "/mail/config-v1.1.xml"} },
		Timeout:        8 * time.Second,
	}
	test.Type(w.address.email, "ops@example.org")
	start := time.Now()
	primary(t, h, w, "Find Settings")
	took := time.Since(start)
	if took > 3*time.Second {
		t.Errorf("Find Settings took %s with nothing reachable", took)
	}
	wantStep(t, w, mailsetup.StepAddress)
	mustContain(t, "Address step", joined(w.address.obj), "No settings were found for example.org", "Looked at:",
		"the usual port; check the host")
	f := w.address.current()
	if f.host.Text != "smtp.example.org" || f.port.Text != "587 (SMTP /STARTTLS)" || f.protectionValue() != connectivity.STARTTLSMandatory {
		t.Errorf("proposed %q %q %s", f.host.Text, f.port.Text, f.protectionValue())
	}
	if w.primary.Text != "Next" || w.primary.Disabled() {
		t.Errorf("the primary button after the search: %q, disabled %v", w.primary.Text, w.primary.Disabled())
	}
	t.Logf("Find Settings with nothing reachable took %s", took.Round(time.Millisecond))
}

// TestConnectProviderChosen: the provider's servers come from the table,
// each saying so; picking another keeps Port and Protection in agreement
// as the Connectivity Tests do, and a value changed says it was typed.
func TestConnectProviderChosen(t *testing.T) {
	h, _, w := connectHome(t)
	test.Type(w.address.email, "ops@example.com")
	w.address.provider.SetSelected("Gmail / Google Workspace")
	primary(t, h, w, "Find Settings")
	a := w.address
	f := a.current()
	if f.host.Text != "smtp.gmail.com" || f.port.Text != "587 (SMTP /STARTTLS)" || f.protectionValue() != connectivity.STARTTLSMandatory {
		t.Fatalf("Gmail's SMTP: %q %q %s", f.host.Text, f.port.Text, f.protectionValue())
	}
	if a.parts[connectivity.SMTP].choice == nil || len(a.parts[connectivity.SMTP].choice.Options) != 2 {
		t.Fatal("Gmail's two SMTP servers are not offered")
	}
	mustContain(t, "Address step", joined(a.obj), "Settings found for ops@example.com", "Gmail / Google Workspace",
		"Source", a.picked[connectivity.SMTP].Source)
	a.parts[connectivity.SMTP].choice.SetSelected(a.parts[connectivity.SMTP].choice.Options[1])
	if f.port.Text != "465 (SMTPS)" || f.protectionValue() != connectivity.Implicit {
		t.Errorf("the second server: %q %s", f.port.Text, f.protectionValue())
	}
	f.protection.SetSelected(string(connectivity.STARTTLSMandatory))
	if f.port.Text != "587 (SMTP /STARTTLS)" {
		t.Errorf("STARTTLS Mandatory left the port at %q", f.port.Text)
	}
	f.port.SetText("2525")
	mustContain(t, "changed value", a.parts[connectivity.SMTP].source.Text, mailsetup.SourceTyped, "found: smtp.gmail.com:465")

	a.send.SetChecked(false) // reading alone: IMAP is the account's one server
	a.read.SetChecked(true)
	if g := a.current(); g.host.Text != "imap.gmail.com" || g.port.Text != "993 (IMAPS)" {
		t.Errorf("Read mail (IMAP): %q %q", g.host.Text, g.port.Text)
	}
	primary(t, h, w, "Next")
	if s := w.account.Server; s.Protocol != connectivity.IMAP || s.Host != "imap.gmail.com" || s.Port != 993 {
		t.Errorf("the account's server: %+v", s)
	}
	if w.account.Settings.Provider == nil || w.account.Settings.Provider.ID != "gmail" {
		t.Error("the provider chosen did not reach the account")
	}
	if w.signIn.name.Text != "gmail_imap" {
		t.Errorf("proposed %q", w.signIn.name.Text)
	}
}

// TestConnectKeys: Enter is the primary button and Escape is Cancel,
// from the fields, through the dialogs' one mechanism.
func TestConnectKeys(t *testing.T) {
	h, _, w := connectHome(t)
	_, port := connectServer(t, appPasswordTaken)
	typeServer(t, w, mailUser, port)
	f := w.address.current()
	w.win.Canvas().Focus(f.host)
	f.host.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	settle(t, h)
	wantStep(t, w, mailsetup.StepSignIn)
	w.win.Canvas().Focus(w.signIn.secret)
	w.signIn.secret.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if h.mailWin != nil || slices.Contains(h.app.Driver().AllWindows(), w.win) {
		t.Error("Escape did not cancel the flow, which had stored nothing yet")
	}
}

// TestConnectMicrosoft365SignsInWithOAuth2: the Sign-in step explains
// OAuth2 and offers an authorized credential, the OAuth2 form (the
// Security Material window's), or a password chosen knowingly.
func TestConnectMicrosoft365SignsInWithOAuth2(t *testing.T) {
	h, store, w := connectHome(t)
	o := oauth.PresetFor(oauth.Microsoft365, "contoso.onmicrosoft.com")
	if _, err := store.AddSecrets(credentials.Entry{Name: "m365_mailbox", Type: credentials.OAuth2AuthorizationCode, User: "ops@contoso.com",
		OAuth2: &credentials.OAuth2{Provider: oauth.Microsoft365, AuthorizationURL: o.AuthorizationURL, TokenURL: o.TokenURL, ClientID: "client",
			Scope: o.Scope, SendAs: o.SendAs}}, credentials.Secrets{}); err != nil {
		t.Fatal(err)
	}
	test.Type(w.address.email, "ops@contoso.com")
	w.address.provider.SetSelected("Microsoft 365")
	primary(t, h, w, "Find Settings")
	primary(t, h, w, "Next")
	s := w.signIn
	if !s.oauthBox.Visible() || s.password.Visible() {
		t.Fatal("Microsoft 365's Sign-in does not offer OAuth2 first")
	}
	mustContain(t, "Sign-in step", joined(s.obj), "OAuth2", oauthExisting, oauthCreate, oauthPassword)
	s.existing.SetSelected("m365_mailbox")
	mustContain(t, "an unauthorized credential", w.status.Text, "m365_mailbox is unauthorized", "Authorize")
	if !w.primary.Disabled() {
		t.Error("Next is enabled with an unauthorized credential")
	}

	s.method.SetSelected(oauthCreate)
	test.Tap(s.create)
	f := oauth2FormOn(w.win)
	if f == nil {
		t.Fatal("Create OAuth2 Credential… opened no OAuth2 form")
	}
	if f.user.Text != "ops@contoso.com" || f.provider.Selected != string(oauth.Microsoft365) || f.tenant.Text != "contoso.com" ||
		!strings.Contains(f.authURL.Text, "/contoso.com/") {
		t.Errorf("the form starts with user %q, provider %q, tenant %q, %s", f.user.Text, f.provider.Selected, f.tenant.Text, f.authURL.Text)
	}
	f.dlg.Hide()

	s.method.SetSelected(oauthPassword)
	if !s.password.Visible() || s.password.Items[1].Text != "Password" || s.oauthFields.Visible() {
		t.Errorf("a password chosen: form shown %v, labelled %q; OAuth2 fields shown %v", s.password.Visible(), s.password.Items[1].Text, s.oauthFields.Visible())
	}
	if s.name.Text != "microsoft365_smtp" {
		t.Errorf("proposed %q", s.name.Text)
	}
}

// TestConnectAnotherAddressIsLookedUpAgain: the servers found for one
// address are not taken for another typed after them; a host the user
// typed is.
func TestConnectAnotherAddressIsLookedUpAgain(t *testing.T) {
	h, _, w := connectHome(t)
	a := w.address
	test.Type(a.email, "ops@gmail.com")
	primary(t, h, w, "Find Settings")
	if a.current().host.Text != "smtp.gmail.com" {
		t.Fatalf("Gmail's SMTP: %q", a.current().host.Text)
	}
	a.email.SetText("ops@outlook.com")
	mustContain(t, "after the address changed", a.found.Text, "The address changed", "Find Settings")
	primary(t, h, w, "Find Settings")
	if got := a.current().host.Text; got != "smtp-mail.outlook.com" && !strings.Contains(got, "outlook") {
		t.Fatalf("Outlook.com's SMTP after the second search: %q", got)
	}
	// A host typed by the user is the user's: a changed address keeps it.
	a.current().host.SetText("mail.example.net")
	a.email.SetText("ops@yahoo.com")
	if a.needsSearch() {
		t.Error("a host the user typed is looked up again over")
	}
}
