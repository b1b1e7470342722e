package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/99designs/keyring"

	"github.com/opsdesk/opsdesk/core/credentials/internal/dbusenv"
	"github.com/opsdesk/opsdesk/core/datadir"
	"github.com/opsdesk/opsdesk/core/problem"
)

// Environment variables.
const (
	// BackendEnv chooses the keyring: keychain, wincred, secret-service,
	// kwallet or file.
	BackendEnv = "OPSDESK_KEYRING_BACKEND"
	// FilePasswordEnv gives the encrypted keyring file's password to
	// scripts and CI, which no prompt can reach.
	FilePasswordEnv = "OPSDESK_KEYRING_FILE_PASSWORD"
)

// DefaultTimeout is how long an operation waits for the keyring, an
// unlock prompt included, before saying so.
const DefaultTimeout = 2 * time.Minute

// MinFilePasswordLength is the shortest password a new keyring file takes.
const MinFilePasswordLength = 8

// PasswordFunc asks the user for the encrypted keyring file's password.
// first is true when there is no keyring file yet, so the password is being
// chosen and should be asked twice. The returned slice is zeroed after use.
type PasswordFunc func(first bool) ([]byte, error)

// Options configure Open. The zero value is what the app uses.
type Options struct {
	Home         string        // the data folder; "" for datadir.Path()
	Backend      string        // "" for OPSDESK_KEYRING_BACKEND, else the OS's list
	FilePassword PasswordFunc  // the prompt for the file backend; nil for none
	Timeout      time.Duration // 0 for DefaultTimeout
	User         string        // Deployed By; "" for the operating-system user
	Now          func() time.Time

	wrap func(keyring.Keyring) keyring.Keyring // tests: a keyring that misbehaves
}

var backendNames = []keyring.BackendType{
	keyring.KeychainBackend, keyring.WinCredBackend, keyring.SecretServiceBackend,
	keyring.KWalletBackend, keyring.FileBackend,
}

// Open chooses the keyring and connects to it. Without a choice, it tries
// this operating system's keyring services in order (backends_*.go) and
// falls back to the encrypted file where none runs. A keyring that is
// there but locked or refusing is reported, never silently replaced by the
// file, where the user's entries are not.
func Open(opt Options) (*Store, error) {
	home := opt.Home
	if home == "" {
		var err error
		if home, err = datadir.Path(); err != nil {
			return nil, newError(ErrUnavailable, "", "The data folder cannot be found", "Set OPSDESK_HOME to a folder of yours.", err)
		}
	}
	choice := opt.Backend
	if choice == "" {
		choice = os.Getenv(BackendEnv)
	}
	candidates := defaultBackends
	if choice != "" {
		b := keyring.BackendType(strings.ToLower(strings.TrimSpace(choice)))
		if !slices.Contains(backendNames, b) {
			return nil, newError(ErrUnavailable, "", fmt.Sprintf("%s names an unknown keyring %q", BackendEnv, choice),
				"Use keychain, wincred, secret-service, kwallet or file, or unset it to choose automatically.", nil)
		}
		candidates = []keyring.BackendType{b}
	}
	var last error
	for _, b := range candidates {
		s, err := open(b, home, opt)
		if err == nil {
			return s, nil
		}
		if len(candidates) == 1 || !errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		last = err
	}
	return nil, last
}

func open(b keyring.BackendType, home string, opt Options) (*Store, error) {
	s := &Store{backend: b, fileDir: filepath.Join(home, "keyring"), lockDir: filepath.Join(home, "locks"), timeout: opt.Timeout, user: opt.User, now: opt.Now}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	if s.user == "" {
		s.user = osUser()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if !slices.Contains(keyring.AvailableBackends(), b) {
		return nil, unavailable(b)
	}
	s.askFile = s.filePassword(opt.FilePassword)
	cfg := keyring.Config{
		AllowedBackends: []keyring.BackendType{b},
		// Set for every backend: the library panics on a nil function and
		// fails on an empty folder the first time it falls back to a file.
		FileDir:          s.fileDir,
		FilePasswordFunc: s.askFile,
	}
	switch b {
	case keyring.SecretServiceBackend:
		cfg.ServiceName = "opsdesk"
		cfg.LibSecretCollectionName = "login" // lower case: the collection's path, not its label
		s.prepare = loginKeyring(s)
	case keyring.KWalletBackend:
		cfg.ServiceName = "kdewallet" // the default wallet: a new one would ask for a password
		cfg.KWalletAppID = "Opsdesk"
		cfg.KWalletFolder = "Opsdesk"
	case keyring.KeychainBackend:
		cfg.ServiceName = "Opsdesk"
		cfg.KeychainTrustApplication = true
	case keyring.WinCredBackend:
		cfg.ServiceName = "credentials"
		cfg.WinCredPrefix = "Opsdesk"
	case keyring.FileBackend:
		if err := os.MkdirAll(s.fileDir, 0o700); err != nil {
			return nil, newError(ErrUnavailable, s.fileDir, "cannot be created for the keyring file", "Check that the data folder (OPSDESK_HOME) is yours and writable.", err)
		}
	}
	err := s.do("open "+s.Where(), func() error {
		ring, err := openGuarded(cfg, s.Where())
		if err != nil {
			return err
		}
		if b == keyring.FileBackend {
			ring = newFileRing(ring, s.fileDir, s.askFile) // the library's Set can lose the item: filering.go
		}
		if opt.wrap != nil {
			ring = opt.wrap(ring)
		}
		s.ring = guard(ring, s.Where()) // a backend's panic becomes an error: guard.go
		if b == keyring.FileBackend {
			return s.checkFilePassword()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func unavailable(b keyring.BackendType) error {
	what := fmt.Sprintf("The %s keyring is not available on this computer", b)
	hint := "Unset " + BackendEnv + " to choose automatically, or set it to file."
	if b == keyring.SecretServiceBackend || b == keyring.KWalletBackend {
		what = fmt.Sprintf("The %s keyring cannot be reached: no D-Bus session bus was found", b)
		if !dbusenv.Guarded() {
			what = fmt.Sprintf("The %s keyring cannot be reached", b)
		}
		hint = "Run Opsdesk in a desktop session whose keyring is running, or set " + BackendEnv + "=file."
	}
	return newError(ErrUnavailable, "", what, hint, nil)
}

// do runs fn against the keyring, one call at a time, and gives up after
// the timeout: a keyring service waiting for an unlock prompt no one
// answers must not hang Opsdesk. The encrypted file is exempt: it is local,
// and its password prompt may take the user as long as they need.
func (s *Store) do(what string, fn func() error) error {
	run := func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.prepare != nil {
			if err := s.prepare(); err != nil {
				return err
			}
		}
		return s.classify(what, fn())
	}
	if s.backend == keyring.FileBackend {
		return run()
	}
	done := make(chan error, 1)
	go func() { done <- run() }()
	t := time.NewTimer(s.timeout)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return newError(ErrLocked, "", fmt.Sprintf("%s did not answer within %s", capitalize(s.Where()), s.timeout.Round(time.Second)),
			"If a window asks you to unlock the keyring or allow access, answer it, then try again; list the entries to see whether the change was made.", nil)
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// classify turns what the keyring library returned into a *problem.Error.
// Errors this package made, and ErrKeyNotFound, which callers handle, pass.
func (s *Store) classify(what string, err error) error {
	var pe *problem.Error
	if err == nil || errors.As(err, &pe) || errors.Is(err, keyring.ErrKeyNotFound) {
		return err
	}
	if errors.Is(err, keyring.ErrNoAvailImpl) {
		return unavailable(s.backend)
	}
	if e := classifyPlatform(err); e != nil {
		return e
	}
	if s.backend == keyring.FileBackend {
		var fe *fs.PathError
		if errors.As(err, &fe) {
			return newError(ErrFailed, fe.Path, "cannot be used: "+fe.Err.Error(),
				"Check that the data folder (OPSDESK_HOME) is yours and writable."+nothingChanged, err)
		}
	}
	return newError(ErrFailed, "", fmt.Sprintf("%s could not %s", capitalize(s.Where()), what),
		"Try again; if it keeps failing, set "+BackendEnv+"=file to use an encrypted file instead."+nothingChanged, err)
}

// undecodable reports an item the library found but could not unpack:
// not ours, or damaged.
func (s *Store) undecodable(err error) bool {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) {
		return true
	}
	var pe *problem.Error
	var fe *fs.PathError
	return s.backend == keyring.FileBackend && !errors.As(err, &pe) && !errors.As(err, &fe) && !errors.Is(err, keyring.ErrKeyNotFound)
}
