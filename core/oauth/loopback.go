package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/opsdesk/opsdesk/core/problem"
)

// DefaultTimeout is how long Authorize waits for the browser to come back.
const DefaultTimeout = 5 * time.Minute

// Limits on what the loopback listener accepts: a browser's redirect is
// one short GET, and anything else that connects (another program on
// this computer, a page trying DNS rebinding) is given little.
const (
	listenerHeaderTimeout = 10 * time.Second
	listenerMaxHeader     = 32 << 10 // Microsoft's codes run to about 1 KiB; its URLs carry more
)

// AuthorizeOptions shape one authorization.
type AuthorizeOptions struct {
	// Open shows the sign-in page at url: the system browser in the app,
	// a line on standard error for a terminal, an HTTP client that signs
	// in by itself in tests. Its error ends the authorization.
	Open func(url string) error
	// Timeout bounds the wait for the browser's redirect; 0 for
	// DefaultTimeout.
	Timeout time.Duration
	// Listening, when set, is called with the redirect URL the listener
	// answers (with its port) before the browser is opened.
	Listening func(redirectURL string)
}

// Authorize runs the authorization code flow with PKCE: it listens on the
// loopback address of cfg's Redirect URL (its port, or any free one when
// the URL has none), opens the sign-in page, waits for the one redirect
// that carries its state, answers the browser with a page that says it can
// be closed, and exchanges the code for tokens. The result holds a refresh
// token: a server that gives none is an error, since a test could use the
// credential only until the access token expires.
func Authorize(ctx context.Context, cfg Config, opt AuthorizeOptions) (*oauth2.Token, error) {
	if opt.Open == nil {
		return nil, errors.New("oauth: Authorize needs a way to open the sign-in page")
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	redirect, err := parseRedirect(cfg.RedirectURL)
	if err != nil {
		return nil, err
	}
	l, err := listen(redirect)
	if err != nil {
		return nil, err
	}
	state, verifier := randomState(), oauth2.GenerateVerifier()
	redirectURL := redirect.withPort(l.port)
	o := cfg.oauth2(redirectURL)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if cfg.User != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", cfg.User))
	}
	authURL := o.AuthCodeURL(state, opts...)

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, cfg.client())
	h := &redirectHandler{path: redirect.path(), host: redirectHost(redirect, l.port), state: state, cfg: cfg, done: make(chan struct{}),
		exchange: func(code string) (*oauth2.Token, error) {
			return o.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		}}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: listenerHeaderTimeout, ReadTimeout: listenerHeaderTimeout,
		WriteTimeout: listenerHeaderTimeout, MaxHeaderBytes: listenerMaxHeader, ErrorLog: discardLog()}
	for _, ln := range l.ls {
		go srv.Serve(ln)
	}
	defer func() {
		// Let the browser's page be written before the listener goes.
		shut, stop := context.WithTimeout(context.Background(), 2*time.Second)
		defer stop()
		_ = srv.Shutdown(shut)
	}()
	if opt.Listening != nil {
		opt.Listening(redirectURL)
	}
	opened := make(chan error, 1)
	go func() { opened <- opt.Open(authURL) }()

	for {
		select {
		case err := <-opened:
			opened = nil
			if err != nil {
				return nil, &problem.Error{Kind: ErrFailed, What: "The sign-in page could not be opened",
					Hint: "Open the authorization address in a browser yourself, or authorize again.", Detail: err.Error()}
			}
			continue
		case <-h.done:
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				h.finish(nil, context.Canceled)
				return nil, context.Canceled
			}
			h.finish(nil, ctx.Err())
			return nil, &problem.Error{Kind: ErrTimeout,
				What: fmt.Sprintf("No answer came back from the sign-in page within %s", roundDuration(timeout)),
				Hint: "Authorize again, and finish signing in in the browser within that time; if the browser showed an error, it says why."}
		}
		break
	}
	tok, err := h.result()
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken == "" {
		return nil, &problem.Error{Kind: ErrNoRefresh, What: "The provider gave Opsdesk an access token but no refresh token, so the credential would stop working within the hour",
			Hint: "For Microsoft 365 add offline_access to the Scope; for Google the Authorization URL needs access_type=offline and prompt=consent (the Google preset has both). Then authorize again."}
	}
	return tok, nil
}

func roundDuration(d time.Duration) string {
	if d >= time.Minute && d%time.Minute == 0 {
		if d == time.Minute {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return d.Round(time.Second).String()
}

// redirectHandler is the listener's one page. It accepts one redirect
// that carries its state and ignores everything else, so that a stray or
// hostile request can neither end the wait nor learn anything.
type redirectHandler struct {
	path, host string
	state      string
	cfg        Config
	exchange   func(code string) (*oauth2.Token, error)

	mu   sync.Mutex
	busy bool // a redirect with the state is being handled
	tok  *oauth2.Token
	err  error
	done chan struct{}
	once sync.Once
}

func (h *redirectHandler) finish(tok *oauth2.Token, err error) {
	h.once.Do(func() {
		h.mu.Lock()
		h.tok, h.err = tok, err
		h.mu.Unlock()
		close(h.done)
	})
}

func (h *redirectHandler) result() (*oauth2.Token, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tok, h.err
}

func (h *redirectHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	switch {
	case !net.ParseIP(host).IsLoopback():
		// The listener is bound to loopback, so this cannot happen;
		// refuse anyway should it ever be bound wider.
		page(w, http.StatusForbidden, "Not allowed", "Opsdesk answers only this computer.")
		return
	case !strings.EqualFold(r.Host, h.host):
		// A page on the web that got its name resolved to 127.0.0.1
		// (DNS rebinding) sends another Host.
		page(w, http.StatusMisdirectedRequest, "Not for Opsdesk", "This address is not Opsdesk's.")
		return
	case r.URL.Path != h.path:
		page(w, http.StatusNotFound, "Not found", "Opsdesk is waiting for the sign-in page's answer at another address.")
		return
	case r.Method != http.MethodGet:
		w.Header().Set("Allow", http.MethodGet)
		page(w, http.StatusMethodNotAllowed, "Not allowed", "Opsdesk expects the browser to come back with a GET request.")
		return
	}
	q := r.URL.Query()
	got := q.Get("state")
	if len(q["state"]) != 1 || subtle.ConstantTimeCompare([]byte(got), []byte(h.state)) != 1 {
		page(w, http.StatusBadRequest, "Not the answer Opsdesk is waiting for",
			"This page did not come from the sign-in Opsdesk started. If you are signing in, finish in the browser window Opsdesk opened.")
		return
	}
	h.mu.Lock()
	select {
	case <-h.done:
		h.mu.Unlock()
		page(w, http.StatusGone, "Already done", "Opsdesk has already received the answer of this sign-in. You can close this window.")
		return
	default:
	}
	if h.busy {
		h.mu.Unlock()
		page(w, http.StatusConflict, "Already being handled", "Opsdesk is already finishing this sign-in. You can close this window.")
		return
	}
	h.busy = true
	h.mu.Unlock()

	if code := q.Get("error"); code != "" {
		err := explain(&ServerError{Code: code, Description: q.Get("error_description"), URI: q.Get("error_uri")}, stepAuthorize, h.cfg)
		h.finish(nil, err)
		page(w, http.StatusOK, "Opsdesk was not authorized", sentence(err)+" You can close this window.")
		return
	}
	code := q.Get("code")
	if code == "" || len(q["code"]) != 1 {
		err := &problem.Error{Kind: ErrFailed, What: "The sign-in page came back without an authorization code",
			Hint: "Authorize again; if it keeps happening, the Authorization URL may not be the provider's authorization endpoint."}
		h.finish(nil, err)
		page(w, http.StatusBadRequest, "Opsdesk was not authorized", sentence(err)+" You can close this window.")
		return
	}
	tok, err := h.exchange(code)
	if err != nil {
		err = explain(err, stepExchange, h.cfg)
		h.finish(nil, err)
		page(w, http.StatusOK, "Opsdesk was not authorized", sentence(err)+" You can close this window.")
		return
	}
	h.finish(tok, nil)
	page(w, http.StatusOK, "Opsdesk is authorized", "Opsdesk can now use this mailbox for its connectivity tests. You can close this window and go back to Opsdesk.")
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

func sentence(err error) string {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return pe.Sentence()
	}
	return err.Error()
}

func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>%s – Opsdesk</title></head>`+
		`<body style="font-family:sans-serif;max-width:36em;margin:4em auto;line-height:1.5">`+
		`<h1 style="font-size:1.4em">%s</h1><p>%s</p></body></html>`,
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}

func randomState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// redirect is a parsed loopback Redirect URL.
type redirect struct {
	u    *url.URL
	host string // "127.0.0.1", "::1" or "localhost"
	port int    // 0: any free port
}

func (r redirect) path() string {
	if r.u.Path == "" {
		return "/"
	}
	return r.u.Path
}

// withPort is the Redirect URL with the port listened on: what goes to
// the authorization server, which compares it with the one the code is
// exchanged with.
func (r redirect) withPort(port int) string {
	u := *r.u
	u.Host = net.JoinHostPort(r.host, strconv.Itoa(port))
	return u.String()
}

func redirectHost(r redirect, port int) string { return net.JoinHostPort(r.host, strconv.Itoa(port)) }

// CheckRedirectURL says what is wrong with a Redirect URL for Opsdesk, or
// returns nil: an http URL on this computer's loopback interface (RFC 8252
// §7.3), with a port or without one.
func CheckRedirectURL(raw string) error {
	_, err := parseRedirect(raw)
	return err
}

func parseRedirect(raw string) (redirect, error) {
	if strings.TrimSpace(raw) == "" {
		raw = DefaultRedirectURL
	}
	bad := func(what string) (redirect, error) {
		return redirect{}, &problem.Error{Kind: ErrRedirect, What: "The Redirect URL " + what,
			Hint: "Use " + DefaultRedirectURL + " (any free port), or http://127.0.0.1:PORT/PATH as registered for the app; Opsdesk receives the answer on this computer. The tenant's own redirect URL stays registered beside it."}
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return bad("is not a web address")
	}
	if u.Scheme != "http" {
		return bad("must start with http://: the answer comes back to this computer, where there is no certificate to offer")
	}
	if u.User != nil || u.Fragment != "" || u.RawQuery != "" {
		return bad("cannot hold a user, a query or a fragment")
	}
	h := u.Hostname()
	if h != "localhost" && !isLoopbackIP(h) {
		return bad("must name this computer (127.0.0.1, [::1] or localhost)")
	}
	r := redirect{u: u, host: h}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return bad("has a port that is not a number from 1 to 65535")
		}
		r.port = n
	}
	return r, nil
}

func isLoopbackIP(h string) bool {
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func isLoopbackHost(h string) bool { return h == "localhost" || isLoopbackIP(h) }

// listeners are the sockets of one redirect: one address, or for
// "localhost" both 127.0.0.1 and ::1 on the same port, since the browser
// may resolve the name to either.
type listeners struct {
	ls   []net.Listener
	port int
}

func listen(r redirect) (*listeners, error) {
	addrs := []string{r.host}
	if r.host == "localhost" {
		addrs = []string{"127.0.0.1", "::1"}
	}
	out := &listeners{port: r.port}
	for i, a := range addrs {
		l, err := net.Listen("tcp", net.JoinHostPort(a, strconv.Itoa(out.port)))
		if err != nil {
			if i > 0 { // ::1 missing beside 127.0.0.1: the browser will use 127.0.0.1
				continue
			}
			what := fmt.Sprintf("Opsdesk cannot listen on %s for the sign-in page's answer", net.JoinHostPort(a, strconv.Itoa(out.port)))
			hint := "Another program uses that port: close it, or change the port in the Redirect URL (and in the app registration)."
			if out.port == 0 {
				hint = "Check that this computer's loopback network interface is up."
			}
			return nil, &problem.Error{Kind: ErrRedirect, What: what, Hint: hint, Detail: err.Error()}
		}
		out.ls = append(out.ls, l)
		out.port = l.Addr().(*net.TCPAddr).Port
	}
	return out, nil
}
