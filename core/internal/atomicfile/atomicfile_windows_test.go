package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A reader that never lets go makes the save fail after renameRetry, with
// the old content kept and no temporary file left.
func TestReplaceGivesUpOnAFileHeldOpen(t *testing.T) {
	defer func(d time.Duration) { renameRetry = d }(renameRetry)
	renameRetry = 200 * time.Millisecond
	dir := t.TempDir()
	path := filepath.Join(dir, "keystore.jks")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	start := time.Now()
	err = Replace(path, []byte("new"), Options{TempPrefix: ".f.tmp-"})
	if err == nil || !heldOpen(err) {
		t.Fatalf("got %v, want the sharing error", err)
	}
	if took := time.Since(start); took < renameRetry || took > renameRetry+2*time.Second {
		t.Errorf("gave up after %v", took)
	}
	reader.Close()
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("got %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left in the folder: %v", entries)
	}
}
