package regular

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestReadsARegularFile(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 511, 512, 4096, 100} {
		p := filepath.Join(dir, "f")
		want := bytes.Repeat([]byte{'x'}, size)
		if err := os.WriteFile(p, want, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := Read(p, 4096)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("size %d: got %d bytes, %v", size, len(got), err)
		}
	}
}

func TestRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{dir: "a folder"}
	specialFiles(t, dir, cases)
	for path, what := range cases {
		done := make(chan error, 1)
		go func() { _, err := Read(path, 1<<20); done <- err }()
		select {
		case err := <-done:
			var nr *NotRegularError
			if !errors.As(err, &nr) || nr.What != what {
				t.Errorf("%s: got %v, want it refused as %s", path, err, what)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Read still blocked after 5s", path)
		}
	}
}

// A sparse file claims gigabytes while taking no disk: it must be refused
// from its size alone, with the real size reported.
func TestRefusesAHugeSparseFileBeforeReading(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.jks")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	const size = 5 << 30
	if err := f.Truncate(size); err != nil {
		t.Skipf("this file system cannot make a 5 GB sparse file: %v", err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = Read(p, 64<<20)
	runtime.ReadMemStats(&after)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != size {
		t.Fatalf("got %v, want TooLargeError with the real size %d", err, size)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("refusing allocated %d bytes; it should read nothing", grew)
	}
}

func TestMissingFileIsNotExist(t *testing.T) {
	_, err := Read(filepath.Join(t.TempDir(), "gone.cer"), 10)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v", err)
	}
}

func TestExactlyAtTheLimitIsRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, make([]byte, 10), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := Read(p, 10); err != nil || len(b) != 10 {
		t.Fatalf("10 bytes at limit 10: %d, %v", len(b), err)
	}
	var tl *TooLargeError
	if _, err := Read(p, 9); !errors.As(err, &tl) || tl.Size != 10 {
		t.Fatalf("10 bytes at limit 9: %v", err)
	}
}
