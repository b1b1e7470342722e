package wine

import (
	"os"
	"runtime"
	"testing"
)

// TestRunning: the Windows lane sets OPSDESK_TEST_WINE=1 so that a build
// that failed to see Wine is caught, rather than silently running tests
// that cannot pass there.
func TestRunning(t *testing.T) {
	want := os.Getenv("OPSDESK_TEST_WINE") == "1"
	if got := Running(); got != want {
		t.Fatalf("Running() = %v on %s, OPSDESK_TEST_WINE says %v", got, runtime.GOOS, want)
	}
}
