//go:build !unix

package keystore_test

import "testing"

// specialPaths: Windows has no FIFOs or devices among files.
func specialPaths(*testing.T, string, map[string]string) {}
