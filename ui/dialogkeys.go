package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// The keyboard every dialog answers to, as a desktop user expects: Enter
// confirms (when its confirm button is enabled) and Escape cancels,
// whichever of its fields has the focus. Fyne's dialogs handle neither
// key, and a focused widget gets a key before the window does, so
//
//   - keyedDialog builds a dialog whose keys are handled: a message, a
//     question or a form, with its buttons;
//   - its fields are keyEntry, keyCheck, keyButton, keySelect, keyDate
//     and keyRadio (dialogkeys_fields.go), which hand Enter and Escape to
//     the dialog on top of their window;
//   - with nothing focused, the window's own key handler does.
//
// A list, calendar or other pop-up open over the dialog comes first:
// Escape closes it, and the dialog stays.

// dialogKeys is what Enter and Escape do in one open dialog, shown in
// overlay.
type dialogKeys struct {
	enter, escape func()
	overlay       fyne.CanvasObject
}

// keyStacks holds, per window canvas, the open dialogs' keys, the top
// one last. UI thread only.
var keyStacks = map[fyne.Canvas][]*dialogKeys{}

// pushKeys makes keys the top dialog's on c until popKeys. The canvas's
// own key handler (for keys typed with nothing focused) is set each time:
// a canvas may be new.
func pushKeys(c fyne.Canvas, k *dialogKeys) {
	keyStacks[c] = append(keyStacks[c], k)
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { dialogKey(c, ev) })
}

func popKeys(c fyne.Canvas, k *dialogKeys) {
	s := keyStacks[c]
	if i := slices.Index(s, k); i >= 0 {
		s = slices.Delete(s, i, i+1)
	}
	if len(s) == 0 {
		delete(keyStacks, c)
		return
	}
	keyStacks[c] = s
}

// topKeys is the keys of the dialog in front on c, forgetting those whose
// dialog went away without closing (its window did).
func topKeys(c fyne.Canvas) *dialogKeys {
	for s := keyStacks[c]; len(s) > 0; s = keyStacks[c] {
		top := s[len(s)-1]
		if top.overlay == nil || slices.Contains(c.Overlays().List(), top.overlay) {
			return top
		}
		popKeys(c, top)
	}
	return nil
}

// dialogKey lets the top dialog of c have Enter or Escape, and reports
// whether one did.
func dialogKey(c fyne.Canvas, ev *fyne.KeyEvent) bool {
	if c == nil {
		return false
	}
	top := topKeys(c)
	if top == nil {
		return false
	}
	if front := c.Overlays().Top(); front != nil && front != top.overlay {
		// A drop-down's list, a date's calendar or a file dialog is
		// in front of the dialog: Escape closes that, Enter is its own.
		if ev.Name == fyne.KeyEscape {
			front.Hide()
			return true
		}
		return false
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if top.enter != nil {
			top.enter()
			return true
		}
	case fyne.KeyEscape:
		if top.escape != nil {
			top.escape()
			return true
		}
	}
	return false
}

// windowKeys makes Enter and Escape on c do enter and escape whenever no
// dialog is open over it: for a window that is itself a dialog, such as
// Connect a Mail Account's steps, so that its fields hand Enter and Escape
// on as a dialog's do. A dialog opened over it comes first, as does a
// pop-up (Escape closes that). stop ends it.
func windowKeys(c fyne.Canvas, enter, escape func()) (stop func()) {
	k := &dialogKeys{enter: enter, escape: escape}
	keyStacks[c] = append([]*dialogKeys{k}, keyStacks[c]...) // under any dialog already open
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) { dialogKey(c, ev) })
	return func() { popKeys(c, k) }
}

// canvasOf is the canvas with an open dialog on which o has the focus:
// a key reaches only the focused widget, so that is where it was typed.
func canvasOf(o fyne.Focusable) fyne.Canvas {
	for c := range keyStacks {
		if c.Focused() == o {
			return c
		}
	}
	return nil
}

// keyedDialog is a dialog with a confirm and a cancel button (or a Close
// button alone) that Enter and Escape press. onClose gets whether it was
// confirmed, once, however it closed.
type keyedDialog struct {
	dlg     *dialog.CustomDialog
	parent  fyne.Window
	confirm *keyButton // nil for a message with Close only
	cancel  *keyButton
	keys    *dialogKeys
	onClose func(ok bool)
	ok      bool
	after   []func()
}

// newKeyedDialog makes a dialog titled title around content. confirm is
// the confirm button's label, "" for a message closed with cancel's label.
func newKeyedDialog(parent fyne.Window, title string, content fyne.CanvasObject, confirm, cancel string, onClose func(ok bool)) *keyedDialog {
	d := &keyedDialog{parent: parent, onClose: onClose}
	d.cancel = newKeyButton(cancel, widget.MediumImportance, func() { d.close(false) })
	buttons := []fyne.CanvasObject{d.cancel}
	d.keys = &dialogKeys{escape: func() { d.close(false) }}
	if confirm != "" {
		d.confirm = newKeyButton(confirm, widget.HighImportance, func() { d.close(true) })
		buttons = append(buttons, d.confirm)
		d.keys.enter = d.Submit
	} else {
		d.keys.enter = func() { d.close(false) }
	}
	d.dlg = dialog.NewCustomWithoutButtons(title, content, parent)
	d.dlg.SetButtons(buttons)
	return d
}

// newKeyedForm is a form dialog: confirm stays disabled while a field's
// Validator refuses what was typed.
func newKeyedForm(parent fyne.Window, title, confirm, cancel string, items []*widget.FormItem, onClose func(ok bool)) *keyedDialog {
	form := widget.NewForm(items...)
	d := newKeyedDialog(parent, title, form, confirm, cancel, onClose)
	form.SetOnValidationChanged(func(err error) { setEnabled(d.confirm, err == nil) })
	setEnabled(d.confirm, form.Validate() == nil)
	return d
}

// Show shows the dialog and makes it the one Enter and Escape answer.
func (d *keyedDialog) Show() {
	c := d.parent.Canvas()
	pushKeys(c, d.keys)
	d.dlg.Show()
	d.keys.overlay = c.Overlays().Top()
}

// Submit presses the confirm button, when it is enabled. Its OnTapped
// closes the dialog as confirmed unless the caller put its own, for a
// dialog that stays open until the work is done.
func (d *keyedDialog) Submit() {
	if d.confirm != nil && !d.confirm.Disabled() {
		d.confirm.OnTapped()
	}
}

// Hide closes the dialog as cancelled.
func (d *keyedDialog) Hide() { d.close(false) }

func (d *keyedDialog) close(ok bool) {
	if d.keys == nil {
		return
	}
	popKeys(d.parent.Canvas(), d.keys)
	d.keys = nil
	d.ok = ok
	d.dlg.Hide()
	if d.onClose != nil {
		d.onClose(ok)
	}
	for _, f := range d.after {
		f()
	}
}

// SetOnClosed adds f to what runs once the dialog has closed.
func (d *keyedDialog) SetOnClosed(f func()) { d.after = append(d.after, f) }

func (d *keyedDialog) Resize(s fyne.Size) { d.dlg.Resize(s) }
func (d *keyedDialog) MinSize() fyne.Size { return d.dlg.MinSize() }
func (d *keyedDialog) Refresh()           { d.dlg.Refresh() }

// SetButtons replaces the buttons, for a dialog with more than two; the
// keys stay as they are.
func (d *keyedDialog) SetButtons(b []fyne.CanvasObject) { d.dlg.SetButtons(b) }

// showMessage shows a message closed with Close, by Enter or Escape too.
func showMessage(title string, content fyne.CanvasObject, parent fyne.Window) *keyedDialog {
	d := newKeyedDialog(parent, title, content, "", "Close", nil)
	d.Show()
	return d
}

// showInformation is dialog.ShowInformation with the keyboard.
func showInformation(title, message string, parent fyne.Window) {
	l := widget.NewLabel(message)
	l.Wrapping = fyne.TextWrapWord
	showMessage(title, container.New(&minWidthLayout{width: 420}, l), parent)
}

// askConfirm asks a question; yes labels the button that agrees.
func askConfirm(parent fyne.Window, title, message, yes string, importance widget.Importance, answer func(ok bool)) *keyedDialog {
	l := widget.NewLabel(message)
	l.Wrapping = fyne.TextWrapWord
	d := newKeyedDialog(parent, title, container.New(&minWidthLayout{width: 420}, l), yes, "Cancel", answer)
	d.confirm.Importance = importance
	d.Show()
	return d
}
