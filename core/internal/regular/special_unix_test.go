//go:build unix

package regular

import (
	"net"
	"path/filepath"
	"syscall"
	"testing"
)

// specialFiles adds a FIFO, a device and a socket to cases, with what
// Read must call each.
func specialFiles(t *testing.T, dir string, cases map[string]string) {
	fifo := filepath.Join(dir, "f.cer")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases[fifo] = "a named pipe (FIFO)"
	cases["/dev/zero"] = "a device"
	sock := filepath.Join(dir, "s")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	cases[sock] = "a socket"
}
