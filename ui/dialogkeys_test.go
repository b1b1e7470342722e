package ui

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// typeKey types key as a user does: to the focused widget, or to the
// window when nothing has the focus.
func typeKey(w fyne.Window, key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := w.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}

func dialogOpen(w fyne.Window) bool { return w.Canvas().Overlays().Top() != nil }

// TestImportDialogKeys: Enter confirms and Escape cancels the import
// dialog, whether nothing, an alias or a checkbox has the focus; Enter
// does nothing while Confirm is disabled.
func TestImportDialogKeys(t *testing.T) {
	cert := certValid(t, "Peers Root", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
	p := filepath.Join(t.TempDir(), "root.cer")
	writePEM(t, p, cert)
	for _, tc := range []struct {
		name  string
		focus func(d *importDialog) fyne.Focusable // nil: nothing focused
		key   fyne.KeyName
		added bool
	}{
		{"Enter", nil, fyne.KeyReturn, true},
		{"Enter in the alias", func(d *importDialog) fyne.Focusable { return d.items[0].alias }, fyne.KeyReturn, true},
		{"keypad Enter on the checkbox", func(d *importDialog) fyne.Focusable { return d.items[0].check }, fyne.KeyEnter, true},
		{"Enter on Cancel", func(d *importDialog) fyne.Focusable { return d.cancel }, fyne.KeyReturn, false},
		{"Escape", nil, fyne.KeyEscape, false},
		{"Escape in the alias", func(d *importDialog) fyne.Focusable { return d.items[0].alias }, fyne.KeyEscape, false},
		{"Escape on the checkbox", func(d *importDialog) fyne.Focusable { return d.items[0].check }, fyne.KeyEscape, false},
		{"Escape on Confirm", func(d *importDialog) fyne.Focusable { return d.confirm }, fyne.KeyEscape, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, w := openKeystoreWindow(t, newKeystore(t, nil))
			w.onDropped(toURIs([]string{p}))
			settle(t, h)
			if tc.focus != nil {
				w.win.Canvas().Focus(tc.focus(importDialogOn(w.win)))
			}
			typeKey(w.win, tc.key)
			settle(t, h)
			if got := len(w.model.Rows) == 1; got != tc.added {
				t.Errorf("imported: %v, want %v", got, tc.added)
			}
			if tc.added {
				mustContain(t, "summary", overlayText(w.win), "Added (1)")
				typeKey(w.win, fyne.KeyEscape) // closes the summary
			}
			if dialogOpen(w.win) {
				t.Errorf("a dialog is still open:\n%s", overlayText(w.win))
			}
		})
	}

	t.Run("Enter with Confirm disabled", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, nil))
		w.onDropped(toURIs([]string{p}))
		settle(t, h)
		importDialogOn(w.win).items[0].alias.SetText("sap_mine")
		w.win.Canvas().Focus(importDialogOn(w.win).items[0].alias)
		typeKey(w.win, fyne.KeyReturn)
		settle(t, h)
		if len(w.model.Rows) != 0 || !dialogOpen(w.win) {
			t.Error("Enter confirmed a refused alias")
		}
	})
}

// TestKeystoreDialogsKeys: every dialog on the way to and around the
// keystore answers Enter and Escape.
func TestKeystoreDialogsKeys(t *testing.T) {
	cert := certValid(t, "Peers Root", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
	p := filepath.Join(t.TempDir(), "root.cer")
	writePEM(t, p, cert)

	t.Run("No Keystore Open: Escape keeps the files waiting", func(t *testing.T) {
		h := newTestHome(t)
		w := h.showKeystore()
		w.onDropped(toURIs([]string{p}))
		mustContain(t, "dialog", overlayText(w.win), "No Keystore Open")
		typeKey(w.win, fyne.KeyEscape)
		if dialogOpen(w.win) || len(w.waiting) != 1 {
			t.Errorf("Escape: dialog open %v, %d files waiting", dialogOpen(w.win), len(w.waiting))
		}
	})

	t.Run("Open Keystore: Enter in the password opens, Escape cancels", func(t *testing.T) {
		path := newKeystore(t, nil)
		h := newTestHome(t)
		w := h.showKeystore()
		w.opener.askPassword(w.win, path, "", func() {})
		typeKey(w.win, fyne.KeyEscape)
		settle(t, h)
		if dialogOpen(w.win) || w.model != nil {
			t.Fatal("Escape did not cancel")
		}
		w.opener.askPassword(w.win, path, "", func() {})
		test.Type(w.win.Canvas().Focused(), testPassword)
		typeKey(w.win, fyne.KeyReturn)
		settle(t, h)
		if w.model == nil || dialogOpen(w.win) {
			t.Fatal("Enter did not open the keystore")
		}
	})

	t.Run("Add Certificate: Escape cancels, Enter confirms", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, nil))
		w.onAddCertificate()
		typeKey(w.win, fyne.KeyEscape)
		if dialogOpen(w.win) {
			t.Fatal("Escape did not close Add Certificate")
		}
		d := w.onAddCertificate()
		d.load(p)
		settle(t, h)
		typeKey(w.win, fyne.KeyReturn) // the alias has the focus
		settle(t, h)
		if len(w.model.Rows) != 1 || dialogOpen(w.win) {
			t.Fatalf("Enter: %v, dialog open %v", aliases(w.model), dialogOpen(w.win))
		}
	})

	t.Run("Rename and Delete", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, map[string]*x509.Certificate{"peers": cert}))
		w.onRename("peers")
		w.win.Canvas().Focused().(interface{ SetText(string) }).SetText("friends")
		typeKey(w.win, fyne.KeyReturn)
		settle(t, h)
		if !w.model.Has("friends") {
			t.Fatalf("Enter did not rename: %v", aliases(w.model))
		}
		w.onDelete("friends")
		typeKey(w.win, fyne.KeyEscape)
		settle(t, h)
		if !w.model.Has("friends") || dialogOpen(w.win) {
			t.Fatal("Escape deleted, or left the question open")
		}
		w.onDelete("friends")
		typeKey(w.win, fyne.KeyReturn)
		settle(t, h)
		if w.model.Has("friends") {
			t.Fatal("Enter did not delete")
		}
	})

	t.Run("messages close with Enter or Escape", func(t *testing.T) {
		_, w := openKeystoreWindow(t, newKeystore(t, nil))
		for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEscape} {
			showError("Download", os.ErrPermission, w.win)
			typeKey(w.win, key)
			showSaved("Download", filepath.Join(t.TempDir(), "a.cer"), "", w.win)
			typeKey(w.win, key)
			if dialogOpen(w.win) {
				t.Errorf("%s left a message open", key)
			}
		}
	})

	t.Run("a dialog over a dialog: the top one answers", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, nil))
		w.onDropped(toURIs([]string{p}))
		settle(t, h)
		showError("Something", os.ErrPermission, w.win)
		typeKey(w.win, fyne.KeyEscape)
		if !dialogOpen(w.win) || importDialogOn(w.win) == nil {
			t.Fatal("Escape closed more than the top dialog")
		}
		typeKey(w.win, fyne.KeyReturn)
		settle(t, h)
		if !slices.Equal(aliases(w.model), []string{"peers_root"}) {
			t.Errorf("Enter on the import dialog beneath: %v", aliases(w.model))
		}
	})
}
