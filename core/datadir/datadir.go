// Package datadir names the folder where Opsdesk keeps what it owns: its
// keystore, and its encrypted keyring file where no keyring service runs.
// It is the operating system's per-user configuration folder plus
// "opsdesk", or OPSDESK_HOME when that is set (tests use a temporary one).
package datadir

import (
	"fmt"
	"os"
	"path/filepath"
)

// Env overrides the data folder.
const Env = "OPSDESK_HOME"

// Path returns the data folder as an absolute path, without creating it.
func Path() (string, error) {
	if h := os.Getenv(Env); h != "" {
		return filepath.Abs(h)
	}
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the configuration folder (set %s to choose one): %w", Env, err)
	}
	return filepath.Join(d, "opsdesk"), nil
}

// Ensure returns the data folder, creating it readable by the user alone
// if it does not exist.
func Ensure() (string, error) {
	p, err := Path()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(p, 0o700); err != nil {
		return "", fmt.Errorf("create the data folder: %w", err)
	}
	return p, nil
}
