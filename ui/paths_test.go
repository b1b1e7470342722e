package ui

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2/storage"
)

func TestDisplayPathShortensTheHomeFolder(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows shows full paths")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	for in, want := range map[string]string{
		filepath.Join(home, ".local/share/opsdesk/keystore.jks"): "~/.local/share/opsdesk/keystore.jks",
		home:                              "~",
		"/srv/keystores/system.jks":       "/srv/keystores/system.jks",
		filepath.Dir(home) + "/other.jks": filepath.Dir(home) + "/other.jks",
		home + "-sibling/keystore.jks":    home + "-sibling/keystore.jks",
	} {
		if got := displayPath(in); got != want {
			t.Errorf("displayPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLocalPathIsTheNativeSpelling: a file opened with Opsdesk, dropped
// or picked comes back as the path the user knows. On Windows (and in the
// Windows lane, whose temporary folder is under C:\users\Jörg Müller) that
// is drive letter and backslashes, spaces and umlauts kept.
func TestLocalPathIsTheNativeSpelling(t *testing.T) {
	p := filepath.Join(t.TempDir(), "Zertifikate für SMTP", "smtp server.cer")
	if got := localPath(storage.NewFileURI(p)); got != p {
		t.Fatalf("localPath(NewFileURI(%q)) = %q", p, got)
	}
	if runtime.GOOS == "windows" && (filepath.VolumeName(p) == "" || strings.Contains(localPath(storage.NewFileURI(p)), "/")) {
		t.Fatalf("not a Windows path: %q", p)
	}
}
