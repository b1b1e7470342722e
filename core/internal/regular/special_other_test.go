//go:build !unix

package regular

import "testing"

// specialFiles: Windows has no FIFOs, sockets or devices in folders.
func specialFiles(*testing.T, string, map[string]string) {}
