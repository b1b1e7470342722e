// Package ownkeystore is the app's own keystore, OPSDESK_HOME/keystore.jks:
// the one the window and the commands use when no other is named. It is
// created on first use with a strong random password that only the
// keyring keeps, so that no one is ever asked for it; the variable
// OPSDESK_KEYSTORE_PASSWORD, when set, wins over the keyring. Both front
// ends open it here, so the rule lives once.
package ownkeystore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/datadir"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// PasswordEnv gives a keystore's password; for the own keystore it wins
// over the keyring.
const PasswordEnv = "OPSDESK_KEYSTORE_PASSWORD"

// FileName is the own keystore's name in the data folder.
const FileName = "keystore.jks"

// Path is where the own keystore is, whether or not it exists yet.
func Path() (string, error) {
	home, err := datadir.Path()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, FileName), nil
}

// Keyring keeps the own keystore's password; *credentials.Store is one.
type Keyring interface {
	KeystorePassword(path string) ([]byte, error)
	NewKeystorePassword(path string) ([]byte, error)
	SetKeystorePassword(path string, password []byte) error
	Where() string
}

var _ Keyring = (*credentials.Store)(nil)

// Opened is the own keystore, opened.
type Opened struct {
	*keystore.Keystore
	// Created is set when this Open made the keystore: a front end says
	// so once, and where the password is kept (Where).
	Created bool
	Where   string
	keyring Keyring // nil when the password came from PasswordEnv
}

// Open opens the keystore at path (Path, or another data folder's in
// tests), creating it, and the folder it is in, when it does not exist.
// keyring is called only when PasswordEnv is unset: opening the keyring
// may ask for its file's password.
func Open(path string, keyring func() (Keyring, error)) (*Opened, error) {
	_, statErr := os.Stat(path)
	exists := !errors.Is(statErr, os.ErrNotExist)
	o := &Opened{Where: "the variable " + PasswordEnv}
	var pw []byte
	if v, ok := os.LookupEnv(PasswordEnv); ok {
		pw = []byte(v)
	} else {
		kr, err := keyring()
		if err != nil {
			return nil, err
		}
		pw, err = kr.KeystorePassword(path)
		if errors.Is(err, credentials.ErrNotFound) && !exists {
			if err := makeFolder(path); err != nil {
				return nil, err
			}
			pw, err = kr.NewKeystorePassword(path) // kept before the keystore exists
		}
		if err != nil {
			return nil, err
		}
		o.keyring, o.Where = kr, kr.Where()
	}
	defer clear(pw)
	var err error
	if exists {
		o.Keystore, err = keystore.Open(path, pw)
	} else if err = makeFolder(path); err == nil {
		o.Keystore, err = keystore.Create(path, pw)
		o.Created = err == nil
		if errors.Is(err, keystore.ErrExists) { // another program made it a moment ago
			o.Keystore, err = keystore.Open(path, pw)
		}
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

func makeFolder(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("could not create the data folder: %w", err)
	}
	return nil
}

// PasswordChanged keeps the keyring in step after the keystore's password
// was changed to newPassword. With the password from PasswordEnv there is
// nothing to keep.
func (o *Opened) PasswordChanged(newPassword []byte) error {
	if o.keyring == nil {
		return nil
	}
	if err := o.keyring.SetKeystorePassword(o.Path(), newPassword); err != nil {
		return fmt.Errorf("the keystore has its new password, but the keyring still holds the old one (%w); until the password is changed again successfully, set %s to the new password", err, PasswordEnv)
	}
	return nil
}
