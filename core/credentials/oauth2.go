package credentials

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/opsdesk/opsdesk/core/oauth"
)

// The limits of an OAuth2 Authorization Code entry. Its settings can
// exceed one Windows item in the worst case (three long URLs beside a
// description of wide characters), and its tokens often do: both are
// split across items then (chunks.go), so these limits keep values sane
// rather than squeeze them into 2,560 bytes.
const (
	MaxMailboxBytes           = 254  // an e-mail address's limit (RFC 5321's path, less its brackets)
	MaxOAuthURLLength         = 2048 // ASCII characters; every provider's is under 200
	MaxClientIDLength         = 255  // ASCII; Microsoft's is a GUID, Google's about 72 characters
	MaxClientSecretLength     = 512  // ASCII; Microsoft's are 40 characters, Google's 35
	MaxScopeLength            = 1024 // ASCII, space-separated
	MaxRefreshTokenExpiryDays = 3650
	// MaxRefreshTokenBytes is the longest refresh token kept. Microsoft
	// documents no length; libraries that store its tokens allow 32 KiB.
	MaxRefreshTokenBytes = 32 << 10
	// MaxAccessTokenBytes is the longest access token kept between
	// tests; a longer one is used for the test at hand only.
	MaxAccessTokenBytes = 32 << 10
	maxProblemBytes     = 300
)

// The range the tenant allows Microsoft 365's Refresh Token Expiry.
const (
	MinMicrosoftExpiryDays = 3
	MaxMicrosoftExpiryDays = 90
)

// normalize fills the defaults an OAuth2 entry's settings take when left
// empty, and trims stray spaces around pasted values.
func normalize(o *OAuth2) {
	trim := strings.TrimSpace
	o.AuthorizationURL, o.TokenURL, o.RedirectURL = trim(o.AuthorizationURL), trim(o.TokenURL), trim(o.RedirectURL)
	o.ClientID, o.Scope = trim(o.ClientID), strings.Join(strings.Fields(o.Scope), " ")
	if o.SendAs == "" {
		o.SendAs = oauth.BodyParameter
	}
	if o.Provider == "" {
		o.Provider = oauth.Generic
	}
}

// CheckOAuth2 says what is wrong with an OAuth2 Authorization Code entry's
// mailbox (user) and settings, or returns nil: the first problem in the
// order of the form's fields. The form asks it before Deploy is enabled,
// the store before anything is written.
func CheckOAuth2(user string, o OAuth2) error {
	normalize(&o)
	if !slices.Contains(oauth.Providers, o.Provider) {
		return badSetting("Provider", fmt.Sprintf("is %q, which Opsdesk does not know", o.Provider), "Choose Microsoft 365, Google or Generic.")
	}
	for _, u := range []struct{ what, value string }{{"Authorization URL", o.AuthorizationURL}, {"Token Service URL", o.TokenURL}} {
		if u.value == "" {
			return newError(ErrEmpty, "", "The "+u.what+" is empty", "Enter the "+u.what+" of the provider, or choose a Provider that fills it in.", nil)
		}
		if err := checkASCIILine(u.what, u.value, MaxOAuthURLLength, false); err != nil {
			return err
		}
		if err := oauth.CheckURL(u.what, u.value); err != nil {
			return badSetting(u.what, "is not usable: "+err.Error(), "Copy it from the provider's documentation or the app registration.")
		}
	}
	if err := CheckRefreshTokenExpiry(o.Provider, o.RefreshTokenExpiryDays); err != nil {
		return err
	}
	if o.RedirectURL != "" {
		if err := checkASCIILine("Redirect URL", o.RedirectURL, MaxOAuthURLLength, false); err != nil {
			return err
		}
	}
	if err := oauth.CheckRedirectURL(o.RedirectURL); err != nil {
		return err
	}
	if o.ClientID == "" {
		return newError(ErrEmpty, "", "The Client ID is empty",
			"Enter the app registration's Client ID (Microsoft: Application (client) ID).", nil)
	}
	if err := checkASCIILine("Client ID", o.ClientID, MaxClientIDLength, false); err != nil {
		return err
	}
	if o.SendAs != oauth.BodyParameter && o.SendAs != oauth.BasicAuthHeader {
		return badSetting("Send As", fmt.Sprintf("is %q", o.SendAs), "Choose Body Parameter or Basic Auth Header.")
	}
	if err := CheckMailbox(o.Provider, user); err != nil {
		return err
	}
	if o.Scope == "" {
		return newError(ErrEmpty, "", "The Scope is empty", "Enter the scopes the mailbox needs, or choose a Provider that fills them in.", nil)
	}
	return checkASCIILine("Scope", o.Scope, MaxScopeLength, true)
}

// CheckRefreshTokenExpiry checks the Refresh Token Expiry in days: 0 (not
// known) or a number of days; Microsoft 365 takes 3 to 90, as the tenant.
func CheckRefreshTokenExpiry(p oauth.Provider, days int) error {
	switch {
	case days < 0 || days > MaxRefreshTokenExpiryDays:
		return badSetting("Refresh Token Expiry", fmt.Sprintf("is %d days", days), fmt.Sprintf("Enter a number of days from 1 to %d, or leave it empty.", MaxRefreshTokenExpiryDays))
	case p == oauth.Microsoft365 && days != 0 && (days < MinMicrosoftExpiryDays || days > MaxMicrosoftExpiryDays):
		return badSetting("Refresh Token Expiry", fmt.Sprintf("is %d days", days),
			fmt.Sprintf("For Microsoft 365 enter %d to %d days, as in Cloud Integration (Microsoft's default is 90).", MinMicrosoftExpiryDays, MaxMicrosoftExpiryDays))
	}
	return nil
}

// CheckMailbox checks the User Name of an OAuth2 entry: the mailbox that
// signs in, usually its e-mail address.
func CheckMailbox(p oauth.Provider, user string) error {
	if strings.TrimSpace(user) == "" {
		return newError(ErrEmpty, "", "The User Name is empty", "Enter the mailbox's e-mail address, such as ops@contoso.com."+nothingChanged, nil)
	}
	if len(user) > MaxMailboxBytes {
		return tooLong("User Name", len(user), MaxMailboxBytes, "bytes")
	}
	if err := checkLine("User Name", user, MaxMailboxBytes, true); err != nil {
		return err
	}
	if strings.ContainsFunc(user, unicode.IsSpace) {
		return badSetting("User Name", "contains a space", "Enter the mailbox's e-mail address without spaces.")
	}
	if (p == oauth.Microsoft365 || p == oauth.Google) && !strings.Contains(user, "@") {
		return badSetting("User Name", "is not an e-mail address", "Enter the mailbox's full e-mail address, such as ops@contoso.com.")
	}
	return nil
}

// CheckClientSecret checks a client secret: empty for a public client,
// otherwise printable ASCII as providers issue them. It never quotes it.
func CheckClientSecret(secret []byte) error {
	if len(secret) > MaxClientSecretLength {
		return tooLong("client secret", len(secret), MaxClientSecretLength, "characters")
	}
	for i, c := range secret {
		if c <= ' ' || c >= 0x7f {
			kind := "an invisible character"
			switch {
			case c == ' ':
				kind = "a space"
			case c == '\n' || c == '\r':
				kind = "a line break"
			case c >= 0x80:
				kind = "a character outside ASCII"
			}
			return newError(ErrBadText, "", fmt.Sprintf("The client secret contains %s (character %d), which it cannot hold", kind, i+1),
				"Copy the secret's value again from the app registration."+nothingChanged, nil)
		}
	}
	return nil
}

// checkASCIILine checks a setting of printable ASCII: URLs, IDs, scopes.
func checkASCIILine(what, s string, limit int, spaces bool) error {
	if len(s) > limit {
		return tooLong(what, len(s), limit, "characters")
	}
	for i, r := range s {
		if r > ' ' && r < unicode.MaxASCII || spaces && r == ' ' {
			continue
		}
		return newError(ErrBadText, "", fmt.Sprintf("The %s contains %s (character %d), which it cannot hold", what, describeRune(r), i+1),
			"Copy it again from the provider's documentation or the app registration."+nothingChanged, nil)
	}
	return nil
}

func badSetting(what, why, hint string) error {
	return newError(ErrBadText, "", "The "+what+" "+why, hint, nil)
}

// toFields copies an entry's settings into a record.
func (r *record) setOAuth(o OAuth2) {
	normalize(&o)
	r.o.provider, r.o.authURL, r.o.tokenURL, r.o.redirectURL = string(o.Provider), o.AuthorizationURL, o.TokenURL, o.RedirectURL
	r.o.clientID, r.o.scope, r.o.sendAs, r.o.expiryDays = o.ClientID, o.Scope, string(o.SendAs), o.RefreshTokenExpiryDays
}

// settings is the record's OAuth2 as an Entry shows it.
func (r *record) settings() *OAuth2 {
	if r.typ != OAuth2AuthorizationCode {
		return nil
	}
	return &OAuth2{Provider: oauth.Provider(r.o.provider), AuthorizationURL: r.o.authURL, TokenURL: r.o.tokenURL,
		RedirectURL: r.o.redirectURL, ClientID: r.o.clientID, Scope: r.o.scope, SendAs: oauth.SendAs(r.o.sendAs),
		RefreshTokenExpiryDays: r.o.expiryDays, AuthorizedOn: r.o.authorizedOn, PublicClient: len(r.secret) == 0}
}

// grantChanged reports whether a change of settings makes the tokens of
// the old ones useless: another provider, application, scope or account.
func grantChanged(a, b oauthFields, userA, userB string) bool {
	return a.provider != b.provider || a.authURL != b.authURL || a.tokenURL != b.tokenURL || a.clientID != b.clientID ||
		a.scope != b.scope || !strings.EqualFold(userA, userB)
}

// config is what the flow needs of a record; cfg.ClientSecret is r's, so
// the caller wipes r after using it.
func (r *record) config() oauth.Config {
	return oauth.Config{AuthorizationURL: r.o.authURL, TokenURL: r.o.tokenURL, RedirectURL: r.o.redirectURL, ClientID: r.o.clientID,
		ClientSecret: r.secret, Scope: r.o.scope, SendAs: oauth.SendAs(r.o.sendAs), User: r.user}
}
