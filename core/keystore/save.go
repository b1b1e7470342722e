package keystore

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"runtime"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/internal/atomicfile"
	"github.com/opsdesk/opsdesk/core/problem"
)

// change applies edit to the keystore and saves it, under the file's lock
// (see write). If the edit or the save fails, the keystore is exactly as
// before, in memory and on disk. A nil edit only checks that the keystore
// may be changed.
func (k *Keystore) change(edit func(lib jks.KeyStore) error) error {
	return k.write(func() error {
		if edit == nil {
			return nil
		}
		lib, err := k.library()
		if err != nil {
			return err
		}
		if err := edit(lib); err != nil {
			k.rollback()
			return err
		}
		k.lowerCaseAliases()
		if err := k.save(); err != nil {
			k.rollback()
			return err
		}
		return nil
	})
}

// lowerCaseAliases moves entries stored under upper-case aliases (written
// by tools other than Java) to their lower-case alias: Java lists such an
// entry but cannot reach it, so keytool -list fails on the whole file. A
// key pair can only move when its key opens with the store password.
func (k *Keystore) lowerCaseAliases() {
	for _, e := range k.entries {
		if e.stored == e.Alias {
			continue
		}
		switch e.Type {
		case Certificate:
			if entry, err := k.lib.GetTrustedCertificateEntry(e.stored); err == nil {
				k.lib.DeleteEntry(e.stored)
				_ = k.lib.SetTrustedCertificateEntry(e.Alias, entry)
			}
		case KeyPair:
			if entry, err := k.decryptKey(e, k.password); err == nil {
				k.lib.DeleteEntry(e.stored)
				_ = k.lib.SetPrivateKeyEntry(e.Alias, entry, k.password)
				clear(entry.PrivateKey)
			}
		}
	}
}

// rollback throws away unsaved edits: the library is loaded again from
// the last saved bytes when next needed.
func (k *Keystore) rollback() {
	k.lib, k.libReady = newLibrary(), k.data == nil
}

// save writes the library over the keystore's file, atomically. Run
// under the lock, after catchUp: the file holds k.data.
func (k *Keystore) save() error {
	var buf bytes.Buffer
	if err := k.lib.Store(&buf, k.password); err != nil {
		return fileError(k.path, ErrDamaged, "could not be written", "Nothing was changed.", err)
	}
	data := buf.Bytes()
	// What we write must pass our own reading: a last guard against a
	// keystore-go bug leaving a file we (or Java) could not open.
	raw, err := parse(data)
	if err != nil {
		return fileError(k.path, ErrDamaged, "could not be written correctly", "Nothing was changed; please report this.", err)
	}
	if err := writeAtomic(k.path, data); err != nil {
		return saveError(k.path, err)
	}
	k.setEntries(data, raw) // k.lib already holds what was written
	return nil
}

// saveError keeps writeAtomic's own sentences and puts the others into one.
func saveError(path string, err error) error {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return err
	}
	return fileError(path, ErrDamaged, "could not be saved", "Check that the folder is writable and the disk is not full; the keystore was not changed.", err)
}

// writeAtomic replaces the file at path with data so that a crash at any
// moment leaves either the old file or the new one (see atomicfile). The
// file keeps its identity as far as a rename allows: through a symbolic
// link the file it leads to is replaced, and its mode, owner and group
// carry over. What cannot carry over is refused with a sentence before
// anything is replaced.
func writeAtomic(path string, data []byte) error {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	mode := fs.FileMode(0o600) // a keystore may hold private keys
	old, statErr := os.Stat(target)
	if statErr == nil {
		if err := keepable(path, old); err != nil {
			return err
		}
		mode = old.Mode().Perm()
	}
	err = atomicfile.Replace(target, data, atomicfile.Options{
		TempPrefix: tempPrefix(target),
		Prepare: func(tmp *os.File) error {
			if err := tmp.Chmod(mode); err != nil && runtime.GOOS != "windows" {
				return err
			}
			if statErr == nil {
				return keepOwner(path, tmp, old)
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	removeLeftovers(target, time.Now())
	return nil
}
