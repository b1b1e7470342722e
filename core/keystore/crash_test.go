package keystore_test

import (
	"bufio"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

const crashEnv = "OPSDESK_CRASH_SAVER"

// TestMain lets the test binary double as the process the crash test
// kills: with crashEnv set it only saves, forever.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		saveForever(path)
		return
	}
	os.Exit(m.Run())
}

// saveForever flips the keystore between two contents, "base" and
// "base + extra", saving each time, and says "ready" once it has started.
func saveForever(path string) {
	k, err := keystore.Open(path, []byte("changeit"))
	if err != nil {
		os.Stderr.WriteString(err.Error())
		os.Exit(3)
	}
	extra := certtest.CA(&testing.T{}, "extra")
	os.Stdout.WriteString("ready\n")
	for {
		if k.Has("extra") {
			err = k.Delete("extra")
		} else {
			_, err = k.AddCertificates([]keystore.Candidate{{Cert: extra.Cert, Alias: "extra"}})
		}
		if err != nil {
			os.Stderr.WriteString(err.Error())
			os.Exit(4)
		}
	}
}

// TestCrashDuringSaveLeavesAWorkingKeystore kills a process in the middle
// of saves, many times, at random moments: the keystore must always open
// afterwards, holding either the old or the new content.
func TestCrashDuringSaveLeavesAWorkingKeystore(t *testing.T) {
	k := newStore(t, "changeit")
	var cands []keystore.Candidate
	for _, cn := range []string{"a", "b", "c"} {
		cands = append(cands, keystore.Candidate{Cert: certtest.CA(t, cn).Cert})
	}
	if _, err := k.AddCertificates(cands); err != nil {
		t.Fatal(err)
	}
	path := k.Path()
	const kills = 25
	states := map[string]int{}
	for i := 0; i < kills; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
			_ = cmd.Wait()
			t.Fatalf("saver did not start: %q %s", line, stderr.String())
		}
		time.Sleep(time.Duration(rand.IntN(40_000)) * time.Microsecond)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if strings.TrimSpace(stderr.String()) != "" {
			t.Fatalf("saver failed: %s", stderr.String())
		}

		after, err := keystore.Open(path, []byte("changeit"))
		if err != nil {
			t.Fatalf("kill %d: the keystore no longer opens: %v", i+1, err)
		}
		got := strings.Join(aliases(after), ",")
		after.Close()
		if got != "a,b,c" && got != "a,b,c,extra" {
			t.Fatalf("kill %d: neither old nor new content: %s", i+1, got)
		}
		states[got]++
		// Temporary files of killed saves are left behind; remove them so
		// the next round starts clean.
		tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".keystore.jks.tmp-*"))
		for _, tmp := range tmps {
			os.Remove(tmp)
		}
	}
	t.Logf("after %d kills: %v", kills, states)
}

// TestSaveRemovesLeftoversOfKilledSaves: the temporary files killed saves
// leave beside the keystore go with the next save, but never a fresh one
// (another process may be saving right now) nor anyone else's file.
func TestSaveRemovesLeftoversOfKilledSaves(t *testing.T) {
	k := newStore(t, "changeit")
	dir := filepath.Dir(k.Path())
	old := time.Now().Add(-time.Hour)
	file := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	killed := file(".keystore.jks.tmp-123456", old)
	fresh := file(".keystore.jks.tmp-654321", time.Now())
	others := []string{
		file(".other.jks.tmp-123456", old),   // another keystore's: its own save tidies it
		file(".keystore.jks.tmp-notes", old), // not a name writeAtomic makes
		file("keystore.jks.tmp-123456", old), // not hidden: not ours either
	}
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: certtest.CA(t, "a").Cert}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(killed); !os.IsNotExist(err) {
		t.Errorf("the killed save's leftover is still there (%v)", err)
	}
	for _, p := range append(others, fresh) {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}
