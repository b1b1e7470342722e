package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/opsdesk/opsdesk/core/credentials"
)

var errNoTerminal = errors.New("no terminal")

// secret reads a password from the environment variable env or, when it is
// unset, from a prompt without echo on the terminal. The caller clears the
// result. Without either it returns errNoTerminal.
func secret(env, prompt string, stdin io.Reader, stderr io.Writer) ([]byte, error) {
	if v, ok := os.LookupEnv(env); ok {
		return []byte(v), nil
	}
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, errNoTerminal
	}
	fmt.Fprint(stderr, prompt)
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	return p, err
}

// newSecret asks twice, so that a typing mistake does not lock the user
// out of a keystore they just protected.
func newSecret(env, what string, stdin io.Reader, stderr io.Writer) ([]byte, error) {
	if v, ok := os.LookupEnv(env); ok {
		return []byte(v), nil
	}
	first, err := secret(env, fmt.Sprintf("New %s: ", what), stdin, stderr)
	if err != nil {
		return nil, err
	}
	second, err := secret(env, fmt.Sprintf("Repeat the %s: ", what), stdin, stderr)
	if err != nil {
		clear(first)
		return nil, err
	}
	defer clear(second)
	if string(first) != string(second) {
		clear(first)
		return nil, fmt.Errorf("the two %ss differ; nothing was changed", what)
	}
	return first, nil
}

// keyPasswordEnv gives the password of a key pair whose key has one of its
// own, unlike the keystore.
const keyPasswordEnv = "OPSDESK_KEY_PASSWORD"

// keyPassword is the key pair's own password, or nil to use the
// keystore's. The caller clears it.
func keyPassword() []byte {
	if v, ok := os.LookupEnv(keyPasswordEnv); ok {
		return []byte(v)
	}
	return nil
}

// openCredentials opens the keyring, asking for the encrypted file's
// password on the terminal when that is where the secrets are kept. The
// keystore commands use it too: the app's own keystore's password is
// kept in the same keyring.
func openCredentials(stdin io.Reader, stderr io.Writer) (*credentials.Store, error) {
	return credentials.Open(credentials.Options{FilePassword: func(first bool) ([]byte, error) {
		var pw []byte
		var err error
		if first {
			fmt.Fprintln(stderr, "Opsdesk keeps its secrets in an encrypted file in its data folder (no keyring service is in use); choose the file's password.")
			pw, err = newSecret(credentials.FilePasswordEnv, "keyring file password", stdin, stderr)
		} else {
			pw, err = secret(credentials.FilePasswordEnv, "Password of Opsdesk's keyring file: ", stdin, stderr)
		}
		if errors.Is(err, errNoTerminal) {
			return nil, nil // the store says how to give it
		}
		return pw, err
	}})
}
