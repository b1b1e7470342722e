package ui

import (
	"crypto/x509"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// textRects are where the top dialog of w draws its visible texts.
type textRect struct {
	text     string
	pos      fyne.Position
	size     fyne.Size
	overflow bool // its text needs more height than it has
}

func dialogTexts(w fyne.Window) []textRect {
	top := w.Canvas().Overlays().Top()
	d := fyne.CurrentApp().Driver()
	var out []textRect
	for _, o := range test.LaidOutObjects(top) {
		var text string
		switch v := plain(o).(type) {
		case *widget.Label:
			text = v.Text
		case *widget.Button:
			text = v.Text
		default:
			continue
		}
		if text == "" || !visibleIn(o, top) {
			continue
		}
		out = append(out, textRect{text: text, pos: d.AbsolutePositionForObject(o), size: o.Size(),
			overflow: o.MinSize().Height > o.Size().Height+0.5})
	}
	return out
}

// visibleIn reports whether o and every container above it in top show.
func visibleIn(o, top fyne.CanvasObject) bool {
	if !o.Visible() {
		return false
	}
	var parents func(c fyne.CanvasObject) bool
	parents = func(c fyne.CanvasObject) bool { // is o under c, with every level shown?
		if c == o {
			return true
		}
		if !c.Visible() {
			return false
		}
		var kids []fyne.CanvasObject
		switch v := c.(type) {
		case *fyne.Container:
			kids = v.Objects
		case fyne.Widget:
			kids = test.WidgetRenderer(v).Objects()
		}
		for _, k := range kids {
			if parents(k) {
				return true
			}
		}
		return false
	}
	return parents(top)
}

// assertNoTextOverlaps fails when two texts of w's top dialog share
// pixels, or one is cut short: text drawn over text. The title, which
// Fyne's dialog lays out itself, is left out of the height check.
func assertNoTextOverlaps(t *testing.T, w fyne.Window, title string) {
	t.Helper()
	rs := dialogTexts(w)
	for i, a := range rs {
		if a.overflow && a.text != title {
			t.Errorf("%q needs more room than it has", a.text)
		}
		for _, b := range rs[i+1:] {
			if a.pos.X < b.pos.X+b.size.Width && b.pos.X < a.pos.X+a.size.Width &&
				a.pos.Y < b.pos.Y+b.size.Height && b.pos.Y < a.pos.Y+a.size.Height {
				t.Errorf("%q is drawn over %q", a.text, b.text)
			}
		}
	}
}

// TestDuplicateCertificateIsSaidBeforeConfirm: a certificate the keystore
// already holds is said so before Confirm, with Confirm disabled at once,
// in Add Certificate and in the import preview, and the dialog grows with
// the sentence instead of drawing it over the buttons.
func TestDuplicateCertificateIsSaidBeforeConfirm(t *testing.T) {
	root := certValid(t, "Peers Root", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
	p := filepath.Join(t.TempDir(), "root.cer")
	writePEM(t, p, root)

	t.Run("Add Certificate", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, map[string]*x509.Certificate{"peers": root}))
		d := w.onAddCertificate()
		test.Type(d.alias, "another name")
		d.load(p)
		settle(t, h)
		if !d.confirm.Disabled() {
			t.Error("Confirm is enabled for a certificate the keystore holds")
		}
		mustContain(t, "Add Certificate", d.status.Text, `already in the keystore as "peers"`)
		assertNoTextOverlaps(t, w.win, "Add Certificate")
	})

	t.Run("import", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, map[string]*x509.Certificate{"peers": root}))
		w.onDropped(toURIs([]string{p}))
		settle(t, h)
		d := importDialogOn(w.win)
		if !d.confirm.Disabled() || !d.items[0].check.Disabled() {
			t.Error("a certificate the keystore holds can be confirmed")
		}
		text := overlayText(w.win)
		mustContain(t, "import dialog", text, `Already in the keystore as "peers", so it is not imported again`,
			"This certificate is already in the keystore, so there is nothing to import.")
		if strings.Count(text, "Confirm") != 1 {
			t.Errorf("dialog:\n%s", text)
		}
		assertNoTextOverlaps(t, w.win, "Import Certificates")
	})
}
