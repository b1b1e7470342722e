package ui

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity"
)

// aliasNotes are the visible "Will be saved as" lines of w's top dialog.
func aliasNotes(w *keystoreWindow) string {
	var out []string
	for _, o := range test.LaidOutObjects(w.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok && l.Visible() && strings.HasPrefix(l.Text, "Will be saved as") {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
}

// TestAliasChangeIsSaidBeforeConfirm: an alias typed with capitals or
// spaces at its ends is saved changed (keystore.NormalizeAlias); the
// import dialog, Add Certificate and Rename say so under the field before
// Confirm, and the entry is saved as said.
func TestAliasChangeIsSaidBeforeConfirm(t *testing.T) {
	const want = "Will be saved as “peers root ca” (in lower case)."

	t.Run("import", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, nil))
		p := filepath.Join(t.TempDir(), "root.cer")
		writePEM(t, p, certValid(t, "Peers Root", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)))
		w.onDropped(toURIs([]string{p}))
		settle(t, h)
		if got := aliasNotes(w); got != "" {
			t.Errorf("a note for the suggested alias: %q", got)
		}
		importDialogOn(w.win).items[0].alias.SetText("Peers Root CA")
		if got := aliasNotes(w); got != want {
			t.Errorf("note %q, want %q", got, want)
		}
		importDialogOn(w.win).items[0].alias.SetText(" smtp ")
		mustContain(t, "note", aliasNotes(w), "“smtp” (without the spaces at its ends)")
		importDialogOn(w.win).items[0].alias.SetText("Peers Root CA")
		tapOverlayButton(t, w.win, "Confirm")
		settle(t, h)
		if got := aliases(w.model); !slices.Equal(got, []string{"peers root ca"}) {
			t.Errorf("saved as %v", got)
		}
	})

	t.Run("Add Certificate", func(t *testing.T) {
		h, w := openKeystoreWindow(t, newKeystore(t, nil))
		d := w.onAddCertificate()
		test.Type(d.alias, "Peers Root CA")
		if got := aliasNotes(w); got != want {
			t.Errorf("note %q, want %q", got, want)
		}
		p := filepath.Join(t.TempDir(), "root.cer")
		writePEM(t, p, certValid(t, "Peers Root", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)))
		d.load(p)
		settle(t, h)
		if d.alias.Text != "Peers Root CA" {
			t.Errorf("the typed alias became %q", d.alias.Text)
		}
		tapOverlayButton(t, w.win, "Confirm")
		settle(t, h)
		if got := aliases(w.model); !slices.Equal(got, []string{"peers root ca"}) {
			t.Errorf("saved as %v", got)
		}
	})

	t.Run("Rename", func(t *testing.T) {
		h, w := openKeystoreWindow(t, tutorialKeystore(t))
		w.onRename("old")
		overlayEntry(t, w).SetText("Peers Root CA")
		if got := aliasNotes(w); got != want {
			t.Errorf("note %q, want %q", got, want)
		}
		tapOverlayButton(t, w.win, "Rename")
		settle(t, h)
		if !w.model.Has("peers root ca") || w.selected != "peers root ca" {
			t.Errorf("renamed to %v", aliases(w.model))
		}
	})
}

// TestAddCertificateWithSeveralKeepsTheTypedAlias: Add ▾ Certificate
// with a chain .zip: the alias the user typed names every certificate as
// a prefix (alias, alias_1, alias_2), said in the import dialog, instead
// of being replaced by suggestions; the form says so before Browse.
func TestAddCertificateWithSeveralKeepsTheTypedAlias(t *testing.T) {
	chain := certtest.NewChain(t, "mail.example.com")
	zip, err := connectivity.ChainZip([]*x509.Certificate{chain.Leaf.Cert, chain.Intermediate.Cert, chain.Root.Cert})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "chain.zip")
	if err := os.WriteFile(p, zip, 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		typed string
		want  []string
	}{
		{"Peers", []string{"peers", "peers_1", "peers_2"}},
		{"", []string{"mail.example.com", "opsdesk_test_ca_1o1", "opsdesk_test_root_r1"}},
	} {
		t.Run(tc.typed, func(t *testing.T) {
			h, w := openKeystoreWindow(t, newKeystore(t, nil))
			d := w.onAddCertificate()
			mustContain(t, "Add Certificate", overlayText(w.win), "gives them this alias as a prefix: alias, alias_1, alias_2")
			test.Type(d.alias, tc.typed)
			d.load(p)
			settle(t, h)
			imp := importDialogOn(w.win)
			if imp == nil || len(imp.items) != 3 {
				t.Fatal("no import dialog for the three certificates")
			}
			if tc.typed != "" {
				mustContain(t, "import dialog", overlayText(w.win), "the alias you typed is given to them as peers, peers_1, peers_2")
			} else if imp.intro.Visible() {
				t.Errorf("says %q without a typed alias", imp.intro.Text)
			}
			tapOverlayButton(t, w.win, "Confirm")
			settle(t, h)
			if got := aliases(w.model); !slices.Equal(got, tc.want) {
				t.Errorf("saved as %v, want %v", got, tc.want)
			}
		})
	}
}
