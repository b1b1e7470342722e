package credentials

import (
	"os"
	"os/user"
	"runtime"
	"time"

	"github.com/opsdesk/opsdesk/core/oauth"
)

// Type is what Cloud Integration's Type column shows. SuccessFactors and
// OpenConnectors are the other two choices of the Create User Credentials
// dialog's Type, spelled as that drop-down spells them.
type Type string

const (
	UserCredentials Type = "User Credentials"
	SecureParameter Type = "Secure Parameter"
	SuccessFactors  Type = "SuccessFactors" // User Credentials with a Company ID
	OpenConnectors  Type = "OpenConnectors" // User, Organization and Element: all three secrets
	// OAuth2AuthorizationCode signs in to a mailbox with a token that the
	// user obtained once in the browser (Authorize), instead of a password.
	OAuth2AuthorizationCode Type = "OAuth2 Authorization Code"
)

// The codes in a record (record.go); never reuse one.
func (t Type) code() byte {
	switch t {
	case UserCredentials:
		return 1
	case SecureParameter:
		return 2
	case SuccessFactors:
		return 3
	case OpenConnectors:
		return 4
	case OAuth2AuthorizationCode:
		return 5
	}
	return 0
}

func typeFromCode(c byte) Type {
	switch c {
	case 1:
		return UserCredentials
	case 2:
		return SecureParameter
	case 3:
		return SuccessFactors
	case 4:
		return OpenConnectors
	case 5:
		return OAuth2AuthorizationCode
	}
	return ""
}

// HasUser says whether the type has a User that may be shown: User
// Credentials and SuccessFactors. OpenConnectors' User is a secret.
func (t Type) HasUser() bool {
	return t == UserCredentials || t == SuccessFactors || t == OAuth2AuthorizationCode
}

// secretName is what the (first) secret is called in messages.
func (t Type) secretName() string {
	switch t {
	case SecureParameter:
		return "secure parameter"
	case OpenConnectors:
		return "user secret"
	case OAuth2AuthorizationCode:
		return "client secret"
	}
	return "password"
}

// Secrets are what an entry keeps secret; the caller zeroes them. Secret is
// the password (User Credentials, SuccessFactors), the secure parameter, or
// OpenConnectors' User. Organization and Element are OpenConnectors' only.
//
// OpenConnectors sends its three values as the header "Authorization: User
// <user secret>, Organization <organization secret>, Element <element
// token>", which is as good as a password: all three are kept secret, are
// never shown or printed, and are typed into password fields (the User
// too, although the tenant labels it plainly "User").
type Secrets struct {
	Secret       []byte
	Organization []byte // the Organization Secret
	Element      []byte // the Element Token
}

// Status values, as on the Security Material page.
const (
	Deployed = "Deployed"
	// Error: the item is ours but cannot be read (Type is empty then), or
	// an OAuth2 credential's refresh token was refused (Problem says why).
	Error = "Error"
	// Unauthorized: an OAuth2 credential that has not been authorized in
	// the browser yet, or whose settings changed since.
	Unauthorized = "Unauthorized"
)

// Entry is one row of the Security Material page: everything but the secret.
type Entry struct {
	Name        string
	Description string
	Type        Type
	User        string // User Credentials and SuccessFactors only
	CompanyID   string // SuccessFactors only; not a secret
	Status      string
	DeployedBy  string
	DeployedOn  time.Time
	Problem     string // why Status is Error
	// OAuth2 holds an OAuth2 Authorization Code entry's settings; nil
	// for every other type. User is its mailbox (the tenant's User Name).
	OAuth2 *OAuth2
}

// OAuth2 are the settings of an OAuth2 Authorization Code entry, as the
// tenant's form has them. The client secret is a secret: given apart,
// like a password.
type OAuth2 struct {
	Provider               oauth.Provider
	AuthorizationURL       string
	TokenURL               string
	RedirectURL            string // a loopback URL of this computer; "" for oauth.DefaultRedirectURL
	ClientID               string
	Scope                  string // space-separated
	SendAs                 oauth.SendAs
	RefreshTokenExpiryDays int // 0 when the provider does not say

	// Set by the store, ignored when adding or editing:
	AuthorizedOn time.Time // the last successful Authorize; zero while Unauthorized
	PublicClient bool      // no client secret is stored: PKCE alone
}

// osUser is the Deployed By value: the operating-system user.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "USERNAME", "LOGNAME"} {
		if s := os.Getenv(v); s != "" {
			return s
		}
	}
	return runtime.GOOS + " user"
}
