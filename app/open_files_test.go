package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFilesToOpen(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"smtp.cer", "CHAIN.PEM", "my.jks", "notes.txt", "version"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.jks"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	tests := []struct {
		name string
		args []string
		want bool
	}{
		{"a certificate", []string{"smtp.cer"}, true},
		{"upper-case extension", []string{"CHAIN.PEM"}, true},
		{"a keystore by absolute path", []string{filepath.Join(dir, "my.jks")}, true},
		{"several files, as %F passes them", []string{"smtp.cer", "my.jks"}, true},
		{"no arguments opens the app without files", nil, false},
		{"a command", []string{"version"}, false},
		{"a command with arguments", []string{"keystore", "list"}, false},
		{"a file named like a command", []string{"./version"}, false},
		{"a missing certificate", []string{"gone.cer"}, false},
		{"a folder with a keystore's name", []string{"folder.jks"}, false},
		{"a file of another kind", []string{"notes.txt"}, false},
		{"one good file and one bad", []string{"smtp.cer", "notes.txt"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, ok := filesToOpen(tt.args)
			if ok != tt.want {
				t.Fatalf("filesToOpen(%q) = %v, want %v", tt.args, ok, tt.want)
			}
			if !ok {
				return
			}
			if len(files) != len(tt.args) {
				t.Fatalf("got %d files for %d arguments", len(files), len(tt.args))
			}
			for _, f := range files {
				if !filepath.IsAbs(f) {
					t.Errorf("%q is not absolute", f)
				}
			}
		})
	}
}
