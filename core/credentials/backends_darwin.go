package credentials

import "github.com/99designs/keyring"

// defaultBackends: the login Keychain (needs cgo, which Fyne needs anyway),
// then the encrypted file.
var defaultBackends = []keyring.BackendType{keyring.KeychainBackend, keyring.FileBackend}
