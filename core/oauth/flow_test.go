package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
	"github.com/opsdesk/opsdesk/core/problem"
)

func config(s *oauthtest.Server, client string, sendAs oauth.SendAs) oauth.Config {
	c := oauth.Config{AuthorizationURL: s.AuthorizationURL(), TokenURL: s.TokenURL(), RedirectURL: "http://127.0.0.1/opsdesk",
		ClientID: client, Scope: oauthtest.MailScope + " offline_access", SendAs: sendAs, User: oauthtest.DefaultUser}
	if client != oauthtest.PublicClient {
		c.ClientSecret = []byte(oauthtest.ClientSecret)
	}
	return c
}

func wantKind(t *testing.T, err error, kind error) *problem.Error {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) || !errors.Is(err, kind) {
		t.Fatalf("got %v (%T), want a *problem.Error of %v", err, err, kind)
	}
	if pe.What == "" || pe.Hint == "" || strings.Contains(pe.Sentence(), "\n") {
		t.Fatalf("not a clear sentence: %q", pe.Error())
	}
	for _, flag := range []string{"--", "opsdesk "} {
		if strings.Contains(pe.Sentence(), flag) {
			t.Errorf("the sentence names a command line: %q", pe.Sentence())
		}
	}
	return pe
}

// TestAuthorizeAndRefresh runs the whole flow against the real
// authorization server for a public client (PKCE alone) and for secrets
// sent either way, then renews the access token, with and without
// rotation of the refresh token.
func TestAuthorizeAndRefresh(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		s := oauthtest.Start(t, oauthtest.Options{Rotate: rotate})
		for _, c := range []struct {
			client string
			sendAs oauth.SendAs
		}{{oauthtest.PublicClient, oauth.BodyParameter}, {oauthtest.BodyClient, oauth.BodyParameter}, {oauthtest.BasicClient, oauth.BasicAuthHeader}} {
			t.Run(fmt.Sprintf("%s rotate=%v", c.client, rotate), func(t *testing.T) {
				cfg := config(s, c.client, c.sendAs)
				var redirect string
				tok, err := oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{
					Open: s.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true), Timeout: 20 * time.Second,
					Listening: func(u string) { redirect = u }})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(redirect, "http://127.0.0.1:") || !strings.HasSuffix(redirect, "/opsdesk") {
					t.Errorf("listened at %s", redirect)
				}
				if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
					t.Fatalf("token %+v", tok)
				}
				if err := s.CheckToken(context.Background(), oauthtest.DefaultUser, tok.AccessToken, oauthtest.MailScope); err != nil {
					t.Fatal(err)
				}
				next, err := oauth.Refresh(context.Background(), cfg, tok.RefreshToken)
				if err != nil {
					t.Fatal(err)
				}
				if next.AccessToken == tok.AccessToken {
					t.Error("the same access token came back")
				}
				if rotated := next.RefreshToken != tok.RefreshToken; rotated != rotate {
					t.Errorf("refresh token rotated: %v", rotated)
				}
				if rotate { // the old one is spent
					_, err := oauth.Refresh(context.Background(), cfg, tok.RefreshToken)
					wantKind(t, err, oauth.ErrRefused)
				}
			})
		}
	}
}

// TestRefusals: what the user meets when the server says no, each in a
// sentence that says what to do.
func TestRefusals(t *testing.T) {
	s := oauthtest.Start(t, oauthtest.Options{})
	cfg := config(s, oauthtest.BodyClient, oauth.BodyParameter)
	open := func(consent bool) oauth.AuthorizeOptions {
		return oauth.AuthorizeOptions{Open: s.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, consent), Timeout: 20 * time.Second}
	}

	// Consent denied: the browser comes back with access_denied.
	_, err := oauth.Authorize(context.Background(), cfg, open(false))
	pe := wantKind(t, err, oauth.ErrDenied)
	if !strings.Contains(pe.What, "not allowed") {
		t.Errorf("denied: %q", pe.Sentence())
	}

	// A revoked refresh token: authorize again.
	tok, err := oauth.Authorize(context.Background(), cfg, open(true))
	if err != nil {
		t.Fatal(err)
	}
	s.Revoke(oauthtest.DefaultUser)
	_, err = oauth.Refresh(context.Background(), cfg, tok.RefreshToken)
	pe = wantKind(t, err, oauth.ErrRefused)
	if !strings.Contains(pe.Hint, "Authorize") {
		t.Errorf("revoked: %q", pe.Sentence())
	}

	// A wrong client secret, in the body and in the header.
	for _, c := range []oauth.Config{config(s, oauthtest.BodyClient, oauth.BodyParameter), config(s, oauthtest.BasicClient, oauth.BasicAuthHeader)} {
		c.ClientSecret = []byte("wrong")
		_, err = oauth.Authorize(context.Background(), c, open(true))
		wantKind(t, err, oauth.ErrSettings)
	}

	// No refresh token without offline_access.
	noOffline := cfg
	noOffline.Scope = oauthtest.MailScope
	_, err = oauth.Authorize(context.Background(), noOffline, open(true))
	wantKind(t, err, oauth.ErrNoRefresh)

	// The token endpoint unreachable.
	gone := cfg
	gone.TokenURL = "http://127.0.0.1:1/token"
	_, err = oauth.Refresh(context.Background(), gone, "x")
	wantKind(t, err, oauth.ErrUnreachable)
}

// TestListenerIsHostileProof sends the loopback listener what a stray
// program, a web page or a slow client would, while a real sign-in runs:
// none of it ends the wait, reaches the code, or is answered with more
// than a refusal; the one right redirect still completes.
func TestListenerIsHostileProof(t *testing.T) {
	s := oauthtest.Start(t, oauthtest.Options{})
	cfg := config(s, oauthtest.PublicClient, oauth.BodyParameter)
	var statuses []string
	open := func(authURL string) error {
		u, _ := url.Parse(authURL)
		redirect, _ := url.Parse(u.Query().Get("redirect_uri"))
		state := u.Query().Get("state")
		base := "http://" + redirect.Host
		get := func(what, method, target, host string) {
			req, _ := http.NewRequest(method, target, nil)
			if host != "" {
				req.Host = host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses = append(statuses, what+": "+err.Error())
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "authorized") && !strings.Contains(string(body), "not authorized") {
				t.Errorf("%s: %s", what, body)
			}
			statuses = append(statuses, fmt.Sprintf("%s: %d", what, resp.StatusCode))
		}
		// A slow client first: it opens a connection and sends half a
		// request, then nothing, for longer than the sign-in takes.
		slow, err := net.Dial("tcp", redirect.Host)
		if err != nil {
			return err
		}
		defer slow.Close()
		fmt.Fprintf(slow, "GET %s?state=%s&code=stolen HTTP/1.1\r\nHost: %s\r\n", redirect.Path, state, redirect.Host)

		get("wrong state", "GET", base+redirect.Path+"?state=guess&code=x", "")
		get("no state", "GET", base+redirect.Path+"?code=x", "")
		get("two states", "GET", base+redirect.Path+"?state="+state+"&state=guess&code=x", "")
		get("wrong path", "GET", base+"/elsewhere?state="+state+"&code=x", "")
		get("post", "POST", base+redirect.Path+"?state="+state+"&code=x", "")
		get("rebinding", "GET", base+redirect.Path+"?state="+state+"&code=x", "evil.example:80")

		// Then the person signs in.
		page, err := s.SignIn(authURL, oauthtest.DefaultUser, oauthtest.DefaultPassword, true)
		if err != nil {
			return err
		}
		if !strings.Contains(page, "Opsdesk is authorized") || !strings.Contains(page, "close this window") {
			t.Errorf("the browser was shown %q", page)
		}
		return nil
	}
	tok, err := oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{Open: open, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	want := []string{"wrong state: 400", "no state: 400", "two states: 400", "wrong path: 404", "post: 405", "rebinding: 421"}
	if strings.Join(statuses, ", ") != strings.Join(want, ", ") {
		t.Errorf("answers: %v\nwant:    %v", statuses, want)
	}
	if codes, _ := s.Counts(); codes != 1 {
		t.Errorf("%d codes exchanged", codes)
	}
}

// TestRepeatedRedirect: the right redirect sent twice (a browser's reload,
// or a program that saw it) is handled once; the second is told so or
// finds the listener gone, and the code is exchanged once.
func TestRepeatedRedirect(t *testing.T) {
	s := oauthtest.Start(t, oauthtest.Options{})
	cfg := config(s, oauthtest.PublicClient, oauth.BodyParameter)
	var second string
	finished := make(chan struct{})
	open := func(authURL string) error {
		defer close(finished)
		u, _ := url.Parse(authURL)
		redirect, _ := url.Parse(u.Query().Get("redirect_uri"))
		// Sign in without following the last redirect, then send it
		// twice at once.
		c := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host == redirect.Host {
				return http.ErrUseLastResponse
			}
			return nil
		}}
		resp, err := c.Get(authURL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		id := resp.Request.URL.Query().Get("authRequestID")
		resp, err = c.PostForm(s.URL+"/login", url.Values{"authRequestID": {id}, "username": {oauthtest.DefaultUser},
			"password": {oauthtest.DefaultPassword}, "consent": {"allow"}})
		if err != nil {
			return err
		}
		resp.Body.Close()
		back := resp.Header.Get("Location")
		if !strings.HasPrefix(back, "http://"+redirect.Host) {
			return fmt.Errorf("redirected to %q", back)
		}
		results := make(chan string, 2)
		for range 2 {
			go func() {
				resp, err := http.Get(back)
				if err != nil {
					results <- "gone"
					return
				}
				resp.Body.Close()
				results <- fmt.Sprint(resp.StatusCode)
			}()
		}
		a, b := <-results, <-results
		second = a + " " + b
		return nil
	}
	if _, err := oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{Open: open, Timeout: 20 * time.Second}); err != nil {
		t.Fatal(err)
	}
	<-finished // Authorize returns with the first answer, not with the browser
	if !strings.Contains(second, "200") || strings.Count(second, "200") != 1 {
		t.Errorf("answers to the same redirect twice: %s", second)
	}
	if codes, _ := s.Counts(); codes != 1 {
		t.Errorf("%d codes exchanged", codes)
	}
}

// TestMissingCodeAndTimeout: the right state without a code ends the
// wait with a sentence; no answer at all ends it after the timeout; a
// cancel ends it at once.
func TestMissingCodeAndTimeout(t *testing.T) {
	s := oauthtest.Start(t, oauthtest.Options{})
	cfg := config(s, oauthtest.PublicClient, oauth.BodyParameter)
	_, err := oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{Timeout: 10 * time.Second, Open: func(authURL string) error {
		u, _ := url.Parse(authURL)
		resp, err := http.Get(u.Query().Get("redirect_uri") + "?state=" + url.QueryEscape(u.Query().Get("state")))
		if err == nil {
			resp.Body.Close()
		}
		return err
	}})
	wantKind(t, err, oauth.ErrFailed)

	start := time.Now()
	_, err = oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{Timeout: 300 * time.Millisecond, Open: func(string) error { return nil }})
	pe := wantKind(t, err, oauth.ErrTimeout)
	if !strings.Contains(pe.What, "within") || time.Since(start) > 5*time.Second {
		t.Errorf("timeout: %q after %s", pe.Sentence(), time.Since(start))
	}

	ctx, cancel := context.WithCancel(context.Background())
	_, err = oauth.Authorize(ctx, cfg, oauth.AuthorizeOptions{Open: func(string) error { cancel(); return nil }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestRedirectURLs: the port and path come from the Redirect URL; only
// loopback http URLs are taken; a port in use is said plainly.
func TestRedirectURLs(t *testing.T) {
	for _, bad := range []string{"https://127.0.0.1/x", "http://example.com/cb", "http://192.0.2.1:8080/", "http://127.0.0.1/cb?x=1",
		"http://user@127.0.0.1/", "http://127.0.0.1:99999/", "ftp://127.0.0.1/", "http://127.0.0.1/#f"} {
		wantKind(t, oauth.CheckRedirectURL(bad), oauth.ErrRedirect)
	}
	for _, good := range []string{"", "http://127.0.0.1", "http://localhost:8400/callback", "http://[::1]/opsdesk"} {
		if err := oauth.CheckRedirectURL(good); err != nil {
			t.Errorf("%q: %v", good, err)
		}
	}

	s := oauthtest.Start(t, oauthtest.Options{})
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	cfg := config(s, oauthtest.PublicClient, oauth.BodyParameter)
	cfg.RedirectURL = fmt.Sprintf("http://127.0.0.1:%d/opsdesk", port)
	_, err = oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{Open: func(string) error { return nil }, Timeout: time.Second})
	pe := wantKind(t, err, oauth.ErrRedirect)
	if !strings.Contains(pe.What, fmt.Sprint(port)) {
		t.Errorf("port in use: %q", pe.Sentence())
	}
	busy.Close()

	// Now free: that port, that path; localhost listens on both
	// loopback addresses.
	cfg.RedirectURL = fmt.Sprintf("http://localhost:%d/opsdesk", port)
	var got string
	_, err = oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{Timeout: 20 * time.Second,
		Listening: func(u string) { got = u }, Open: s.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)})
	if err != nil {
		t.Fatal(err)
	}
	if got != cfg.RedirectURL {
		t.Errorf("listened at %s, not %s", got, cfg.RedirectURL)
	}
}

// TestListenerOnlyOnLoopback: nothing but loopback reaches the listener:
// it is bound there, and it would refuse another source anyway.
func TestListenerOnlyOnLoopback(t *testing.T) {
	s := oauthtest.Start(t, oauthtest.Options{})
	cfg := config(s, oauthtest.PublicClient, oauth.BodyParameter)
	var outside []string
	_, err := oauth.Authorize(context.Background(), cfg, oauth.AuthorizeOptions{Timeout: 20 * time.Second, Open: func(authURL string) error {
		u, _ := url.Parse(authURL)
		redirect, _ := url.Parse(u.Query().Get("redirect_uri"))
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
				continue
			}
			// This machine's own non-loopback address: the listener
			// must not be there.
			c, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), redirect.Port()), time.Second)
			if err == nil {
				c.Close()
				outside = append(outside, ipn.IP.String())
			}
		}
		return s.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)(authURL)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(outside) > 0 {
		t.Errorf("the listener answered on %v", outside)
	}
}
