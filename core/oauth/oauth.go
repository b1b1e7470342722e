// Package oauth is the OAuth 2.0 authorization code flow (RFC 6749 §4.1)
// as a desktop app runs it for a mail account: PKCE (RFC 7636, S256), a
// random state, the redirect to a listener on this computer's loopback
// interface (RFC 8252 §7.3), the code exchanged for a refresh token, and
// access tokens fetched with it when a test needs one. It also puts what
// authorization servers answer into sentences a person can act on: the
// token endpoint's errors (RFC 6749 §5.2), Microsoft's AADSTS codes and
// Google's habits.
//
// It keeps nothing itself: core/credentials stores the settings and the
// tokens in the keyring and calls this package to obtain and renew them.
package oauth

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Provider is the tenant's Provider drop-down, with Google beside it: the
// tenant has Microsoft 365 and Generic, and Google is Generic with the
// URLs and scope filled in.
type Provider string

const (
	Microsoft365 Provider = "Microsoft 365"
	Google       Provider = "Google"
	Generic      Provider = "Generic"
)

// Providers are the choices, in the order a form offers them.
var Providers = []Provider{Microsoft365, Google, Generic}

// SendAs is how the client credentials go to the token endpoint, as the
// tenant's Send As field says it.
type SendAs string

const (
	BodyParameter   SendAs = "Body Parameter"    // client_id and client_secret in the form (RFC 6749 §2.3.1)
	BasicAuthHeader SendAs = "Basic Auth Header" // HTTP Basic authentication
)

// Scopes of the mail protocols, as Microsoft documents them for Exchange
// Online, and Google's one scope for all of Gmail.
const (
	ScopeMicrosoftSMTP   = "https://outlook.office.com/SMTP.Send"
	ScopeMicrosoftIMAP   = "https://outlook.office.com/IMAP.AccessAsUser.All"
	ScopeMicrosoftPOP    = "https://outlook.office.com/POP.AccessAsUser.All"
	ScopeOfflineAccess   = "offline_access"
	ScopeGoogleMail      = "https://mail.google.com/"
	googleAuthorization  = "https://accounts.google.com/o/oauth2/v2/auth?access_type=offline&prompt=consent"
	googleToken          = "https://oauth2.googleapis.com/token"
	microsoftLogin       = "https://login.microsoftonline.com/"
	DefaultRedirectURL   = "http://127.0.0.1" // any free port; Microsoft and Google accept it for desktop apps
	microsoftExpiryDays  = 90                 // Microsoft's refresh tokens live 90 days unless used
	TenantRedirectSuffix = "/itspaces/odata/api/v1/OAuthTokenFromCode"
)

// Preset is what a provider fills in for the user.
type Preset struct {
	AuthorizationURL string
	TokenURL         string
	Scope            string // space-separated, as OAuth sends it
	// RefreshTokenExpiryDays is how long an unused refresh token lives,
	// as the tenant's Refresh Token Expiry field takes it; 0 when the
	// provider keeps them until revoked.
	RefreshTokenExpiryDays int
	SendAs                 SendAs
}

// PresetFor returns the provider's settings. Microsoft 365 needs the
// directory (tenant) ID or one of its domains; "" gives "organizations",
// which any work or school account can sign in to. Generic fills nothing.
func PresetFor(p Provider, tenant string) Preset {
	switch p {
	case Microsoft365:
		tenant = strings.TrimSpace(tenant)
		if tenant == "" {
			tenant = "organizations"
		}
		base := microsoftLogin + url.PathEscape(tenant) + "/oauth2/v2.0/"
		return Preset{AuthorizationURL: base + "authorize", TokenURL: base + "token",
			Scope:                  strings.Join([]string{ScopeMicrosoftSMTP, ScopeMicrosoftIMAP, ScopeMicrosoftPOP, ScopeOfflineAccess}, " "),
			RefreshTokenExpiryDays: microsoftExpiryDays, SendAs: BodyParameter}
	case Google:
		return Preset{AuthorizationURL: googleAuthorization, TokenURL: googleToken, Scope: ScopeGoogleMail, SendAs: BodyParameter}
	}
	return Preset{SendAs: BodyParameter}
}

// TenantOf reads the Microsoft 365 tenant back out of an authorization or
// token URL, for a form that edits a stored credential; "" when the URL is
// not Microsoft's.
func TenantOf(u string) string {
	rest, ok := strings.CutPrefix(u, microsoftLogin)
	if !ok {
		return ""
	}
	tenant, _, _ := strings.Cut(rest, "/")
	t, err := url.PathUnescape(tenant)
	if err != nil {
		return tenant
	}
	return t
}

// TenantRedirectURL is the redirect URL Cloud Integration itself uses for
// a tenant host ("mytenant.it-cpi018.cfapps.eu10-003.hana.ondemand.com"):
// the app registration needs it beside Opsdesk's own.
func TenantRedirectURL(tenantHost string) string {
	h := strings.TrimSpace(tenantHost)
	h = strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	if h == "" {
		h = "<tenant host>"
	}
	return "https://" + h + TenantRedirectSuffix
}

// Config is one credential's settings, as the flow needs them.
type Config struct {
	AuthorizationURL string
	TokenURL         string
	RedirectURL      string // a loopback http URL; "" for DefaultRedirectURL
	ClientID         string
	// ClientSecret is empty for a public client, which PKCE alone
	// protects. The caller zeroes it.
	ClientSecret []byte
	Scope        string // space-separated
	SendAs       SendAs
	// User is the mailbox: sent as login_hint, so that the sign-in page
	// asks for the right account.
	User string
	// HTTPClient reaches the token endpoint; nil for one with a timeout.
	HTTPClient *http.Client
}

// requestTimeout bounds one call to the token endpoint.
const requestTimeout = 30 * time.Second

func (c Config) oauth2(redirect string) *oauth2.Config {
	style := oauth2.AuthStyleInParams
	if c.SendAs == BasicAuthHeader {
		style = oauth2.AuthStyleInHeader
	}
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: string(c.ClientSecret),
		Endpoint:     oauth2.Endpoint{AuthURL: c.AuthorizationURL, TokenURL: c.TokenURL, AuthStyle: style},
		RedirectURL:  redirect,
		Scopes:       strings.Fields(c.Scope),
	}
}

func (c Config) client() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return &http.Client{Timeout: requestTimeout}
}

// CheckURL checks an authorization or token URL: absolute https (http
// only on this computer, for a test server).
func CheckURL(what, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("the %s must be a web address starting with https://", what)
	}
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return fmt.Errorf("the %s must start with https://: the provider's answers carry secrets", what)
	}
	return nil
}
