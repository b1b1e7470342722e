package keystore

import (
	"errors"
	"fmt"

	"github.com/opsdesk/opsdesk/core/problem"
)

// Sentinels for errors.Is. Every error Open and the editing methods return
// is a *problem.Error wrapping one of these, with a sentence for the user.
var (
	ErrNotFound      = errors.New("keystore: no such file")
	ErrNotKeystore   = errors.New("keystore: not a JKS keystore")
	ErrDamaged       = errors.New("keystore: damaged")
	ErrTooLarge      = errors.New("keystore: too large")
	ErrWrongPassword = errors.New("keystore: wrong password")
	ErrBadPassword   = errors.New("keystore: unusable password")
	ErrReadOnly      = errors.New("keystore: opened read-only")
	ErrChangedOnDisk = errors.New("keystore: changed on disk")
	ErrLocked        = errors.New("keystore: locked by another program")
	ErrNotWritable   = errors.New("keystore: cannot be written as it is")
	ErrNoEntry       = errors.New("keystore: no such entry")
	ErrSAPOwned      = errors.New("keystore: SAP-owned entry")
	ErrAliasTaken    = errors.New("keystore: alias taken")
	ErrBadAlias      = errors.New("keystore: invalid alias")
	ErrKeyPassword   = errors.New("keystore: key password differs")
	ErrExists        = errors.New("keystore: file exists")
	ErrBadKeyPair    = errors.New("keystore: key pair options invalid")
	ErrNotKeyPair    = errors.New("keystore: not a key pair")
	ErrKeyMismatch   = errors.New("keystore: key does not match certificate")
	ErrEncryptedKey  = errors.New("keystore: encrypted PEM key")
	ErrNotOne        = errors.New("keystore: not one certificate")
	// Narrower kinds, which front ends name their own ways to, each
	// also its wider kind for errors.Is.
	ErrIsCertificate  = fmt.Errorf("%w: a certificate", ErrNotKeystore)
	ErrIsPKCS12       = fmt.Errorf("%w: PKCS#12", ErrNotKeystore)
	ErrPKCS12ReadOnly = fmt.Errorf("%w: PKCS#12", ErrReadOnly)

	errNotJKS           = errors.New("not JKS")
	errJCEKS            = errors.New("JCEKS")
	errPasswordEncoding = &problem.Error{Kind: ErrBadPassword, What: "The password is not valid text", Hint: "Type the password again."}
	errPasswordTooShort = &problem.Error{Kind: ErrBadPassword, What: fmt.Sprintf("The password is too short: a keystore password needs at least %d characters", MinPasswordLength), Hint: "Choose a longer password."}
)

// MaxFileSize is the largest keystore Opsdesk opens. A tenant keystore is
// at most 6 MB; anything ten times that is not a keystore a user meant.
const MaxFileSize = 64 << 20

func passwordCharacterError(r rune) error {
	return &problem.Error{Kind: ErrBadPassword,
		What: fmt.Sprintf("The password contains %q, a character Java keystores made by Opsdesk cannot hold", r),
		Hint: "Use letters, digits and symbols from Western European keyboards."}
}

func fileError(path string, kind error, what, hint string, detail error) *problem.Error {
	e := &problem.Error{Source: path, Kind: kind, What: what, Hint: hint}
	if detail != nil {
		e.Detail = detail.Error()
	}
	return e
}

func withSource(err error, source string) error {
	var pe *problem.Error
	if errors.As(err, &pe) && pe.Source == "" {
		c := *pe
		c.Source = source
		return &c
	}
	return err
}
