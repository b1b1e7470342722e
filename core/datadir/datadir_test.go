package datadir

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	t.Setenv(Env, "")
	p, err := Path()
	cfg, cfgErr := os.UserConfigDir()
	if err != nil || cfgErr != nil || p != filepath.Join(cfg, "opsdesk") {
		t.Fatalf("default: %q %v (config folder %q %v)", p, err, cfg, cfgErr)
	}

	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(Env, "relative/home")
	p, err = Path()
	// Compared by suffix: the working folder may be spelled through a symlink.
	if err != nil || !filepath.IsAbs(p) || !strings.HasSuffix(p, filepath.Join("", "relative", "home")) {
		t.Fatalf("OPSDESK_HOME relative: %q %v", p, err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("Path created the folder: %v", err)
	}
	if p, err = Ensure(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || !fi.IsDir() {
		t.Fatalf("Ensure: %v %v", fi, err)
	}
	// Windows has no mode bits (Go reports 0777 for every folder): the
	// folder is private because the user's profile is.
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Fatalf("Ensure: mode %v", fi.Mode())
	}
}
