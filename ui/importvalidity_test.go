package ui

import (
	"crypto/x509"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// TestImportPreviewSaysWhenACertificateIsNotValid: an expired and a
// not-yet-valid certificate are flagged in words with their dates, in the
// import preview and in the Connectivity window's Add to Keystore, and
// can still be imported on purpose.
func TestImportPreviewSaysWhenACertificateIsNotValid(t *testing.T) {
	now := time.Now()
	expiredOn := now.AddDate(-1, 0, 0)
	validFrom := now.AddDate(0, 2, 0)
	expired := certValid(t, "Old Root", now.AddDate(-5, 0, 0), expiredOn)
	future := certValid(t, "Future Root", validFrom, now.AddDate(3, 0, 0))
	fine := certValid(t, "Fine Root", now.AddDate(-1, 0, 0), now.AddDate(3, 0, 0))
	wantExpired := "This certificate expired on " + expiredOn.Format("Jan 2, 2006") + " — the tenant will not trust a server that sends it"
	wantFuture := "This certificate is not valid until " + validFrom.Format("Jan 2, 2006")

	t.Run("drop", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, nil))
		dir := t.TempDir()
		var paths []string
		for name, c := range map[string]*x509.Certificate{"old.cer": expired, "future.cer": future, "fine.cer": fine} {
			p := filepath.Join(dir, name)
			writePEM(t, p, c)
			paths = append(paths, p)
		}
		w.onDropped(toURIs(paths))
		settle(t, h)
		text := overlayText(w.win)
		mustContain(t, "import dialog", text, wantExpired, wantFuture, "You can still import it")
		if n := strings.Count(text, "This certificate"); n != 2 {
			t.Errorf("%d warnings for 2 certificates that are not valid:\n%s", n, text)
		}
		if importDialogOn(w.win).confirm.Disabled() || importDialogOn(w.win).chosen() != 3 {
			t.Fatal("certificates that are not valid are not offered")
		}
		tapOverlayButton(t, w.win, "Confirm")
		settle(t, h)
		if got := aliases(w.model); !slices.Equal(got, []string{"fine_root", "future_root", "old_root"}) {
			t.Errorf("imported %v", got)
		}
	})

	t.Run("Add to Keystore", func(t *testing.T) {
		h := newTestHome(t)
		openKeystore(t, h, newKeystore(t, nil))
		c := connectivityFor(t, h)
		c.onAddToKeystore(&connectivity.Result{Chain: []*x509.Certificate{expired, future}})
		settle(t, h)
		mustContain(t, "Add to Keystore", overlayText(c.win), "Add to Keystore", wantExpired, wantFuture)
		if importDialogOn(c.win) == nil || importDialogOn(c.win).confirm.Disabled() {
			t.Fatal("the chain cannot be added")
		}
		test.Tap(importDialogOn(c.win).confirm)
		settle(t, h)
		if got := aliases(h.keystore.Model()); len(got) != 2 {
			t.Errorf("added %v", got)
		}
	})
}

// unscrolledText is what o shows outside any scrolled part: what a user
// reads without scrolling.
func unscrolledText(o fyne.CanvasObject) []string {
	var out []string
	switch v := o.(type) {
	case nil, *container.Scroll:
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, unscrolledText(c)...)
		}
	case *widget.Label:
		if v.Visible() {
			out = append(out, v.Text)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			out = append(out, unscrolledText(c)...)
		}
	}
	return out
}

// TestImportDialogSaysFirstWhatIsNotValid: when several certificates are
// offered, those that are not valid today are named above the list, where
// they are read without scrolling to the one that expired, and the
// dialog's list still warns at each.
func TestImportDialogSaysFirstWhatIsNotValid(t *testing.T) {
	now := time.Now()
	expiredOn := now.AddDate(0, 0, -9)
	h, w := openKeystoreWindow(t, newKeystore(t, nil))
	dir := t.TempDir()
	var paths []string
	for i, c := range []*x509.Certificate{
		certValid(t, "Partner Root", now.AddDate(-1, 0, 0), now.AddDate(9, 0, 0)),
		certValid(t, "mail.partner.example", now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0)),
		certValid(t, "relay.example.com", now.AddDate(0, 0, -10), expiredOn),
	} {
		p := filepath.Join(dir, fmt.Sprintf("%d.cer", i))
		writePEM(t, p, c)
		paths = append(paths, p)
	}
	w.onDropped(toURIs(paths))
	settle(t, h)
	top := strings.Join(unscrolledText(w.win.Canvas().Overlays().Top()), "\n")
	mustContain(t, "the dialog above its list", top, "1 of these 3 certificates is not valid today",
		"relay.example.com expired on "+expiredOn.Format("Jan 2, 2006"))
	if strings.Contains(top, "Partner Root") {
		t.Errorf("a valid certificate is named above the list:\n%s", top)
	}
	mustContain(t, "the list", overlayText(w.win), "This certificate expired on")

	// One certificate alone: its own warning is in view, nothing above.
	importDialogOn(w.win).dlg.Hide()
	w.onDropped(toURIs(paths[2:]))
	settle(t, h)
	if top := strings.Join(unscrolledText(w.win.Canvas().Overlays().Top()), "\n"); strings.Contains(top, "not valid today") {
		t.Errorf("a single certificate is announced above itself:\n%s", top)
	}
}
