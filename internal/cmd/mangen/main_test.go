package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestManPages: a page for opsdesk and for every command, each naming its
// flags as --help does.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	for page, says := range map[string]string{
		"opsdesk.1":                         "opens the desktop app",
		"opsdesk-keystore-create-keypair.1": `\fB--cn\fP`,
		"opsdesk-credentials-undeploy.1":    "delete NAME does the same",
		"opsdesk-test-smtp.1":               `\fB--protection\fP`,
		"opsdesk-providers.1":               "autoconfig file",
		"opsdesk-completion-bash.1":         "bash",
	} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil {
			t.Error(err)
			continue
		}
		if !strings.HasPrefix(string(b), ".nh\n.TH") || !strings.Contains(string(b), says) || !strings.Contains(string(b), "Nov 2023") {
			t.Errorf("%s lacks %q or its header:\n%.400s", page, says, b)
		}
	}
}
