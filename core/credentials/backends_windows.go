package credentials

import "github.com/99designs/keyring"

// defaultBackends: Credential Manager, then the encrypted file.
var defaultBackends = []keyring.BackendType{keyring.WinCredBackend, keyring.FileBackend}
