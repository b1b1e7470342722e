package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/internal/cli"
)

// TestFilesToOpen: an argument that exists always means "open these
// files", with every argument handed to the window (which names the
// unreadable ones); a command name stays a command; names of files that
// do not exist are told apart from mistyped commands.
func TestFilesToOpen(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"smtp.cer", "CHAIN.PEM", "my.jks", "notes.txt", "version", "README"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.jks"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	tests := []struct {
		name    string
		args    []string
		open    bool     // files to open: every argument
		missing []string // one sentence about these
	}{
		{"a certificate", []string{"smtp.cer"}, true, nil},
		{"upper-case extension", []string{"CHAIN.PEM"}, true, nil},
		{"a keystore by absolute path", []string{filepath.Join(dir, "my.jks")}, true, nil},
		{"several files, as %F passes them", []string{"smtp.cer", "my.jks"}, true, nil},
		{"one good file and one of another kind", []string{"smtp.cer", "notes.txt"}, true, nil},
		{"a bad file first", []string{"notes.txt", "smtp.cer"}, true, nil},
		{"a good file and a missing one", []string{"smtp.cer", "gone.cer"}, true, nil},
		{"a file of another kind alone", []string{"notes.txt"}, true, nil},
		{"a file without an extension", []string{"README"}, true, nil},
		{"a folder", []string{"folder.jks"}, true, nil},
		{"a file named like a command, as a path", []string{"./version"}, true, nil},
		{"no arguments opens the app without files", nil, false, nil},
		{"a command, though a file has its name", []string{"version"}, false, nil},
		{"a command with arguments", []string{"keystore", "list"}, false, nil},
		{"a command with a file argument", []string{"keystore", "import", "smtp.cer"}, false, nil},
		{"a mistyped command", []string{"verison"}, false, nil},
		{"an option", []string{"--verbose"}, false, nil},
		{"an option before an existing file", []string{"--keystore", "my.jks", "list"}, false, nil},
		{"a missing certificate", []string{"gone.cer"}, false, []string{"gone.cer"}},
		{"two missing files", []string{"gone.cer", "sub/chain.zip"}, false, []string{"gone.cer", "sub/chain.zip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, missing := filesToOpen(tt.args)
			if !slices.Equal(missing, tt.missing) {
				t.Fatalf("filesToOpen(%q) missing = %q, want %q", tt.args, missing, tt.missing)
			}
			if (files != nil) != tt.open {
				t.Fatalf("filesToOpen(%q) = %q, want files: %v", tt.args, files, tt.open)
			}
			if !tt.open {
				return
			}
			if len(files) != len(tt.args) {
				t.Fatalf("got %d files for %d arguments", len(files), len(tt.args))
			}
			for i, f := range files {
				if !filepath.IsAbs(f) || filepath.Base(f) != filepath.Base(tt.args[i]) {
					t.Errorf("%q became %q", tt.args[i], f)
				}
			}
		})
	}
}

// TestCommandNamesAreCommands: every name filesToOpen leaves to
// cli.Run is one it knows.
func TestCommandNamesAreCommands(t *testing.T) {
	for _, name := range cli.Names() {
		var out, errOut strings.Builder
		cli.Run([]string{name, "help"}, strings.NewReader(""), &out, &errOut)
		if strings.Contains(errOut.String(), "unknown command") {
			t.Errorf("%q: %s", name, errOut.String())
		}
	}
}

// TestMissingFilesGetOneSentence runs opsdesk itself: a file that does not
// exist is said so in one line, with the failure exit code and no window.
func TestMissingFilesGetOneSentence(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"gone.cer"}, {"gone.cer", "chain.zip"}} {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Dir = dir
		cmd.Env = append(withoutVar(os.Environ(), "DISPLAY"), "OPSDESK_RUN_MAIN=1", "OPSDESK_HOME="+dir)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err == nil {
			code = 0
		}
		msg := stderr.String()
		if code != cli.ExitFail || stdout.Len() != 0 || strings.Count(msg, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 1 and one line", args, code, stdout.String(), msg)
		}
		if strings.Contains(msg, "unknown command") || !strings.Contains(msg, `"gone.cer"`) || !strings.Contains(msg, "does not exist") && !strings.Contains(msg, "do not exist") {
			t.Errorf("%q: %q", args, msg)
		}
	}
}
