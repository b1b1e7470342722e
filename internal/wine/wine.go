// Package wine tells whether this Windows program runs under Wine, where
// the Windows test lane (make test-windows) runs it. Tests use it to skip,
// with the reason printed, what Wine cannot show; everything else runs
// there as on Windows.
package wine

// Running reports whether the program runs under Wine: ntdll.dll exports
// wine_get_version there and nowhere else. Always false off Windows.
func Running() bool { return running() }

// Skipper is the part of testing.TB that Skip needs.
type Skipper interface {
	Helper()
	Skipf(format string, args ...any)
}

// Skip skips t under Wine, saying why; elsewhere it does nothing.
func Skip(t Skipper, why string) {
	t.Helper()
	if Running() {
		t.Skipf("skipped under Wine: %s", why)
	}
}
