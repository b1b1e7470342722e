package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReplaceWritesAndLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	for _, content := range []string{"first", "second, longer", ""} {
		if err := Replace(path, []byte(content), Options{TempPrefix: ".f.tmp-"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Fatalf("got %q, want %q", got, content)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left in the folder: %v", entries)
	}
}

// A failure at any step leaves the old content and no temporary file.
func TestAFailedReplaceChangesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	err := Replace(path, []byte("new"), Options{TempPrefix: ".f.tmp-", Prepare: func(*os.File) error { return refused }})
	if !errors.Is(err, refused) {
		t.Fatalf("got %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("content %q after a failed replace", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left in the folder: %v", entries)
	}
	// A rename onto a folder fails late, after the temporary file is synced.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Replace(sub, []byte("new"), Options{TempPrefix: ".sub.tmp-"}); err == nil {
		t.Fatal("replacing a folder that is not empty succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("left in the folder: %v", entries)
	}
}

func TestRemoveStaleKeepsRecentAndForeignFiles(t *testing.T) {
	dir := t.TempDir()
	isTemp := func(name string) bool { return strings.HasPrefix(name, ".f.tmp-") }
	old := time.Now().Add(-time.Hour)
	for _, name := range []string{".f.tmp-1", ".f.tmp-2", "mine.txt"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if name != ".f.tmp-2" {
			_ = os.Chtimes(p, old, old)
		}
	}
	RemoveStale(dir, isTemp, 15*time.Minute, time.Now())
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if strings.Join(left, ",") != ".f.tmp-2,mine.txt" {
		t.Fatalf("left %v: want the recent temporary file and the foreign one", left)
	}
}

// A reader with the file open does not make a replacement fail: on Unix
// it keeps the old content; on Windows, which refuses to replace an open
// file, the rename waits for it (rename_windows.go). Under Wine this failed
// with "Access denied" before.
func TestReplaceWhileAReaderHasTheFileOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keystore.jks")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, func() { reader.Close() })
	if err := Replace(path, []byte("new"), Options{TempPrefix: ".f.tmp-"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("got %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left in the folder: %v", entries)
	}
}
