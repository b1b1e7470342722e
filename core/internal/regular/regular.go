// Package regular reads files that came from outside (dropped, opened,
// named on a command line) so that no path can hang or exhaust the
// program: only regular files are read, their size is checked before the
// first byte, and the read itself stops at the limit whatever the file
// claims. A named pipe would block in open, and /dev/zero or a sparse
// file of many gigabytes would be read until memory runs out.
package regular

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// NotRegularError says a path is something other than a regular file.
type NotRegularError struct {
	What string // "a folder", "a named pipe (FIFO)", …
}

func (e *NotRegularError) Error() string { return "is " + e.What + ", not a file" }

// TooLargeError says a file is larger than the caller reads.
type TooLargeError struct {
	Size  int64 // the file's real size in bytes, as far as it is known
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("is %d bytes, more than the %d read", e.Size, e.Limit)
}

// Kind names what a non-regular file is, in words a user knows.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0, m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a link that leads nowhere"
	case m.IsRegular():
		return "a file"
	}
	return "not an ordinary file"
}

// Check reports, without opening it, whether path is a regular file of
// at most limit bytes. Errors from stat (not found, no permission) come
// back as they are, for errors.Is(err, fs.ErrNotExist).
func Check(path string, limit int64) (fs.FileInfo, error) {
	info, err := stat(path)
	if err != nil {
		return nil, err
	}
	return info, checkInfo(info, limit)
}

func checkInfo(info fs.FileInfo, limit int64) error {
	if !info.Mode().IsRegular() {
		return &NotRegularError{What: Kind(info.Mode())}
	}
	if info.Size() > limit {
		return &TooLargeError{Size: info.Size(), Limit: limit}
	}
	return nil
}

// Read returns the content of the regular file at path, of at most limit
// bytes. What it refuses, it refuses before reading.
func Read(path string, limit int64) ([]byte, error) {
	if _, err := Check(path, limit); err != nil {
		return nil, err
	}
	// The file may have been swapped for a pipe between stat and open:
	// openNoBlock does not wait for a writer, and the second check,
	// on the opened file, catches it.
	f, err := openNoBlock(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkInfo(info, limit); err != nil {
		return nil, err
	}
	// Read one byte past the limit, so a file that grew since stat is
	// caught, and size the buffer from stat so it is read without regrowing.
	data := make([]byte, 0, info.Size()+1)
	for int64(len(data)) <= limit {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := f.Read(data[len(data):min(int64(cap(data)), limit+1)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, &TooLargeError{Size: int64(len(data)), Limit: limit}
}
