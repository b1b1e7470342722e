package credentials

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/problem"
)

const testFilePassword = "file-keyring-pass"

// requireSecretService skips a test that needs the Secret Service unless
// it runs inside scripts/with-secret-service.sh (as make test does), so it
// never touches a developer's own keyring. Under CI it fails instead.
func requireSecretService(t *testing.T) {
	t.Helper()
	if os.Getenv("OPSDESK_TEST_SECRET_SERVICE") == "1" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Secret Service: CI must run the tests through scripts/with-secret-service.sh (make test does)")
	}
	t.Skip("skipped: the Secret Service tests run only inside scripts/with-secret-service.sh (make test), a private D-Bus session, so that they never touch your own keyring")
}

// requireCredentialManager skips a test that needs Windows Credential
// Manager unless it runs in the Windows lane (make test-windows), whose
// throwaway Wine prefix sets OPSDESK_TEST_WINCRED=1, so that it never
// touches a developer's own Credential Manager. Under CI it fails instead.
func requireCredentialManager(t *testing.T) {
	t.Helper()
	if os.Getenv("OPSDESK_TEST_WINCRED") == "1" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal("OPSDESK_TEST_WINCRED is not set: CI runs the Windows tests through scripts/windows/test-windows.sh (make test-windows), which sets it")
	}
	t.Skip("skipped: the Credential Manager tests run only in make test-windows, in a throwaway Wine prefix, so that they never touch your own Credential Manager; set OPSDESK_TEST_WINCRED=1 to run them here")
}

// serviceBackend is the keyring service of this operating system that the
// tests use beside the encrypted file, and the check that they may.
func serviceBackend() (string, func(*testing.T)) {
	if runtime.GOOS == "windows" {
		return "wincred", requireCredentialManager
	}
	return "secret-service", requireSecretService
}

// testBackends runs fn against the encrypted file and this operating
// system's keyring service: the Secret Service on Linux, Credential
// Manager on Windows.
func testBackends(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Run("file", func(t *testing.T) { fn(t, "file") })
	service, require := serviceBackend()
	t.Run(service, func(t *testing.T) {
		require(t)
		fn(t, service)
	})
}

type testStore struct {
	*Store
	home string
	opt  Options
}

// openTest opens a Store on backend in a fresh data folder, with the file
// keyring's password in the environment.
func openTest(t *testing.T, backend string, edit ...func(*Options)) *testStore {
	t.Helper()
	t.Setenv(FilePasswordEnv, testFilePassword)
	t.Setenv(BackendEnv, "")
	home := t.TempDir()
	opt := Options{Home: home, Backend: backend, Timeout: 20 * time.Second, User: "tester"}
	for _, e := range edit {
		e(&opt)
	}
	s, err := Open(opt)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	ts := &testStore{Store: s, home: home, opt: opt}
	return ts
}

// reopen opens the same data folder again, as the next run of the app would.
func (ts *testStore) reopen(t *testing.T) *Store {
	t.Helper()
	s, err := Open(ts.opt)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	return s
}

// uniq makes a name no other test (or test package, running at the same
// time against the same Secret Service) uses, and deletes it afterwards.
func uniq(t *testing.T, s *Store, base string) string {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := base + "-" + hex.EncodeToString(b)
	t.Cleanup(func() { _ = s.Delete(name) })
	return name
}

// mine keeps the entries whose names are among names.
func mine(list []Entry, names ...string) []Entry {
	var out []Entry
	for _, e := range list {
		for _, n := range names {
			if e.Name == n {
				out = append(out, e)
			}
		}
	}
	return out
}

// wantProblem checks that err is a *problem.Error of kind: one sentence
// a person can act on.
func wantProblem(t *testing.T, err error, kind error) *problem.Error {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) {
		t.Fatalf("got %v (%T), want a *problem.Error of %v", err, err, kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("got %q (%v), want %v", pe.Error(), pe.Kind, kind)
	}
	if pe.What == "" || pe.Hint == "" || strings.Contains(pe.Sentence(), "\n") {
		t.Fatalf("not a clear message: %q", pe.Error())
	}
	return pe
}

// filesContaining lists the files under dir holding secret, raw or in base64.
func filesContaining(t *testing.T, dir string, secret []byte) []string {
	t.Helper()
	forms := [][]byte{secret, []byte(base64.StdEncoding.EncodeToString(secret)), []byte(hex.EncodeToString(secret))}
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, f := range forms {
			if bytes.Contains(data, f) {
				hits = append(hits, path)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}
