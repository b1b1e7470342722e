package datadir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathIsUnderAppData: on Windows the data folder is
// %APPDATA%\opsdesk, the roaming folder of the user's profile, with its
// drive letter; the Windows lane runs this for a user named "Jörg Müller",
// so the path has a space and letters outside ASCII, and something is
// written there and read back.
func TestPathIsUnderAppData(t *testing.T) {
	t.Setenv(Env, "")
	appData := os.Getenv("APPDATA")
	if appData == "" {
		t.Fatal("APPDATA is not set")
	}
	p, err := Path()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(appData, "opsdesk"); p != want {
		t.Fatalf("data folder %q, want %q", p, want)
	}
	if vol := filepath.VolumeName(p); len(vol) != 2 || vol[1] != ':' {
		t.Fatalf("data folder %q has no drive letter", p)
	}
	t.Logf("data folder: %s", p)

	// Ensure creates it in the real profile: use a folder of our own
	// beside it, as a test may not leave things in the user's data.
	t.Setenv("APPDATA", filepath.Join(t.TempDir(), "Jörg Müller", "AppData", "Roaming"))
	if err := os.MkdirAll(os.Getenv("APPDATA"), 0o700); err != nil {
		t.Fatal(err)
	}
	p, err = Ensure()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(p, `\Jörg Müller\AppData\Roaming\opsdesk`) {
		t.Fatalf("data folder %q", p)
	}
	file := filepath.Join(p, "keystore.jks")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "x" {
		t.Fatalf("read back %q %v", b, err)
	}
}
