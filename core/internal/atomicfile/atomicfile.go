// Package atomicfile replaces files so that a crash, a kill or a full disk
// at any moment leaves either the old content or the new, never a mix or
// nothing: the new content goes to a temporary file in the same folder, is
// flushed to disk, and is renamed over the old. Keystores and the
// encrypted keyring file are both written this way.
package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Options shape one replacement.
type Options struct {
	// TempPrefix starts the temporary file's name; os.CreateTemp adds
	// digits. Readers of the folder use it to skip files being written.
	TempPrefix string
	// Prepare, when set, adjusts the temporary file once the data is in
	// it and before it is synced: its mode, its owner. The file starts
	// with mode 0600.
	Prepare func(tmp *os.File) error
	// BeforeRename, when set, runs once the new content is synced, just
	// before it replaces the old: where a test stops to leave what a
	// crash leaves.
	BeforeRename func()
}

// Replace puts data at path. On any error the temporary file is removed
// and path is as it was; errors are the operating system's, and may name
// the temporary file.
func Replace(path string, data []byte, o Options) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, o.TempPrefix+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close() // already closed after a failed rename: harmless
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if o.Prepare != nil {
		if err = o.Prepare(tmp); err != nil {
			return err
		}
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if o.BeforeRename != nil {
		o.BeforeRename()
	}
	if err = rename(tmp.Name(), path); err != nil {
		return err
	}
	SyncDir(dir)
	return nil
}

// SyncDir makes a rename in dir survive a power cut. Windows cannot open
// a folder for syncing, and its file system does not need it. A failure is
// not reported: the new file is already in place and readable, and saying
// the save failed would have the user repeat a change that was made.
func SyncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// RemoveStale deletes the temporary files that killed replacements left in
// dir: regular files whose name isTemp accepts, last written more than age
// before now (younger ones may be another process's write in progress).
// Failures are ignored: this is tidying, never a reason for a save to fail.
func RemoveStale(dir string, isTemp func(name string) bool, age time.Duration, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !isTemp(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > age {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
