package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// onCancel ends the flow. What it stored or added stays only if the user
// says so.
func (w *connectWindow) onCancel() {
	if w.closed {
		return
	}
	w.steps[w.step].stop()
	if w.storedCred == "" && len(w.added) == 0 {
		w.close()
		return
	}
	var what []string
	if w.storedCred != "" {
		what = append(what, fmt.Sprintf("stored the credential %s in Security Material", w.storedCred))
	}
	if len(w.added) > 0 {
		var names []string
		for _, r := range w.added {
			names = append(names, r.Alias)
		}
		what = append(what, fmt.Sprintf("added %s to the keystore (%s)", plural(len(w.added), "certificate", "certificates"),
			strings.Join(names, ", ")))
	}
	msg := widget.NewLabel("This flow " + strings.Join(what, " and ") +
		". Keep them to finish later, or remove them to leave everything as it was?")
	msg.Wrapping = fyne.TextWrapWord
	var d *keyedDialog
	d = newKeyedDialog(w.win, "Keep What Was Added?", container.New(&minWidthLayout{width: 480}, msg), "Keep Them", "Back to the Flow",
		func(ok bool) {
			if ok {
				w.close()
			}
		})
	remove := newKeyButton("Remove Them", widget.DangerImportance, func() {
		d.onClose = nil
		d.Hide()
		w.removeAdded()
	})
	d.SetButtons([]fyne.CanvasObject{d.cancel, remove, d.confirm})
	d.Show()
}

// removeAdded undoes what the flow stored and added, then closes it; what
// could not be removed is said.
func (w *connectWindow) removeAdded() {
	var aliases []string
	for _, r := range w.added {
		aliases = append(aliases, r.Alias)
	}
	cred, store := w.storedCred, w.store
	finish := func(err error) {
		if err != nil {
			showError("Remove", err, w.win)
			return
		}
		w.close()
	}
	removeCred := func(err error) {
		if err != nil || cred == "" || store == nil {
			finish(err)
			return
		}
		w.bg.run(func() func() {
			err := store.Delete(cred)
			return func() {
				if err == nil {
					w.storedCred = ""
					w.changedSecurityMaterial()
				}
				finish(err)
			}
		})
	}
	if len(aliases) == 0 {
		removeCred(nil)
		return
	}
	w.svc.edit(w.win, func(k *keystore.Keystore) error {
		for _, a := range aliases {
			if err := k.Delete(a); err != nil {
				return err
			}
		}
		return nil
	}, func(err error) {
		if err == nil {
			w.added = nil
		}
		removeCred(err)
	})
}

// close ends the flow: the window goes, and the next one starts afresh.
func (w *connectWindow) close() {
	if w.closed {
		return
	}
	for _, s := range w.steps {
		s.stop()
	}
	w.closed = true
	w.stopKeys()
	saveSize(w.app, w.win, "connect")
	w.win.Close()
	if w.onClosed != nil {
		w.onClosed()
	}
}

// stopAll cancels work under way: the app is quitting.
func (w *connectWindow) stopAll() {
	for _, s := range w.steps {
		s.stop()
	}
}

// job is work a step runs in the background with Cancel: its context and
// whether it runs.
type job struct {
	cancel context.CancelFunc
}

// start begins a job; the returned context ends with Cancel.
func (j *job) start() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	j.cancel = cancel
	return ctx
}

// end marks the job finished.
func (j *job) end() {
	if j.cancel != nil {
		j.cancel()
	}
	j.cancel = nil
}

func (j *job) running() bool { return j.cancel != nil }

// stop cancels the job if one runs; its result still comes back, as
// cancelled.
func (j *job) stop() {
	if j.cancel != nil {
		j.cancel()
	}
}
