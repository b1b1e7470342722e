package credentials

import "github.com/99designs/keyring"

// defaultBackends: the Secret Service (GNOME Keyring, KeePassXC, recent
// KWallet), then KWallet's own interface, then the encrypted file.
var defaultBackends = []keyring.BackendType{keyring.SecretServiceBackend, keyring.KWalletBackend, keyring.FileBackend}
