package cli

import (
	"os"
	"testing"
)

// TestMain lets a test run this very binary as the command line, as
// opsdesk runs it: several processes at once on one keystore.
func TestMain(m *testing.M) {
	if os.Getenv("OPSDESK_RUN_CLI") == "1" {
		os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
