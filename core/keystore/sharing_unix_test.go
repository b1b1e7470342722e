//go:build unix

package keystore_test

import (
	"bytes"
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// specialPaths adds a FIFO and a device to cases: a FIFO as the keystore
// blocked Opsdesk forever in open, /dev/zero grew it to 214 MB.
func specialPaths(t *testing.T, dir string, cases map[string]string) {
	fifo := filepath.Join(dir, "fifo.jks")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases[fifo] = "is a named pipe (FIFO), not a keystore file"
	cases["/dev/zero"] = "is a device, not a keystore file"
}

func TestAKeystoreWithHardLinksIsRefusedNotSplit(t *testing.T) {
	k := newStore(t, "changeit")
	second := filepath.Join(t.TempDir(), "second-name.jks")
	if err := os.Link(k.Path(), second); err != nil {
		t.Skipf("this file system has no hard links: %v", err)
	}
	before, _ := os.ReadFile(k.Path())
	err := addOne(k, t, "linked")
	if !errors.Is(err, keystore.ErrNotWritable) || !strings.Contains(err.Error(), "has 2 names (hard links)") {
		t.Fatalf("got %v", err)
	}
	a, _ := os.Stat(k.Path())
	b, _ := os.Stat(second)
	if !os.SameFile(a, b) {
		t.Error("the hard link was split")
	}
	if after, _ := os.ReadFile(k.Path()); !bytes.Equal(before, after) || len(k.Entries()) != 0 {
		t.Error("a refused change changed the keystore")
	}
}

// A keystore shared with a service's user keeps that owner when root
// edits it (before: it became root:root on a new inode).
func TestSavingAsRootKeepsAForeignOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another user; CI runs as root")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody here: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	k := newStore(t, "changeit")
	if err := os.Chown(k.Path(), uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := addOne(k, t, "foreign"); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(k.Path())
	st := info.Sys().(*syscall.Stat_t)
	if int(st.Uid) != uid || int(st.Gid) != gid {
		t.Fatalf("owner %d:%d after saving, want nobody %d:%d", st.Uid, st.Gid, uid, gid)
	}
}
