package keystore_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// holdLock takes the keystore's lock as another program would: the lock
// file beside the keystore, ".NAME.lock", locked with flock/LockFileEx.
func holdLock(t *testing.T, path string) *flock.Flock {
	t.Helper()
	l := flock.New(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock"))
	if err := l.Lock(); err != nil {
		t.Fatal(err)
	}
	return l
}

func addOne(k *keystore.Keystore, t *testing.T, cn string) error {
	_, err := k.AddCertificates([]keystore.Candidate{{Cert: certtest.CA(t, cn).Cert, Alias: strings.ReplaceAll(cn, " ", "-")}})
	return err
}

// A command opens, then changes: whatever another program saved in
// between is kept, and the change applies to it.
func TestFollowDiskAppliesTheChangeToTheLatestFile(t *testing.T) {
	k := newStore(t, "changeit")
	k.SetWriteOptions(keystore.WriteOptions{FollowDisk: true})
	other, err := keystore.Open(k.Path(), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := addOne(other, t, "first"); err != nil {
		t.Fatal(err)
	}
	if err := addOne(k, t, "second"); err != nil {
		t.Fatalf("a change after another program's: %v", err)
	}
	if got := strings.Join(aliases(k), ","); got != "first,second" {
		t.Fatalf("entries %s", got)
	}
	if fp := keytoolFingerprints(t, k.Path(), "changeit"); len(fp) != 2 {
		t.Fatalf("keytool lists %v", fp)
	}
	// Checks run on the latest content too: the alias the other program
	// took is refused, not overwritten.
	if err := k.Rename("second", "first", nil); !errors.Is(err, keystore.ErrAliasTaken) {
		t.Fatalf("rename onto an alias taken meanwhile: %v", err)
	}
}

// The app's way: the change is refused, Reload takes the other change,
// and the same change then succeeds with both kept.
func TestChangedOnDiskThenReloadAndApply(t *testing.T) {
	k := newStore(t, "changeit")
	other, err := keystore.Open(k.Path(), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := addOne(other, t, "theirs"); err != nil {
		t.Fatal(err)
	}
	if err := k.CheckUnchanged(); !errors.Is(err, keystore.ErrChangedOnDisk) {
		t.Fatalf("CheckUnchanged after another save: %v", err)
	}
	if err := addOne(k, t, "mine"); !errors.Is(err, keystore.ErrChangedOnDisk) {
		t.Fatalf("change without reload: %v", err)
	}
	if err := k.Reload(); err != nil {
		t.Fatal(err)
	}
	if err := k.CheckUnchanged(); err != nil {
		t.Fatalf("after reload: %v", err)
	}
	if err := addOne(k, t, "mine"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(aliases(k), ","); got != "mine,theirs" {
		t.Fatalf("entries %s", got)
	}
}

// Many writers in one process, each with its own Keystore as separate
// programs have: the OS lock orders them, and every entry arrives.
func TestConcurrentWritersEachKeepTheirEntry(t *testing.T) {
	k := newStore(t, "changeit")
	const writers = 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	certs := make([]certtest.Issued, writers)
	for i := range certs {
		certs[i] = certtest.CA(t, fmt.Sprintf("writer %d", i))
	}
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			w, err := keystore.Open(k.Path(), []byte("changeit"))
			if err != nil {
				errs <- err
				return
			}
			defer w.Close()
			w.SetWriteOptions(keystore.WriteOptions{FollowDisk: true})
			_, err = w.AddCertificates([]keystore.Candidate{{Cert: certs[i].Cert, Alias: fmt.Sprintf("w%02d", i)}})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Reload(); err != nil {
		t.Fatal(err)
	}
	if n := len(k.Entries()); n != writers {
		t.Fatalf("%d of %d entries arrived: %v", n, writers, aliases(k))
	}
}

func TestAChangeWaitsForTheLockAndSaysSo(t *testing.T) {
	k := newStore(t, "changeit")
	l := holdLock(t, k.Path())
	waited := 0
	k.SetWriteOptions(keystore.WriteOptions{FollowDisk: true, Waiting: func() { waited++ }})
	go func() {
		time.Sleep(keystore.LockNotice + 300*time.Millisecond)
		l.Unlock()
	}()
	if err := addOne(k, t, "patient"); err != nil {
		t.Fatalf("after the other program let go: %v", err)
	}
	if waited != 1 {
		t.Errorf("Waiting called %d times, want once", waited)
	}
}

func TestAChangeGivesUpOnAStuckLockAndChangesNothing(t *testing.T) {
	k := newStore(t, "changeit")
	before, _ := os.ReadFile(k.Path())
	l := holdLock(t, k.Path())
	defer l.Unlock()
	k.SetWriteOptions(keystore.WriteOptions{LockTimeout: 200 * time.Millisecond})
	err := addOne(k, t, "impatient")
	if !errors.Is(err, keystore.ErrLocked) || !strings.Contains(err.Error(), "another program that has not finished after 200ms") {
		t.Fatalf("got %v", err)
	}
	if after, _ := os.ReadFile(k.Path()); !bytes.Equal(before, after) || len(k.Entries()) != 0 {
		t.Error("a refused change changed the keystore")
	}
}

// A lock file left by a killed program does not block: the lock is the
// operating system's and went with the process; the file alone is inert.
func TestALeftoverLockFileDoesNotBlock(t *testing.T) {
	k := newStore(t, "changeit")
	lock := filepath.Join(filepath.Dir(k.Path()), ".keystore.jks.lock")
	if _, err := os.Stat(lock); err != nil {
		t.Fatalf("the lock file should stay beside the keystore: %v", err)
	}
	k.SetWriteOptions(keystore.WriteOptions{LockTimeout: 200 * time.Millisecond})
	if err := addOne(k, t, "after"); err != nil {
		t.Fatal(err)
	}
}

func TestCreateRefusesWhatAnotherProgramJustCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.jks")
	var wg sync.WaitGroup
	results := make(chan error, 6)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := keystore.Create(path, []byte("changeit"))
			if err == nil {
				k.Close()
			}
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	created := 0
	for err := range results {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, keystore.ErrExists):
			t.Errorf("unexpected: %v", err)
		}
	}
	if created != 1 {
		t.Fatalf("%d programs created the same keystore", created)
	}
}

func TestSavingThroughASymlinkWritesItsTarget(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	k := newStore(t, "changeit")
	real := k.Path()
	link := filepath.Join(t.TempDir(), "link.jks")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	viaLink, err := keystore.Open(link, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer viaLink.Close()
	if err := addOne(viaLink, t, "through link"); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v %v", info.Mode(), err)
	}
	if fp := keytoolFingerprints(t, real, "changeit"); len(fp) != 1 {
		t.Fatalf("the real keystore lacks the entry: %v", fp)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(link), ".*tmp*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files beside the link: %v", leftovers)
	}
}

func TestCreateThroughADanglingLinkSaysSo(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "link.jks")
	if err := os.Symlink(filepath.Join(dir, "missing", "target.jks"), link); err != nil {
		t.Fatal(err)
	}
	_, err := keystore.Create(link, []byte("changeit"))
	if err == nil || !strings.Contains(err.Error(), "is a link to a file that does not exist") {
		t.Fatalf("got %v", err)
	}
}

func TestSavingKeepsTheFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no Unix file modes")
	}
	k := newStore(t, "changeit")
	if err := os.Chmod(k.Path(), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := addOne(k, t, "mode"); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(k.Path()); info.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v after saving, want 0640", info.Mode().Perm())
	}
}

// What the keystore path may be instead of a keystore: refused at once
// with what it is, in bounded time and memory, nothing written.
func TestOpeningWhatIsNotAKeystoreFileIsRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{dir: "is a folder"}
	specialPaths(t, dir, cases)
	sparse := filepath.Join(dir, "huge.jks")
	if f, err := os.Create(sparse); err == nil {
		if f.Truncate(5<<30) == nil {
			cases[sparse] = "is 5.0 GB, far beyond any keystore"
		}
		f.Close()
	}
	for path, says := range cases {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		done := make(chan error, 1)
		go func() { _, err := keystore.Open(path, []byte("changeit")); done <- err }()
		select {
		case err := <-done:
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), says) {
				t.Errorf("%s: got %v, want %q", path, err, says)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
				t.Errorf("%s: refusing it allocated %d bytes", path, grew)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Open still blocked after 5s", path)
		}
	}
}
