package ui

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

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

// TestAuthorizeInTheWindow: Authorize opens the sign-in page (here a
// headless browser that signs in at the real server), waits off the UI
// thread and shows the entry Deployed; Cancel stops a wait and changes
// nothing.
func TestAuthorizeInTheWindow(t *testing.T) {
	srv := oauthtest.Start(t, oauthtest.Options{})
	h, s := newSMHome(t)
	oauthCredential(t, s, srv, "idp_mailbox")
	w := h.showSecurityMaterial()
	settle(t, h)
	w.selectName("idp_mailbox")

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
	mustContain(t, "dialog", overlayText(w.win), "Authorize idp_mailbox", "Sign in as "+oauthtest.DefaultUser, "Cancel", "Open Browser Again")
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
