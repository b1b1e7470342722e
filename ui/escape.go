package ui

import (
	"reflect"
	"slices"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Escape closes the dialog in front, as on every desktop; Fyne's dialogs
// ignore the key. A key goes to the focused widget, or to the window's
// canvas when nothing has focus: closeOnEscape covers the canvas, and
// escapeEntry the text fields of a form, since widget.Entry drops the key.
// (A button focused with Tab still drops it.)

// escapeDialogs are the dialogs shown on one canvas that Escape closes.
type escapeDialogs struct {
	dialogs []escapable
	handler func(*fyne.KeyEvent) // installed on the canvas
}

type escapable struct {
	popup  fyne.CanvasObject // the dialog's overlay
	cancel func()
}

var escapes = struct {
	sync.Mutex
	byCanvas map[fyne.Canvas]*escapeDialogs
}{byCanvas: map[fyne.Canvas]*escapeDialogs{}}

// closeOnEscape makes Escape run cancel while the dialog just shown on
// parent is the one in front. Call it right after the dialog's Show, when
// its overlay is the top one.
func closeOnEscape(parent fyne.Window, cancel func()) {
	c := parent.Canvas()
	top := c.Overlays().Top()
	if top == nil {
		return
	}
	escapes.Lock()
	defer escapes.Unlock()
	reg := escapes.byCanvas[c]
	if reg == nil {
		reg = &escapeDialogs{}
		escapes.byCanvas[c] = reg
	}
	open := c.Overlays().List()
	reg.dialogs = slices.DeleteFunc(reg.dialogs, func(d escapable) bool { return !slices.Contains(open, d.popup) })
	reg.dialogs = append(reg.dialogs, escapable{popup: top, cancel: cancel})
	// The canvas may hold another handler (the keyring password dialog
	// sets its own and puts the one before back): ours goes in front of
	// whatever is there unless it is there already. Functions do not
	// compare, but their code does, and only this function makes ours.
	if current := c.OnTypedKey(); reg.handler == nil || current == nil ||
		reflect.ValueOf(current).Pointer() != reflect.ValueOf(reg.handler).Pointer() {
		reg.handler = escapeHandler(c, current)
		c.SetOnTypedKey(reg.handler)
	}
}

// escapeHandler closes the dialog in front of c on Escape and hands every
// other key to before.
func escapeHandler(c fyne.Canvas, before func(*fyne.KeyEvent)) func(*fyne.KeyEvent) {
	return func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape && dismissFront(c) {
			return
		}
		if before != nil {
			before(k)
		}
	}
}

// dismissFront cancels the dialog in front of c, if Escape closes it.
func dismissFront(c fyne.Canvas) bool {
	top := c.Overlays().Top()
	if top == nil {
		return false
	}
	escapes.Lock()
	reg := escapes.byCanvas[c]
	var cancel func()
	if reg != nil {
		for i, d := range reg.dialogs {
			if d.popup == top {
				cancel = d.cancel
				reg.dialogs = slices.Delete(reg.dialogs, i, i+1)
				break
			}
		}
	}
	escapes.Unlock()
	if cancel == nil {
		return false
	}
	cancel()
	return true
}

// escapeEntry is a text field of a dialog on which Escape runs onEscape
// (the dialog's Cancel); every other key is the entry's.
type escapeEntry struct {
	widget.Entry
	onEscape func()
}

// newEscapeEntry returns an entry whose Escape runs onEscape, a password
// field when password is set.
func newEscapeEntry(password bool, onEscape func()) *escapeEntry {
	e := &escapeEntry{onEscape: onEscape}
	e.Password = password
	e.ExtendBaseWidget(e)
	return e
}

func (e *escapeEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}
