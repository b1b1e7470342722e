package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestHomeShowsTiles(t *testing.T) {
	a := test.NewTempApp(t)
	w := NewHome(a)
	defer w.Close()

	if w.Title() != "Opsdesk" {
		t.Errorf("title = %q, want Opsdesk", w.Title())
	}

	buttons := map[string]*widget.Button{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case *widget.Button:
			buttons[v.Text] = v
		}
	}
	walk(w.Content())

	for _, title := range []string{TileSecurityMaterial, TileKeystore, TileConnectivityTests} {
		b, ok := buttons[title]
		if !ok {
			t.Errorf("no tile %q", title)
			continue
		}
		if !b.Disabled() {
			t.Errorf("tile %q is enabled but has no screen behind it yet", title)
		}
	}
}
