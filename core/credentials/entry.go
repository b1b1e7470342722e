package credentials

import (
	"os"
	"os/user"
	"runtime"
	"time"
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
	}
	return ""
}

// HasUser says whether the type has a User that may be shown: User
// Credentials and SuccessFactors. OpenConnectors' User is a secret.
func (t Type) HasUser() bool { return t == UserCredentials || t == SuccessFactors }

// secretName is what the (first) secret is called in messages.
func (t Type) secretName() string {
	switch t {
	case SecureParameter:
		return "secure parameter"
	case OpenConnectors:
		return "user secret"
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
	Error    = "Error" // the item is ours but cannot be read
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
