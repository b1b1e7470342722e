package credentials

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A write that the system refuses, as a full disk or a read-only folder
// does, must leave the item as it was. Both are made for real in a helper
// process, in ways that hold for root too (CI runs the tests as root, and
// root writes into a folder whatever its mode): the disk is full for a
// process whose RLIMIT_FSIZE is below the item's size (the kernel stops the
// write part way with EFBIG, as ENOSPC would), and a folder is read-only
// under a read-only bind mount in the process's own mount namespace.

func init() { testChildren["file-write-restricted"] = fileWriteRestrictedChild }

const (
	restrictedOldSecret = "Rw8-kept-old-Vb"
	restrictedNewSecret = "Rw8-never-stored-new-Vb"
)

// fileWriteRestrictedChild opens the Store in OPSDESK_HOME, makes its
// keyring folder read-only (OPSDESK_TEST_READONLY) or limits the size of
// the files it may write (OPSDESK_TEST_FSIZE), then changes the secret of
// "kept" and prints the error.
func fileWriteRestrictedChild() int {
	s, err := Open(Options{Backend: "file"})
	if err != nil {
		fmt.Printf("open: %v\n", err)
		return 1
	}
	if os.Getenv("OPSDESK_TEST_READONLY") == "1" {
		dir := s.fileDir
		if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
			fmt.Printf("mount: %v\n", err)
			return 1
		}
		if err := syscall.Mount("", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			fmt.Printf("mount: %v\n", err)
			return 1
		}
	}
	if v := os.Getenv("OPSDESK_TEST_FSIZE"); v != "" {
		limit, _ := strconv.ParseUint(v, 10, 64)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
			fmt.Printf("setrlimit: %v\n", err)
			return 1
		}
	}
	_, err = s.Edit("kept", Change{Secret: []byte(restrictedNewSecret)})
	fmt.Printf("error=%v\n", err)
	return 0
}

// TestFileWriteRefused: a full disk or a read-only folder makes the write
// fail with a message that says so and names no secret, and the item, its
// file byte for byte, and the folder are as they were.
func TestFileWriteRefused(t *testing.T) {
	// prepare makes a keyring file holding "kept", and returns its file.
	prepare := func(t *testing.T) (*testStore, string) {
		ts := openTest(t, "file")
		if _, err := ts.Add(Entry{Name: "kept", Type: UserCredentials, User: "u"}, []byte(restrictedOldSecret)); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(ts.fileDir)
		if err != nil || len(entries) != 1 {
			t.Fatalf("%v, %v", entries, err)
		}
		return ts, filepath.Join(ts.fileDir, entries[0].Name())
	}
	run := func(t *testing.T, ts *testStore, attr *syscall.SysProcAttr, env ...string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), append(env, "OPSDESK_CREDENTIALS_CHILD=file-write-restricted",
			"OPSDESK_HOME="+ts.home, BackendEnv+"=file")...)
		cmd.SysProcAttr = attr
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	check := func(t *testing.T, ts *testStore, file string, before []byte, out, reason string) {
		t.Helper()
		for _, secret := range []string{restrictedOldSecret, restrictedNewSecret} {
			if strings.Contains(out, secret) {
				t.Fatal("the child's output holds a secret")
			}
		}
		if !strings.HasPrefix(out, "error=") || strings.HasPrefix(out, "error=<nil>") ||
			!strings.Contains(out, reason) || !strings.Contains(out, "Nothing stored was changed") {
			t.Fatalf("want a failure saying %q and that nothing changed:\n%s", reason, out)
		}
		if after, err := os.ReadFile(file); err != nil || !bytes.Equal(after, before) {
			t.Fatalf("the item's file changed (%d bytes, was %d): %v", len(after), len(before), err)
		}
		if entries, err := os.ReadDir(ts.fileDir); err != nil || len(entries) != 1 {
			t.Fatalf("left in the folder: %v, %v", entries, err)
		}
		if user, pw, err := ts.reopen(t).Lookup("kept"); err != nil || user != "u" || string(pw) != restrictedOldSecret {
			t.Fatalf("after the failed write: user %q, the old secret: %v, %v", user, string(pw) == restrictedOldSecret, err)
		}
	}

	t.Run("full disk", func(t *testing.T) {
		ts, file := prepare(t)
		before, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// Half the item fits: the write fails part way, as on a full disk.
		out, err := run(t, ts, nil, "OPSDESK_TEST_FSIZE="+strconv.Itoa(len(before)/2))
		if err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		check(t, ts, file, before, out, "file too large")
	})

	t.Run("read-only folder", func(t *testing.T) {
		ts, file := prepare(t)
		before, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		reason := "permission denied"
		var attr *syscall.SysProcAttr
		var env []string
		if os.Geteuid() == 0 {
			attr, env, reason = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}, []string{"OPSDESK_TEST_READONLY=1"}, "read-only file system"
		} else {
			if err := os.Chmod(ts.fileDir, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(ts.fileDir, 0o700) })
		}
		out, err := run(t, ts, attr, env...)
		if attr != nil && (errors.Is(err, syscall.EPERM) || strings.HasPrefix(out, "mount:")) {
			t.Skipf("skipped: as root, a folder is read-only only under a read-only mount, and this machine refuses this test a mount namespace (%v %s); the full-disk case still covers a refused write", err, out)
		}
		if err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		check(t, ts, file, before, out, reason)
	})
}
