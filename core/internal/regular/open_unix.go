//go:build unix

package regular

import (
	"io/fs"
	"os"
	"syscall"
)

// openNoBlock opens path for reading without waiting: a FIFO otherwise
// blocks in open until some program opens it for writing.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

func stat(path string) (fs.FileInfo, error) { return os.Stat(path) }
