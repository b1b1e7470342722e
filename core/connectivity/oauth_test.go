package connectivity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
	"github.com/opsdesk/opsdesk/core/problem"
)

// tokens is a TokenSource: first the token kept, then on renewal a
// new one from the authorization server.
type tokens struct {
	mu     sync.Mutex
	kept   string
	renew  func() (string, error)
	asks   []bool // renew, per call
	failed error
}

func (t *tokens) AccessToken(_ context.Context, renew bool) ([]byte, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.asks = append(t.asks, renew)
	if t.failed != nil {
		return nil, false, t.failed
	}
	if !renew {
		return []byte(t.kept), false, nil
	}
	tok, err := t.renew()
	if err != nil {
		return nil, false, err
	}
	t.kept = tok
	return []byte(tok), true, nil
}

// oauthWorld is an authorization server, a token it issued for user, and
// a way to get more.
type oauthWorld struct {
	srv   *oauthtest.Server
	cfg   oauth.Config
	token string
	rt    string
}

func newOAuthWorld(t *testing.T) *oauthWorld {
	srv := oauthtest.Start(t, oauthtest.Options{})
	cfg := oauth.Config{AuthorizationURL: srv.AuthorizationURL(), TokenURL: srv.TokenURL(), ClientID: oauthtest.PublicClient,
		RedirectURL: "http://127.0.0.1/opsdesk", Scope: oauthtest.MailScope + " offline_access"}
	tok, err := oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{Open: srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true), Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &oauthWorld{srv: srv, cfg: cfg, token: tok.AccessToken, rt: tok.RefreshToken}
}

func (w *oauthWorld) source() *tokens {
	return &tokens{kept: w.token, renew: func() (string, error) {
		tok, err := oauth.Refresh(context.Background(), w.cfg, w.rt)
		if err != nil {
			return "", err
		}
		return tok.AccessToken, nil
	}}
}

func (w *oauthWorld) options(mechs ...string) mailtest.Options {
	return mailtest.Options{STARTTLS: true, Mechs: mechs, User: oauthtest.DefaultUser, Password: "unused-by-oauth",
		CheckToken: func(ctx context.Context, user, token string) error {
			return w.srv.CheckToken(ctx, user, token, oauthtest.MailScope)
		},
		Messages: 2}
}

func startOAuthServer(t *testing.T, p connectivity.Protocol, chain mailtest.Chain, o mailtest.Options) int {
	switch p {
	case connectivity.IMAP:
		return mailtest.IMAP(t, chain, o)
	case connectivity.POP3:
		return mailtest.POP3(t, chain, o)
	}
	return mailtest.SMTP(t, chain, o)
}

func oauthRequest(p connectivity.Protocol, port int, chain mailtest.Chain, src connectivity.TokenSource, choice connectivity.SASLChoice) connectivity.Request {
	req := connectivity.Request{Protocol: p, Host: mailtest.Host, ConnectTo: "127.0.0.1", Port: port, Protection: connectivity.STARTTLSMandatory,
		Auth: connectivity.AuthOAuth2, User: oauthtest.DefaultUser, OAuth2: src, SASL: choice, VerifyCertificate: true, Trusted: chain.Trusted(),
		Timeouts: connectivity.Timeouts{Total: 20 * time.Second}}
	if p == connectivity.POP3 {
		req.CheckMailbox = true
	}
	return req
}

// TestOAuth2Logins signs in to each protocol's server with a token the
// real authorization server issued, which the mail server checks with it,
// by each mechanism; the check line names the mechanism, and the token
// never shows in the transcript.
func TestOAuth2Logins(t *testing.T) {
	w := newOAuthWorld(t)
	chain := mailtest.NewChain(t)
	for _, p := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		for _, c := range []struct {
			offered []string
			choice  connectivity.SASLChoice
			want    string
		}{
			{[]string{"PLAIN", "XOAUTH2", "OAUTHBEARER"}, connectivity.SASLAuto, "XOAUTH2"},
			{[]string{"PLAIN", "OAUTHBEARER"}, connectivity.SASLAuto, "OAUTHBEARER"},
			{[]string{"XOAUTH2", "OAUTHBEARER"}, connectivity.SASLOAUTHBEARER, "OAUTHBEARER"},
			{[]string{"XOAUTH2", "OAUTHBEARER"}, connectivity.SASLXOAUTH2, "XOAUTH2"},
		} {
			t.Run(fmt.Sprintf("%s %v %s", p, c.offered, c.choice), func(t *testing.T) {
				port := startOAuthServer(t, p, chain, w.options(c.offered...))
				res := connectivity.Run(context.Background(), oauthRequest(p, port, chain, w.source(), c.choice))
				auth, _ := res.Check("Authentication")
				if !res.OK() || auth.Value != "Successful ("+c.want+")" || res.Mechanism != c.want {
					t.Fatalf("%+v\n%v\n%s", res.Checks, res.Err, transcript(res))
				}
				if strings.Contains(transcript(res), w.token) {
					t.Error("the access token is in the transcript")
				}
				if p == connectivity.POP3 && res.Messages != 2 {
					t.Errorf("STAT after the login: %d", res.Messages)
				}
			})
		}
	}
}

// TestOAuth2KeptTokenRefusedIsRenewed: a token kept but no longer valid
// (revoked, expired early) is replaced by a new one on the same
// connection; a refresh token the server refuses is said in its words.
func TestOAuth2KeptTokenRefusedIsRenewed(t *testing.T) {
	w := newOAuthWorld(t)
	chain := mailtest.NewChain(t)
	for _, p := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		port := startOAuthServer(t, p, chain, w.options("XOAUTH2"))
		src := w.source()
		src.kept = "a-token-the-server-forgot"
		res := connectivity.Run(context.Background(), oauthRequest(p, port, chain, src, connectivity.SASLAuto))
		if !res.OK() || !res.Renewed || fmt.Sprint(src.asks) != "[false true]" {
			t.Fatalf("%s: %+v %v renewed=%v asks=%v\n%s", p, res.Checks, res.Err, res.Renewed, src.asks, transcript(res))
		}
		// A refresh token that no longer works.
		src.failed = &problem.Error{Kind: oauth.ErrRefused, What: "The authorization server no longer accepts the refresh token: it expired or was revoked",
			Hint: "Authorize the credential again (Authorize in Security Material)."}
		res = connectivity.Run(context.Background(), oauthRequest(p, port, chain, src, connectivity.SASLAuto))
		auth, _ := res.Check("Authentication")
		if res.OK() || !errors.Is(res.Err, oauth.ErrRefused) || auth.Value != "Unsuccessful (XOAUTH2)" ||
			!strings.Contains(res.Explanation.Next, "Authorize the credential again") {
			t.Fatalf("%s: %+v %+v", p, res.Checks, res.Explanation)
		}
		if v := res.Verdict(); !strings.Contains(v.Headline, "authentication was unsuccessful") {
			t.Errorf("%s: %q", p, v.Headline)
		}
	}
}

// TestOAuth2Refusals are the answers users meet, each explained: Google's
// base64 JSON decoded, Microsoft's 5.7.3 and its SMTP AUTH switched off, a
// mechanism the server lacks.
func TestOAuth2Refusals(t *testing.T) {
	w := newOAuthWorld(t)
	chain := mailtest.NewChain(t)
	run := func(p connectivity.Protocol, o mailtest.Options, src connectivity.TokenSource, choice connectivity.SASLChoice) *connectivity.Result {
		port := startOAuthServer(t, p, chain, o)
		return connectivity.Run(context.Background(), oauthRequest(p, port, chain, src, choice))
	}
	wrongUser := func() *tokens { s := w.source(); s.failed = nil; return s }

	// Gmail: the token of another account: 334 with base64 JSON, then
	// 535-5.7.8.
	o := w.options("XOAUTH2", "OAUTHBEARER")
	o.Gmail, o.User = true, "someone-else@example.com"
	req := func(p connectivity.Protocol, o mailtest.Options, choice connectivity.SASLChoice) *connectivity.Result {
		port := startOAuthServer(t, p, chain, o)
		r := oauthRequest(p, port, chain, wrongUser(), choice)
		r.User = o.User
		return connectivity.Run(context.Background(), r)
	}
	res := req(connectivity.SMTP, o, connectivity.SASLAuto)
	e := res.Explanation
	if res.OK() || e == nil || !strings.Contains(e.What, "not the account") || !strings.Contains(e.ServerText, `"status":"400"`) ||
		!strings.Contains(e.ServerText, "535") || !strings.Contains(e.What, "https://mail.google.com/") {
		t.Fatalf("Gmail: %+v\n%s", e, transcript(res))
	}
	if !strings.Contains(transcript(res), "334 eyJ") {
		t.Errorf("no base64 challenge in the transcript:\n%s", transcript(res))
	}
	// OAUTHBEARER's error is RFC 7628's, answered with ^A.
	res = req(connectivity.IMAP, o, connectivity.SASLOAUTHBEARER)
	if res.OK() || !strings.Contains(res.Explanation.What, "did not accept the access token") || !strings.Contains(transcript(res), "AQ==") {
		t.Fatalf("OAUTHBEARER: %+v\n%s", res.Explanation, transcript(res))
	}

	// Microsoft: a token for another scope or account.
	o = w.options("XOAUTH2")
	o.Microsoft, o.User = true, "someone-else@example.com"
	res = req(connectivity.SMTP, o, connectivity.SASLAuto)
	if e := res.Explanation; res.OK() || !strings.Contains(e.What, "Microsoft 365 did not accept the access token") ||
		!strings.Contains(e.Next, "SMTP.Send") || !strings.Contains(e.ServerText, "5.7.3") {
		t.Fatalf("5.7.3: %+v", res.Explanation)
	}
	// Microsoft: Authenticated SMTP switched off: a valid token refused.
	o = w.options("XOAUTH2")
	o.TokenRefusal = mailtest.MicrosoftSMTPAuthDisabled
	res = run(connectivity.SMTP, o, w.source(), connectivity.SASLAuto)
	if e := res.Explanation; res.OK() || !strings.Contains(e.What, "Authenticated SMTP") || !strings.Contains(e.Next, "aka.ms/smtp_auth_disabled") {
		t.Fatalf("SMTP AUTH off: %+v", res.Explanation)
	}
	// A mechanism the server does not offer, or none for OAuth2 at all.
	res = run(connectivity.SMTP, w.options("PLAIN", "XOAUTH2"), w.source(), connectivity.SASLOAUTHBEARER)
	if res.OK() || !strings.Contains(res.Explanation.What, "does not offer the SASL mechanism") {
		t.Fatalf("forced: %+v", res.Explanation)
	}
	res = run(connectivity.IMAP, w.options("PLAIN"), w.source(), connectivity.SASLAuto)
	if res.OK() || !strings.Contains(res.Explanation.What, "does not offer OAuth2") {
		t.Fatalf("none: %+v %v", res.Explanation, res.Err)
	}
	for _, r := range []*connectivity.Result{res} {
		if strings.Contains(r.Explanation.Next, "--") {
			t.Errorf("a hint names a flag: %q", r.Explanation.Next)
		}
	}
}

// TestPasswordRefusedForBasicAuthProposesOAuth2: Microsoft's refusals of a
// password once basic authentication is off say so and propose an OAuth2
// credential; SMTP AUTH switched off does not (OAuth2 would fail too).
func TestPasswordRefusedForBasicAuthProposesOAuth2(t *testing.T) {
	chain := mailtest.NewChain(t)
	for _, c := range []struct {
		refusal  *smtp.SMTPError
		propose  bool
		contains string
	}{
		{mailtest.MicrosoftBasicAuthDisabled, true, "basic authentication is switched off"},
		{mailtest.MicrosoftBasicAuthRemoved, true, "removed"},
		{mailtest.MicrosoftSMTPAuthDisabled, false, "Authenticated SMTP"},
	} {
		for _, auth := range []connectivity.Auth{connectivity.AuthPlain, connectivity.AuthEncrypted} {
			port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: allMechs, User: user, Password: password, PasswordRefusal: c.refusal})
			res := connectivity.Run(context.Background(), connectivity.Request{Protocol: connectivity.SMTP, Host: mailtest.Host, ConnectTo: "127.0.0.1",
				Port: port, Protection: connectivity.STARTTLSMandatory, Auth: auth, User: user, Password: []byte(password), Trusted: chain.Trusted(), VerifyCertificate: true})
			e := res.Explanation
			if res.OK() || e == nil || e.ProposeOAuth2 != c.propose || !strings.Contains(e.What, c.contains) {
				t.Fatalf("%s %s: %+v", c.refusal.Message, auth, e)
			}
			if c.propose && !strings.Contains(e.Next, "OAuth2 Authorization Code") {
				t.Errorf("%q", e.Next)
			}
			if strings.Contains(e.Next, "--") {
				t.Errorf("a hint names a flag: %q", e.Next)
			}
		}
	}
}
