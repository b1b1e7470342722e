package ui

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// asking is a call of the keyring password dialog from a background
// goroutine, as the app makes it.
type asking struct {
	prompt *keyringPrompt
	result chan askResult
}

type askResult struct {
	pw  []byte
	err error
}

// ask starts the dialog on h's window from a goroutine and returns once it
// is up.
func ask(t *testing.T, h *Home, first bool, retry string) *asking {
	t.Helper()
	shown := make(chan *keyringPrompt, 1)
	a := &asking{result: make(chan askResult, 1)}
	go func() {
		pw, err := askKeyringFilePassword(h.win, first, retry, func(p *keyringPrompt) { shown <- p })
		a.result <- askResult{pw, err}
	}()
	select {
	case a.prompt = <-shown:
	case <-time.After(10 * time.Second):
		t.Fatal("the dialog did not show")
	}
	return a
}

// answer waits for what the asking goroutine got.
func (a *asking) answer(t *testing.T) askResult {
	t.Helper()
	select {
	case r := <-a.result:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the dialog did not answer")
		return askResult{}
	}
}

// press sends a key to whatever has the focus, as the keyboard does.
func press(h *Home, key fyne.KeyName) {
	h.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: key})
}

func TestKeyringPasswordDialogGivesThePassword(t *testing.T) {
	for _, submit := range []string{"OK", "Enter"} {
		t.Run(submit, func(t *testing.T) {
			h := newTestHome(t)
			a := ask(t, h, false, "")
			mustContain(t, "dialog", overlayText(h.win), "Keyring File Password", "Password of Opsdesk's keyring file", "Cancel", "OK")
			if a.prompt.repeat != nil {
				t.Error("the password is asked twice when opening an existing file")
			}
			if !a.prompt.ok.Disabled() {
				t.Error("OK is enabled without a password")
			}
			test.Type(a.prompt.password, "open sesame")
			if submit == "OK" {
				tapOverlayButton(t, h.win, "OK")
			} else {
				press(h, fyne.KeyReturn)
			}
			r := a.answer(t)
			if r.err != nil || string(r.pw) != "open sesame" {
				t.Errorf("got %q, %v", r.pw, r.err)
			}
			if a.prompt.password.Text != "" {
				t.Error("the entry still holds the password")
			}
			if h.win.Canvas().Overlays().Top() != nil {
				t.Error("the dialog is still open")
			}
		})
	}
}

func TestKeyringPasswordDialogCancel(t *testing.T) {
	for _, how := range []string{"Cancel", "Escape"} {
		t.Run(how, func(t *testing.T) {
			h := newTestHome(t)
			a := ask(t, h, false, "")
			test.Type(a.prompt.password, "half-typed")
			if how == "Cancel" {
				tapOverlayButton(t, h.win, "Cancel")
			} else {
				press(h, fyne.KeyEscape)
			}
			r := a.answer(t)
			if !errors.Is(r.err, errPasswordCancelled) || r.pw != nil {
				t.Errorf("got %q, %v; want errPasswordCancelled", r.pw, r.err)
			}
			if a.prompt.password.Text != "" {
				t.Error("the entry still holds what was typed")
			}
			if h.win.Canvas().Overlays().Top() != nil {
				t.Error("the dialog is still open")
			}
		})
	}
}

// TestKeyringPasswordDialogChoosesANewPassword: OK stays disabled, saying
// why, until both fields match and are long enough.
func TestKeyringPasswordDialogChoosesANewPassword(t *testing.T) {
	h := newTestHome(t)
	a := ask(t, h, true, "")
	p := a.prompt
	mustContain(t, "dialog", overlayText(h.win), "Choose the Keyring File Password",
		"No keyring service runs on this computer", "encrypted file", "Password", "Repeat Password")
	steps := []struct {
		password, repeat string
		why              string // "" when OK is enabled
	}{
		{"", "", "at least 8 characters"},
		{"short", "", "at least 8 characters: it has 5"},
		{"long enough", "", "differ"},
		{"long enough", "long enoug", "differ"},
		{"ñandú-ñu", "ñandú-ñu", ""}, // 8 characters, more bytes
		{"long enough", "long enough", ""},
	}
	for _, s := range steps {
		p.password.SetText(s.password)
		p.repeat.SetText(s.repeat)
		switch {
		case s.why == "" && (p.ok.Disabled() || p.why.Text != ""):
			t.Errorf("%q/%q: OK disabled: %q", s.password, s.repeat, p.why.Text)
		case s.why != "" && !p.ok.Disabled():
			t.Errorf("%q/%q: OK enabled", s.password, s.repeat)
		case s.why != "":
			mustContain(t, "the reason", p.why.Text, s.why)
		}
	}
	// Enter in the first field moves on rather than submitting half.
	p.repeat.SetText("")
	h.win.Canvas().Focus(p.password)
	press(h, fyne.KeyReturn)
	if h.win.Canvas().Focused() != p.repeat {
		t.Error("Enter in Password did not move to Repeat Password")
	}
	test.Type(p.repeat, "long enough")
	press(h, fyne.KeyReturn)
	r := a.answer(t)
	if r.err != nil || string(r.pw) != "long enough" {
		t.Errorf("got %q, %v", r.pw, r.err)
	}
	if p.password.Text != "" || p.repeat.Text != "" {
		t.Error("the entries still hold the password")
	}
}

func TestKeyringPasswordDialogSaysTheLastOneWasWrong(t *testing.T) {
	h := newTestHome(t)
	a := ask(t, h, false, "That password did not open the keyring file. Type it again.")
	mustContain(t, "dialog", overlayText(h.win), "did not open the keyring file")
	tapOverlayButton(t, h.win, "Cancel")
	a.answer(t)
}

// TestSecurityMaterialLocked: the tile says so, and a tap asks again.
func TestSecurityMaterialLocked(t *testing.T) {
	h := newTestHome(t)
	tries := 0
	h.securityMaterialLocked(func() { tries++ })
	mustContain(t, "tile", h.securityMaterial.text(), "locked", "Tap to unlock")
	test.Tap(h.securityMaterial.button)
	if tries != 1 {
		t.Fatalf("the tap retried %d times", tries)
	}
	if !h.securityMaterial.button.Disabled() {
		t.Error("the tile can be tapped again while unlocking")
	}
	mustContain(t, "tile while unlocking", h.securityMaterial.text(), "unlocking")

	h.useSecurityMaterial(newTestStore(t))
	settle(t, h)
	text := h.securityMaterial.text()
	mustContain(t, "tile once unlocked", text, "0", "deployed")
	if got := h.securityMaterial.alerts.String(); got != "" {
		t.Errorf("the unlocked tile still says %q", got)
	}
}
