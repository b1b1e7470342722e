package connectivity

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// Windows reports a refused, reset or unroutable connection with Winsock's
// codes (WSAECONNREFUSED, 10061, and so on), which syscall.Errno on Windows
// does not match against the Unix names: errors.Is(err,
// syscall.ECONNREFUSED) is false there, and every refused connection was
// explained as "The test failed". The Unix names stay for errors Go makes
// itself.
var (
	errsRefused     = []error{syscall.ECONNREFUSED, windows.WSAECONNREFUSED}
	errsReset       = []error{syscall.ECONNRESET, windows.WSAECONNRESET, windows.WSAECONNABORTED}
	errsUnreachable = []error{syscall.EHOSTUNREACH, syscall.ENETUNREACH, windows.WSAEHOSTUNREACH, windows.WSAENETUNREACH}
)
