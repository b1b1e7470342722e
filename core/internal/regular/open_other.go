//go:build !unix

package regular

import "os"

// openNoBlock is a plain open where named pipes cannot sit in the file
// system (Windows keeps them under \\.\pipe\, which Check refuses).
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
