package credentials

import (
	"os"
	"os/user"
	"runtime"
	"time"
)

// Type is what Cloud Integration's Type column shows.
type Type string

const (
	UserCredentials Type = "User Credentials"
	SecureParameter Type = "Secure Parameter"
)

func (t Type) code() byte {
	switch t {
	case UserCredentials:
		return 1
	case SecureParameter:
		return 2
	}
	return 0
}

func typeFromCode(c byte) Type {
	switch c {
	case 1:
		return UserCredentials
	case 2:
		return SecureParameter
	}
	return ""
}

// secretName is what the secret is called in messages.
func (t Type) secretName() string {
	if t == SecureParameter {
		return "secure parameter"
	}
	return "password"
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
	User        string // User Credentials only
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

func zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
