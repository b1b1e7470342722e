package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runCommand(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, errs := run("version")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if want := "opsdesk " + opsdesk.Version() + "\n"; out != want {
		t.Fatalf("stdout = %q, want %q", out, want)
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"help", "-h", "--help"} {
		code, out, _ := run(arg)
		if code != 0 {
			t.Errorf("%s: exit %d", arg, code)
		}
		for _, sub := range []string{"version", "keystore"} {
			if !strings.Contains(out, sub) {
				t.Errorf("%s: usage does not mention %q:\n%s", arg, sub, out)
			}
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	code, out, errs := run("frobnicate")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if out != "" {
		t.Errorf("unexpected stdout %q", out)
	}
	if !strings.Contains(errs, "frobnicate") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("stderr should be one sentence naming the command, got %q", errs)
	}
}
