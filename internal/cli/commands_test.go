package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/opsdesk/opsdesk"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(args, strings.NewReader(""), &out, &errb)
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

// TestForeignFlagsAreRefused: each command takes only the flags it
// declares; one that belongs to another command is a usage error (exit 2),
// said in one line that names it, and nothing runs.
func TestForeignFlagsAreRefused(t *testing.T) {
	t.Setenv("OPSDESK_HOME", t.TempDir())
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", "never-used")
	for _, tc := range []struct {
		flag string
		args []string
	}{
		{"--cn", []string{"keystore", "list", "--cn", "x"}},
		{"--days", []string{"keystore", "list", "--days", "3", "--keystore", "x.jks"}},
		{"--san", []string{"keystore", "show", "a", "--san", "DNS:x"}},
		{"--json", []string{"keystore", "import", "a.cer", "--json"}},
		{"--der", []string{"keystore", "delete", "a", "--der"}},
		{"--out", []string{"keystore", "passwd", "--out", "x"}},
		{"--user", []string{"credentials", "list", "--user", "u"}},
		{"--json", []string{"credentials", "undeploy", "x", "--json"}},
		{"--from", []string{"test", "tls", "--host", "x", "--from", "a@b"}},
		{"--user", []string{"test", "tls", "--host", "x", "--user", "u"}},
		{"--client-cert", []string{"test", "smtp", "--host", "x", "--client-cert", "c"}},
		{"--mailbox", []string{"test", "pop3", "--host", "x", "--mailbox", "INBOX"}},
		{"--json", []string{"version", "--json"}},
	} {
		code, out, errs := run(tc.args...)
		if code != 2 || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "unknown flag: "+tc.flag) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line naming %s", tc.args, code, out, errs, tc.flag)
		}
	}
}

// TestEveryCommandHasHelp: help is generated from the declarations, for
// every command, on standard output with exit 0.
func TestEveryCommandHasHelp(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		if c.Short == "" {
			t.Errorf("%s has no short help", c.CommandPath())
		}
		args := append(strings.Fields(c.CommandPath())[1:], "--help")
		code, out, errs := run(args...)
		if code != 0 || !strings.Contains(out, "Usage:") || errs != "" {
			t.Errorf("%q: exit %d\n%s%s", args, code, out, errs)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(Root())
}

// TestCompletionScripts: the shells' completion scripts come from the
// same declarations, and the hidden command they call completes command
// names and flag values.
func TestCompletionScripts(t *testing.T) {
	for shell, marker := range map[string]string{"bash": "complete -o default -F __start_opsdesk opsdesk",
		"zsh": "#compdef opsdesk", "fish": "complete -c opsdesk", "powershell": "Register-ArgumentCompleter"} {
		code, out, errs := run("completion", shell)
		if code != 0 || !strings.Contains(out, marker) {
			t.Errorf("completion %s: exit %d, %d bytes, no %q\n%s", shell, code, len(out), marker, errs)
		}
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"keystore", "c"}, []string{"create-keypair", "csr"}},
		{[]string{"credentials", "add", "x", "--type", ""}, []string{"user-credentials", "successfactors", "openconnectors"}},
		{[]string{"keystore", "create-keypair", "x", "--key", "ec"}, []string{"ec256", "ec384"}},
		{[]string{"test", "smtp", "--protection", ""}, []string{"off", "smtps", "starttls-mandatory", "starttls-optional"}},
	} {
		code, out, _ := run(append([]string{cobra.ShellCompNoDescRequestCmd}, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		got := lines[:len(lines)-1] // the last line is the directive
		if code != 0 || strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("complete %q: exit %d, %q, want %q", tc.args, code, got, tc.want)
		}
	}
}
