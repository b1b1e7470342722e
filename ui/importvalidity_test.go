package ui

import (
	"crypto/x509"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

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
