package ui

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
)

// TestOAuth2Form: Add ▾ OAuth2 Authorization Code opens the tenant's
// fields; the provider's preset fills them, Microsoft's tenant goes into
// its URLs, the form says the app registration needs both redirect URLs,
// and Deploy stores the credential Unauthorized, which Authorize then
// acts on.
func TestOAuth2Form(t *testing.T) {
	h, s := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	w.showCreate(credentials.OAuth2AuthorizationCode)
	f := oauth2FormOn(w.win)
	mustContain(t, "form", overlayText(w.win), "Create OAuth2 Authorization Code", "Provider", "Authorization URL", "Token Service URL",
		"Refresh Token Expiry", "Redirect URL", "Client ID", "Client Secret", "Send As", "User Name", "Scope")
	if f.provider.Selected != string(oauth.Microsoft365) || !strings.Contains(f.authURL.Text, "/organizations/oauth2/v2.0/authorize") ||
		!strings.Contains(f.scope.Text, "SMTP.Send") || f.expiry.Text != "90" || !f.tenant.Visible() {
		t.Fatalf("Microsoft's preset: %q %q %q", f.authURL.Text, f.scope.Text, f.expiry.Text)
	}
	f.tenant.SetText("contoso.onmicrosoft.com")
	if f.tokenURL.Text != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" {
		t.Errorf("the tenant is not in the URLs: %q", f.tokenURL.Text)
	}
	mustContain(t, "redirect sentence", f.redirects.Text, "both redirect URLs", oauth.DefaultRedirectURL, "/itspaces/odata/api/v1/OAuthTokenFromCode")
	if strings.Count(f.redirects.Text, ". ") > 0 {
		t.Errorf("more than one sentence: %q", f.redirects.Text)
	}
	f.provider.SetSelected(string(oauth.Google))
	if f.tenant.Visible() || !strings.Contains(f.authURL.Text, "access_type=offline") || f.scope.Text != oauth.ScopeGoogleMail || f.expiry.Text != "" {
		t.Fatalf("Google's preset: %q %q", f.authURL.Text, f.scope.Text)
	}
	f.provider.SetSelected(string(oauth.Microsoft365))
	if !f.deploy.Disabled() {
		t.Error("Deploy enabled without a name, client ID and mailbox")
	}
	f.name.SetText("m365_mailbox")
	f.clientID.SetText("0e8f7a2c-1b3d-4c5e-8f9a-0b1c2d3e4f50")
	f.user.SetText("ops")
	mustContain(t, "why", f.why.Text, "e-mail address")
	f.user.SetText("ops@contoso.com")
	f.redirect.SetText("https://example.com/cb")
	mustContain(t, "why", f.why.Text, "Redirect URL")
	f.redirect.SetText("http://127.0.0.1:8400/opsdesk")
	mustContain(t, "redirect sentence", f.redirects.Text, "http://127.0.0.1:8400/opsdesk")
	if f.deploy.Disabled() {
		t.Fatalf("Deploy disabled: %q", f.why.Text)
	}
	test.Tap(f.deploy)
	settle(t, h)
	mustContain(t, "table", tableText(w), "m365_mailbox | OAuth2 Authorization Code | Unauthorized")
	e, err := s.Entry("m365_mailbox")
	if err != nil || e.Status != credentials.Unauthorized || !e.OAuth2.PublicClient || e.OAuth2.RedirectURL != "http://127.0.0.1:8400/opsdesk" {
		t.Fatalf("%+v %v", e, err)
	}
	if w.selected != "m365_mailbox" || w.authorize.Disabled() { // the entry just deployed is the one marked
		t.Error("Authorize disabled for an OAuth2 entry")
	}
	// Edit shows what was stored; another scope makes it Unauthorized.
	w.onEdit()
	g := oauth2FormOn(w.win)
	if g.tenant.Text != "contoso.onmicrosoft.com" || g.user.Text != "ops@contoso.com" || !g.name.Disabled() {
		t.Fatalf("edit form: %q %q", g.tenant.Text, g.user.Text)
	}
	g.description.SetText("the ops mailbox")
	test.Tap(g.deploy)
	settle(t, h)
	if e, _ := s.Entry("m365_mailbox"); e.Description != "the ops mailbox" || e.OAuth2.ClientID != "0e8f7a2c-1b3d-4c5e-8f9a-0b1c2d3e4f50" {
		t.Fatalf("%+v", e)
	}
}

// authorizedWorld is an authorization server and a store with one OAuth2
// credential for it.
func oauthCredential(t *testing.T, s *credentials.Store, srv *oauthtest.Server, name string) {
	t.Helper()
	_, err := s.AddSecrets(credentials.Entry{Name: name, Type: credentials.OAuth2AuthorizationCode, User: oauthtest.DefaultUser,
		OAuth2: &credentials.OAuth2{Provider: oauth.Generic, AuthorizationURL: srv.AuthorizationURL(), TokenURL: srv.TokenURL(),
			RedirectURL: "http://127.0.0.1/opsdesk", ClientID: oauthtest.PublicClient, Scope: oauthtest.MailScope + " offline_access"}},
		credentials.Secrets{})
	if err != nil {
		t.Fatal(err)
	}
}

// authorizeSetup is the Security Material window with name, an OAuth2
// credential of the test provider, selected and not authorized yet.
func authorizeSetup(t *testing.T, name string) (*oauthtest.Server, *Home, *securityMaterialWindow) {
	t.Helper()
	srv := oauthtest.Start(t, oauthtest.Options{})
	h, s := newSMHome(t)
	oauthCredential(t, s, srv, name)
	w := h.showSecurityMaterial()
	settle(t, h)
	w.selectName(name)
	return srv, h, w
}

// TestAuthorizeInTheWindow: Authorize opens the sign-in page (here a
// headless browser that signs in at the real server), waits off the UI
// thread and shows the entry Deployed; Cancel stops a wait and changes
// nothing.
func TestAuthorizeInTheWindow(t *testing.T) {
	srv, h, w := authorizeSetup(t, "idp_mailbox")

	// Cancel first: the browser never comes back.
	opened := make(chan string, 1)
	w.openURL = func(u *url.URL) error { opened <- u.String(); return nil }
	test.Tap(w.authorize)
	select {
	case u := <-opened:
		if !strings.Contains(u, "code_challenge_method=S256") || !strings.Contains(u, "state=") {
			t.Errorf("the sign-in page: %s", u)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the browser was not opened")
	}
	mustContain(t, "dialog", overlayText(w.win), "Authorize idp_mailbox", "Sign in as "+oauthtest.DefaultUser, "Cancel", "Open Browser Again", "Copy Address")
	// Copy Address: the sign-in page's address, for a browser of the
	// user's choosing.
	tapOverlayButton(t, w.win, "Copy Address")
	if c := h.app.Clipboard().Content(); !strings.Contains(c, "code_challenge_method=S256") {
		t.Errorf("Copy Address put %q on the clipboard", c)
	}
	mustContain(t, "after Copy Address", overlayText(w.win), "on the clipboard")
	tapOverlayButton(t, w.win, "Cancel")
	settle(t, h)
	mustContain(t, "status", w.status.Text, "cancelled")
	mustContain(t, "table", tableText(w), "idp_mailbox | OAuth2 Authorization Code | Unauthorized")

	w.openURL = func(u *url.URL) error {
		return srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)(u.String())
	}
	w.selectName("idp_mailbox")
	test.Tap(w.authorize)
	settle(t, h)
	mustContain(t, "status", w.status.Text, "is authorized")
	mustContain(t, "table", tableText(w), "idp_mailbox | OAuth2 Authorization Code | Deployed")

	// Denied: the sentence, and the entry as it was.
	w.openURL = func(u *url.URL) error {
		return srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, false)(u.String())
	}
	w.selectName("idp_mailbox")
	test.Tap(w.authorize)
	settle(t, h)
	mustContain(t, "error", overlayText(w.win), "not allowed")
}

// TestAuthorizeWithoutABrowser: when no browser opens, Authorize keeps
// waiting (it used to give up), so the address copied into any browser
// still authorizes the entry.
func TestAuthorizeWithoutABrowser(t *testing.T) {
	srv, h, w := authorizeSetup(t, "idp_nobrowser")
	addr := make(chan string, 1)
	w.openURL = func(u *url.URL) error { addr <- u.String(); return errors.New("no browser is set up") }
	test.Tap(w.authorize)
	var signIn string
	select {
	case signIn = <-addr:
	case <-time.After(10 * time.Second):
		t.Fatal("Authorize did not try to open the browser")
	}
	// The user pastes the address into a browser and signs in.
	if err := srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)(signIn); err != nil {
		t.Fatal(err)
	}
	settle(t, h)
	mustContain(t, "status", w.status.Text, "is authorized")
	mustContain(t, "table", tableText(w), "idp_nobrowser | OAuth2 Authorization Code | Deployed")
}

// TestConnectivityWithOAuth2: Authentication OAuth2 Authorization Code
// lists only OAuth2 credentials, and a test with one passes, naming the
// mechanism.
func TestConnectivityWithOAuth2(t *testing.T) {
	srv := oauthtest.Start(t, oauthtest.Options{})
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN", "XOAUTH2"}, User: oauthtest.DefaultUser, Password: "x",
		CheckToken: func(ctx context.Context, user, token string) error {
			return srv.CheckToken(ctx, user, token, oauthtest.MailScope)
		}})
	s := newTestStore(t)
	if _, err := s.Add(credentials.Entry{Name: "gmail_smtp", Type: credentials.UserCredentials, User: mailUser}, []byte(mailPassword)); err != nil {
		t.Fatal(err)
	}
	oauthCredential(t, s, srv, "idp_mailbox")
	if _, err := s.Authorize(context.Background(), "idp_mailbox", oauth.AuthorizeOptions{Open: srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)}); err != nil {
		t.Fatal(err)
	}
	h := newTestHome(t)
	h.useSecurityMaterial(s)
	settle(t, h) // the tile's count comes back on the test driver's worker: let it land first
	c := connectivityFor(t, h)
	settle(t, h)
	tab := c.tab(connectivity.SMTP)
	test.Type(tab.host, mailtest.Host)
	tab.port.SetText(strconv.Itoa(port))
	tab.protection.SetSelected("STARTTLS Mandatory")
	tab.verify.SetChecked(false)
	tab.auth.SetSelected(string(connectivity.AuthPlain))
	if got := tab.cred.name.Options; len(got) != 1 || got[0] != "gmail_smtp" {
		t.Fatalf("password Credential Names %v", got)
	}
	tab.auth.SetSelected(string(connectivity.AuthOAuth2))
	if got := tab.cred.name.Options; len(got) != 1 || got[0] != "idp_mailbox" {
		t.Fatalf("OAuth2 Credential Names %v", got)
	}
	mustContain(t, "status", tab.status.Text, "Choose a Credential Name")
	tab.cred.name.SetSelected("idp_mailbox")
	resp := send(t, h, tab)
	mustContain(t, "response", resp, "Test passed", "Authentication: Successful (XOAUTH2)")
}

// TestOAuth2FormShowsEveryField: in a window with room for it, the form
// opens with every field in view down to Scope, the redirect sentence
// below it in the text's own colour (not the grey of a placeholder), and
// nothing to scroll; a smaller window keeps the dialog inside it.
func TestOAuth2FormShowsEveryField(t *testing.T) {
	h, _ := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	w.win.Resize(fyne.NewSize(1000, 1100))
	w.showCreate(credentials.OAuth2AuthorizationCode)
	f := oauth2FormOn(w.win)
	if got, need := f.scroll.Size().Height, f.fields.MinSize().Height; got < need {
		t.Errorf("the fields scroll in a window with room for them: %v of %v shown", got, need)
	}
	if f.redirects.Importance == widget.LowImportance {
		t.Error("the redirect sentence is greyed like a placeholder")
	}
	f.dlg.Hide()

	w.win.Resize(fyne.NewSize(1000, 600))
	w.showCreate(credentials.OAuth2AuthorizationCode)
	g := oauth2FormOn(w.win)
	if s := g.dlg.dlg.MinSize(); g.Size().Height > w.win.Canvas().Size().Height || s.Height > w.win.Canvas().Size().Height {
		t.Errorf("the dialog (%v) is taller than its window (%v)", g.Size(), w.win.Canvas().Size())
	}
}

// TestSecurityMaterialTypesFit: every type's name fits its column whole,
// "OAuth2 Authorization Code" too, and so does the Status "Unauthorized".
func TestSecurityMaterialTypesFit(t *testing.T) {
	test.NewTempApp(t)
	fits := func(col int, text string) {
		need := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
		if c := smColumns[col]; need > c.width {
			t.Errorf("%q needs %v in the %s column of %v: cut off with an ellipsis", text, need, c.title, c.width)
		}
	}
	for _, typ := range []credentials.Type{credentials.UserCredentials, credentials.SecureParameter, credentials.SuccessFactors,
		credentials.OpenConnectors, credentials.OAuth2AuthorizationCode} {
		fits(1, string(typ))
	}
	for _, st := range []string{credentials.Deployed, credentials.Unauthorized, credentials.Error} {
		fits(2, st)
	}
}

// TestAuthorizeDialogReadsAcross: the dialog that waits for the browser
// says so in a line beside the spinner, not a letter a line down the
// window, and stays a small dialog with its hint above the buttons.
func TestAuthorizeDialogReadsAcross(t *testing.T) {
	srv := oauthtest.Start(t, oauthtest.Options{})
	h, s := newSMHome(t)
	oauthCredential(t, s, srv, "idp_mailbox")
	w := h.showSecurityMaterial()
	settle(t, h)
	w.win.Resize(fyne.NewSize(1000, 900))
	w.selectName("idp_mailbox")
	opened := make(chan string, 1)
	w.openURL = func(u *url.URL) error { opened <- u.String(); return nil }
	test.Tap(w.authorize)
	select {
	case <-opened:
	case <-time.After(10 * time.Second):
		t.Fatal("the browser was not opened")
	}
	var status, hint *widget.Label
	walkWidgets(w.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "Sign in as") {
			hint = l
		} else if ok && strings.Contains(l.Text, "browser") {
			status = l
		}
	})
	if status == nil || hint == nil {
		t.Fatalf("no status or hint in the dialog: %q", overlayText(w.win))
	}
	if line := fyne.MeasureText(status.Text, theme.TextSize(), fyne.TextStyle{}); status.Size().Width < line.Width {
		t.Errorf("the status %q is %v wide, its line %v: it wraps letter by letter", status.Text, status.Size().Width, line.Width)
	}
	if h, line := status.Size().Height, fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height; h > 3*line {
		t.Errorf("the status is %v high, %v lines", h, h/line)
	}
	bottom := fyne.CurrentApp().Driver().AbsolutePositionForObject(hint).Y + hint.Size().Height
	if win := w.win.Canvas().Size().Height; bottom > win {
		t.Errorf("the hint ends %v down a window of %v: cut off", bottom, win)
	}
	tapOverlayButton(t, w.win, "Cancel")
	settle(t, h)
}
