package ui

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// jdkPKCS12 writes, with keytool, a PKCS#12 keystore of two key pairs and
// one trusted certificate, password p12-pass.
func jdkPKCS12(t *testing.T) string {
	keytool := certtest.Tool(t, "keytool")
	dir := t.TempDir()
	p12 := filepath.Join(dir, "pairs.p12")
	for i, alg := range []string{"RSA", "EC"} {
		if out, err := exec.Command(keytool, "-genkeypair", "-storetype", "PKCS12", "-keystore", p12, "-storepass", "p12-pass",
			"-alias", fmt.Sprintf("pair%d", i+1), "-keyalg", alg, "-dname", fmt.Sprintf("CN=pair%d.example.com", i+1)).CombinedOutput(); err != nil {
			t.Fatalf("keytool: %v\n%s", err, out)
		}
	}
	return p12
}

// Issue 14: Add ▾ Key Pair with a file of several key pairs offers each
// under the file's alias; before, it refused the file.
func TestAddKeyPairPicksOneOfSeveral(t *testing.T) {
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	d := w.onAddKeyPair()
	d.p12Path = jdkPKCS12(t)
	d.password.SetText("p12-pass")
	d.load()
	settle(t, h)
	if len(d.pick.Options) != 2 || !strings.HasPrefix(d.pick.Options[0], "pair1 (RSA") || !strings.HasPrefix(d.pick.Options[1], "pair2 (EC") {
		t.Fatalf("offered %v; status %q", d.pick.Options, d.status.Text)
	}
	mustContain(t, "status", d.status.Text, "holds 2 key pairs: choose one")
	if !d.confirm.Disabled() {
		t.Fatal("Confirm enabled before a key pair was chosen")
	}
	d.pick.SetSelectedIndex(1)
	if d.alias.Text != "pair2" {
		t.Errorf("alias %q, want the file's pair2", d.alias.Text)
	}
	mustContain(t, "preview", joined(d.preview), "CN=pair2.example.com")
	test.Tap(d.confirm)
	settle(t, h)
	if !w.model.Has("pair2") || w.model.Has("pair1") {
		t.Fatalf("after Confirm: %v", aliases(w.model))
	}
}

// A PKCS#12 keystore opens read-only in the Keystore window, says why it
// cannot be changed, and Download saves it as JKS.
func TestKeystoreWindowShowsAPKCS12Keystore(t *testing.T) {
	p12 := jdkPKCS12(t)
	h := newTestHome(t)
	w := h.showKeystore()
	var openErr error
	h.keystore.open(func() (*keystore.Keystore, error) { return keystore.Open(p12, []byte("p12-pass")) }, func(err error) { openErr = err })
	settle(t, h)
	if openErr != nil {
		t.Fatal(openErr)
	}
	if got := aliases(w.model); strings.Join(got, ",") != "pair1,pair2" {
		t.Fatalf("entries %v", got)
	}
	if !w.readOnly.Visible() || !strings.Contains(w.readOnly.Text, "PKCS#12") {
		t.Errorf("read-only note: %q (visible %v)", w.readOnly.Text, w.readOnly.Visible())
	}
	if w.upload.Disabled() {
		t.Error("Download (save as JKS) is disabled for a PKCS#12 keystore")
	}
	if !w.backUp.Disabled() {
		t.Error("Back Up is offered for a file Opsdesk never changes")
	}
}

// A .p12 dropped (or opened with Opsdesk) while a keystore is open: the
// user chooses between looking at it and adding its entries.
func TestDroppedPKCS12OffersLookOrAdd(t *testing.T) {
	p12 := jdkPKCS12(t)
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	w.offerKeystores([]string{p12})
	mustContain(t, "the question", overlayText(w.win), "pairs.p12 is a PKCS#12 keystore", "Open It to Look", "Add Its Entries…")
	tapOverlayButton(t, w.win, "Add Its Entries…")
	mustContain(t, "Add Keystore", overlayText(w.win), "pairs.p12")
	tapOverlayButton(t, w.win, "Cancel")
	settle(t, h)

	w.offerKeystores([]string{p12})
	tapOverlayButton(t, w.win, "Open It to Look")
	test.Type(overlayEntry(t, w), "p12-pass")
	tapOverlayButton(t, w.win, "Open")
	settle(t, h)
	if w.model == nil || !w.model.PKCS12 || strings.Join(aliases(w.model), ",") != "pair1,pair2" {
		t.Fatalf("after Open It to Look: %v", w.model)
	}
}
