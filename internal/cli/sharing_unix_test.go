//go:build unix

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

// Issue 10: a FIFO given as a certificate or as the keystore blocked the
// command forever in open; a 50 MB file was reported as "10.0 MB".
func TestImportRefusesWhatIsNotAFileAtOnce(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)
	ks := filepath.Join(dir, "k.jks")
	good := filepath.Join(dir, "good.pem")
	if err := os.WriteFile(good, certtest.CA(t, "good").PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := ksRun(t, "import", good, "--keystore", ks); code != 0 {
		t.Fatal(errs)
	}
	before, _ := os.ReadFile(ks)
	fifo := filepath.Join(dir, "f.cer")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.cer")
	if err := os.WriteFile(big, make([]byte, 50<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	fifoKS := filepath.Join(dir, "fifo.jks")
	if err := syscall.Mkfifo(fifoKS, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"import", fifo, "--keystore", ks}, `"f.cer" is a named pipe (FIFO), not a certificate`},
		{[]string{"import", big, "--keystore", ks}, `"big.cer" is 50.0 MB, far larger than any certificate`},
		{[]string{"import", good, "--keystore", fifoKS}, "is a named pipe (FIFO), not a keystore file"},
		{[]string{"list", "--keystore", "/dev/zero"}, "is a device, not a keystore file"},
	} {
		done := make(chan string, 1)
		go func() { _, _, errs := ksRun(t, tc.args...); done <- errs }()
		select {
		case errs := <-done:
			if !strings.Contains(errs, tc.says) {
				t.Errorf("%v: %q, want %q", tc.args, errs, tc.says)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v still running after 10s", tc.args)
		}
	}
	if after, _ := os.ReadFile(ks); !bytes.Equal(before, after) {
		t.Error("a refused import changed the keystore")
	}
}

// A command kept waiting by another program's change says so after a
// second, then goes on when the other program is done.
func TestACommandWaitingForTheLockSaysSo(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)
	ks := filepath.Join(dir, "k.jks")
	first := filepath.Join(dir, "first.pem")
	second := filepath.Join(dir, "second.pem")
	_ = os.WriteFile(first, certtest.CA(t, "first").PEM(), 0o644)
	_ = os.WriteFile(second, certtest.CA(t, "second").PEM(), 0o644)
	if code, _, errs := ksRun(t, "import", first, "--keystore", ks); code != 0 {
		t.Fatal(errs)
	}
	l := flock.New(filepath.Join(dir, ".k.jks.lock"))
	if err := l.Lock(); err != nil {
		t.Fatal(err)
	}
	// The lock is let go once the command has said that it waits, not
	// after a fixed time: on a loaded machine the command may start late.
	var errb syncBuffer
	said := make(chan struct{})
	errb.onWrite = func(s string) {
		if strings.Contains(s, "Waiting for another program") {
			select {
			case <-said:
			default:
				close(said)
			}
		}
	}
	go func() {
		select {
		case <-said:
		case <-time.After(20 * time.Second): // the test fails below
		}
		l.Unlock()
	}()
	var out bytes.Buffer
	code := Run([]string{"keystore", "import", second, "--keystore", ks}, strings.NewReader(""), &out, &errb)
	errs := errb.String()
	if code != 0 || !strings.Contains(out.String(), "Added") {
		t.Fatalf("exit %d: %s %s", code, out.String(), errs)
	}
	if !strings.Contains(errs, "Waiting for another program to finish changing "+ks) {
		t.Errorf("no word about waiting: %q", errs)
	}
}

// syncBuffer is a stderr that the command writes while the test watches.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	onWrite func(string)
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	n, err := s.b.Write(p)
	all := s.b.String()
	s.mu.Unlock()
	if s.onWrite != nil {
		s.onWrite(all)
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
