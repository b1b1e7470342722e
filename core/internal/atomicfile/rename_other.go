//go:build !windows

package atomicfile

import "os"

// Unix replaces a file that others have open; they go on reading the old.
func rename(from, to string) error { return os.Rename(from, to) }
