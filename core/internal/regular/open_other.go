//go:build !unix && !windows

package regular

import (
	"io/fs"
	"os"
)

// openNoBlock is a plain open where named pipes cannot sit in the file
// system.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }

func stat(path string) (fs.FileInfo, error) { return os.Stat(path) }
