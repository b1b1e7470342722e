package ui

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
)

// TestKeyringOpensTheOwnKeystore: the window's keyring creates the app's
// own keystore on first use, keeps its password, and opens it again with
// the same store.
func TestKeyringOpensTheOwnKeystore(t *testing.T) {
	home := t.TempDir()
	t.Setenv("OPSDESK_HOME", home)
	t.Setenv(credentials.BackendEnv, "file")
	t.Setenv(credentials.FilePasswordEnv, "Cr3d-file-keyring")
	os.Unsetenv("OPSDESK_KEYSTORE_PASSWORD")
	kr := &keyringOpener{}
	for i := range 2 {
		k, err := kr.ownKeystore()
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		k.Close()
	}
	if _, err := os.Stat(filepath.Join(home, ownkeystore.FileName)); err != nil {
		t.Fatal(err)
	}
	s, err := kr.open()
	if err != nil {
		t.Fatal(err)
	}
	pw, err := s.KeystorePassword(filepath.Join(home, ownkeystore.FileName))
	if err != nil || len(pw) == 0 {
		t.Errorf("password not kept: %v", err)
	}
}

// fakeAsk stands in for the password dialog: it answers from a list, one
// answer a question (nil for Cancel), and records what it was asked.
type fakeAsk struct {
	mu      sync.Mutex
	answers []string
	asked   []question
	gate    chan struct{} // when set, every question waits for it to close
}

type question struct {
	first bool
	retry string
}

func (f *fakeAsk) ask(first bool, retry string) ([]byte, error) {
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, question{first, retry})
	if len(f.answers) == 0 {
		return nil, errors.New("the test has no more answers")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	if a == "" {
		return nil, errors.New("cancelled")
	}
	return []byte(a), nil
}

func (f *fakeAsk) questions() []question {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}

// fileKeyring is the window's keyring on the encrypted file in home, with
// no password in the environment, so every one comes from ask.
func fileKeyring(t *testing.T, home string, ask *fakeAsk) *keyringOpener {
	t.Helper()
	t.Setenv(credentials.FilePasswordEnv, "")
	os.Unsetenv(credentials.FilePasswordEnv)
	kr := &keyringOpener{opts: credentials.Options{Backend: "file", Home: home, User: "tester"}}
	kr.setAsk(ask.ask)
	return kr
}

const keyringFilePassword = "Cr3d-file-keyring"

// TestKeyringAsksTheFilePassword: the first run chooses the password
// (asked as a new one), and a later run is asked for it, again after a
// wrong one, and then reads what the first run stored.
func TestKeyringAsksTheFilePassword(t *testing.T) {
	home := t.TempDir()
	first := &fakeAsk{answers: []string{keyringFilePassword}}
	s, err := fileKeyring(t, home, first).open()
	if err != nil {
		t.Fatal(err)
	}
	if got := first.questions(); !slices.Equal(got, []question{{first: true}}) {
		t.Errorf("the first run asked %+v, want one question for a new password", got)
	}
	if _, err := s.Add(credentials.Entry{Name: "p", Type: credentials.SecureParameter}, []byte("x")); err != nil {
		t.Fatal(err)
	}

	again := &fakeAsk{answers: []string{"not-the-password", keyringFilePassword}}
	s, err = fileKeyring(t, home, again).open()
	if err != nil {
		t.Fatal(err)
	}
	want := []question{{first: false}, {first: false, retry: retryWrongPassword}}
	if got := again.questions(); !slices.Equal(got, want) {
		t.Errorf("reopening asked %+v, want %+v", got, want)
	}
	if list, err := s.List(); err != nil || len(list) != 1 {
		t.Errorf("after the right password: %v, %v", list, err)
	}
}

// TestKeyringGivesUpAfterWrongPasswords: a few wrong passwords leave it
// locked, and the tile's retry asks once more.
func TestKeyringGivesUpAfterWrongPasswords(t *testing.T) {
	home := keyringFileWithAnEntry(t)
	wrong := slices.Repeat([]string{"not-the-password"}, maxFilePasswordTries)
	ask := &fakeAsk{answers: append(wrong, keyringFilePassword)}
	kr := fileKeyring(t, home, ask)
	_, err := kr.open()
	if !isLocked(err) || !errors.Is(err, credentials.ErrWrongPassword) {
		t.Fatalf("after %d wrong passwords: %v", maxFilePasswordTries, err)
	}
	if _, err := kr.retry(); err != nil {
		t.Fatal(err)
	}
	if n := len(ask.questions()); n != maxFilePasswordTries+1 {
		t.Errorf("asked %d times, want %d", n, maxFilePasswordTries+1)
	}
}

// TestKeyringCancelled: Cancel leaves the keyring locked, and later
// callers get that answer without a new dialog, until the tile's retry.
func TestKeyringCancelled(t *testing.T) {
	ask := &fakeAsk{answers: []string{"", keyringFilePassword}}
	kr := fileKeyring(t, t.TempDir(), ask)
	for i := range 2 {
		_, err := kr.open()
		if !isLocked(err) || !errors.Is(err, credentials.ErrLocked) {
			t.Fatalf("open %d after Cancel: %v", i, err)
		}
	}
	if n := len(ask.questions()); n != 1 {
		t.Fatalf("asked %d times before the retry, want 1", n)
	}
	s, err := kr.retry()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(credentials.Entry{Name: "p", Type: credentials.SecureParameter}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if s2, err := kr.open(); s2 != s || err != nil {
		t.Errorf("open after the retry: %p %v, want the same store", s2, err)
	}
}

// TestKeyringOneDialogForConcurrentCallers: the tile and the app's own
// keystore open the keyring at the same time, before the window has handed
// over its dialog; the user is asked once.
func TestKeyringOneDialogForConcurrentCallers(t *testing.T) {
	home := t.TempDir()
	t.Setenv("OPSDESK_HOME", home)
	os.Unsetenv("OPSDESK_KEYSTORE_PASSWORD")
	t.Setenv(credentials.FilePasswordEnv, "")
	os.Unsetenv(credentials.FilePasswordEnv)
	ask := &fakeAsk{answers: []string{keyringFilePassword, keyringFilePassword}, gate: make(chan struct{})}
	kr := &keyringOpener{opts: credentials.Options{Backend: "file", Home: home}}

	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { _, errs[0] = kr.open() })
	wg.Go(func() {
		k, err := kr.ownKeystore()
		if err == nil {
			k.Close()
		}
		errs[1] = err
	})
	time.Sleep(50 * time.Millisecond) // both callers waiting: one for the window, one for the first
	kr.setAsk(ask.ask)
	close(ask.gate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if n := len(ask.questions()); n != 1 {
		t.Errorf("asked %d times, want 1", n)
	}
}

// TestKeyringEnvironmentPasswordWrong: a wrong
// OPSDESK_KEYRING_FILE_PASSWORD is not asked again (no answer could change
// it) and is not "locked": the tile says why.
func TestKeyringEnvironmentPasswordWrong(t *testing.T) {
	home := keyringFileWithAnEntry(t)
	ask := &fakeAsk{}
	kr := fileKeyring(t, home, ask)
	t.Setenv(credentials.FilePasswordEnv, "not-the-password")
	_, err := kr.open()
	if !errors.Is(err, credentials.ErrWrongPassword) || isLocked(err) {
		t.Errorf("got %v, want a wrong password that is not locked", err)
	}
	if len(ask.questions()) != 0 {
		t.Errorf("asked %+v despite the environment", ask.questions())
	}
}

// keyringFileWithAnEntry makes a keyring file with keyringFilePassword and
// one entry in a new data folder, and returns the folder: a file that
// exists, whose password is checked on opening.
func keyringFileWithAnEntry(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	s, err := fileKeyring(t, home, &fakeAsk{answers: []string{keyringFilePassword}}).open()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(credentials.Entry{Name: "p", Type: credentials.SecureParameter}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	return home
}
