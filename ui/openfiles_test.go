package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// startupFiles are what "opsdesk server.cer notes.txt" passes: a
// certificate and a file that holds none.
func startupFiles(t *testing.T) []string {
	t.Helper()
	chain := certtest.NewChain(t, "mail.example.com")
	dir := t.TempDir()
	cer, txt := filepath.Join(dir, "server.cer"), filepath.Join(dir, "notes.txt")
	writePEM(t, cer, chain.Leaf.Cert)
	if err := os.WriteFile(txt, []byte("remember to renew\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{cer, txt}
}

// slowOwnKeystore stands for the app's own keystore, which opens off the
// UI thread and may wait for the keyring's password: it opens once
// release is called, or fails with err.
type slowOwnKeystore struct {
	path    string
	err     error
	release chan struct{}
	once    sync.Once
}

func (s *slowOwnKeystore) open() (*keystore.Keystore, error) {
	<-s.release
	if s.err != nil {
		return nil, s.err
	}
	return keystore.Open(s.path, []byte(testPassword))
}

func (s *slowOwnKeystore) done() { s.once.Do(func() { close(s.release) }) }

func newSlowHome(t *testing.T, own *slowOwnKeystore, logged *[]string) *Home {
	t.Helper()
	a := test.NewTempApp(t)
	var mu sync.Mutex
	h := newHome(a, Options{Log: func(line string) {
		mu.Lock()
		defer mu.Unlock()
		*logged = append(*logged, line)
	}}, services{openOwnKeystore: own.open})
	t.Cleanup(func() {
		own.done()
		h.bg.wait(5e9)
		if slices.Contains(a.Driver().AllWindows(), h.win) {
			h.win.Close()
		}
	})
	return h
}

// TestOpenFilesWaitForTheOwnKeystore: files the app was started with
// arrive while its own keystore still opens. They wait for it, Home says
// so, and then the import dialog offers them for that keystore, with the
// unreadable file named; never "No Keystore Open".
func TestOpenFilesWaitForTheOwnKeystore(t *testing.T) {
	own := &slowOwnKeystore{path: newKeystore(t, nil), release: make(chan struct{})}
	var logged []string
	h := newSlowHome(t, own, &logged)

	h.OpenFiles(startupFiles(t))
	if h.ksWin != nil && h.ksWin.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("a dialog while the keystore opens: %s", overlayText(h.ksWin.win))
	}
	mustContain(t, "Home", h.hint.Text, "Opening the keystore to import server.cer, notes.txt")

	own.done()
	settle(t, h)
	w := h.ksWin
	if w == nil || w.model == nil || w.model.Path != own.path {
		t.Fatal("the Keystore window did not come up with the app's own keystore")
	}
	text := overlayText(w.win)
	if strings.Contains(text, "No Keystore Open") {
		t.Fatalf("asked for a keystore while the own one is open:\n%s", text)
	}
	mustContain(t, "import dialog", text, "Import Certificates", "1 certificate found", "CN=mail.example.com",
		`"notes.txt" is a text file without a certificate`)
	if h.hint.Text != dropHint {
		t.Errorf("Home still says %q", h.hint.Text)
	}
	mustContain(t, "log", strings.Join(logged, "\n"), "waiting for the keystore to open",
		"import dialog: 1 certificate offered for "+own.path, `"notes.txt" is a text file`)

	tapOverlayButton(t, w.win, "Confirm")
	settle(t, h)
	if got := aliases(w.model); !slices.Equal(got, []string{"mail.example.com"}) {
		t.Errorf("the own keystore holds %v", got)
	}
}

// TestOpenFilesKeptWhenNoKeystoreOpens: the own keystore cannot open (the
// keyring's password dialog was cancelled). The window asks for another
// keystore; Cancel keeps the files waiting, listed, and they are offered
// as soon as a keystore opens; Forget drops them.
func TestOpenFilesKeptWhenNoKeystoreOpens(t *testing.T) {
	own := &slowOwnKeystore{err: &problem.Error{What: "The keyring is locked", Hint: "Tap Security Material to unlock it."},
		release: make(chan struct{})}
	var logged []string
	h := newSlowHome(t, own, &logged)
	h.OpenFiles(startupFiles(t))
	own.done()
	settle(t, h)
	w := h.ksWin
	if w == nil {
		t.Fatal("no Keystore window once opening failed")
	}
	mustContain(t, "dialog", overlayText(w.win), "No Keystore Open",
		"The app's own keystore did not open: The keyring is locked. Tap Security Material to unlock it.",
		"Cancel keeps the files listed in this window until a keystore is open.")
	tapOverlayButton(t, w.win, "Cancel")
	if !w.waitingBox.Visible() {
		t.Fatal("the cancelled files are not listed")
	}
	mustContain(t, "window", w.waitingText.Text, "server.cer, notes.txt", "offered as soon as a keystore is open",
		"The app's own keystore did not open: The keyring is locked.")

	// The keyring unlocked from the tile: the own keystore opens, and
	// the files are offered for it.
	own.err, own.path = nil, newKeystore(t, nil)
	h.retryOwnKeystore()
	settle(t, h)
	if w.model == nil || w.model.Path != own.path {
		t.Fatal("the own keystore did not open on retry")
	}
	mustContain(t, "import dialog", overlayText(w.win), "Import Certificates", "1 certificate found", `"notes.txt"`)
	if w.waitingBox.Visible() || len(w.waiting) != 0 {
		t.Error("the files are still listed as waiting")
	}

	// Forget: nothing is offered later.
	tapOverlayButton(t, w.win, "Cancel")
	w.keepWaiting(toURIs(startupFiles(t)))
	forgetWaiting(t, w)
	openKeystore(t, h, newKeystore(t, nil))
	if importDialogOn(w.win) != nil {
		t.Error("forgotten files were offered")
	}
}

func forgetWaiting(t *testing.T, w *keystoreWindow) {
	t.Helper()
	for _, o := range test.LaidOutObjects(w.waitingBox) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Forget These Files" {
			test.Tap(b)
			return
		}
	}
	t.Fatal("no Forget These Files button")
}
