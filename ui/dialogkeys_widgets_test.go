package ui

import (
	"errors"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
)

// TestSecurityMaterialDialogKeys: the Security Material forms and the
// Undeploy question answer Enter and Escape as every other dialog does,
// whichever of their widgets has the focus.
func TestSecurityMaterialDialogKeys(t *testing.T) {
	open := func(t *testing.T) (*Home, *credentials.Store, *securityMaterialWindow) {
		h, s := newSMHome(t)
		w := h.showSecurityMaterial()
		settle(t, h)
		return h, s, w
	}
	filled := func(w *securityMaterialWindow) *credentialForm {
		f := w.showCreate(credentials.UserCredentials)
		typeInto(f, "gmail_smtp", "", mailUser, mailPassword, mailPassword)
		return f
	}
	names := func(s *credentials.Store) []string {
		n, _ := s.Names()
		return n
	}

	for _, tc := range []struct {
		name   string
		focus  func(f *credentialForm) fyne.Focusable // nil: nothing focused
		key    fyne.KeyName
		stored bool
	}{
		{"Enter in the description", func(f *credentialForm) fyne.Focusable { return f.description }, fyne.KeyReturn, true},
		{"Enter in the password", func(f *credentialForm) fyne.Focusable { return f.secret }, fyne.KeyReturn, true},
		{"keypad Enter, nothing focused", nil, fyne.KeyEnter, true},
		{"Enter on Deploy", func(f *credentialForm) fyne.Focusable { return f.deploy }, fyne.KeyReturn, true},
		{"Enter on Cancel", func(f *credentialForm) fyne.Focusable { return f.cancel }, fyne.KeyReturn, false},
		{"Enter on the Type drop-down", func(f *credentialForm) fyne.Focusable { return f.typeSel }, fyne.KeyReturn, true},
		{"Escape on the Type drop-down", func(f *credentialForm) fyne.Focusable { return f.typeSel }, fyne.KeyEscape, false},
		{"Escape on Deploy", func(f *credentialForm) fyne.Focusable { return f.deploy }, fyne.KeyEscape, false},
		{"Escape, nothing focused", nil, fyne.KeyEscape, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, s, w := open(t)
			f := filled(w)
			if tc.focus != nil {
				w.win.Canvas().Focus(tc.focus(f))
			} else {
				w.win.Canvas().Unfocus()
			}
			typeKey(w.win, tc.key)
			settle(t, h)
			if got := slices.Equal(names(s), []string{"gmail_smtp"}); got != tc.stored {
				t.Errorf("deployed %v, want stored %v", names(s), tc.stored)
			}
			if dialogOpen(w.win) {
				t.Errorf("a dialog is still open:\n%s", overlayText(w.win))
			}
		})
	}

	t.Run("Enter while Deploy is disabled", func(t *testing.T) {
		h, s, w := open(t)
		f := filled(w)
		f.repeat.SetText("something else")
		w.win.Canvas().Focus(f.description)
		typeKey(w.win, fyne.KeyReturn)
		settle(t, h)
		if len(names(s)) != 0 || !dialogOpen(w.win) {
			t.Errorf("Enter deployed %v with the passwords differing", names(s))
		}
	})

	t.Run("the Undeploy question: Escape keeps, Enter undeploys", func(t *testing.T) {
		h, s, w := open(t)
		f := filled(w)
		test.Tap(f.deploy)
		settle(t, h)
		w.onUndeploy()
		typeKey(w.win, fyne.KeyEscape)
		settle(t, h)
		if len(names(s)) != 1 || dialogOpen(w.win) {
			t.Fatalf("Escape: %v, dialog open %v", names(s), dialogOpen(w.win))
		}
		w.onUndeploy()
		typeKey(w.win, fyne.KeyReturn)
		settle(t, h)
		if len(names(s)) != 0 || dialogOpen(w.win) {
			t.Fatalf("Enter: %v, dialog open %v", names(s), dialogOpen(w.win))
		}
	})

	t.Run("an error over the form: the top one answers", func(t *testing.T) {
		h, s, w := open(t)
		filled(w)
		showError("Deploy", errors.New("the keyring refused"), w.win)
		typeKey(w.win, fyne.KeyReturn) // closes the error
		if !dialogOpen(w.win) {
			t.Fatal("Enter closed the form under the error")
		}
		typeKey(w.win, fyne.KeyReturn)
		settle(t, h)
		if len(names(s)) != 1 {
			t.Errorf("Enter on the form beneath deployed %v", names(s))
		}
	})
}

// TestKeyringPasswordDialogButtonsTakeTheKeys: with OK or Cancel focused
// (by Tab), Enter presses it and Escape cancels, as in every dialog.
func TestKeyringPasswordDialogButtonsTakeTheKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		focus func(p *keyringPrompt) fyne.Focusable
		key   fyne.KeyName
		given bool
	}{
		{"Escape on Cancel", func(p *keyringPrompt) fyne.Focusable { return p.cancel }, fyne.KeyEscape, false},
		{"Escape on OK", func(p *keyringPrompt) fyne.Focusable { return p.ok }, fyne.KeyEscape, false},
		{"Enter on OK", func(p *keyringPrompt) fyne.Focusable { return p.ok }, fyne.KeyReturn, true},
		{"Enter on Cancel", func(p *keyringPrompt) fyne.Focusable { return p.cancel }, fyne.KeyReturn, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestHome(t)
			a := ask(t, h, false, "")
			test.Type(a.prompt.password, "open sesame")
			h.win.Canvas().Focus(tc.focus(a.prompt))
			press(h, tc.key)
			r := a.answer(t)
			if got := r.err == nil && string(r.pw) == "open sesame"; got != tc.given {
				t.Errorf("got %q, %v", r.pw, r.err)
			}
			if dialogOpen(h.win) {
				t.Error("the dialog is still open")
			}
		})
	}
}

// TestDialogWidgetsPassEscape: a drop-down, a date field and a choice of
// options inside a dialog do not keep Escape from it; an open calendar
// or list is closed first, the dialog with the next Escape.
func TestDialogWidgetsPassEscape(t *testing.T) {
	t.Run("Create Key Pair", func(t *testing.T) {
		_, w := openKeystoreWindow(t, newKeystore(t, nil))
		for _, tc := range []struct {
			name  string
			focus func(d *createKeyPairDialog) fyne.Focusable
		}{
			{"Key Algorithm", func(d *createKeyPairDialog) fyne.Focusable { return d.algorithm }},
			{"Key Size", func(d *createKeyPairDialog) fyne.Focusable { return d.size }},
			{"Signature Algorithm", func(d *createKeyPairDialog) fyne.Focusable { return d.signature }},
			{"Valid Until", func(d *createKeyPairDialog) fyne.Focusable { return d.validUntil }},
		} {
			d := w.onCreateKeyPair()
			w.win.Canvas().Focus(tc.focus(d))
			typeKey(w.win, fyne.KeyEscape)
			if dialogOpen(w.win) {
				t.Errorf("Escape on %s left the dialog open", tc.name)
				d.dlg.Hide()
			}
		}
	})

	t.Run("Valid Until's calendar", func(t *testing.T) {
		_, w := openKeystoreWindow(t, newKeystore(t, nil))
		d := w.onCreateKeyPair()
		dialogTop := w.win.Canvas().Overlays().Top()
		w.win.Canvas().Focus(d.validUntil)
		test.LaidOutObjects(dialogTop) // the date field's calendar button is made with its renderer
		calendar, ok := d.validUntil.ActionItem.(*widget.Button)
		if !ok {
			t.Fatalf("Valid Until has no calendar button: %T", d.validUntil.ActionItem)
		}
		test.Tap(calendar)
		if w.win.Canvas().Overlays().Top() == dialogTop {
			t.Fatal("the calendar did not open")
		}
		typeKey(w.win, fyne.KeyEscape)
		if top := w.win.Canvas().Overlays().Top(); top != dialogTop {
			t.Fatalf("Escape did not close the calendar, or closed the dialog too (top %T)", top)
		}
		typeKey(w.win, fyne.KeyEscape)
		if dialogOpen(w.win) {
			t.Error("the second Escape left the dialog open")
		}
	})

	t.Run("Add Keystore's Add or Replace", func(t *testing.T) {
		_, w := openKeystoreWindow(t, newKeystore(t, nil))
		for i := range 2 {
			d := w.onAddKeystore("")
			f := d.mode.options
			if len(f) != 2 {
				t.Fatalf("Add or Replace has %d options", len(f))
			}
			w.win.Canvas().Focus(f[i])
			typeKey(w.win, fyne.KeyEscape)
			if dialogOpen(w.win) {
				t.Errorf("Escape on option %d left the dialog open", i)
				d.dlg.Hide()
			}
		}
	})

	t.Run("Add Key Pair's Format", func(t *testing.T) {
		_, w := openKeystoreWindow(t, newKeystore(t, nil))
		d := w.onAddKeyPair()
		f := d.format.options
		if len(f) != 2 {
			t.Fatalf("Format has %d options", len(f))
		}
		w.win.Canvas().Focus(f[1])
		typeKey(w.win, fyne.KeyEscape)
		if dialogOpen(w.win) {
			t.Error("Escape on Format left the dialog open")
		}
	})
}

// The OAuth2 form answers Escape like every other form: from a field,
// from its drop-downs, and with nothing focused.
func TestOAuth2FormClosesOnEscape(t *testing.T) {
	for _, focus := range []func(f *oauth2Form) fyne.Focusable{
		func(f *oauth2Form) fyne.Focusable { return f.clientID },
		func(f *oauth2Form) fyne.Focusable { return f.provider },
		nil,
	} {
		h, _ := newSMHome(t)
		w := h.showSecurityMaterial()
		settle(t, h)
		f := showOAuth2Form(w.win, w.store, w.bg, nil, nil, nil)
		if focus != nil {
			w.win.Canvas().Focus(focus(f))
		} else {
			w.win.Canvas().Unfocus()
		}
		typeKey(w.win, fyne.KeyEscape)
		if dialogOpen(w.win) {
			t.Errorf("the OAuth2 form is still open after Escape:\n%s", overlayText(w.win))
		}
	}
}
