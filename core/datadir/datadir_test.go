package datadir

import (
	"os"
	"path/filepath"
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
	if fi, err := os.Stat(p); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("Ensure: %v %v", fi, err)
	}
}
