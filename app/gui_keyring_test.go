package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/credentials"
)

// TestGUIKeyringOpensTheOwnKeystore: the window's keyring creates the app's
// own keystore on first use, keeps its password, and opens it again with
// the same store.
func TestGUIKeyringOpensTheOwnKeystore(t *testing.T) {
	home := t.TempDir()
	t.Setenv("OPSDESK_HOME", home)
	t.Setenv(credentials.BackendEnv, "file")
	t.Setenv(credentials.FilePasswordEnv, "Cr3d-file-keyring")
	os.Unsetenv("OPSDESK_KEYSTORE_PASSWORD")
	kr := &guiKeyring{}
	for i := range 2 {
		k, err := kr.ownKeystore()
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		k.Close()
	}
	if _, err := os.Stat(filepath.Join(home, ownKeystoreName)); err != nil {
		t.Fatal(err)
	}
	s, err := kr.open()
	if err != nil {
		t.Fatal(err)
	}
	pw, err := s.KeystorePassword(filepath.Join(home, ownKeystoreName))
	if err != nil || len(pw) == 0 {
		t.Errorf("password not kept: %v", err)
	}
}

// TestGUIKeyringWithoutFilePassword: no terminal to ask at, so the error
// says how to give the password instead of waiting for one.
func TestGUIKeyringWithoutFilePassword(t *testing.T) {
	t.Setenv("OPSDESK_HOME", t.TempDir())
	t.Setenv(credentials.BackendEnv, "file")
	t.Setenv(credentials.FilePasswordEnv, "")
	os.Unsetenv(credentials.FilePasswordEnv)
	kr := &guiKeyring{}
	s, err := kr.open()
	if err == nil {
		_, err = s.Add(credentials.Entry{Name: "p", Type: credentials.SecureParameter}, []byte("x"))
	}
	if err == nil {
		t.Fatal("the file keyring took an entry without a password")
	}
	if !strings.Contains(err.Error(), credentials.FilePasswordEnv) {
		t.Errorf("the error does not say how to give the password: %v", err)
	}
}
