package credentials

import (
	"errors"
	"fmt"
	"strings"

	"github.com/opsdesk/opsdesk/core/problem"
)

// Sentinels for errors.Is. Every error the Store returns is a
// *problem.Error wrapping one of these, with a sentence for the user.
var (
	ErrBadName       = errors.New("credentials: invalid name")
	ErrExists        = errors.New("credentials: name taken")
	ErrNotFound      = errors.New("credentials: no such entry")
	ErrEmpty         = errors.New("credentials: required value missing")
	ErrTooLong       = errors.New("credentials: value too long")
	ErrBadText       = errors.New("credentials: value is not text")
	ErrMismatch      = errors.New("credentials: repeated secret differs")
	ErrWrongType     = errors.New("credentials: wrong type of entry")
	ErrUnavailable   = errors.New("credentials: no keyring available")
	ErrLocked        = errors.New("credentials: keyring locked")
	ErrRefused       = errors.New("credentials: keyring refused access")
	ErrWrongPassword = errors.New("credentials: wrong keyring file password")
	ErrWeakPassword  = errors.New("credentials: keyring file password too short")
	ErrDamaged       = errors.New("credentials: entry cannot be read")
	ErrFailed        = errors.New("credentials: keyring operation failed")

	// ErrNoKeystorePassword is ErrNotFound for a keystore's password.
	ErrNoKeystorePassword = fmt.Errorf("%w: keystore password", ErrNotFound)
)

func newError(kind error, source, what, hint string, detail error) *problem.Error {
	e := &problem.Error{Source: source, Kind: kind, What: what, Hint: hint}
	if detail != nil {
		e.Detail = detail.Error()
	}
	return e
}

// nothingChanged ends the hint of an error that left every stored entry as
// it was, which is what a user fears most after a failed save.
const nothingChanged = " Nothing stored was changed."

// The fields of the Security Material forms, as the Field of the errors
// that the checks of what is typed return: a form shows the error beside
// the field, a command names its flag.
const (
	FieldName         = "Name"
	FieldDescription  = "Description"
	FieldUser         = "User"
	FieldSecret       = "Secret" // the password, the secure parameter, or OpenConnectors' user secret
	FieldRepeat       = "Repeat"
	FieldCompanyID    = "Company ID"
	FieldOrganization = "Organization"
	FieldElement      = "Element"
)

// inField sets the Field of a check's error.
func inField(field string, err error) error {
	var pe *problem.Error
	if errors.As(err, &pe) {
		pe.Field = field
	}
	return err
}

// unchanged is a check's error as a refused save says it: with the
// reassurance that nothing stored changed.
func unchanged(err error) error {
	var pe *problem.Error
	if !errors.As(err, &pe) || strings.HasSuffix(pe.Hint, nothingChanged) {
		return err
	}
	c := *pe
	c.Hint = strings.TrimSpace(c.Hint + nothingChanged)
	return &c
}

func notFound(name string) error {
	return newError(ErrNotFound, name, "is not in the Security Material", "Check the spelling.", nil)
}

func tooLong(what string, got, limit int, unit string) error {
	return newError(ErrTooLong, "", fmt.Sprintf("The %s is too long: %d %s, at most %d are allowed", what, got, unit, limit),
		"Shorten it.", nil)
}
