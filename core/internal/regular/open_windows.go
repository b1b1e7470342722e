package regular

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

// On Windows a file that another program is replacing (the rename at the
// end of an atomic save, as every Opsdesk and keytool save ends) cannot be
// opened for a moment: ERROR_SHARING_VIOLATION while the rename holds it,
// ERROR_ACCESS_DENIED while the old file is being deleted. Seen in the
// Windows lane with 8 opsdesk processes changing one keystore: commands
// failed with "cannot be read … Sharing violation". Those are tried again
// for a while; named pipes cannot sit in the file system (Windows keeps
// them under \\.\pipe\, which Check refuses), so opening never blocks.

// busyRetry is how long a read waits for another program's save.
var busyRetry = 2 * time.Second

func openNoBlock(path string) (f *os.File, err error) {
	err = retryBusy(func() error {
		f, err = os.Open(path)
		return err
	})
	return f, err
}

func stat(path string) (info fs.FileInfo, err error) {
	err = retryBusy(func() error {
		info, err = os.Stat(path)
		return err
	})
	return info, err
}

func retryBusy(fn func() error) error {
	deadline := time.Now().Add(busyRetry)
	delay := time.Millisecond
	for {
		err := fn()
		if err == nil || !busy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(delay)
		delay = min(2*delay, 50*time.Millisecond)
	}
}

func busy(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == windows.ERROR_SHARING_VIOLATION || errno == windows.ERROR_ACCESS_DENIED)
}
