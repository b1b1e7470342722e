package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/oauth2"

	"github.com/opsdesk/opsdesk/core/problem"
)

// Sentinels for errors.Is. Every error this package returns is a
// *problem.Error wrapping one of these, or context.Canceled.
var (
	// ErrRefused: the authorization server no longer accepts the refresh
	// token (expired, revoked, the password changed): authorize again.
	ErrRefused = errors.New("oauth: refresh token refused")
	// ErrDenied: the user, or a policy, did not allow access.
	ErrDenied = errors.New("oauth: access denied")
	// ErrSettings: the server refused the credential's settings (client
	// ID or secret, redirect URL, scope, tenant).
	ErrSettings = errors.New("oauth: settings refused")
	ErrTimeout  = errors.New("oauth: no answer from the sign-in page")
	// ErrUnreachable: the token endpoint could not be reached.
	ErrUnreachable = errors.New("oauth: authorization server unreachable")
	ErrNoRefresh   = errors.New("oauth: no refresh token issued")
	ErrRedirect    = errors.New("oauth: redirect URL unusable")
	ErrFailed      = errors.New("oauth: authorization failed")
)

// ServerError is what an authorization server said: RFC 6749's error
// code and description, from the token endpoint or from the redirect.
type ServerError struct {
	Code        string // "invalid_grant"
	Description string // "AADSTS70008: The provided authorization code or refresh token has expired…"
	URI         string
	Status      int // the token endpoint's HTTP status; 0 for a redirect
}

func (e *ServerError) Error() string {
	s := e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.Status != 0 {
		s = fmt.Sprintf("HTTP %d, %s", e.Status, s)
	}
	return s
}

// aadsts finds Microsoft's error code in a description.
var aadsts = regexp.MustCompile(`AADSTS(\d+)`)

// AADSTS returns Microsoft Entra's error number in err ("70008"), or "".
func AADSTS(err error) string {
	var se *ServerError
	if errors.As(err, &se) {
		if m := aadsts.FindStringSubmatch(se.Description); m != nil {
			return m[1]
		}
	}
	return ""
}

// fromRetrieve turns x/oauth2's token endpoint error into a ServerError.
func fromRetrieve(re *oauth2.RetrieveError) *ServerError {
	se := &ServerError{Code: re.ErrorCode, Description: re.ErrorDescription, URI: re.ErrorURI}
	if re.Response != nil {
		se.Status = re.Response.StatusCode
	}
	if se.Code == "" {
		// Not RFC 6749's JSON: some servers answer with a form or a
		// JSON of their own; keep a line of it for the detail.
		var body struct {
			Error       any    `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			if s, ok := body.Error.(string); ok {
				se.Code, se.Description = s, body.Description
			}
		} else if v, err := url.ParseQuery(string(re.Body)); err == nil && v.Get("error") != "" {
			se.Code, se.Description = v.Get("error"), v.Get("error_description")
		}
	}
	if se.Code == "" {
		se.Code = "http_error"
		se.Description = firstLine(string(re.Body), 200)
	}
	return se
}

func firstLine(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// step says which exchange failed, for the sentences.
type step int

const (
	stepAuthorize step = iota // the sign-in page's answer, on the redirect
	stepExchange              // the code exchanged for tokens
	stepRefresh               // a new access token from the refresh token
)

// explain turns an error of the flow into a sentence and a next step.
// Hints name the form's fields and the Authorize action, never a command
// line's flags: the same sentence is read in the window and the terminal.
func explain(err error, st step, cfg Config) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var pe *problem.Error
	if errors.As(err, &pe) {
		return err
	}
	var re *oauth2.RetrieveError
	var se *ServerError
	switch {
	case errors.As(err, &re):
		se = fromRetrieve(re)
	case errors.As(err, &se):
	default:
		host := hostOf(cfg.TokenURL)
		var dns *net.DNSError
		what := fmt.Sprintf("The authorization server %s could not be reached", host)
		if errors.As(err, &dns) {
			what = fmt.Sprintf("The authorization server's name %s cannot be found", host)
		}
		return &problem.Error{Kind: ErrUnreachable, What: what,
			Hint: "Check the Token Service URL and that this computer is online, then try again.", Detail: err.Error()}
	}
	p := explainServer(se, st, cfg)
	p.Detail = se.Error()
	return p
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// explainServer reads RFC 6749's codes, then Microsoft's AADSTS numbers
// and Google's wording, which say more.
func explainServer(se *ServerError, st step, cfg Config) *problem.Error {
	desc := strings.ToLower(se.Description)
	google := strings.Contains(cfg.TokenURL, "googleapis.com") || strings.Contains(cfg.AuthorizationURL, "accounts.google.com")
	authorizeAgain := "Authorize the credential again (Authorize in Security Material)."
	switch code := AADSTS(se); code {
	case "65001", "65004":
		return &problem.Error{Kind: ErrDenied, What: "Microsoft 365 says nobody has consented to let this app use the mailbox",
			Hint: "Authorize again and accept the permissions; if your organisation does not let users consent, ask a Microsoft 365 administrator to grant admin consent for the app (Entra ID → App registrations → API permissions)."}
	case "50011":
		return &problem.Error{Kind: ErrSettings, What: "Microsoft 365 refused the Redirect URL: the app registration does not list it",
			Hint: fmt.Sprintf("Add %s under Authentication → Mobile and desktop applications in the app registration, beside the tenant's own redirect URL, then authorize again.", redirectForHint(cfg))}
	case "700016":
		return &problem.Error{Kind: ErrSettings, What: "Microsoft 365 does not know this application: the Client ID is not registered in this tenant",
			Hint: "Check the Client ID (the app registration's Application (client) ID) and the tenant in the Authorization and Token Service URLs."}
	case "90002", "900023":
		return &problem.Error{Kind: ErrSettings, What: "Microsoft 365 does not know the tenant in the Authorization and Token Service URLs",
			Hint: "Use the Directory (tenant) ID of the app registration, or your organisation's domain, as the tenant."}
	case "7000215", "7000222":
		return &problem.Error{Kind: ErrSettings, What: "Microsoft 365 refused the Client Secret: it is wrong or has expired",
			Hint: "Create a new client secret in the app registration (Certificates & secrets) and store its Value (not its ID) as the Client Secret."}
	case "7000218":
		return &problem.Error{Kind: ErrSettings, What: "Microsoft 365 wants a Client Secret for this app",
			Hint: "Store the app registration's client secret as the Client Secret, or let the app sign in without one (Authentication → Allow public client flows)."}
	case "70008", "700082", "50173", "50132", "50133", "700084", "700003", "50078", "50076":
		if st == stepRefresh {
			return &problem.Error{Kind: ErrRefused, What: "Microsoft 365 no longer accepts the refresh token: it expired, or was revoked when the password changed or an administrator signed the account out",
				Hint: authorizeAgain}
		}
	case "50020", "50034", "500200":
		return &problem.Error{Kind: ErrDenied, What: "Microsoft 365 does not know the account that signed in, in this tenant",
			Hint: "Authorize again and sign in as the mailbox's own account (the User Name)."}
	case "70011", "28003":
		return &problem.Error{Kind: ErrSettings, What: "Microsoft 365 refused the Scope",
			Hint: "Use the scopes of the Microsoft 365 preset: SMTP.Send, IMAP.AccessAsUser.All and POP.AccessAsUser.All of https://outlook.office.com/, and offline_access."}
	case "53003", "530032":
		return &problem.Error{Kind: ErrDenied, What: "A Conditional Access policy of your organisation blocked the sign-in",
			Hint: "Ask a Microsoft 365 administrator to allow this app, or this computer, to sign in."}
	}
	switch se.Code {
	case "invalid_grant":
		if st == stepRefresh {
			what := "The authorization server no longer accepts the refresh token: it expired or was revoked"
			hint := authorizeAgain
			if google {
				what = "Google no longer accepts the refresh token: it expired or was revoked"
				hint += " If this happens every 7 days, the app's OAuth consent screen is still in Testing, where Google lets refresh tokens expire after a week: publish it (In production) in the Google Cloud console."
			}
			return &problem.Error{Kind: ErrRefused, What: what, Hint: hint}
		}
		if strings.Contains(desc, "redirect") {
			return &problem.Error{Kind: ErrSettings, What: "The authorization server refused the code: the Redirect URL does not match",
				Hint: "Check that the Redirect URL is registered for the app exactly as stored, then authorize again."}
		}
		return &problem.Error{Kind: ErrFailed, What: "The authorization server refused the authorization code: it expired or was already used",
			Hint: "Authorize again, and finish signing in within a few minutes."}
	case "invalid_client", "unauthorized_client":
		what := "The authorization server refused the Client ID or Client Secret"
		hint := "Check the Client ID and Client Secret, and whether the server expects them as Body Parameter or Basic Auth Header (Send As)."
		if len(cfg.ClientSecret) == 0 {
			hint = "This credential has no Client Secret: check the Client ID, and whether the app is registered as a public (desktop) client; otherwise store its Client Secret."
		}
		return &problem.Error{Kind: ErrSettings, What: what, Hint: hint}
	case "redirect_uri_mismatch":
		return &problem.Error{Kind: ErrSettings, What: "The authorization server refused the Redirect URL: it is not registered for the app",
			Hint: fmt.Sprintf("Register %s for the app (for Google: create an OAuth client of type Desktop app), then authorize again.", redirectForHint(cfg))}
	case "invalid_scope":
		return &problem.Error{Kind: ErrSettings, What: "The authorization server refused the Scope",
			Hint: "Check the Scope: for Microsoft 365 use the preset's, for Google https://mail.google.com/."}
	case "access_denied", "consent_required", "interaction_required", "login_required":
		return &problem.Error{Kind: ErrDenied, What: "Access to the mailbox was not allowed: the sign-in was cancelled or the permissions were declined",
			Hint: "Authorize again, sign in as the mailbox's account and accept the permissions Opsdesk asks for."}
	case "temporarily_unavailable", "server_error":
		return &problem.Error{Kind: ErrUnreachable, What: "The authorization server had a temporary problem",
			Hint: "Try again in a few minutes."}
	case "unsupported_grant_type":
		return &problem.Error{Kind: ErrSettings, What: "The authorization server does not issue refresh tokens to this app",
			Hint: "Allow the app the refresh token grant (often an option of its registration), then authorize again."}
	case "invalid_request":
		if strings.Contains(desc, "pkce") || strings.Contains(desc, "code_challenge") || strings.Contains(desc, "code_verifier") {
			return &problem.Error{Kind: ErrSettings, What: "The authorization server refused PKCE, which Opsdesk always uses",
				Hint: "Register the app as a desktop (native) client, which servers let use PKCE."}
		}
	}
	if st == stepRefresh && se.Status >= 400 && se.Status < 500 && se.Code != "http_error" {
		return &problem.Error{Kind: ErrRefused, What: "The authorization server refused to renew the access token",
			Hint: authorizeAgain + " If it keeps failing, show the technical detail to the app's administrator."}
	}
	return &problem.Error{Kind: ErrFailed, What: "The authorization server refused the request",
		Hint: "Check the credential's settings against the app registration; the technical detail says what the server answered."}
}

func redirectForHint(cfg Config) string {
	if cfg.RedirectURL == "" {
		return DefaultRedirectURL
	}
	return cfg.RedirectURL
}
