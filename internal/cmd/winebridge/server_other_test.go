//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestUnixPath(t *testing.T) {
	s := server{prefix: "/tmp/prefix"}
	for in, want := range map[string]string{
		`C:\users\Jörg Müller\Temp\x\keystore.jks`: "/tmp/prefix/dosdevices/c:/users/Jörg Müller/Temp/x/keystore.jks",
		`z:/work/a b.cer`: "/tmp/prefix/dosdevices/z:/work/a b.cer",
		"-storepass":      "-storepass",
		"pass:secret":     "pass:secret",
		"relative\\file":  "relative\\file",
	} {
		if got := s.unixPath(in); got != want {
			t.Errorf("unixPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRunChecksTokenAndTool(t *testing.T) {
	s := server{prefix: t.TempDir(), token: "t0k3n", tools: []string{"true", "false"}}
	if r := s.run(request{Token: "wrong", Tool: "true"}); r.Err == "" {
		t.Error("a wrong token was accepted")
	}
	if r := s.run(request{Token: "t0k3n", Tool: "sh", Args: []string{"-c", "echo hi"}}); r.Err == "" {
		t.Error("a tool not allowed was run")
	}
	if r := s.run(request{Token: "t0k3n", Tool: "false"}); r.Err != "" || r.Code != 1 {
		t.Errorf("false: %+v", r)
	}
	dir := filepath.Join(s.prefix, "drive_c", "work")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(s.prefix, "dosdevices"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../drive_c", filepath.Join(s.prefix, "dosdevices", "c:")); err != nil {
		t.Fatal(err)
	}
	if r := s.run(request{Token: "t0k3n", Tool: "true", Dir: `C:\work`}); r.Err != "" || r.Code != 0 {
		t.Errorf("true in C:\\work: %+v", r)
	}
}
