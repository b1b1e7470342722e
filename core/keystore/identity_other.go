//go:build !unix

package keystore

import (
	"io/fs"
	"os"
)

// On Windows a file's owner follows from its folder's permissions, and Go
// does not report hard links: nothing to keep beyond what rename keeps.
func keepable(string, fs.FileInfo) error { return nil }

func keepOwner(string, *os.File, fs.FileInfo) error { return nil }
