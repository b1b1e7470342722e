package ui

import (
	"errors"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
)

// askFunc asks the encrypted keyring file's password: Home's dialog
// (askKeyringFilePassword), or a fake in tests. first means the
// password is being chosen; retry, when not empty, says why the last
// answer failed. It runs off the UI thread and may wait for the user.
type askFunc func(first bool, retry string) ([]byte, error)

// maxFilePasswordTries is how many wrong keyring file passwords one open
// takes before it gives up and the tile says "locked".
const maxFilePasswordTries = 3

// retryWrongPassword is what the dialog says after a wrong password.
const retryWrongPassword = "That password did not open the keyring file. Type it again."

// keyringOpener opens the keyring for the windows: the Security Material
// and the app's own keystore's password both come from it. Opening may
// wait for an unlock prompt or the keyring file's password dialog, so it
// is never done on the UI thread.
type keyringOpener struct {
	opts credentials.Options

	mu     sync.Mutex
	ask    askFunc
	hasAsk chan struct{} // closed once ask is set; made by whichever comes first
	store  *credentials.Store
	err    error         // the last attempt's failure
	busy   chan struct{} // closed when the attempt under way ends; nil when none is
}

// lockedError is a failure the user can undo by answering the password
// question again: they cancelled it, or kept typing a wrong password, or the
// keyring service's own unlock prompt went unanswered.
type lockedError struct{ error }

func (e lockedError) Unwrap() error { return e.error }

func isLocked(err error) bool {
	var le lockedError
	return errors.As(err, &le)
}

// openCredentialsAsking is openCredentials for the window: the encrypted
// file's password comes from ask, a dialog, instead of a terminal. It is
// asked now, while opening, rather than by whichever later call first
// needs it, so a new file's password is chosen at start and a wrong one is
// known at once.
func openCredentialsAsking(opt credentials.Options, ask credentials.PasswordFunc) (*credentials.Store, error) {
	opt.FilePassword = ask
	s, err := credentials.Open(opt)
	if err != nil {
		return nil, err
	}
	if s.Backend() == "file" {
		if err := s.Unlock(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// open returns the store, opening it on first use. Callers at the same
// time share one attempt, so the user sees one dialog. A failure is
// returned again to later callers: only the tile's retry asks again, so
// that a cancelled dialog does not come back on its own.
func (k *keyringOpener) open() (*credentials.Store, error) { return k.attempt(false) }

// retry opens again after a failure the user can undo (isLocked); other
// failures are returned as they were.
func (k *keyringOpener) retry() (*credentials.Store, error) { return k.attempt(true) }

func (k *keyringOpener) attempt(again bool) (*credentials.Store, error) {
	k.mu.Lock()
	if busy := k.busy; busy != nil {
		k.mu.Unlock()
		<-busy
		k.mu.Lock()
		defer k.mu.Unlock()
		return k.store, k.err
	}
	if k.store != nil || (k.err != nil && !(again && isLocked(k.err))) {
		defer k.mu.Unlock()
		return k.store, k.err
	}
	busy := make(chan struct{})
	k.busy = busy
	k.mu.Unlock()

	s, err := k.openAsking()

	k.mu.Lock()
	k.store, k.err, k.busy = s, err, nil
	k.mu.Unlock()
	close(busy)
	return s, err
}

// openAsking opens the store, asking the file's password again after a
// wrong one. A password from OPSDESK_KEYRING_FILE_PASSWORD is not asked,
// so when it is wrong, asking again cannot help: the error says so.
func (k *keyringOpener) openAsking() (*credentials.Store, error) {
	retry := ""
	for try := 1; ; try++ {
		asked := false
		s, err := openCredentialsAsking(k.opts, func(first bool) ([]byte, error) {
			asked = true
			return k.asker()(first, retry)
		})
		switch {
		case err == nil:
			return s, nil
		case asked && (errors.Is(err, credentials.ErrWrongPassword) || errors.Is(err, credentials.ErrWeakPassword)):
			if try < maxFilePasswordTries {
				retry = retryWrongPassword
				continue
			}
			return nil, lockedError{err}
		case errors.Is(err, credentials.ErrLocked): // cancelled, or an unlock prompt unanswered
			return nil, lockedError{err}
		}
		return nil, err
	}
}

// asker is the password dialog, once Home has handed it over: the app's
// own keystore starts opening the keyring while Home is being built,
// before useKeyring runs, and a question waits for the dialog.
func (k *keyringOpener) asker() askFunc {
	k.mu.Lock()
	if k.hasAsk == nil {
		k.hasAsk = make(chan struct{})
	}
	ready := k.hasAsk
	k.mu.Unlock()
	<-ready
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ask
}

// setAsk hands over the password dialog.
func (k *keyringOpener) setAsk(ask askFunc) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.hasAsk == nil {
		k.hasAsk = make(chan struct{})
	}
	if k.ask == nil {
		close(k.hasAsk)
	}
	k.ask = ask
}

// ownKeystore opens the app's own keystore, its password from this
// keyring (or OPSDESK_KEYSTORE_PASSWORD).
func (k *keyringOpener) ownKeystore() (*ownkeystore.Opened, error) {
	path, err := ownkeystore.Path()
	if err != nil {
		return nil, err
	}
	return ownkeystore.Open(path, func() (ownkeystore.Keyring, error) {
		s, err := k.open()
		if err != nil {
			return nil, err
		}
		return s, nil
	})
}

// useKeyring makes Home's dialog the one that asks the keyring file's
// password, then opens the keyring in the background and hands it to
// Home. When it cannot be opened, the Security Material tile says why, or
// that it is locked and a tap asks again; the rest of the app works
// without it.
func (h *Home) useKeyring(k *keyringOpener) {
	k.setAsk(h.askKeyringPassword)
	h.openKeyring(k, false)
}

// openKeyring opens the keyring in the background, again after a failure
// the user can undo when retry is set (the tile's "Tap to unlock"), and
// puts the outcome on the Security Material tile. After a retry the app's
// own keystore, whose password the keyring keeps and which could not open
// while it was locked, opens too.
func (h *Home) openKeyring(k *keyringOpener, retry bool) {
	open := k.open
	if retry {
		open = k.retry
	}
	h.bg.run(func() func() {
		s, err := open()
		return func() {
			switch {
			case err == nil:
				h.useSecurityMaterial(s)
				if retry {
					h.retryOwnKeystore()
				}
			case isLocked(err):
				fyne.LogError("security material locked", err)
				h.securityMaterialLocked(func() { h.openKeyring(k, true) })
			default:
				h.securityMaterialUnavailable(err)
			}
		}
	})
}
