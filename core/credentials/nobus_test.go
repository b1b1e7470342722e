package credentials

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/credentials/internal/dbusenv"
)

// TestMain lets a test run this binary as a fresh process, whose package
// initialisation (where the keyring library looks for D-Bus) sees the
// environment the test chose, or which a test kills (testChildren).
func TestMain(m *testing.M) {
	mode := os.Getenv("OPSDESK_CREDENTIALS_CHILD")
	if mode == "1" {
		os.Exit(child())
	}
	if run := testChildren[mode]; run != nil {
		os.Exit(run())
	}
	os.Exit(m.Run())
}

// child opens the store as the app would and reports what happened.
func child() int {
	fmt.Printf("guarded=%v address=%q\n", dbusenv.Guarded(), os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	s, err := Open(Options{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Printf("error=%s\n", err)
		return 0
	}
	fmt.Printf("backend=%s\n", s.Backend())
	if _, err := s.Add(Entry{Name: "nobus", Type: UserCredentials, User: "u"}, []byte("nobus-secret")); err != nil {
		fmt.Printf("error=%s\n", err)
		return 0
	}
	list, err := s.List()
	fmt.Printf("listed=%d %v\n", len(list), err)
	return 0
}

// TestNoSessionBus: with no D-Bus session at all (a headless server, a
// container), Opsdesk neither launches a bus of its own nor hangs, falls
// back to the encrypted file, and says plainly that the Secret Service
// cannot be reached when asked for it.
func TestNoSessionBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("skipped: D-Bus is how Linux reaches its keyrings; elsewhere there is no bus to miss")
	}
	if _, err := os.Stat(filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "bus")); err == nil {
		t.Skip("skipped: this machine has a per-user session bus socket, so a process without a bus cannot be made here")
	}
	// A dbus-launch that leaves a mark and would keep its caller waiting,
	// first on PATH: the keyring library's D-Bus code runs it when it finds
	// no bus, unless dbusenv stops it.
	bin := t.TempDir()
	mark := filepath.Join(bin, "launched")
	script := "#!/bin/sh\ntouch " + mark + "\nsleep 30\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(backend string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, BackendEnv+"=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "OPSDESK_CREDENTIALS_CHILD=1", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"OPSDESK_HOME="+t.TempDir(), FilePasswordEnv+"="+testFilePassword, BackendEnv+"="+backend)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v after %s\n%s", err, time.Since(start), out)
		}
		if _, err := os.Stat(mark); err == nil {
			t.Fatalf("dbus-launch was run:\n%s", out)
		}
		return string(out)
	}

	out := run("")
	if !strings.Contains(out, `guarded=true address=""`) || !strings.Contains(out, "backend=file") || !strings.Contains(out, "listed=1 <nil>") {
		t.Fatalf("without a bus:\n%s", out)
	}
	out = run("secret-service")
	if !strings.Contains(out, "error=The secret-service keyring cannot be reached: no D-Bus session bus was found.") {
		t.Fatalf("the Secret Service asked for without a bus:\n%s", out)
	}
}
