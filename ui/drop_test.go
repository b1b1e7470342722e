package ui

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity"
)

func writePEM(t *testing.T, path string, c *x509.Certificate) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// droppedFiles is what a user drags onto the window in one go: a
// certificate, the same certificate in DER, a chain .zip, and files that
// are not certificates at all.
func droppedFiles(t *testing.T, chain certtest.Chain) []fyne.URI {
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "server.cer"), chain.Leaf.Cert)
	os.WriteFile(filepath.Join(dir, "server-copy.der"), chain.Leaf.Cert.Raw, 0o600)
	zip, err := connectivity.ChainZip([]*x509.Certificate{chain.Intermediate.Cert, chain.Root.Cert})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "certificates.zip"), zip, 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("remember to renew\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "logo.png"), []byte("\x89PNG\r\n\x1a\n...."), 0o600)
	os.Mkdir(filepath.Join(dir, "more-certs"), 0o700)
	var uris []fyne.URI
	for _, n := range []string{"server.cer", "certificates.zip", "notes.txt", "server-copy.der", "logo.png", "more-certs", "gone.cer"} {
		uris = append(uris, storage.NewFileURI(filepath.Join(dir, n)))
	}
	return uris
}

func TestDropListsEveryFileAndImportsExactlyTheConfirmed(t *testing.T) {
	chain := certtest.NewChain(t, "mail.example.com")
	path := newKeystore(t, map[string]*x509.Certificate{"existing-ca": chain.Intermediate.Cert})
	h, w := openKeystoreWindow(t, path)

	w.onDropped(droppedFiles(t, chain))
	settle(t, h)
	d := importDialogOn(w.win)
	if d == nil {
		t.Fatal("no import dialog")
	}
	if len(d.items) != 3 {
		t.Fatalf("%d certificates listed, want 3 (the copy listed once)", len(d.items))
	}
	byAlias := map[string]*importItem{}
	for _, it := range d.items {
		byAlias[it.alias.Text] = it
	}
	leaf, inter, root := byAlias["mail.example.com"], byAlias["opsdesk_test_ca_1o1"], byAlias["opsdesk_test_root_r1"]
	if leaf == nil || inter == nil || root == nil {
		t.Fatalf("suggested aliases: %v", slices.Collect(maps.Keys(byAlias)))
	}
	if !slices.Equal(leaf.sources, []string{"server.cer", "server-copy.der"}) {
		t.Errorf("leaf sources %v", leaf.sources)
	}
	if inter.check.Checked || inter.existing != "existing-ca" {
		t.Errorf("a certificate already in the keystore is offered again (checked=%v, existing=%q)", inter.check.Checked, inter.existing)
	}
	if !leaf.check.Checked || !root.check.Checked {
		t.Error("new certificates are not checked")
	}
	text := overlayText(w.win)
	mustContain(t, "import dialog", text,
		"3 certificates found", "CN=mail.example.com", "CN=Opsdesk Test CA 1O1, O=Opsdesk Test Trust, C=DE", "SHA-256", "Validity",
		`Already in the keystore as "existing-ca"`,
		"4 files are not certificates",
		`"notes.txt" is a text file without a certificate`, `"logo.png" is a PNG image, not a certificate`,
		`"more-certs" is a folder`, `"gone.cer" does not exist`)

	// The user keeps the server certificate under a name of their own
	// and leaves the root out.
	root.check.SetChecked(false)
	leaf.alias.SetText("sap_gmail")
	if !d.confirm.Disabled() || !strings.Contains(d.status.Text, "belongs to SAP") {
		t.Errorf("an SAP alias is accepted: %q", d.status.Text)
	}
	leaf.alias.SetText("Gmail-Server")
	if d.confirm.Disabled() {
		t.Fatalf("Confirm disabled: %q", d.status.Text)
	}
	test.Tap(d.confirm)
	settle(t, h)
	if got := aliases(w.model); !slices.Equal(got, []string{"existing-ca", "gmail-server"}) {
		t.Fatalf("keystore holds %v, want exactly the confirmed certificate beside what was there", got)
	}
	mustContain(t, "summary", overlayText(w.win), "Added (1)", "gmail-server")
}

func TestDropCancelledLeavesTheKeystoreByteIdentical(t *testing.T) {
	chain := certtest.NewChain(t, "mail.example.com")
	path := newKeystore(t, nil)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, w := openKeystoreWindow(t, path)
	w.onDropped(droppedFiles(t, chain))
	settle(t, h)
	if importDialogOn(w.win) == nil || len(importDialogOn(w.win).items) != 3 {
		t.Fatal("no import dialog with the three certificates")
	}
	tapOverlayButton(t, w.win, "Cancel")
	settle(t, h)
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("the keystore file changed although the import was cancelled")
	}
	if len(w.model.Rows) != 0 {
		t.Fatalf("entries after cancel: %v", aliases(w.model))
	}
	if _, err := os.Stat(path + ".backups"); err == nil {
		t.Error("cancelling made a backup: something was written")
	}
}

func TestDroppedKeystoreIsOpenedOrMerged(t *testing.T) {
	chain := certtest.NewChain(t, "mail.example.com")
	other := newKeystore(t, map[string]*x509.Certificate{"root": chain.Root.Cert})

	// Nothing open yet: a dropped .jks is opened, after its password.
	h := newTestHome(t)
	h.OpenFiles([]string{other}) // "Open with Opsdesk" goes the same way
	w := h.ksWin
	mustContain(t, "password dialog", overlayText(w.win), "Open Keystore", "keystore.jks", "Password")
	tapOverlayButton(t, w.win, "Cancel")

	// A keystore open: the dropped one is offered to Add ▾ Keystore.
	openKeystore(t, h, newKeystore(t, nil))
	w.onDropped([]fyne.URI{storage.NewFileURI(other)})
	mustContain(t, "merge dialog", overlayText(w.win), "Add Keystore", "keystore.jks", "Add", "Replace", "Overwrite existing entries")
}

func TestDropWithoutKeystoreAsksForOne(t *testing.T) {
	chain := certtest.NewChain(t, "mail.example.com")
	h := newTestHome(t)
	w := h.showKeystore()
	w.onDropped(droppedFiles(t, chain))
	mustContain(t, "dialog", overlayText(w.win), "No Keystore Open", "Open Keystore…", "Create Keystore…")
	settle(t, h)
	if importDialogOn(w.win) != nil {
		t.Fatal("files were read into an import dialog with no keystore to import into")
	}
}

func TestDroppedKeystoreWithCertificatesOpensItFirst(t *testing.T) {
	chain := certtest.NewChain(t, "mail.example.com")
	path := newKeystore(t, nil)
	cer := filepath.Join(t.TempDir(), "server.cer")
	writePEM(t, cer, chain.Leaf.Cert)

	h := newTestHome(t)
	h.OpenFiles([]string{cer, path})
	w := h.ksWin
	test.Type(overlayEntry(t, w), testPassword)
	tapOverlayButton(t, w.win, "Open")
	settle(t, h)
	if w.model == nil || w.model.Path != path {
		t.Fatal("the dropped keystore was not opened")
	}
	if importDialogOn(w.win) == nil || len(importDialogOn(w.win).items) != 1 {
		t.Fatal("the dropped certificate was not offered for the keystore")
	}
}
