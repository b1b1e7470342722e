package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// The Windows installer offers Opsdesk in "Open with" for every file name
// the app opens (certs.Extensions, keystore.Extensions), and its
// uninstaller takes each of them back: a list kept by hand in the NSIS
// script would drift from the one the app reads (it had: .pfx, .keystore,
// .p7c and .zip were missing).
func TestInstallerOpensWhatTheAppOpens(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "packaging", "windows", "opsdesk.nsi"))
	if err != nil {
		t.Fatal(err)
	}
	script := string(data)
	check := func(exts []string, progID string) {
		for _, ext := range exts {
			for _, macro := range []string{"OpenWith", "UnOpenWith"} {
				line := fmt.Sprintf("!insertmacro %s %q %q", macro, ext, progID)
				if !strings.Contains(script, line) {
					t.Errorf("opsdesk.nsi lacks %s", line)
				}
			}
		}
	}
	check(certs.Extensions, "Opsdesk.Certificate")
	check(keystore.Extensions, "Opsdesk.Keystore")
	if n, want := strings.Count(script, "!insertmacro OpenWith "), len(certs.Extensions)+len(keystore.Extensions); n != want {
		t.Errorf("opsdesk.nsi registers %d extensions; the app opens %d", n, want)
	}
}
