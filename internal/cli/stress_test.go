package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/internal/wine"
)

// TestParallelCommandsLoseNoUpdate is issue 10's stress test: several
// opsdesk processes import, rename and delete on one keystore at once,
// round after round, while this process holds the keystore open as the app
// does and saves into it now and then. Before the keystore lock, 11–15 of
// 20 parallel imports vanished while reporting success. Afterwards every
// command that exited 0 has its effect in the file, keytool lists exactly
// that, and no command that failed left a trace.
func TestParallelCommandsLoseNoUpdate(t *testing.T) {
	const procs, rounds = 8, 12
	keytool := certtest.Tool(t, "keytool")
	dir := t.TempDir()
	ks := filepath.Join(dir, "shared.jks")
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)

	// Every chain gets its own certificate, so its entry can be told apart.
	type chain struct {
		alias, renamed, file, sha string
		deletes                   bool
		imported, renamedOK, gone bool
	}
	chains := make([][]*chain, procs)
	for p := range chains {
		for r := 0; r < rounds; r++ {
			c := certtest.CA(t, fmt.Sprintf("stress p%d r%d", p, r))
			file := filepath.Join(dir, fmt.Sprintf("p%d-r%d.pem", p, r))
			if err := os.WriteFile(file, c.PEM(), 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(c.Cert.Raw)
			chains[p] = append(chains[p], &chain{
				alias: fmt.Sprintf("p%d-r%d", p, r), renamed: fmt.Sprintf("p%d-r%d-renamed", p, r),
				file: file, sha: hex.EncodeToString(sum[:]), deletes: r%3 == 0,
			})
		}
	}

	// The app's way: one keystore kept open throughout, saving in the
	// middle; a conflict is met as the user's "Reload and Apply" does.
	seed := certtest.CA(t, "stress seed")
	seedFile := filepath.Join(dir, "seed.pem")
	if err := os.WriteFile(seedFile, seed.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := ksRun(t, "import", seedFile, "--keystore", ks, "--alias", "seed"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	app, err := keystore.Open(ks, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	var appAdded []string
	var appConflicts int
	appDone := make(chan error, 1)
	start := make(chan struct{})
	appCerts := make([]certtest.Issued, 10)
	for i := range appCerts {
		appCerts[i] = certtest.CA(t, fmt.Sprintf("app %d", i))
	}
	go func() {
		<-start
		for i, c := range appCerts {
			time.Sleep(20 * time.Millisecond)
			alias := fmt.Sprintf("app-%d", i)
			for {
				_, err := app.AddCertificates([]keystore.Candidate{{Cert: c.Cert, Alias: alias}})
				if errors.Is(err, keystore.ErrChangedOnDisk) {
					appConflicts++
					if err := app.Reload(); err != nil {
						appDone <- err
						return
					}
					continue
				}
				if err != nil {
					appDone <- err
					return
				}
				break
			}
			appAdded = append(appAdded, alias)
		}
		appDone <- nil
	}()

	run := func(args ...string) (bool, string) {
		cmd := exec.Command(os.Args[0], append([]string{"keystore"}, args...)...)
		cmd.Env = append(os.Environ(), "OPSDESK_RUN_CLI=1", "LC_ALL=C", "LANG=C")
		out, err := cmd.CombinedOutput()
		if strings.Contains(string(out), testPassword) {
			t.Errorf("a password was printed: %s", out)
		}
		return err == nil, string(out)
	}
	var wg sync.WaitGroup
	var failures sync.Map
	begun := time.Now()
	close(start)
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func(list []*chain) {
			defer wg.Done()
			for _, c := range list {
				var out string
				if c.imported, out = run("import", c.file, "--keystore", ks, "--alias", c.alias); !c.imported {
					failures.Store(c.alias+" import", out)
					continue
				}
				if c.renamedOK, out = run("rename", c.alias, c.renamed, "--keystore", ks); !c.renamedOK {
					failures.Store(c.alias+" rename", out)
					continue
				}
				if c.deletes {
					if c.gone, out = run("delete", c.renamed, "--keystore", ks); !c.gone {
						failures.Store(c.alias+" delete", out)
					}
				}
			}
		}(chains[p])
	}
	wg.Wait()
	if err := <-appDone; err != nil {
		t.Fatalf("the long-open keystore: %v", err)
	}
	elapsed := time.Since(begun)

	seedSum := sha256.Sum256(seed.Cert.Raw)
	want := map[string]string{"seed": hex.EncodeToString(seedSum[:])} // alias → SHA-256
	ops := 0
	for _, list := range chains {
		for _, c := range list {
			switch {
			case c.gone:
				ops += 3
			case c.renamedOK:
				ops += 2
				want[c.renamed] = c.sha
			case c.imported:
				ops++
				want[c.alias] = c.sha
			}
		}
	}
	// A command that fails must leave no trace, which the checks below
	// prove. Here none should fail at all (the lock waits up to 30 s),
	// except that Wine now and then loses a process it starts, which then
	// exits without a word: that is Wine's, and is only counted.
	lostByWine := 0
	failures.Range(func(k, v any) bool {
		if wine.Running() && strings.TrimSpace(v.(string)) == "" {
			lostByWine++
			return true
		}
		t.Errorf("%s failed: %s", k, v)
		return true
	})
	if lostByWine > 0 {
		t.Logf("%d commands ended without a word under Wine (a lost process, not a refusal)", lostByWine)
	}
	final, err := keystore.Open(ks, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer final.Close()
	got := map[string]string{}
	for _, e := range final.Entries() {
		if strings.HasPrefix(e.Alias, "app-") {
			continue
		}
		sum := sha256.Sum256(e.Certificate().Raw)
		got[e.Alias] = hex.EncodeToString(sum[:])
	}
	lost := 0
	for alias, sha := range want {
		if got[alias] != sha {
			lost++
			t.Errorf("%s: a command reported success, but the keystore holds %q", alias, got[alias])
		}
	}
	for alias := range got {
		if _, ok := want[alias]; !ok {
			t.Errorf("%s is in the keystore, but no command that succeeded left it there", alias)
		}
	}
	for _, alias := range appAdded {
		if !final.Has(alias) {
			lost++
			t.Errorf("the long-open keystore's %s was lost", alias)
		}
	}
	// keytool agrees entry for entry.
	out, err := exec.Command(keytool, "-list", "-keystore", ks, "-storepass", testPassword).CombinedOutput()
	if err != nil {
		t.Fatalf("keytool -list: %v\n%s", err, out)
	}
	listed := regexp.MustCompile(`(?m)^(\S+), .*, trustedCertEntry`).FindAllStringSubmatch(string(out), -1)
	var names []string
	for _, m := range listed {
		names = append(names, m[1])
	}
	sort.Strings(names)
	if len(names) != len(want)+len(appAdded) {
		t.Errorf("keytool lists %d entries, want %d: %v", len(names), len(want)+len(appAdded), names)
	}
	t.Logf("%d processes × %d rounds: %d commands succeeded, %d entries expected, "+
		"the long-open keystore saved %d times (%d conflicts reloaded), %d lost, in %s",
		procs, rounds, ops, len(want), len(appAdded), appConflicts, lost, elapsed.Round(time.Millisecond))
}
