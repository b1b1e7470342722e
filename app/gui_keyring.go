package main

import (
	"io"
	"os"
	"strings"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/ui"
)

// guiKeyring opens the keyring once for the window: the Security Material
// and the app's own keystore's password both come from it. Opening may
// wait for an unlock prompt, so it is never done on the UI thread.
type guiKeyring struct {
	once  sync.Once
	store *credentials.Store
	err   error
}

// open returns the store, opening it on first use. There is no terminal
// to ask the encrypted file's password at, so without
// OPSDESK_KEYRING_FILE_PASSWORD the store's error says how to give it.
func (k *guiKeyring) open() (*credentials.Store, error) {
	k.once.Do(func() {
		k.store, k.err = openCredentials(strings.NewReader(""), io.Discard)
	})
	return k.store, k.err
}

// ownKeystore is ui.Options.OpenOwnKeystore: the same logic as the
// command line's default keystore, with the window's store.
func (k *guiKeyring) ownKeystore() (*keystore.Keystore, error) {
	path, err := ownKeystorePath()
	if err != nil {
		return nil, err
	}
	c := &ksCommand{stdin: strings.NewReader(""), stdout: io.Discard, stderr: os.Stderr, path: path, own: true}
	if _, ok := os.LookupEnv("OPSDESK_KEYSTORE_PASSWORD"); !ok {
		if c.creds, err = k.open(); err != nil {
			return nil, err
		}
	}
	return c.openOwn()
}

// useIn opens the keyring in the background and hands it to home; when
// it cannot be opened, the Security Material tile says why and the rest
// of the app works without it.
func (k *guiKeyring) useIn(home *ui.Home) {
	go func() {
		s, err := k.open()
		fyne.Do(func() {
			if err != nil {
				home.SecurityMaterialUnavailable(err)
				return
			}
			home.UseSecurityMaterial(s)
		})
	}()
}
