package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// What tests reach of the windows that users reach by looking: the
// dialogs on screen and the menu bar.

// importDialogOn is the import dialog shown on w, the topmost if several
// are, or nil.
func importDialogOn(w fyne.Window) *importDialog { return onTop[*importDialog](w) }

// credentialFormOn is the Create or Edit form shown on w, or nil.
func credentialFormOn(w fyne.Window) *credentialForm { return onTop[*credentialForm](w) }

// oauth2FormOn is the OAuth2 Authorization Code form shown on w, or nil.
func oauth2FormOn(w fyne.Window) *oauth2Form { return onTop[*oauth2Form](w) }

// onTop finds a T in w's overlays, the topmost one.
func onTop[T fyne.CanvasObject](w fyne.Window) T {
	var found T
	for _, o := range w.Canvas().Overlays().List() {
		walkWidgets(o, func(o fyne.CanvasObject) {
			if v, ok := o.(T); ok && o.Visible() {
				found = v
			}
		})
	}
	return found
}

// walkWidgets calls fn for o and everything drawn inside it.
func walkWidgets(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkWidgets(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			walkWidgets(c, fn)
		}
	}
}

// findMenuItem returns the item labelled label in w's menu bar.
func findMenuItem(w fyne.Window, label string) *fyne.MenuItem {
	m := w.MainMenu()
	if m == nil {
		return nil
	}
	for _, menu := range m.Items {
		for _, item := range menu.Items {
			if item.Label == label {
				return item
			}
		}
	}
	return nil
}
