//go:build !windows

package connectivity

import "syscall"

// The operating system's errors for a refused, reset or unroutable
// connection (neterr_windows.go has Windows' own).
var (
	errsRefused     = []error{syscall.ECONNREFUSED}
	errsReset       = []error{syscall.ECONNRESET}
	errsUnreachable = []error{syscall.EHOSTUNREACH, syscall.ENETUNREACH}
)
