package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

var errNoTerminal = errors.New("no terminal")

// secret reads a password from the environment variable env or, when it is
// unset, from a prompt without echo on the terminal. The caller zeroes the
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
		zero(first)
		return nil, err
	}
	defer zero(second)
	if string(first) != string(second) {
		zero(first)
		return nil, fmt.Errorf("the two %ss differ; nothing was changed", what)
	}
	return first, nil
}

func zero(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
