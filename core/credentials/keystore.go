package credentials

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"path/filepath"

	"github.com/99designs/keyring"
)

// The app's own keystore (OPSDESK_HOME/keystore.jks) is protected by a
// strong random password that only the keyring knows, so that a user is
// never asked for one. The item is keyed by the keystore's absolute path:
// two data folders, two keystores, two passwords.
func keystoreKey(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	sum := sha256.Sum256([]byte(filepath.Clean(path)))
	return keystorePrefix + hex.EncodeToString(sum[:8])
}

// KeystorePassword returns the password kept for the keystore at path, or
// an error wrapping ErrNotFound. The caller zeroes it.
func (s *Store) KeystorePassword(path string) ([]byte, error) {
	var pw []byte
	err := s.do("read the keystore password", func() error {
		item, err := s.ring.Get(keystoreKey(path))
		if errors.Is(err, keyring.ErrKeyNotFound) {
			return newError(ErrNoKeystorePassword, path, "has no password in the keyring",
				"Set OPSDESK_KEYSTORE_PASSWORD to its password, or open another keystore.", nil)
		}
		if err != nil {
			return err
		}
		pw = item.Data
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pw, nil
}

// NewKeystorePassword makes a strong random password for a keystore about
// to be created at path and keeps it in the keyring before returning it, so
// that no keystore ever exists whose password was not saved first. The
// caller zeroes it.
func (s *Store) NewKeystorePassword(path string) ([]byte, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	defer clear(raw)
	// Base64 letters only: Latin-1, as keystore passwords must be, and easy
	// to type should anyone ever need to.
	pw := make([]byte, base64.RawURLEncoding.EncodedLen(len(raw)))
	base64.RawURLEncoding.Encode(pw, raw)
	if err := s.SetKeystorePassword(path, pw); err != nil {
		clear(pw)
		return nil, err
	}
	return pw, nil
}

// SetKeystorePassword keeps password as the password of the keystore at
// path, replacing the one kept before (after the keystore's password was
// changed).
func (s *Store) SetKeystorePassword(path string, password []byte) error {
	abs, _ := filepath.Abs(path)
	return s.do("store the keystore password", func() error {
		return s.ring.Set(keyring.Item{Key: keystoreKey(path), Data: password, Label: "Opsdesk keystore password",
			Description: abs, KeychainNotSynchronizable: true})
	})
}
