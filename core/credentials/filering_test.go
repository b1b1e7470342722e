package credentials

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

// These tests run the library's own file keyring next to fileRing, on
// real folders, and kill real processes in the middle of writes.

// testChildren are the ways TestMain can run this binary as a helper
// process, named by OPSDESK_CREDENTIALS_CHILD.
var testChildren = map[string]func() int{
	"file-write-loop":   fileWriteLoopChild,
	"file-write-killed": fileWriteKilledChild,
}

// openLibFileRing opens the library's own file keyring on dir, without
// fileRing: the reference the tests compare with.
func openLibFileRing(dir string) (keyring.Keyring, error) {
	return keyring.Open(keyring.Config{AllowedBackends: []keyring.BackendType{keyring.FileBackend},
		FileDir: dir, FilePasswordFunc: keyring.FixedStringPrompt(testFilePassword)})
}

func libFileRing(t *testing.T, dir string) keyring.Keyring {
	t.Helper()
	ring, err := openLibFileRing(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

func openTestFileRing(dir string) (*fileRing, error) {
	lib, err := openLibFileRing(dir)
	if err != nil {
		return nil, err
	}
	return newFileRing(lib, dir, keyring.FixedStringPrompt(testFilePassword)), nil
}

func testFileRing(t *testing.T, dir string) *fileRing {
	t.Helper()
	r, err := openTestFileRing(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fileTemps lists the temporary files in dir.
func fileTemps(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if isFileTemp(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// sameItem compares two items without printing their secrets.
func sameItem(t *testing.T, what string, got, want keyring.Item) {
	t.Helper()
	if !bytes.Equal(got.Data, want.Data) {
		t.Errorf("%s: the data differs (%d bytes, want %d)", what, len(got.Data), len(want.Data))
	}
	got.Data, want.Data = nil, nil
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("%s: %+v, want %+v", what, got, want)
	}
}

// jweHeader decodes the protected header of a compact JWE.
func jweHeader(t *testing.T, token []byte) map[string]any {
	t.Helper()
	first, _, _ := bytes.Cut(token, []byte("."))
	raw, err := base64.RawURLEncoding.DecodeString(string(first))
	if err != nil {
		t.Fatalf("not a compact JWE: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestFileRingCompatible: what fileRing writes, the library's own file
// keyring reads, and the other way round, including an item fileRing
// replaces; both name the file alike and write the same JWE.
func TestFileRingCompatible(t *testing.T) {
	// '/' and '%' are the characters the file name escapes.
	key := "opsdesk/security-material/odd%2Fname/50%"
	item := func(data string) keyring.Item {
		return keyring.Item{Key: key, Data: []byte(data), Label: "Opsdesk: odd", Description: "User Credentials",
			KeychainNotTrustApplication: true, KeychainNotSynchronizable: true}
	}
	binary := item("")
	binary.Data = []byte{0, 1, 2, 0xff, '"', '\\', '\n'}

	ours, theirs := t.TempDir(), t.TempDir()
	if err := testFileRing(t, ours).Set(binary); err != nil {
		t.Fatal(err)
	}
	if err := libFileRing(t, theirs).Set(binary); err != nil {
		t.Fatal(err)
	}

	// The same file name, and the library reads ours.
	names := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if a, b := names(ours), names(theirs); !slices.Equal(a, b) || len(a) != 1 {
		t.Fatalf("files %q, the library's %q", a, b)
	}
	got, err := libFileRing(t, ours).Get(key)
	if err != nil {
		t.Fatalf("the library cannot read fileRing's item: %v", err)
	}
	sameItem(t, "library reads fileRing", got, binary)
	if keys, err := libFileRing(t, ours).Keys(); err != nil || !slices.Equal(keys, []string{key}) {
		t.Errorf("the library lists %q, %v", keys, err)
	}

	// The same JWE header fields and algorithms; the file only its owner's.
	path := filepath.Join(ours, names(ours)[0])
	token, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	theirToken, err := os.ReadFile(filepath.Join(theirs, names(theirs)[0]))
	if err != nil {
		t.Fatal(err)
	}
	h, th := jweHeader(t, token), jweHeader(t, theirToken)
	if h["alg"] != "PBES2-HS256+A128KW" || h["enc"] != "A256GCM" || !slices.Equal(slices.Sorted(maps.Keys(h)), slices.Sorted(maps.Keys(th))) {
		t.Errorf("header %v, the library's %v", h, th)
	}
	if bytes.Count(token, []byte(".")) != 4 {
		t.Errorf("not a five-part compact JWE")
	}
	if info, err := os.Stat(path); err != nil {
		t.Error(err)
	} else if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode())
	}

	// Another password does not open it: it is encrypted with the one given.
	elsewhere := t.TempDir()
	if err := newFileRing(libFileRing(t, elsewhere), elsewhere, keyring.FixedStringPrompt("another-password")).Set(item("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := libFileRing(t, elsewhere).Get(key); err == nil {
		t.Error("the library read an item written with another password")
	}

	// fileRing replaces an item the library wrote, and reads what it wrote.
	lib, r := libFileRing(t, theirs), testFileRing(t, theirs)
	if err := r.Set(item("replaced-by-fileRing")); err != nil {
		t.Fatal(err)
	}
	if got, err = libFileRing(t, theirs).Get(key); err != nil {
		t.Fatal(err)
	}
	sameItem(t, "library reads the replaced item", got, item("replaced-by-fileRing"))
	if err := lib.Set(item("replaced-by-the-library")); err != nil {
		t.Fatal(err)
	}
	if got, err = testFileRing(t, theirs).Get(key); err != nil {
		t.Fatal(err)
	}
	sameItem(t, "fileRing reads the library's", got, item("replaced-by-the-library"))
	if len(names(theirs)) != 1 || len(fileTemps(t, theirs)) != 0 {
		t.Errorf("left in the folder: %q", names(theirs))
	}

	// A key that would be taken for a temporary file is refused.
	if err := r.Set(keyring.Item{Key: fileTempPrefix + "x", Data: []byte("x")}); err == nil {
		t.Error("a key named like a temporary file was stored")
	}

	// The Store uses fileRing for the file backend, behind the guard.
	ts := openTest(t, "file")
	if g, ok := ts.ring.(*guardedRing); !ok {
		t.Errorf("the Store's keyring is %T, not guarded", ts.ring)
	} else if _, ok := g.ring.(*fileRing); !ok {
		t.Errorf("the file backend's keyring is %T", g.ring)
	}
}

const loopKey = "opsdesk/security-material/loop"

// loopValue is generation gen of the item the loop child writes: large,
// so that a kill often lands in the middle of writing or syncing it, and
// of a length that changes with gen, so that a file cut short shows.
func loopValue(gen int) []byte {
	b := make([]byte, 192<<10+gen%5*(16<<10))
	n := copy(b, fmt.Sprintf("gen-%08d|", gen))
	for i := n; i < len(b); i++ {
		b[i] = byte('a' + (gen+i)%26)
	}
	return b
}

func loopGen(data []byte) (int, bool) {
	if len(data) < 13 || !bytes.HasPrefix(data, []byte("gen-")) {
		return 0, false
	}
	gen, err := strconv.Atoi(string(data[4:12]))
	return gen, err == nil && bytes.Equal(data, loopValue(gen))
}

// fileWriteLoopChild writes generation after generation of loopKey with
// fileRing, saying "wrote N" after each, until it is killed.
func fileWriteLoopChild() int {
	r, err := openTestFileRing(os.Getenv("OPSDESK_TEST_KEYRING_DIR"))
	if err != nil {
		fmt.Printf("error=%v\n", err)
		return 1
	}
	gen, _ := strconv.Atoi(os.Getenv("OPSDESK_TEST_GEN"))
	for ; ; gen++ {
		if err := r.Set(keyring.Item{Key: loopKey, Data: loopValue(gen), Label: "loop"}); err != nil {
			fmt.Printf("error=%v\n", err)
			return 1
		}
		fmt.Printf("wrote %d\n", gen)
	}
}

// TestFileWriteKilledAnywhere kills a process that writes the same item
// over and over, at a random moment, again and again: afterwards the item
// always decrypts, with the library's own file keyring, to the last value
// the process finished writing or the one it was writing, never to
// nothing or a mix.
func TestFileWriteKilledAnywhere(t *testing.T) {
	dir := t.TempDir()
	if err := libFileRing(t, dir).Set(keyring.Item{Key: loopKey, Data: loopValue(0), Label: "loop"}); err != nil {
		t.Fatal(err)
	}
	const rounds = 24
	next, newer, leftovers := 1, 0, 0
	for round := range rounds {
		// Half the kills come at a random moment, which mostly falls
		// while the item is being encrypted; half as soon as a new
		// temporary file appears, which falls while it is being written,
		// synced or renamed.
		wrote := killLoopChild(t, dir, next, round%2 == 1, time.Duration(rand.IntN(30000))*time.Microsecond)
		item, err := libFileRing(t, dir).Get(loopKey)
		if err != nil {
			t.Fatalf("round %d: after the kill the item does not decrypt: %v", round, err)
		}
		gen, ok := loopGen(item.Data)
		if !ok || gen != wrote && gen != wrote+1 {
			t.Fatalf("round %d: the child had finished generation %d; the item holds %d bytes, generation %d (intact: %v)",
				round, wrote, len(item.Data), gen, ok)
		}
		if gen == wrote+1 {
			newer++ // killed after the rename, before saying so
		}
		if n := len(fileTemps(t, dir)); n > leftovers {
			leftovers = n // killed between creating the temporary file and the rename
		}
		next = gen + 1
	}
	t.Logf("%d kills: %d left a temporary file (killed before the rename), %d the new value (killed after it, before saying so)",
		rounds, leftovers, newer)

	// What the kills left is not listed, and the next write clears it once
	// it is old enough not to be another process's write in progress.
	keys, err := testFileRing(t, dir).Keys()
	if err != nil || !slices.Equal(keys, []string{loopKey}) {
		t.Fatalf("listed %q, %v", keys, err)
	}
	for _, name := range fileTemps(t, dir) {
		old := time.Now().Add(-staleTempAge - time.Minute)
		if err := os.Chtimes(filepath.Join(dir, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := testFileRing(t, dir).Set(keyring.Item{Key: loopKey, Data: loopValue(next)}); err != nil {
		t.Fatal(err)
	}
	if left := fileTemps(t, dir); len(left) != 0 {
		t.Errorf("left behind: %q", left)
	}
}

// killLoopChild starts fileWriteLoopChild at generation from and, after
// its first write, kills it: after delay, or if onTemp as soon as a
// temporary file appears in dir. It returns the last generation the child
// reported finished.
func killLoopChild(t *testing.T, dir string, from int, onTemp bool, delay time.Duration) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OPSDESK_CREDENTIALS_CHILD=file-write-loop",
		"OPSDESK_TEST_KEYRING_DIR="+dir, "OPSDESK_TEST_GEN="+strconv.Itoa(from))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wrote atomic.Int64
	wrote.Store(int64(from - 1))
	first, eof := make(chan struct{}), make(chan struct{})
	var problems []string
	go func() {
		defer close(eof)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			n, err := strconv.Atoi(strings.TrimPrefix(line, "wrote "))
			if err != nil {
				problems = append(problems, line)
				continue
			}
			if wrote.Swap(int64(n)) == int64(from-1) {
				close(first)
			}
		}
	}()
	select {
	case <-first:
		if onTemp {
			waitForNewTemp(t, dir)
		} else {
			time.Sleep(delay)
		}
	case <-eof:
	case <-time.After(time.Minute):
		t.Error("the child wrote nothing within a minute")
	}
	_ = cmd.Process.Kill()
	<-eof
	_ = cmd.Wait()
	if len(problems) > 0 || wrote.Load() < int64(from) {
		t.Fatalf("the child failed: %q\n%s", problems, stderr.Bytes())
	}
	return int(wrote.Load())
}

// waitForNewTemp polls dir until a temporary file appears that was not
// there when it started, or a few seconds pass.
func waitForNewTemp(t *testing.T, dir string) {
	t.Helper()
	before := fileTemps(t, dir)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		for _, name := range fileTemps(t, dir) {
			if !slices.Contains(before, name) {
				return
			}
		}
	}
}

// The secrets of the killed-write test: not secret, but never printed.
const (
	killedFirstSecret = "Kq3-first-killed-Zp"
	keptOldSecret     = "Kq3-kept-old-Zp"
	keptNewSecret     = "Kq3-kept-new-never-stored-Zp"
)

// fileWriteKilledChild opens the Store in OPSDESK_HOME and adds or edits
// an entry (OPSDESK_TEST_OP), killing its own process once the new item
// is written to its temporary file, just before the rename.
func fileWriteKilledChild() int {
	s, err := Open(Options{Backend: "file"})
	if err != nil {
		fmt.Printf("error=%v\n", err)
		return 1
	}
	testHookBeforeRename = func() {
		p, _ := os.FindProcess(os.Getpid())
		_ = p.Kill()
		time.Sleep(time.Hour) // never go on to the rename
	}
	switch os.Getenv("OPSDESK_TEST_OP") {
	case "add":
		_, err = s.Add(Entry{Name: "first", Type: UserCredentials, User: "u"}, []byte(killedFirstSecret))
	case "edit":
		_, err = s.Edit("kept", Change{Secret: []byte(keptNewSecret)})
	}
	fmt.Printf("not killed: error=%v\n", err)
	return 1
}

// runKilledChild runs fileWriteKilledChild and checks that it was killed.
func runKilledChild(t *testing.T, home, op string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OPSDESK_CREDENTIALS_CHILD=file-write-killed", "OPSDESK_HOME="+home,
		"OPSDESK_TEST_OP="+op, BackendEnv+"=file")
	out, err := cmd.CombinedOutput()
	if err == nil || cmd.ProcessState.Success() || bytes.Contains(out, []byte("not killed")) {
		t.Fatalf("the child was not killed before the rename (%v):\n%s", err, out)
	}
}

// TestFileWriteKilledBeforeRename: a write killed after its temporary
// file is complete, just before the rename, leaves the entry as it was;
// what it leaves behind is not listed, does not make a new keyring file
// look used, and is removed by a later write once it is old.
func TestFileWriteKilledBeforeRename(t *testing.T) {
	ts := openTest(t, "file")

	// The first write of a new keyring file, killed: the folder holds only
	// its temporary file, the only file that holds anything of the entry.
	runKilledChild(t, ts.home, "add")
	temps := fileTemps(t, ts.fileDir)
	if entries, _ := os.ReadDir(ts.fileDir); len(temps) != 1 || len(entries) != 1 {
		t.Fatalf("after the killed first write: %v", entries)
	}
	if info, err := os.Stat(filepath.Join(ts.fileDir, temps[0])); err != nil {
		t.Error(err)
	} else if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("the temporary file's mode is %v", info.Mode())
	}
	if hits := filesContaining(t, ts.home, []byte(killedFirstSecret)); len(hits) > 0 {
		t.Errorf("the secret is in %v", hits)
	}
	// The password is still asked for as a new one, and nothing is listed.
	t.Setenv(FilePasswordEnv, "")
	var asked []bool
	s, err := Open(Options{Home: ts.home, Backend: "file", FilePassword: func(first bool) ([]byte, error) {
		asked = append(asked, first)
		return []byte(testFilePassword), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Unlock(); err != nil || !slices.Equal(asked, []bool{true}) {
		t.Fatalf("asked %v, %v; want once, as a new password", asked, err)
	}
	if list, err := s.List(); err != nil || len(list) != 0 {
		t.Fatalf("listed %v, %v", list, err)
	}
	t.Setenv(FilePasswordEnv, testFilePassword)

	// An edit killed before the rename leaves the entry as it was.
	if _, err := ts.Add(Entry{Name: "kept", Type: UserCredentials, User: "u"}, []byte(keptOldSecret)); err != nil {
		t.Fatal(err)
	}
	runKilledChild(t, ts.home, "edit")
	if len(fileTemps(t, ts.fileDir)) != 2 {
		t.Fatalf("left behind: %q", fileTemps(t, ts.fileDir))
	}
	s = ts.reopen(t)
	if user, pw, err := s.Lookup("kept"); err != nil || user != "u" || string(pw) != keptOldSecret {
		t.Fatalf("after the killed edit: user %q, the old secret: %v, %v", user, string(pw) == keptOldSecret, err)
	}
	// Only the entry is listed; the library alone would list the leftovers.
	if keys, err := s.ring.Keys(); err != nil || !slices.Equal(keys, []string{materialKey("kept")}) {
		t.Errorf("keys %q, %v", keys, err)
	}
	if keys, _ := libFileRing(t, ts.fileDir).Keys(); len(keys) != 3 {
		t.Errorf("the library lists %q: the leftovers should be among them", keys)
	}
	if list, err := s.List(); err != nil || len(list) != 1 || list[0].Name != "kept" {
		t.Errorf("listed %v, %v", list, err)
	}

	// A later write leaves a recent leftover (it could be another
	// process's write in progress) and removes an old one.
	temps = fileTemps(t, ts.fileDir)
	old := time.Now().Add(-staleTempAge - time.Minute)
	if err := os.Chtimes(filepath.Join(ts.fileDir, temps[0]), old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Edit("kept", Change{Description: ptr("written after the kills")}); err != nil {
		t.Fatal(err)
	}
	if left := fileTemps(t, ts.fileDir); !slices.Equal(left, temps[1:]) {
		t.Errorf("left %q of %q; want only the recent one", left, temps)
	}
	if user, pw, err := ts.reopen(t).Lookup("kept"); err != nil || user != "u" || string(pw) != keptOldSecret {
		t.Fatalf("after the edit: user %q, the old secret: %v, %v", user, string(pw) == keptOldSecret, err)
	}
}
