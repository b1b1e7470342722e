package credentials

import (
	"os"
	"strings"
	"testing"
)

// TestFileKeyringPassword: the encrypted file's password comes from the
// environment or the caller's prompt, is asked for as new only the first
// time, and a wrong one is refused before anything is written with it.
func TestFileKeyringPassword(t *testing.T) {
	t.Setenv(BackendEnv, "")
	os.Unsetenv(FilePasswordEnv)
	home := t.TempDir()
	var asked []bool
	prompt := func(answer string) PasswordFunc {
		return func(first bool) ([]byte, error) {
			asked = append(asked, first)
			return []byte(answer), nil
		}
	}
	open := func(p PasswordFunc) (*Store, error) {
		return Open(Options{Home: home, Backend: "file", FilePassword: p})
	}

	// A new keyring file refuses a short password, and stays empty.
	s, err := open(prompt("short"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Add(Entry{Name: "a", Type: UserCredentials, User: "u"}, []byte("x"))
	wantProblem(t, err, ErrWeakPassword)
	if entries, _ := os.ReadDir(s.fileDir); len(entries) != 0 {
		t.Fatalf("written: %v", entries)
	}

	// The first password is asked for as a new one.
	asked = nil
	s, err = open(prompt("first-password"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(Entry{Name: "a", Type: UserCredentials, User: "u"}, []byte("a-secret")); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || !asked[0] {
		t.Fatalf("asked %v, want once as new", asked)
	}

	// Later, as an existing one, and a wrong one is refused at once.
	asked = nil
	_, err = open(prompt("wrong-password"))
	pe := wantProblem(t, err, ErrWrongPassword)
	if !strings.Contains(pe.Error(), "password is wrong") || len(asked) != 1 || asked[0] {
		t.Fatalf("%q, asked %v", pe.Error(), asked)
	}

	// No prompt and no environment: say how to give it.
	_, err = open(nil)
	pe = wantProblem(t, err, ErrLocked)
	if !strings.Contains(pe.Error(), FilePasswordEnv) {
		t.Errorf("%q", pe.Error())
	}

	// The environment comes first, for scripts.
	t.Setenv(FilePasswordEnv, "first-password")
	asked = nil
	s, err = open(prompt("wrong-password"))
	if err != nil || len(asked) != 0 {
		t.Fatalf("%v, asked %v", err, asked)
	}
	if u, pw, err := s.Lookup("a"); err != nil || u != "u" || string(pw) != "a-secret" {
		t.Fatalf("%q %q %v", u, pw, err)
	}
}
