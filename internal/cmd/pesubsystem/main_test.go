package main

import (
	"debug/pe"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/opsdesk/opsdesk/internal/wine"
)

// TestConsoleTwin builds a real windowed Windows program with the Go
// toolchain, makes its console twin, and reads both back with debug/pe:
// only the subsystem differs.
func TestConsoleTwin(t *testing.T) {
	// The lane checks the real opsdesk.com instead: it runs it in cmd.exe.
	wine.Skip(t, "pesubsystem is a build tool that runs on Linux, and this test needs the go command, which Wine does not have")
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() { println(\"hello\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "hello.exe")
	build := exec.Command("go", "build", "-ldflags", "-H=windowsgui", "-o", exe, src)
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	com := filepath.Join(dir, "hello.com")
	if err := convert(exe, com, subsystemConsole); err != nil {
		t.Fatal(err)
	}
	if got := subsystem(t, exe); got != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Fatalf("the windowed build has subsystem %d", got)
	}
	if got := subsystem(t, com); got != pe.IMAGE_SUBSYSTEM_WINDOWS_CUI {
		t.Errorf("the twin has subsystem %d, want the console's", got)
	}
	a, _ := os.ReadFile(exe)
	b, _ := os.ReadFile(com)
	diff := 0
	for i := range a {
		if a[i] != b[i] {
			diff++
		}
	}
	if len(a) != len(b) || diff != 1 {
		t.Errorf("%d bytes differ (sizes %d, %d); only the subsystem may", diff, len(a), len(b))
	}
	if err := convert(src, filepath.Join(dir, "x"), subsystemConsole); err == nil {
		t.Error("a Go source file was taken for a Windows program")
	}
}

func subsystem(t *testing.T, path string) uint16 {
	t.Helper()
	f, err := pe.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		return h.Subsystem
	case *pe.OptionalHeader32:
		return h.Subsystem
	}
	t.Fatal("no optional header")
	return 0
}
