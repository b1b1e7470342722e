// Package oauthtest runs a real OpenID Connect authorization server on
// loopback for tests: zitadel/oidc's certified op package, in-process,
// with an in-memory storage of our own, a login and consent page, and a
// headless "browser" that signs in through that page as a person would.
// Mail test servers check each access token with it by introspection
// (RFC 7662), as a resource server does. Only tests import it: the app's
// binary does not link the authorization server.
package oauthtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Clients registered on every server.
const (
	PublicClient     = "opsdesk-public" // no secret: PKCE alone
	BodyClient       = "opsdesk-body"   // secret in the form (Send As Body Parameter)
	BasicClient      = "opsdesk-basic"  // secret in a Basic header (Send As Basic Auth Header)
	ClientSecret     = "s3cret-of-the-app"
	resourceServer   = "mail-server"
	resourceSecret   = "mail-server-secret"
	MailScope        = "https://mail.opsdesk.test/mail"
	DefaultUser      = "ops@example.com"
	DefaultPassword  = "Corr3ct-horse"
	loginPath        = "/login"
	defaultLifetime  = time.Hour
	redirectRegistry = "http://127.0.0.1/opsdesk" // loopback: any port, this path
)

// Options shape a server.
type Options struct {
	// AccessLifetime is how long access tokens live; 0 for an hour.
	AccessLifetime time.Duration
	// Rotate gives a new refresh token on every refresh and retires the
	// old one, as Microsoft does.
	Rotate bool
	// Users maps user names to passwords; nil for DefaultUser.
	Users map[string]string
	// RedirectPaths are the loopback redirect paths registered for the
	// apps (any port, as RFC 8252 §7.3 asks); nil for "/opsdesk" and "/".
	RedirectPaths []string
}

// Server is a running authorization server.
type Server struct {
	URL      string // the issuer, "http://127.0.0.1:PORT"
	provider *op.Provider
	store    *storage
	http     *http.Server
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	users := o.Users
	if users == nil {
		users = map[string]string{DefaultUser: DefaultPassword}
	}
	lifetime := o.AccessLifetime
	if lifetime <= 0 {
		lifetime = defaultLifetime
	}
	st := &storage{clients: map[string]*client{}, users: users, requests: map[string]*authRequest{}, codes: map[string]string{},
		access: map[string]*accessToken{}, refresh: map[string]*refreshToken{}, key: key, keyID: newID(),
		accessLifetime: lifetime, rotate: o.Rotate, now: time.Now}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: "http://" + l.Addr().String(), store: st}
	paths := o.RedirectPaths
	if paths == nil {
		paths = []string{"/opsdesk", "/", ""}
	}
	var redirects []string
	for _, p := range paths {
		redirects = append(redirects, "http://127.0.0.1"+p, "http://localhost"+p, "http://[::1]"+p)
	}
	login := func(id string) string { return s.URL + loginPath + "?authRequestID=" + url.QueryEscape(id) }
	for _, c := range []*client{
		{id: PublicClient, redirects: redirects, method: oidc.AuthMethodNone, login: login},
		{id: BodyClient, secret: ClientSecret, redirects: redirects, method: oidc.AuthMethodPost, login: login},
		{id: BasicClient, secret: ClientSecret, redirects: redirects, method: oidc.AuthMethodBasic, login: login},
		{id: resourceServer, secret: resourceSecret, method: oidc.AuthMethodBasic, login: login},
	} {
		st.clients[c.id] = c
	}
	var cryptoKey [32]byte
	_, _ = rand.Read(cryptoKey[:])
	cfg := &op.Config{CryptoKey: cryptoKey, CodeMethodS256: true, AuthMethodPost: true, GrantTypeRefreshToken: true}
	s.provider, err = op.NewProvider(cfg, st, op.StaticIssuer(s.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(loginPath, s.login)
	mux.Handle("/", s.provider)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.http.Serve(l)
	t.Cleanup(func() { s.http.Close() })
	return s
}

// AuthorizationURL, TokenURL, IntrospectionURL and RevocationURL are the
// server's endpoints.
func (s *Server) AuthorizationURL() string { return s.URL + "/authorize" }
func (s *Server) TokenURL() string         { return s.URL + "/oauth/token" }
func (s *Server) IntrospectionURL() string { return s.URL + "/oauth/introspect" }
func (s *Server) RevocationURL() string    { return s.URL + "/revoke" }

// login is the sign-in and consent page the server sends the browser to:
// a form of user name, password and Allow or Deny, as a provider's is.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id := r.Form.Get("authRequestID")
	req, err := s.store.AuthRequestByID(r.Context(), id)
	if err != nil {
		http.Error(w, "this sign-in has expired or is unknown", http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodPost {
		loginForm(w, id, "", req.GetScopes())
		return
	}
	if r.Form.Get("consent") != "allow" {
		op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("The user declined to allow access."), s.provider)
		return
	}
	user, pw := r.Form.Get("username"), r.Form.Get("password")
	s.store.mu.Lock()
	want, known := s.store.users[user]
	a := s.store.requests[id]
	ok := known && want == pw && a != nil
	if ok {
		a.subject, a.authTime, a.done = user, s.store.now(), true
	}
	s.store.mu.Unlock()
	if !ok {
		loginForm(w, id, "The user name or password is wrong.", req.GetScopes())
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(s.provider)(op.ContextWithIssuer(r.Context(), s.URL), id), http.StatusFound)
}

func loginForm(w http.ResponseWriter, id, problem string, scopes []string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>Sign in</title><p>%s</p><form method="post" action="%s">`+
		`<input type="hidden" name="authRequestID" value="%s"><input name="username"><input type="password" name="password">`+
		`<p>Opsdesk asks for: %s</p><button name="consent" value="allow">Allow</button><button name="consent" value="deny">Deny</button></form>`,
		html.EscapeString(problem), loginPath, html.EscapeString(id), html.EscapeString(strings.Join(scopes, ", ")))
}

// Browser returns an opener that does what a person does in a browser:
// opens the authorization URL, signs in as user with password and allows
// (consent true) or denies access, then follows the redirect back to the
// app's loopback listener. It returns once the listener has answered.
func (s *Server) Browser(user, password string, consent bool) func(string) error {
	return func(authURL string) error {
		_, err := s.SignIn(authURL, user, password, consent)
		return err
	}
}

// SignIn is Browser's work, returning the page the app's listener
// answered with.
func (s *Server) SignIn(authURL, user, password string, consent bool) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(authURL)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != loginPath {
		return string(body), fmt.Errorf("the authorization URL led to %s (%s): %s", resp.Request.URL, resp.Status, body)
	}
	id := resp.Request.URL.Query().Get("authRequestID")
	choice := "deny"
	if consent {
		choice = "allow"
	}
	resp, err = c.PostForm(s.URL+loginPath, url.Values{"authRequestID": {id}, "username": {user}, "password": {password}, "consent": {choice}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	return string(body), nil
}

// CheckToken asks the server, as a mail server does, whether token is an
// active access token of user that carries scope (none checked when "").
func (s *Server) CheckToken(ctx context.Context, user, token, scope string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.IntrospectionURL(), strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return err
	}
	req.SetBasicAuth(resourceServer, resourceSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var ir struct {
		Active   bool   `json:"active"`
		Username string `json:"username"`
		Scope    string `json:"scope"`
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("introspection: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&ir); err != nil {
		return err
	}
	switch {
	case !ir.Active:
		return ErrInactive
	case !strings.EqualFold(ir.Username, user):
		return fmt.Errorf("%w: the token is %s's, not %s's", ErrWrongAccount, ir.Username, user)
	case scope != "" && !slices.Contains(strings.Fields(ir.Scope), scope):
		return fmt.Errorf("%w: the token's scope is %q", ErrWrongScope, ir.Scope)
	}
	return nil
}

// Why a token was refused.
var (
	ErrInactive     = errors.New("the access token is not active: unknown, expired or revoked")
	ErrWrongAccount = errors.New("the access token belongs to another account")
	ErrWrongScope   = errors.New("the access token lacks the mail scope")
)

// Revoke withdraws every token of user, as a password change or an
// administrator's "sign out everywhere" does.
func (s *Server) Revoke(user string) { s.store.revokeAll(user) }

// ExpireAccessTokens ends the life of every access token issued so far,
// while the app still believes them valid.
func (s *Server) ExpireAccessTokens() {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for _, a := range s.store.access {
		a.expires = s.store.now().Add(-time.Second)
	}
}

// Counts reports how many codes were exchanged and refresh tokens used.
func (s *Server) Counts() (codeExchanges, refreshes int) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.store.codeExchanges, s.store.refreshes
}

// RefreshTokens lists the refresh tokens currently valid.
func (s *Server) RefreshTokens() []string {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var out []string
	for k := range s.store.refresh {
		out = append(out, k)
	}
	return out
}
