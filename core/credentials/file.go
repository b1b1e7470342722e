package credentials

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/99designs/keyring"
)

// filePassword is the library's FilePasswordFunc: the environment first
// (scripts, CI), then the caller's prompt. It never returns an empty
// password, and refuses a short one for a new file. The answer is kept
// for the Store's life (the library keeps it as a string, which cannot be
// zeroed, anyway), so that Unlock can ask before the library needs it.
func (s *Store) filePassword(prompt PasswordFunc) keyring.PromptFunc {
	return func(string) (string, error) {
		if s.filePW != "" {
			return s.filePW, nil
		}
		first := s.fileEmpty()
		var pw string
		if v := os.Getenv(FilePasswordEnv); v != "" {
			pw = v
		} else if prompt != nil {
			b, err := prompt(first)
			if err != nil {
				return "", newError(ErrLocked, "", "The encrypted keyring file's password was not given", "Try again."+nothingChanged, err)
			}
			pw = string(b) // the library keeps a string: this copy cannot be zeroed
			clear(b)
		}
		if pw == "" {
			return "", newError(ErrLocked, "", "The encrypted keyring file needs its password",
				fmt.Sprintf("Set %s, or run in a terminal to be asked.", FilePasswordEnv)+nothingChanged, nil)
		}
		if first && utf8.RuneCountInString(pw) < MinFilePasswordLength {
			return "", newError(ErrWeakPassword, "", fmt.Sprintf("The keyring file password is too short: a new one needs at least %d characters", MinFilePasswordLength),
				"Choose a longer password."+nothingChanged, nil)
		}
		s.filePW = pw
		return pw, nil
	}
}

// Unlock makes the keyring ready now: it asks for the encrypted file's
// password, or has the Secret Service unlock the login keyring, if either
// is needed. A command calls it before asking for an entry's secret, so
// that the keyring's own question comes first.
func (s *Store) Unlock() error {
	return s.do("unlock", func() error {
		if s.backend == keyring.FileBackend && s.filePW == "" {
			_, err := s.askFile("")
			return err
		}
		return nil
	})
}

// fileEmpty reports that the keyring folder holds no item yet. What a
// killed first write left behind is not one: the password is still new.
func (s *Store) fileEmpty() bool {
	entries, err := os.ReadDir(s.fileDir)
	if errors.Is(err, os.ErrNotExist) {
		return true
	}
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !isFileTemp(e.Name()) {
			return false
		}
	}
	return true
}

// checkFilePassword tries the password on an item already there. The
// library takes any password for a new item, so without this check a
// mistyped password would start a second keyring inside the first, each
// half readable with a different password.
func (s *Store) checkFilePassword() error {
	keys, err := s.ring.Keys()
	if err != nil {
		return err
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "opsdesk/") {
			continue
		}
		item, err := s.ring.Get(k)
		clear(item.Data)
		if err == nil {
			return nil
		}
		if s.undecodable(err) {
			return newError(ErrWrongPassword, s.fileDir, "cannot be opened: the keyring file password is wrong",
				fmt.Sprintf("Type it again (or correct %s).", FilePasswordEnv)+nothingChanged, nil)
		}
		return err
	}
	return nil
}
