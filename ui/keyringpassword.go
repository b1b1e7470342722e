package ui

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
)

// errPasswordCancelled is what askKeyringPassword returns when the
// user cancels the dialog.
var errPasswordCancelled = errors.New("ui: the keyring file password was not given")

// askKeyringPassword asks the encrypted keyring file's password in a
// dialog on the main window and waits for the answer: the password, which
// the caller zeroes, or errPasswordCancelled. first means there is no file
// yet, so the password is being chosen; retry, when not empty, says why the
// last answer did not open the file.
//
// It blocks until the user answers, so call it only from a background
// goroutine, never from the UI thread (a tap handler or a fyne.Do
// function): the dialog needs that thread to show, and would never come.
// It fits credentials.Options.FilePassword.
func (h *Home) askKeyringPassword(first bool, retry string) ([]byte, error) {
	return askKeyringFilePassword(h.win, first, retry, nil)
}

// keyringPrompt is the dialog of askKeyringPassword.
type keyringPrompt struct {
	first            bool
	parent           fyne.Window
	password, repeat *keyEntry // repeat only when first
	why              *widget.Label
	ok, cancel       *keyButton
	dlg              *keyedDialog // Enter answers, Escape cancels
	given            []byte       // set by OK, before the dialog closes
}

// askKeyringFilePassword shows the dialog on parent and waits. shown, for
// tests, runs on the UI thread once the dialog is up.
func askKeyringFilePassword(parent fyne.Window, first bool, retry string, shown func(*keyringPrompt)) ([]byte, error) {
	answer := make(chan []byte, 1)
	fyne.Do(func() {
		p := newKeyringPrompt(parent, first, retry, answer)
		if shown != nil {
			shown(p)
		}
	})
	if pw := <-answer; pw != nil {
		return pw, nil
	}
	return nil, errPasswordCancelled
}

func newKeyringPrompt(parent fyne.Window, first bool, retry string, answer chan<- []byte) *keyringPrompt {
	p := &keyringPrompt{first: first, parent: parent}
	p.password = newKeyPasswordEntry()
	p.password.OnChanged = func(string) { p.validate() }
	p.password.OnSubmitted = func(string) {
		if p.first && p.repeat.Text == "" {
			parent.Canvas().Focus(p.repeat) // Enter moves on, as the user expects
			return
		}
		p.onOK()
	}
	p.why = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}

	title := "Keyring File Password"
	box := container.NewVBox()
	var form *widget.Form
	if first {
		title = "Choose the Keyring File Password"
		intro := widget.NewLabel("No keyring service runs on this computer, so Opsdesk keeps its secrets in an " +
			"encrypted file, and you now choose the password that protects it.")
		intro.Wrapping = fyne.TextWrapWord
		box.Add(intro)
		p.repeat = newKeyPasswordEntry()
		p.repeat.OnChanged = func(string) { p.validate() }
		form = widget.NewForm(widget.NewFormItem("Password", p.password), widget.NewFormItem("Repeat Password", p.repeat))
	} else {
		form = widget.NewForm(widget.NewFormItem("Password of Opsdesk's keyring file", p.password))
	}
	if retry != "" {
		msg := widget.NewLabel(retry)
		msg.Wrapping = fyne.TextWrapWord
		msg.Importance = widget.DangerImportance
		box.Add(msg)
	}
	box.Add(form)
	box.Add(p.why)

	// Closed once, however it closes: OK, Cancel, Enter or Escape.
	p.dlg = newKeyedDialog(parent, title, container.New(&minWidthLayout{width: 480}, box), "OK", "Cancel", func(bool) {
		// The entries' text is a Go string, which cannot be zeroed: at
		// least the widgets stop holding it.
		p.password.SetText("")
		if p.repeat != nil {
			p.repeat.SetText("")
		}
		answer <- p.given
	})
	p.ok, p.cancel = p.dlg.confirm, p.dlg.cancel
	p.ok.Icon, p.cancel.Icon = theme.ConfirmIcon(), theme.CancelIcon()
	p.ok.OnTapped = p.onOK // only with a password that can be used
	p.validate()
	p.dlg.Show()
	parent.RequestFocus()
	parent.Canvas().Focus(p.password)
	return p
}

// validate enables OK when the password can be used, and otherwise says
// on one line what is missing.
func (p *keyringPrompt) validate() string {
	why := p.problem()
	p.why.SetText(why)
	setEnabled(p.ok, why == "")
	return why
}

func (p *keyringPrompt) problem() string {
	pw := p.password.Text
	if !p.first {
		if pw == "" {
			return "Type the password."
		}
		return ""
	}
	if n := utf8.RuneCountInString(pw); n < credentials.MinFilePasswordLength {
		if n == 0 {
			return fmt.Sprintf("Choose a password of at least %d characters.", credentials.MinFilePasswordLength)
		}
		return fmt.Sprintf("The password needs at least %d characters: it has %d.", credentials.MinFilePasswordLength, n)
	}
	if pw != p.repeat.Text {
		return "The two passwords differ: type the same in both fields."
	}
	return ""
}

func (p *keyringPrompt) onOK() {
	if p.given != nil || p.validate() != "" {
		return
	}
	p.given = []byte(p.password.Text)
	p.dlg.Hide()
}
