package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The widgets of a keyed dialog (dialogkeys.go): Fyne's own, except that
// Enter and Escape reach the dialog instead of being dropped by the
// focused widget.

// keyEntry is an Entry on which Escape cancels its dialog, and Enter
// confirms it unless the entry has an OnSubmitted of its own.
type keyEntry struct{ widget.Entry }

func newKeyEntry() *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	return e
}

func newKeyPasswordEntry() *keyEntry {
	e := newKeyEntry()
	e.Password = true
	return e
}

func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	if !textDialogKey(e, &e.Entry, ev) {
		e.Entry.TypedKey(ev)
	}
}

// textDialogKey hands ev, typed in the text field e (the widget o), to its
// dialog: Escape always, Enter unless the field has a use of its own for
// it (an OnSubmitted, a line break). It reports whether the dialog took it.
func textDialogKey(o fyne.Focusable, e *widget.Entry, ev *fyne.KeyEvent) bool {
	switch {
	case ev.Name == fyne.KeyEscape,
		(ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && e.OnSubmitted == nil && !e.MultiLine:
		return dialogKey(canvasOf(o), ev)
	}
	return false
}

// keyCheck is a Check on which Enter and Escape reach its dialog.
type keyCheck struct{ widget.Check }

func newKeyCheck(text string, changed func(bool)) *keyCheck {
	c := &keyCheck{}
	c.Text, c.OnChanged = text, changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *keyCheck) TypedKey(ev *fyne.KeyEvent) { dialogKeyOr(c, ev, c.Check.TypedKey) }

// dialogKeyOr lets the dialog of the focused widget o have ev, and o's
// own TypedKey, own, what the dialog does not take.
func dialogKeyOr(o fyne.Focusable, ev *fyne.KeyEvent, own func(*fyne.KeyEvent)) {
	if !dialogKey(canvasOf(o), ev) {
		own(ev)
	}
}

// keyButton is a dialog's button: Enter presses it, as Space does, and
// Escape cancels the dialog.
type keyButton struct{ widget.Button }

func newKeyButton(text string, importance widget.Importance, tapped func()) *keyButton {
	b := &keyButton{}
	b.Text, b.Importance, b.OnTapped = text, importance, tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *keyButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	case fyne.KeyEscape:
		dialogKey(canvasOf(b), ev)
	default:
		b.Button.TypedKey(ev)
	}
}

// keySelect is a drop-down on which Enter and Escape reach its dialog;
// its open list closes on Escape by itself.
type keySelect struct{ widget.Select }

func newKeySelect(options []string, changed func(string)) *keySelect {
	s := &keySelect{}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

func (s *keySelect) TypedKey(ev *fyne.KeyEvent) { dialogKeyOr(s, ev, s.Select.TypedKey) }

// keyDate is a date field on which Enter and Escape reach its dialog, as
// in a keyEntry.
type keyDate struct{ widget.DateEntry }

func newKeyDate() *keyDate {
	e := &keyDate{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewDateEntry
	return e
}

func (e *keyDate) TypedKey(ev *fyne.KeyEvent) {
	if !textDialogKey(e, &e.Entry, ev) {
		e.DateEntry.TypedKey(ev)
	}
}

// keyRadio is a choice of one of its options, always one, as a
// RadioGroup with Required is, on which Enter and Escape reach its
// dialog. RadioGroup cannot be given that: the options it focuses are of
// a type of its own that drops both keys. So each option is a keyCheck
// drawn as a radio button.
type keyRadio struct {
	widget.BaseWidget
	Options   []string
	Selected  string
	OnChanged func(string)

	options []*keyCheck
	box     *fyne.Container
	setting bool // SetSelected is checking and unchecking the options
}

// newKeyRadio lays the options out in a row, or one under the other.
func newKeyRadio(options []string, horizontal bool, changed func(string)) *keyRadio {
	r := &keyRadio{Options: options, OnChanged: changed, box: container.NewVBox()}
	if horizontal {
		r.box = container.NewHBox()
	}
	for _, o := range options {
		c := newKeyCheck(o, func(bool) {
			if !r.setting {
				r.SetSelected(o) // and a tap on the chosen one keeps it chosen
			}
		})
		r.options = append(r.options, c)
		r.box.Add(container.NewThemeOverride(c, radioLook{}))
	}
	r.ExtendBaseWidget(r)
	return r
}

// SetSelected chooses option, calling OnChanged if that is a change.
func (r *keyRadio) SetSelected(option string) {
	changed := option != r.Selected
	r.Selected = option
	r.setting = true
	for i, c := range r.options {
		c.SetChecked(r.Options[i] == option)
	}
	r.setting = false
	if changed && r.OnChanged != nil {
		r.OnChanged(option)
	}
}

func (r *keyRadio) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.box) }

// radioLook is the app's theme with a check box's icons replaced by a
// radio button's, so that a Check looks like one of a RadioGroup's options.
type radioLook struct{}

func (radioLook) app() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (l radioLook) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return l.app().Color(n, v)
}
func (l radioLook) Font(s fyne.TextStyle) fyne.Resource { return l.app().Font(s) }
func (l radioLook) Size(n fyne.ThemeSizeName) float32   { return l.app().Size(n) }
func (l radioLook) Icon(n fyne.ThemeIconName) fyne.Resource {
	switch n {
	case theme.IconNameCheckButton:
		n = theme.IconNameRadioButton
	case theme.IconNameCheckButtonChecked:
		n = theme.IconNameRadioButtonChecked
	case theme.IconNameCheckButtonFill:
		n = theme.IconNameRadioButtonFill
	}
	return l.app().Icon(n)
}
