package keystore

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/opsdesk/opsdesk/core/problem"
)

// Backup is one saved copy of the keystore, as Cloud Integration's Back Up
// keeps one.
type Backup struct {
	Name    string // the file name, which is what Restore takes
	Path    string
	Created time.Time
	Size    int64
}

const backupStamp = "20060102T150405.000Z"

// BackupDir is where the backups of the keystore at path are kept: a
// folder beside it, so they move with it.
func BackupDir(path string) string {
	return path + ".backups"
}

// Backup saves a copy of the keystore file as it is on disk now.
func (k *Keystore) Backup() (Backup, error) {
	if k.pkcs12 {
		return Backup{}, fileError(k.path, ErrReadOnly, "is a PKCS#12 keystore, which Opsdesk never changes, so it keeps no backups of it",
			"Copy the file itself to keep a copy.", nil)
	}
	dir := BackupDir(k.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Backup{}, fileError(dir, ErrDamaged, "cannot be created", "Check that the folder is writable.", err)
	}
	now := time.Now().UTC()
	base := strings.TrimSuffix(filepath.Base(k.path), filepath.Ext(k.path))
	name := fmt.Sprintf("%s-%s.jks", base, now.Format(backupStamp))
	path := filepath.Join(dir, name)
	if err := writeAtomic(path, k.data); err != nil {
		return Backup{}, fileError(path, ErrDamaged, "could not be written", "Check that the disk is not full.", err)
	}
	return Backup{Name: name, Path: path, Created: now, Size: int64(len(k.data))}, nil
}

// Backups lists the keystore's backups, newest first.
func (k *Keystore) Backups() ([]Backup, error) {
	dir := BackupDir(k.path)
	list, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fileError(dir, ErrNotFound, "cannot be read", "", err)
	}
	var out []Backup
	for _, d := range list {
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".jks") {
			continue
		}
		info, err := d.Info()
		if err != nil {
			continue
		}
		out = append(out, Backup{Name: d.Name(), Path: filepath.Join(dir, d.Name()), Created: info.ModTime(), Size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out, nil
}

// Restore replaces the keystore with one of its backups. The backup must
// open with the keystore's current password; the keystore as it was is
// backed up first, so a restore can itself be undone.
func (k *Keystore) Restore(name string) (Backup, error) {
	if name != filepath.Base(name) {
		return Backup{}, &problem.Error{Kind: ErrNotFound, What: fmt.Sprintf("There is no backup named %q", name), Hint: "List the backups and use one of their names."}
	}
	var safety Backup
	err := k.write(func() error {
		path := filepath.Join(BackupDir(k.path), name)
		data, raw, err := readFile(path)
		if err != nil {
			return err
		}
		if !raw.verify(k.password) {
			return fileError(path, ErrWrongPassword, "was made when the keystore had another password", "Open the backup itself with its old password instead.", nil)
		}
		// The keystore as the file holds it now: write has caught up.
		if safety, err = k.Backup(); err != nil {
			return err
		}
		if err := writeAtomic(k.path, data); err != nil {
			return saveError(k.path, err)
		}
		k.setEntries(data, raw)
		k.rollback() // the library reloads from the restored bytes
		return nil
	})
	return safety, err
}
