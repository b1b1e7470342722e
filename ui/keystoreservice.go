package ui

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// errNoKeystore is what an action that needs a keystore says without one.
var errNoKeystore = &problem.Error{What: "No keystore is open", Hint: "Open or create one in the Keystore window first."}

// keystoreService is the one keystore the windows share: the Keystore
// window lists and edits it, the Connectivity Tests window checks server
// certificates against it and adds chains to it, the Home tile counts it.
//
// core's Keystore is not safe for concurrent use, so it is touched only by
// background workers holding mu. The UI thread reads ksModel snapshots,
// rebuilt by the worker after each change and handed over with fyne.Do.
type keystoreService struct {
	bg *background

	mu  sync.Mutex
	ks  *keystore.Keystore // guarded by mu
	gen int                // guarded by mu: counts snapshots made

	// UI thread only.
	model     *ksModel
	shownGen  int
	listeners []func()
	opening   int      // opens under way
	settled   []func() // to run once none is
}

func newKeystoreService(bg *background) *keystoreService {
	return &keystoreService{bg: bg}
}

// Model is the open keystore as last read, or nil when none is open.
// UI thread only.
func (s *keystoreService) Model() *ksModel { return s.model }

// onChange registers f to run on the UI thread whenever a keystore is
// opened or changed.
func (s *keystoreService) onChange(f func()) { s.listeners = append(s.listeners, f) }

// open makes the keystore opener returns the open one, closing the
// previous one. done gets opener's error, on the UI thread.
func (s *keystoreService) open(opener func() (*keystore.Keystore, error), done func(error)) {
	s.opening++
	s.bg.run(func() func() {
		k, err := opener()
		if err != nil {
			return func() {
				done(err)
				s.openEnded()
			}
		}
		s.mu.Lock()
		if s.ks != nil {
			s.ks.Close()
		}
		s.ks = k
		m, gen := s.snapshotLocked()
		s.mu.Unlock()
		return func() {
			s.publish(m, gen)
			done(nil)
			s.openEnded()
		}
	})
}

// isOpening reports whether a keystore is being opened: the app's own at
// start, whose password may wait for the keyring's dialog, or one whose
// password the user just typed. UI thread only.
func (s *keystoreService) isOpening() bool { return s.opening > 0 }

// whenSettled runs f on the UI thread once no keystore is being opened,
// at once when none is. Files given while the app's own keystore opens
// wait for it this way instead of being offered to no keystore.
func (s *keystoreService) whenSettled(f func()) {
	if s.opening == 0 {
		f()
		return
	}
	s.settled = append(s.settled, f)
}

// openEnded runs after an open's done: when done started another open,
// the waiting goes on.
func (s *keystoreService) openEnded() {
	s.opening--
	if s.opening > 0 {
		return
	}
	waiting := s.settled
	s.settled = nil
	for _, f := range waiting {
		f()
	}
}

// do runs op on the open keystore in the background. With changes, the
// snapshot is rebuilt after op succeeds (core leaves the keystore as it
// was when an edit fails). done gets op's error on the UI thread.
func (s *keystoreService) do(op func(k *keystore.Keystore) error, changes bool, done func(error)) {
	s.bg.run(func() func() {
		var m *ksModel
		var gen int
		err := s.use(func(k *keystore.Keystore) error {
			if err := op(k); err != nil {
				return err
			}
			if changes {
				m, gen = s.snapshotLocked()
			}
			return nil
		})
		return func() {
			if m != nil {
				s.publish(m, gen)
			}
			if done != nil {
				done(err)
			}
		}
	})
}

// edit runs op, a change to the open keystore, as do does. When another
// program saved the keystore file since it was read, the user is asked
// first, in parent, whether to reload it and apply the change to what it
// holds now; op runs only if they agree. (Core checks again under the
// file's lock, so a save slipping in after the question is still caught.)
func (s *keystoreService) edit(parent fyne.Window, op func(k *keystore.Keystore) error, done func(error)) {
	s.bg.run(func() func() {
		var path string
		changed := s.use(func(k *keystore.Keystore) error {
			path = k.Path()
			return k.CheckUnchanged()
		})
		// Reloading helps only while the file is there: a keystore deleted
		// or moved meanwhile gets core's sentence from op.
		if _, err := os.Stat(path); err != nil || !errors.Is(changed, keystore.ErrChangedOnDisk) {
			s.do(op, true, done)
			return nil
		}
		return func() {
			askReload(parent, path, func() {
				s.do(func(k *keystore.Keystore) error {
					if err := k.Reload(); err != nil {
						return err
					}
					return op(k)
				}, true, done)
			}, func() {
				if done != nil {
					done(changed)
				}
			})
		}
	})
}

// askReload asks whether to reload a keystore another program changed and
// apply the user's change to it; Enter agrees, Escape declines.
func askReload(parent fyne.Window, path string, reapply, decline func()) {
	msg := widget.NewLabel(filepath.Base(path) + " was changed by another program (a script, keytool or another Opsdesk) " +
		"after Opsdesk opened it.\n\nReload it, keeping that change, and apply yours to it?")
	msg.Wrapping = fyne.TextWrapWord
	newKeyedDialog(parent, "Keystore Changed by Another Program", container.New(&minWidthLayout{width: 460}, msg),
		"Reload and Apply", "Cancel", func(ok bool) {
			if ok {
				reapply()
			} else {
				decline()
			}
		}).Show()
}

// use runs op on the open keystore, holding the lock. For workers only:
// it blocks while another worker saves.
func (s *keystoreService) use(op func(k *keystore.Keystore) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ks == nil {
		return errNoKeystore
	}
	return op(s.ks)
}

// refresh reads the keystore file again, taking what other programs
// saved, and describes the entries again: what expires within 30 days
// changes with the date.
func (s *keystoreService) refresh(done func(error)) {
	s.do(func(k *keystore.Keystore) error { return k.Reload() }, true, done)
}

// snapshotLocked describes the open keystore. s.mu must be held.
func (s *keystoreService) snapshotLocked() (*ksModel, int) {
	s.gen++
	return newKSModel(s.ks, time.Now()), s.gen
}

// publish shows a snapshot unless a newer one is already shown: two
// workers' results may reach the UI thread in either order.
func (s *keystoreService) publish(m *ksModel, gen int) {
	if gen < s.shownGen {
		return
	}
	s.model, s.shownGen = m, gen
	for _, f := range s.listeners {
		f()
	}
}

// close forgets the keystore's password; the app is quitting.
func (s *keystoreService) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ks != nil {
		s.ks.Close()
		s.ks = nil
	}
}

// trusted returns the certificates a server certificate is checked
// against, as the tenant does: every Certificate entry. UI thread only.
func (s *keystoreService) trusted() []*x509.Certificate {
	if s.model == nil {
		return nil
	}
	entries := make([]keystore.Entry, len(s.model.Rows))
	for i, r := range s.model.Rows {
		entries[i] = r.Entry
	}
	return connectivity.TrustedFrom(entries)
}

// keyPairs lists the aliases of the key pairs, for the TLS tab's client
// certificate. UI thread only.
func (s *keystoreService) keyPairs() []string {
	if s.model == nil {
		return nil
	}
	var out []string
	for _, r := range s.model.Rows {
		if r.Entry.Type == keystore.KeyPair {
			out = append(out, r.Entry.Alias)
		}
	}
	return out
}

var errSaveOverKeystore = &problem.Error{What: "That file is the open keystore itself, so nothing was saved over it",
	Hint: "Choose another file name."}

// protect runs in a worker before anything is saved where a file dialog
// chose. Fyne's save dialog empties the chosen file before handing it
// over; should that be the open keystore itself, its last saved content
// is put back and errSaveOverKeystore returned.
func (s *keystoreService) protect(path string) error {
	err := s.use(func(k *keystore.Keystore) error {
		if !keystore.IsSame(path, k.Path()) {
			return nil
		}
		b, err := k.Backup() // a copy of the bytes last read or saved
		if err != nil {
			return err
		}
		data, err := os.ReadFile(b.Path)
		if err == nil {
			err = os.WriteFile(path, data, 0o600)
		}
		if err != nil {
			return err
		}
		return errSaveOverKeystore
	})
	if isNoKeystore(err) {
		return nil
	}
	return err
}

// isNoKeystore reports whether err says no keystore is open.
func isNoKeystore(err error) bool { return errors.Is(err, errNoKeystore) }
