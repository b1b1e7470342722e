package credentials

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
)

// oauthPath is the world of the whole path: an authorization server that
// rotates refresh tokens (as Microsoft does), SMTP, IMAP and POP3 servers
// that check every token with it, and a store whose clock the test moves.
type oauthPath struct {
	srv   *oauthtest.Server
	chain mailtest.Chain
	ports map[connectivity.Protocol]int
	store *Store
	mu    sync.Mutex
	now   time.Time
}

func newOAuthPath(t testing.TB, backend string, mechs ...string) *oauthPath {
	p := &oauthPath{srv: oauthtest.Start(t, oauthtest.Options{Rotate: true}), chain: mailtest.NewChain(t), now: time.Now(),
		ports: map[connectivity.Protocol]int{}}
	o := mailtest.Options{STARTTLS: true, Mechs: mechs, User: oauthtest.DefaultUser, Password: "the-mailbox-password", Messages: 3,
		CheckToken: func(ctx context.Context, user, token string) error {
			return p.srv.CheckToken(ctx, user, token, oauthtest.MailScope)
		}}
	p.ports[connectivity.SMTP] = mailtest.SMTP(t, p.chain, o)
	p.ports[connectivity.IMAP] = mailtest.IMAP(t, p.chain, o)
	p.ports[connectivity.POP3] = mailtest.POP3(t, p.chain, o)
	return p
}

func (p *oauthPath) clock() time.Time { p.mu.Lock(); defer p.mu.Unlock(); return p.now }
func (p *oauthPath) advance(d time.Duration) {
	p.mu.Lock()
	p.now = p.now.Add(d)
	p.mu.Unlock()
}

// settings are the credential's fields for this server, as a user types
// them for a Generic provider.
func (p *oauthPath) settings() *OAuth2 {
	return &OAuth2{Provider: oauth.Generic, AuthorizationURL: p.srv.AuthorizationURL(), TokenURL: p.srv.TokenURL(),
		RedirectURL: "http://127.0.0.1/opsdesk", ClientID: oauthtest.BodyClient, Scope: oauthtest.MailScope + " offline_access",
		SendAs: oauth.BodyParameter, RefreshTokenExpiryDays: 90}
}

// test runs a connectivity test with the credential, as the window and
// the test command do: OAuth2Login, then Run.
func (p *oauthPath) test(t testing.TB, proto connectivity.Protocol, name string) *connectivity.Result {
	login, err := p.store.OAuth2Login(name)
	if err != nil {
		t.Fatalf("%s: %v", proto, err)
	}
	req := connectivity.Request{Protocol: proto, Host: mailtest.Host, ConnectTo: "127.0.0.1", Port: p.ports[proto],
		Protection: connectivity.STARTTLSMandatory, Auth: connectivity.AuthOAuth2, User: login.User, OAuth2: login,
		VerifyCertificate: true, Trusted: p.chain.Trusted(), Timeouts: connectivity.Timeouts{Total: 20 * time.Second}}
	switch proto {
	case connectivity.IMAP:
		req.Mailbox = "INBOX"
	case connectivity.POP3:
		req.CheckMailbox = true
	}
	return connectivity.Run(context.Background(), req)
}

func phase(r *connectivity.Result, name string) bool {
	for _, p := range r.Phases {
		if p.Name == name {
			return true
		}
	}
	return false
}

// TestOAuth2WholePath is issue 15's path, against the real authorization
// server this test starts: add the credential, authorize it (signing in
// and consenting headlessly through the server's own login page), test
// SMTP, IMAP and POP3, let the access token expire and test again (a
// refresh, the rotated refresh token kept), revoke the grant and read the
// explanation, deny consent and read the sentence, authorize again.
func TestOAuth2WholePath(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		p := newOAuthPath(t, backend, "PLAIN", "XOAUTH2", "OAUTHBEARER")
		ts := openTest(t, backend, func(o *Options) { o.Now = p.clock })
		p.store = ts.Store
		name := uniq(t, ts.Store, "mailbox")
		ctx := context.Background()

		// Add: Unauthorized, and a test says to authorize first.
		e, err := ts.AddSecrets(Entry{Name: name, Type: OAuth2AuthorizationCode, User: oauthtest.DefaultUser, Description: "the ops mailbox",
			OAuth2: p.settings()}, Secrets{Secret: []byte(oauthtest.ClientSecret)})
		if err != nil || e.Status != Unauthorized {
			t.Fatalf("add: %+v %v", e, err)
		}
		if _, err := ts.OAuth2Login(name); !errors.Is(err, ErrUnauthorized) {
			t.Fatalf("unauthorized: %v", err)
		}

		// Authorize, headless.
		e, err = ts.Authorize(ctx, name, oauth.AuthorizeOptions{Open: p.srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true), Timeout: 20 * time.Second})
		if err != nil || e.Status != Deployed {
			t.Fatalf("authorize: %+v %v", e, err)
		}

		// SMTP, IMAP, POP3 with the token Authorize brought: no refresh.
		for _, proto := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
			r := p.test(t, proto, name)
			auth, _ := r.Check("Authentication")
			if !r.OK() || auth.Value != "Successful (XOAUTH2)" {
				t.Fatalf("%s: %+v %v %+v", proto, r.Checks, r.Err, r.Explanation)
			}
		}
		if _, refreshes := p.srv.Counts(); refreshes != 0 {
			t.Errorf("%d refreshes while the access token was valid", refreshes)
		}

		// The access token expires: the next test refreshes, keeps the
		// rotated refresh token, and passes; the one after reuses.
		p.advance(2 * time.Hour)
		before := p.srv.RefreshTokens()
		r := p.test(t, connectivity.SMTP, name)
		if !r.OK() || !phase(r, "access token") {
			t.Fatalf("after expiry: %+v %v", r.Checks, r.Err)
		}
		after := p.srv.RefreshTokens()
		if _, refreshes := p.srv.Counts(); refreshes != 1 || len(after) != 1 || after[0] == before[0] {
			t.Fatalf("refreshes %d, refresh tokens %v → %v", refreshes, before, after)
		}
		for _, proto := range []connectivity.Protocol{connectivity.IMAP, connectivity.POP3} {
			if r := p.test(t, proto, name); !r.OK() {
				t.Fatalf("%s after the refresh: %+v", proto, r.Explanation)
			}
		}
		if _, refreshes := p.srv.Counts(); refreshes != 1 {
			t.Errorf("%d refreshes: the renewed token was not kept", refreshes)
		}

		// Revoked (a password change, an administrator): the kept token
		// is refused, the renewal too, and the test says what to do.
		p.srv.Revoke(oauthtest.DefaultUser)
		r = p.test(t, connectivity.IMAP, name)
		if r.OK() || !errors.Is(r.Err, oauth.ErrRefused) || r.Explanation == nil ||
			!strings.Contains(r.Explanation.What, "no longer accepts the refresh token") || !strings.Contains(r.Explanation.Next, "Authorize") {
			t.Fatalf("revoked: %+v %v", r.Explanation, r.Err)
		}
		if v := r.Verdict(); !strings.Contains(v.Headline, "authentication was unsuccessful") {
			t.Errorf("revoked: %q", v.Headline)
		}
		e, _ = ts.Entry(name)
		if e.Status != Error || e.Problem == "" {
			t.Fatalf("revoked: the entry is %s %q", e.Status, e.Problem)
		}
		_, err = ts.OAuth2Login(name)
		if err == nil || !strings.Contains(err.Error(), "Authorize it again") {
			t.Fatalf("after the refusal: %v", err)
		}

		// Consent denied: a sentence, and the entry as it was.
		_, err = ts.Authorize(ctx, name, oauth.AuthorizeOptions{Open: p.srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, false), Timeout: 20 * time.Second})
		if !errors.Is(err, oauth.ErrDenied) || !strings.Contains(err.Error(), "not allowed") {
			t.Fatalf("denied: %v", err)
		}
		if e, _ := ts.Entry(name); e.Status != Error {
			t.Fatalf("a denial changed the entry to %s", e.Status)
		}

		// Authorized again, it works again, with OAUTHBEARER forced.
		if _, err := ts.Authorize(ctx, name, oauth.AuthorizeOptions{Open: p.srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true), Timeout: 20 * time.Second}); err != nil {
			t.Fatal(err)
		}
		login, _ := ts.OAuth2Login(name)
		r = connectivity.Run(ctx, connectivity.Request{Protocol: connectivity.SMTP, Host: mailtest.Host, ConnectTo: "127.0.0.1", Port: p.ports[connectivity.SMTP],
			Protection: connectivity.STARTTLSMandatory, Auth: connectivity.AuthOAuth2, User: login.User, OAuth2: login, SASL: connectivity.SASLOAUTHBEARER,
			VerifyCertificate: true, Trusted: p.chain.Trusted()})
		if auth, _ := r.Check("Authentication"); !r.OK() || auth.Value != "Successful (OAUTHBEARER)" {
			t.Fatalf("again: %+v", r.Checks)
		}
	})
}
