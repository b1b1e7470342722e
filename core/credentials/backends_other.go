//go:build !linux && !darwin && !windows

package credentials

import "github.com/99designs/keyring"

// defaultBackends: no keyring service Opsdesk knows runs here.
var defaultBackends = []keyring.BackendType{keyring.FileBackend}
