package ownkeystore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsdesk/opsdesk/core/credentials"
)

// fakeRing keeps keystore passwords in memory, as the keyring does.
type fakeRing map[string][]byte

func (f fakeRing) KeystorePassword(path string) ([]byte, error) {
	if pw, ok := f[path]; ok {
		return append([]byte(nil), pw...), nil
	}
	return nil, credentials.ErrNoKeystorePassword
}

func (f fakeRing) NewKeystorePassword(path string) ([]byte, error) {
	f[path] = []byte("random-password-123")
	return f.KeystorePassword(path)
}

func (f fakeRing) SetKeystorePassword(path string, pw []byte) error {
	f[path] = append([]byte(nil), pw...)
	return nil
}

func (fakeRing) Where() string { return "the test's keyring" }

// TestOpenCreatesOnceWithTheKeyringsPassword: the first Open creates the
// keystore (and its folder) with a password only the keyring keeps; the
// next opens it with that password; a changed password is kept.
func TestOpenCreatesOnceWithTheKeyringsPassword(t *testing.T) {
	os.Unsetenv(PasswordEnv)
	ring := fakeRing{}
	path := filepath.Join(t.TempDir(), "data", FileName)
	open := func() (Keyring, error) { return ring, nil }
	o, err := Open(path, open)
	if err != nil || !o.Created || o.Where != "the test's keyring" || ring[path] == nil {
		t.Fatalf("first open: %+v, %v", o, err)
	}
	if _, err := o.ChangePassword([]byte("changed-password")); err != nil {
		t.Fatal(err)
	}
	if err := o.PasswordChanged([]byte("changed-password")); err != nil {
		t.Fatal(err)
	}
	o.Close()
	if o, err = Open(path, open); err != nil || o.Created {
		t.Fatalf("second open: %+v, %v", o, err)
	}
	o.Close()
}

// TestOpenTakesTheVariableFirst: with OPSDESK_KEYSTORE_PASSWORD set the
// keyring is never opened (it may ask for its file's password); a keyring
// that cannot open is why the keystore cannot either.
func TestOpenTakesTheVariableFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	t.Setenv(PasswordEnv, "from-the-variable")
	o, err := Open(path, func() (Keyring, error) { t.Fatal("the keyring was opened"); return nil, nil })
	if err != nil || !o.Created || o.Where != "the variable "+PasswordEnv {
		t.Fatalf("%+v, %v", o, err)
	}
	if err := o.PasswordChanged([]byte("x")); err != nil {
		t.Error(err)
	}
	o.Close()
	os.Unsetenv(PasswordEnv)
	locked := errors.New("locked")
	if _, err := Open(path, func() (Keyring, error) { return nil, locked }); !errors.Is(err, locked) {
		t.Errorf("a locked keyring: %v", err)
	}
}
