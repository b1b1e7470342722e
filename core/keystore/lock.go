package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// WriteOptions say how changes meet other programs changing the same file
// (another Opsdesk, a script running several commands at once, keytool
// does not lock but writes whole files).
type WriteOptions struct {
	// FollowDisk: when another program saved the file since it was read,
	// a change re-reads it under the lock and applies itself to what the
	// file holds now. A command, which reads and changes in one go, wants
	// this. The app does not: its user chose the change looking at the
	// entries shown, so it gets ErrChangedOnDisk, reloads and asks.
	FollowDisk bool
	// LockTimeout is how long a change waits for another program's change
	// to finish; zero means DefaultLockTimeout.
	LockTimeout time.Duration
	// Waiting, when set, is called once, on the goroutine making the
	// change, when it has waited LockNotice for the lock, so that a person
	// is told why nothing happens.
	Waiting func()
}

const (
	// DefaultLockTimeout: a change takes well under a second even on a
	// 10,000-entry keystore, so half a minute means the other program is
	// stuck, not slow.
	DefaultLockTimeout = 30 * time.Second
	// LockNotice is how long a change waits before Waiting is called.
	LockNotice = time.Second
	// lockPoll is how often a waiting change tries the lock again.
	lockPoll = 5 * time.Millisecond
)

// SetWriteOptions sets how later changes meet other writers.
func (k *Keystore) SetWriteOptions(o WriteOptions) { k.opts = o }

// lockPath is the lock file of the keystore file target, beside it. It is
// never removed: removing it while another process waits on it would let
// two writers hold "the" lock at once. The lock itself is the operating
// system's (flock, LockFileEx) and ends with the process that held it, so
// a killed Opsdesk never leaves the keystore locked.
func lockPath(target string) string {
	return filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".lock")
}

// write runs one change whole, its checks and its edit, with the file
// locked against other writers and the keystore as the file holds it now:
// nothing another program saved meanwhile is lost, and nothing the change
// checked can go stale before it is saved. Calls nest: an inner write
// runs within the outer one's lock.
func (k *Keystore) write(op func() error) error {
	if k.pkcs12 {
		return fileError(k.path, ErrPKCS12ReadOnly, "is a PKCS#12 keystore, which Opsdesk reads but does not change",
			"Save it as a JKS keystore (Download) and change that, or bring its entries into one with Add ▾ Keystore.", nil)
	}
	if k.readOnly {
		return fileError(k.path, ErrReadOnly, "was opened without its password, so it cannot be changed", "Open it again with its password.", nil)
	}
	if k.locked {
		return op()
	}
	unlock, err := k.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := k.catchUp(); err != nil {
		return err
	}
	return op()
}

// lock takes the keystore's lock, waiting as the write options say.
func (k *Keystore) lock() (unlock func(), err error) {
	target, err := resolve(k.path)
	if err != nil {
		return nil, err
	}
	l := flock.New(lockPath(target), flock.SetPermissions(0o644))
	timeout := k.opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	start := time.Now()
	told := false
	for {
		ok, err := l.TryLock()
		if err != nil {
			return nil, fileError(k.path, ErrNotWritable, "cannot be changed: Opsdesk cannot create its lock file beside it",
				"Check that the folder exists and that you may create files in it.", err)
		}
		if ok {
			break
		}
		waited := time.Since(start)
		if waited >= timeout {
			_ = l.Close()
			return nil, fileError(k.path, ErrLocked,
				fmt.Sprintf("is being changed by another program that has not finished after %s, so nothing was changed", timeout),
				"Try again once the other program (another Opsdesk, or a script) has finished.", nil)
		}
		if waited >= LockNotice && !told && k.opts.Waiting != nil {
			told = true
			k.opts.Waiting()
		}
		time.Sleep(lockPoll)
	}
	k.locked = true
	return func() {
		k.locked = false
		_ = l.Unlock()
	}, nil
}

// catchUp makes the keystore what the file holds now. Run under the lock.
func (k *Keystore) catchUp() error {
	if k.data == nil { // being created: save checks that no file is there
		return nil
	}
	data, err := k.onDisk()
	if err == nil || !errors.Is(err, ErrChangedOnDisk) || !k.opts.FollowDisk || data == nil {
		return err
	}
	return k.adopt(data)
}

// CheckUnchanged says, with ErrChangedOnDisk, whether another program
// saved the file since the keystore read it, so that the app can ask
// before a change rather than after. Changes check again under the lock.
func (k *Keystore) CheckUnchanged() error {
	_, err := k.onDisk()
	return err
}

// onDisk reads the file and compares it with what the keystore holds: an
// ErrChangedOnDisk error with the new bytes when they differ.
func (k *Keystore) onDisk() ([]byte, error) {
	data, err := readBytes(k.path)
	if errors.Is(err, ErrNotFound) {
		return nil, fileError(k.path, ErrChangedOnDisk, "was deleted or moved by another program after Opsdesk opened it, so nothing was saved",
			"Open the keystore again and repeat your change.", nil)
	}
	if err != nil {
		return nil, err
	}
	held := k.data
	if k.pkcs12 {
		held = k.p12Data
	}
	if !bytes.Equal(data, held) {
		return data, fileError(k.path, ErrChangedOnDisk, "was changed by another program after Opsdesk opened it, so nothing was saved",
			"Reload it to see the other change, then repeat yours.", nil)
	}
	return nil, nil
}

// Reload reads the file again, taking what another program saved since
// it was opened. Nothing unsaved is lost: every change saves at once.
func (k *Keystore) Reload() error {
	if k.pkcs12 {
		data, err := readBytes(k.path)
		if err != nil || bytes.Equal(data, k.p12Data) {
			return err
		}
		return k.convertPKCS12(data)
	}
	data, err := readBytes(k.path)
	if err != nil {
		return err
	}
	if bytes.Equal(data, k.data) {
		return nil
	}
	return k.adopt(data)
}

// adopt takes data, the file as another program left it, as the keystore.
func (k *Keystore) adopt(data []byte) error {
	raw, err := parseBytes(k.path, data)
	if err != nil {
		return err
	}
	if !k.readOnly && !raw.verify(k.password) {
		return fileError(k.path, ErrWrongPassword, "was given another password by another program, so nothing was changed",
			"Open it again with its new password.", nil)
	}
	k.setEntries(data, raw)
	k.rollback()
	return nil
}

// resolve follows symbolic links to the file they lead to, so that a save
// replaces that file rather than the link. A path that does not exist yet
// is its own target.
func resolve(path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	if err == nil {
		return target, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		if info, lerr := os.Lstat(path); lerr == nil && info.Mode()&fs.ModeSymlink != 0 {
			return "", fileError(path, ErrNotFound, "is a link to a file that does not exist",
				"Point the link at the keystore, or choose the keystore file itself.", nil)
		}
		return path, nil
	}
	return "", fileError(path, ErrNotFound, "cannot be reached", "Check the path and that you may open its folders.", err)
}
