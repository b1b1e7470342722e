package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/datadir"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// The app's own keystore: OPSDESK_HOME/keystore.jks, used when --keystore
// is not given. It is created on first use with a strong random password
// that only the keyring keeps, so no one is ever asked for it;
// OPSDESK_KEYSTORE_PASSWORD, when set, still wins.

const ownKeystoreName = "keystore.jks"

func ownKeystorePath() (string, error) {
	home, err := datadir.Path()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ownKeystoreName), nil
}

// openOwn opens the app's own keystore, creating it when it does not exist.
func (c *ksCommand) openOwn() (*keystore.Keystore, error) {
	_, statErr := os.Stat(c.path)
	exists := !errors.Is(statErr, os.ErrNotExist)
	var pw []byte
	if v, ok := os.LookupEnv("OPSDESK_KEYSTORE_PASSWORD"); ok {
		pw = []byte(v)
	} else {
		s := c.creds // the app's window hands over the store it opened
		if s == nil {
			var err error
			if s, err = openCredentials(c.stdin, c.stderr); err != nil {
				return nil, err
			}
		}
		var err error
		pw, err = s.KeystorePassword(c.path)
		if errors.Is(err, credentials.ErrNotFound) && !exists {
			if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
				return nil, fmt.Errorf("could not create the data folder: %w", err)
			}
			pw, err = s.NewKeystorePassword(c.path) // kept before the keystore exists
		}
		if err != nil {
			return nil, err
		}
		c.creds = s
	}
	defer zero(pw)
	if exists {
		return keystore.Open(c.path, pw)
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return nil, fmt.Errorf("could not create the data folder: %w", err)
	}
	k, err := keystore.Create(c.path, pw)
	if errors.Is(err, keystore.ErrExists) { // another command made it a moment ago
		return keystore.Open(c.path, pw)
	}
	if err == nil {
		where := "the variable OPSDESK_KEYSTORE_PASSWORD"
		if c.creds != nil {
			where = c.creds.Where()
		}
		// stderr: standard output may be JSON.
		fmt.Fprintf(c.stderr, "Created the app's keystore %s; its password is kept in %s.\n", c.path, where)
	}
	return k, err
}

// ownPasswordChanged keeps the keyring in step after passwd changed the
// password of the app's own keystore.
func (c *ksCommand) ownPasswordChanged(newPassword []byte) error {
	if c.creds == nil {
		return nil
	}
	if err := c.creds.SetKeystorePassword(c.path, newPassword); err != nil {
		return fmt.Errorf("the keystore has its new password, but the keyring still holds the old one (%w); until passwd succeeds again, set OPSDESK_KEYSTORE_PASSWORD to the new password", err)
	}
	return nil
}
