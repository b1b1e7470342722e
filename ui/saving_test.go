package ui

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestEverySaveSaysWhereTheFileWent: a downloaded certificate, a chain
// .zip, a .p7b or a signing request, once written, is confirmed with its
// name and folder; the folder is where the next file dialog starts.
func TestEverySaveSaysWhereTheFileWent(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)        // os.UserHomeDir on Linux and macOS
	t.Setenv("USERPROFILE", home) // and on Windows (seen in the Wine lane)
	h, w := openKeystoreWindow(t, newKeystore(t, nil))
	dir := filepath.Join(t.TempDir(), "exports")
	os.Mkdir(dir, 0o700)
	for _, tc := range []struct{ title, name string }{
		{"Download", "smtp.example.com.cer"},
		{"Download", "certificates.zip"},
		{actionDownloadChain, "client.p7b"},
		{actionDownloadCSR, "client.csr"},
	} {
		path := filepath.Join(dir, tc.name)
		writeSaved(w.win, w.svc, tc.title, path, []byte("data of "+tc.name))
		settle(t, h)
		mustContain(t, tc.title+" confirmation", overlayText(w.win), "Saved "+tc.name, "in "+displayPath(dir)+".")
		if b, err := os.ReadFile(path); err != nil || string(b) != "data of "+tc.name {
			t.Errorf("%s: %q %v", tc.name, b, err)
		}
		tapOverlayButton(t, w.win, "Close")
	}
	if got := saveStartDir(h.app); got != dir {
		t.Errorf("the next file dialog starts in %q, want %q where the user saved", got, dir)
	}
}

// TestFileDialogsStartWhereTheUserKeepsFiles: Documents, else home, until
// the user saves somewhere; a folder saved into and since removed is
// forgotten. Importing from a folder does not make it the start.
func TestFileDialogsStartWhereTheUserKeepsFiles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)        // os.UserHomeDir on Linux and macOS
	t.Setenv("USERPROFILE", home) // and on Windows (seen in the Wine lane)
	h, w := openKeystoreWindow(t, newKeystore(t, nil))
	if got := saveStartDir(h.app); got != home {
		t.Errorf("without Documents: %q, want the home folder %q", got, home)
	}
	docs := filepath.Join(home, "Documents")
	os.Mkdir(docs, 0o700)
	if got := saveStartDir(h.app); got != docs {
		t.Errorf("%q, want Documents %q", got, docs)
	}

	// The own keystore lives in the app's data folder, and certificates
	// are imported from Downloads: neither becomes the start.
	downloads := filepath.Join(home, "Downloads")
	os.Mkdir(downloads, 0o700)
	p := filepath.Join(downloads, "root.cer")
	writePEM(t, p, certValid(t, "Root", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)))
	w.onDropped(toURIs([]string{p}))
	settle(t, h)
	tapOverlayButton(t, w.win, "Confirm")
	settle(t, h)
	if got := saveStartDir(h.app); got != docs {
		t.Errorf("after importing from Downloads: %q, want Documents %q", got, docs)
	}

	saved := filepath.Join(t.TempDir(), "exports")
	os.Mkdir(saved, 0o700)
	writeSaved(w.win, w.svc, "Download", filepath.Join(saved, "a.cer"), []byte("x"))
	settle(t, h)
	if got := saveStartDir(h.app); got != saved {
		t.Errorf("after saving: %q, want %q", got, saved)
	}
	os.RemoveAll(saved)
	if got := saveStartDir(h.app); got != docs {
		t.Errorf("the saved-into folder is gone: %q, want Documents %q", got, docs)
	}
	if l := saveStartLister(h.app); l == nil || localPath(l) != docs {
		t.Errorf("the dialogs' location %v", l)
	}
}
