package oauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/opsdesk/opsdesk/core/problem"
)

// The token endpoint's and the sign-in page's refusals, as Microsoft and
// Google send them, and the sentence each becomes.
var refusals = []struct {
	name       string
	err        *ServerError
	st         step
	cfg        Config
	kind       error
	what, hint string // words the sentence must hold
}{
	{"expired refresh token", &ServerError{Code: "invalid_grant", Description: "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity."},
		stepRefresh, Config{}, ErrRefused, "no longer accepts the refresh token", "Authorize the credential again"},
	{"password changed", &ServerError{Code: "invalid_grant", Description: "AADSTS50173: The provided grant has expired due to it being revoked."},
		stepRefresh, Config{}, ErrRefused, "revoked", "Authorize"},
	{"Google testing app", &ServerError{Code: "invalid_grant", Description: "Token has been expired or revoked."},
		stepRefresh, Config{TokenURL: "https://oauth2.googleapis.com/token"}, ErrRefused, "Google", "7 days"},
	{"consent required", &ServerError{Code: "invalid_grant", Description: "AADSTS65001: The user or administrator has not consented to use the application."},
		stepExchange, Config{}, ErrDenied, "consented", "admin consent"},
	{"redirect mismatch", &ServerError{Code: "invalid_request", Description: "AADSTS50011: The redirect URI 'http://127.0.0.1:5000/' specified in the request does not match the redirect URIs configured for the application."},
		stepAuthorize, Config{RedirectURL: "http://127.0.0.1:5000/"}, ErrSettings, "Redirect URL", "http://127.0.0.1:5000/"},
	{"unknown application", &ServerError{Code: "unauthorized_client", Description: "AADSTS700016: Application with identifier 'x' was not found in the directory 'contoso'."},
		stepAuthorize, Config{}, ErrSettings, "does not know this application", "Client ID"},
	{"wrong secret", &ServerError{Code: "invalid_client", Description: "AADSTS7000215: Invalid client secret provided."},
		stepExchange, Config{}, ErrSettings, "Client Secret", "Value"},
	{"public client not allowed", &ServerError{Code: "invalid_client", Description: "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'."},
		stepExchange, Config{}, ErrSettings, "wants a Client Secret", "public client"},
	{"unknown tenant", &ServerError{Code: "invalid_request", Description: "AADSTS90002: Tenant 'contoso.example' not found."},
		stepAuthorize, Config{}, ErrSettings, "tenant", "Directory (tenant) ID"},
	{"access denied", &ServerError{Code: "access_denied", Description: "The user declined."},
		stepAuthorize, Config{}, ErrDenied, "not allowed", "accept the permissions"},
	{"Google redirect mismatch", &ServerError{Code: "redirect_uri_mismatch"},
		stepExchange, Config{}, ErrSettings, "Redirect URL", "Desktop app"},
	{"invalid client without secret", &ServerError{Code: "invalid_client"},
		stepExchange, Config{}, ErrSettings, "Client ID", "no Client Secret"},
	{"invalid scope", &ServerError{Code: "invalid_scope"}, stepAuthorize, Config{}, ErrSettings, "Scope", "https://mail.google.com/"},
	{"spent code", &ServerError{Code: "invalid_grant", Description: "The authorization code was already redeemed."},
		stepExchange, Config{}, ErrFailed, "already used", "Authorize again"},
}

func TestExplainRefusals(t *testing.T) {
	for _, c := range refusals {
		err := explain(c.err, c.st, c.cfg)
		var pe *problem.Error
		if !errors.As(err, &pe) || !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
			continue
		}
		if !strings.Contains(pe.What, c.what) || !strings.Contains(pe.Hint, c.hint) {
			t.Errorf("%s: %q", c.name, pe.Sentence())
		}
		if !strings.Contains(pe.Detail, c.err.Code) {
			t.Errorf("%s: the detail lacks the server's code: %q", c.name, pe.Detail)
		}
		if strings.Contains(pe.Sentence(), "--") {
			t.Errorf("%s names a flag: %q", c.name, pe.Sentence())
		}
	}
	// x/oauth2's error from the token endpoint is read the same way, even
	// when the body is not RFC 6749's JSON.
	re := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, Body: []byte("error=invalid_grant&error_description=expired")}
	if err := explain(re, stepRefresh, Config{}); !errors.Is(err, ErrRefused) {
		t.Errorf("form body: %v", err)
	}
	re = &oauth2.RetrieveError{Response: &http.Response{StatusCode: 502, Status: "502 Bad Gateway"}, Body: []byte("<html>proxy</html>")}
	if err := explain(re, stepRefresh, Config{}); !errors.Is(err, ErrFailed) {
		t.Errorf("a proxy's page: %v", err)
	}
}

// TestHandlerRefusesOtherSources: a request from anywhere but loopback is
// refused, should the listener ever be reachable from elsewhere.
func TestHandlerRefusesOtherSources(t *testing.T) {
	h := &redirectHandler{path: "/cb", host: "127.0.0.1:5000", state: "s", done: make(chan struct{}),
		exchange: func(string) (*oauth2.Token, error) { t.Fatal("exchanged"); return nil, nil }}
	r := httptest.NewRequest("GET", "http://127.0.0.1:5000/cb?state=s&code=c", nil)
	r.RemoteAddr = "192.0.2.7:40000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("answered %d", w.Code)
	}
	select {
	case <-h.done:
		t.Error("a foreign request ended the wait")
	default:
	}
}

func TestPresets(t *testing.T) {
	ms := PresetFor(Microsoft365, "contoso.onmicrosoft.com")
	if ms.AuthorizationURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize" ||
		ms.TokenURL != "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token" ||
		!strings.Contains(ms.Scope, "offline_access") || !strings.Contains(ms.Scope, "SMTP.Send") || ms.RefreshTokenExpiryDays != 90 {
		t.Errorf("%+v", ms)
	}
	if TenantOf(ms.TokenURL) != "contoso.onmicrosoft.com" || TenantOf("https://example.com/") != "" {
		t.Error("TenantOf")
	}
	g := PresetFor(Google, "")
	if !strings.Contains(g.AuthorizationURL, "access_type=offline") || !strings.Contains(g.AuthorizationURL, "prompt=consent") || g.Scope != "https://mail.google.com/" {
		t.Errorf("%+v", g)
	}
	if TenantRedirectURL("https://mytenant.it-cpi018.cfapps.eu10.hana.ondemand.com/shell") != "https://mytenant.it-cpi018.cfapps.eu10.hana.ondemand.com/itspaces/odata/api/v1/OAuthTokenFromCode" {
		t.Error(TenantRedirectURL("https://mytenant.it-cpi018.cfapps.eu10.hana.ondemand.com/shell"))
	}
}
