package main

import (
	"bufio"
	"context"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/internal/wine"
)

// TestStartWithFilesShowsTheImportDialog starts the real app, as "Open
// with" does, with a certificate and a file that holds none, under a
// private Xvfb. The window must open (no "unknown command"), and once the
// app's own keystore has opened, the import dialog must offer the
// certificate for it and name the other file with the reason: the app
// says so on standard error (ui.Options.Log). With xdotool installed, the
// Keystore window is also looked for by name; OPSDESK_TEST_SCREENSHOT=FILE
// saves the screen with ImageMagick's import, to look at.
//
// OPSDESK_TEST_DISPLAY=:N uses that display number instead of the first
// free one.
func TestStartWithFilesShowsTheImportDialog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real app under Xvfb")
	}
	if wine.Running() {
		t.Skip("under Wine the Windows lane starts the installed opsdesk.exe under the Linux Xvfb itself, with a file, as Open with does (scripts/windows/setup-session.sh)")
	}
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Xvfb is not installed; .ci/run installs it (make deps)")
		}
		t.Skip("Xvfb is not installed (apt-get install xvfb; make deps does): the real app cannot be started here")
	}
	tmp := t.TempDir()
	display := startXvfb(t, xvfb, tmp)

	chain := certtest.NewChain(t, "mail.example.com")
	files := filepath.Join(tmp, "files")
	os.Mkdir(files, 0o700)
	good, bad := filepath.Join(files, "good.cer"), filepath.Join(files, "notes.txt")
	if err := os.WriteFile(good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: chain.Leaf.Cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("remember to renew\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	home := filepath.Join(tmp, "home")
	ownHome := filepath.Join(tmp, "opsdesk")
	cmd := exec.Command(os.Args[0], good, bad)
	cmd.Dir = files
	cmd.Env = append(guiEnv(os.Environ()),
		"OPSDESK_RUN_MAIN=1", "DISPLAY="+display, "LANG=C.UTF-8",
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_RUNTIME_DIR="+tmp,
		"OPSDESK_HOME="+ownHome, "OPSDESK_KEYRING_BACKEND=file", "OPSDESK_KEYRING_FILE_PASSWORD=startup-test-password",
		// No session bus: the keyring library and Fyne would otherwise
		// reach the developer's, or autolaunch one that outlives the test.
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(tmp, "no-bus"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	want := "opsdesk: import dialog: 1 certificate offered for " + filepath.Join(ownHome, "keystore.jks")
	var log []string
	deadline := time.After(90 * time.Second)
	for found := false; !found; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the app ended before showing the import dialog; it said:\n%s", strings.Join(log, "\n"))
			}
			log = append(log, line)
			found = strings.HasPrefix(line, want)
			if found && !strings.Contains(line, `"notes.txt" is a text file without a certificate`) {
				t.Errorf("the dialog does not name the unreadable file: %s", line)
			}
		case <-deadline:
			t.Fatalf("no import dialog within 90 s; the app said:\n%s", strings.Join(log, "\n"))
		}
	}
	for _, l := range log {
		if strings.Contains(l, "unknown command") || strings.Contains(l, "No Keystore Open") {
			t.Errorf("the app said: %s", l)
		}
	}

	if xdotool, err := exec.LookPath("xdotool"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		find := exec.CommandContext(ctx, xdotool, "search", "--sync", "--onlyvisible", "--name", "^Keystore .* Opsdesk$")
		find.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := find.Output()
		if err != nil || strings.TrimSpace(string(out)) == "" {
			t.Errorf("xdotool finds no visible Keystore window: %v", err)
		}
	} else {
		t.Log("xdotool is not installed: the window is not looked for by name")
	}
	if shot := os.Getenv("OPSDESK_TEST_SCREENSHOT"); shot != "" {
		time.Sleep(2 * time.Second) // let the dialog draw
		if out, err := exec.Command("import", "-display", display, "-window", "root", shot).CombinedOutput(); err != nil {
			t.Errorf("screenshot: %v %s", err, out)
		}
	}
}

// startXvfb starts a private X server for the test and returns its
// display; it is stopped when the test ends.
func startXvfb(t *testing.T, xvfb, tmp string) string {
	t.Helper()
	args := []string{"-screen", "0", "1400x900x24", "-nolisten", "tcp"}
	display := os.Getenv("OPSDESK_TEST_DISPLAY")
	var r, w *os.File
	if display != "" {
		args = append([]string{display}, args...)
	} else {
		var err error
		if r, w, err = os.Pipe(); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-displayfd", "3")
	}
	x := exec.Command(xvfb, args...)
	logf, _ := os.Create(filepath.Join(tmp, "xvfb.log"))
	x.Stdout, x.Stderr = logf, logf
	if w != nil {
		x.ExtraFiles = []*os.File{w}
	}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Asked to stop, Xvfb removes its lock file and socket; killed,
		// it leaves them, and the display looks taken to the next run.
		x.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { x.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			x.Process.Kill()
			<-done
		}
	})
	if w == nil {
		time.Sleep(time.Second) // the display is named; give it time to listen
		return display
	}
	w.Close()
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			b, _ := os.ReadFile(filepath.Join(tmp, "xvfb.log"))
			t.Fatalf("Xvfb did not start: %s", b)
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb named no display within 20 s")
	}
	return ""
}

// guiEnv is the environment without what would reach the developer's own
// desktop, keyring or keystore.
func guiEnv(env []string) []string {
	for _, v := range []string{"DISPLAY", "WAYLAND_DISPLAY", "OPSDESK_KEYSTORE_PASSWORD", "OPSDESK_HOME",
		"OPSDESK_KEYRING_BACKEND", "OPSDESK_KEYRING_FILE_PASSWORD", "DBUS_SESSION_BUS_ADDRESS", "HOME",
		"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "FYNE_THEME"} {
		env = withoutVar(env, v)
	}
	return env
}
