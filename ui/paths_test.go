package ui

import (
	"path/filepath"
	"runtime"
	"testing"
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
