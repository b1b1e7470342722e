package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets a test run this very binary as opsdesk itself.
func TestMain(m *testing.M) {
	if os.Getenv("OPSDESK_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestHeadlessCommandsPrintNothingExtraUnderTheCLocale: under LANG=C.UTF-8
// Fyne logs a locale error at start-up unless cleanlocale runs first.
func TestHeadlessCommandsPrintNothingExtraUnderTheCLocale(t *testing.T) {
	for _, env := range []string{"LANG=C.UTF-8", "LC_ALL=C.UTF-8", "LANG=POSIX", "LANG=de_DE.UTF-8"} {
		cmd := exec.Command(os.Args[0], "version")
		cmd.Env = append(os.Environ(), "OPSDESK_RUN_MAIN=1", env)
		cmd.Env = withoutVar(cmd.Env, "LANGUAGE")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || !strings.HasPrefix(string(out), "opsdesk ") {
			t.Fatalf("%s: %v %q", env, err, out)
		}
		if stderr.Len() != 0 {
			t.Errorf("%s: stderr %q", env, stderr.String())
		}
	}
}

func withoutVar(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
