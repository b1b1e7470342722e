package atomicfile

import (
	"errors"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/windows"
)

// On Windows a file cannot be replaced while another program has it open
// without FILE_SHARE_DELETE, which is how Go's os.Open, keytool, virus
// scanners, indexers and backup tools open files: MoveFileEx fails with
// ERROR_ACCESS_DENIED (or a sharing violation) until they close it. Those
// readers hold a file for milliseconds, and a keystore's lock keeps out
// writers but not readers (another Opsdesk checking for changes), so a
// save met one now and then: the Windows lane's 12 concurrent writers did
// at once. The rename is tried again for a while before the save fails.

// renameRetry is how long a replacement waits for a reader to let go.
var renameRetry = 2 * time.Second

func rename(from, to string) error {
	deadline := time.Now().Add(renameRetry)
	delay := time.Millisecond
	for {
		err := os.Rename(from, to)
		if err == nil || !heldOpen(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(delay)
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// heldOpen reports the errors another program's open handle causes.
func heldOpen(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	return errno == windows.ERROR_ACCESS_DENIED || errno == windows.ERROR_SHARING_VIOLATION || errno == windows.ERROR_LOCK_VIOLATION
}
