package regular

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// holdExclusive opens path the way a rename in progress holds it: shared
// with no one, so every other open fails with a sharing violation.
func holdExclusive(t *testing.T, path string) windows.Handle {
	t.Helper()
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.DELETE, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A read waits out another program's save, under a path with a space and
// umlauts; one held too long fails with the operating system's words.
func TestReadWaitsForAFileBeingReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Schlüssel ablage.jks")
	if err := os.WriteFile(path, []byte("keystore"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := holdExclusive(t, path)
	if _, err := os.Open(path); !busy(err) {
		windows.CloseHandle(h)
		t.Fatalf("an exclusively held file opened: %v", err)
	}
	time.AfterFunc(200*time.Millisecond, func() { windows.CloseHandle(h) })
	if data, err := Read(path, 100); err != nil || string(data) != "keystore" {
		t.Fatalf("read %q, %v", data, err)
	}

	defer func(d time.Duration) { busyRetry = d }(busyRetry)
	busyRetry = 100 * time.Millisecond
	h = holdExclusive(t, path)
	defer windows.CloseHandle(h)
	if _, err := Read(path, 100); !busy(err) {
		t.Fatalf("a file held open for good: %v", err)
	}
}
