package keystore

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/problem"
)

// change applies edit to the keystore and saves it. If the edit or the save
// fails, the keystore is exactly as before, in memory and on disk.
func (k *Keystore) change(edit func(lib jks.KeyStore) error) error {
	if k.readOnly {
		return &problem.Error{Source: k.path, Kind: ErrReadOnly, What: "was opened without its password, so it cannot be changed",
			Hint: "Open it again with its password."}
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
	if err := k.save(k.data); err != nil {
		k.rollback()
		return err
	}
	return nil
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
				zero(entry.PrivateKey)
			}
		}
	}
}

// rollback throws away unsaved edits: the library is loaded again from
// the last saved bytes when next needed.
func (k *Keystore) rollback() {
	k.lib, k.libReady = newLibrary(), k.data == nil
}

// save writes the keystore over its file, atomically, provided the file
// still holds expected (nil: the file must not exist yet).
func (k *Keystore) save(expected []byte) error {
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
	if err := checkUnchanged(k.path, expected); err != nil {
		return err
	}
	if err := writeAtomic(k.path, data); err != nil {
		return fileError(k.path, ErrDamaged, "could not be saved", "Check that the folder is writable and the disk is not full; the keystore was not changed.", err)
	}
	k.setEntries(data, raw) // k.lib already holds what was written
	return nil
}

// checkUnchanged refuses to overwrite a file that another program (a
// second Opsdesk, keytool) changed since we read it.
func checkUnchanged(path string, expected []byte) error {
	current, err := os.ReadFile(path)
	switch {
	case expected == nil && errors.Is(err, fs.ErrNotExist):
		return nil
	case expected == nil && err == nil:
		return fileError(path, ErrExists, "already exists", "Open it instead, or choose another file name.", nil)
	case err != nil && errors.Is(err, fs.ErrNotExist):
		return fileError(path, ErrChangedOnDisk, "was deleted or moved by another program after Opsdesk opened it, so nothing was saved",
			"Open the keystore again and repeat your change.", nil)
	case err != nil:
		return fileError(path, ErrChangedOnDisk, "cannot be read back before saving", "Check the disk and try again.", err)
	case !bytes.Equal(current, expected):
		return fileError(path, ErrChangedOnDisk, "was changed by another program after Opsdesk opened it, so nothing was saved",
			"Open the keystore again to see the other change, then repeat yours.", nil)
	}
	return nil
}

// writeAtomic replaces path with data so that a crash at any moment leaves
// either the old file or the new one: write a temporary file in the same
// folder, flush it to disk, then rename it over the original.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	mode := fs.FileMode(0o600) // a keystore may hold private keys
	if info, err := os.Stat(path); err == nil {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	removeLeftovers(path, time.Now())
	return nil
}

// syncDir makes the rename itself durable. Windows cannot open a folder
// for syncing, and does not need to.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
