package ui

import (
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

var big10k struct {
	once sync.Once
	path string
}

// TestMain removes the benchmarks' keystore, which outlives any one
// benchmark so that it is made only once.
func TestMain(m *testing.M) {
	code := m.Run()
	if big10k.path != "" {
		os.RemoveAll(filepath.Dir(big10k.path))
	}
	os.Exit(code)
}

// bigKeystore writes, once per run, a keystore of 10,000 certificates
// issued by one CA (so that making it stays quick).
func bigKeystore(b *testing.B) string {
	big10k.once.Do(func() {
		dir, err := os.MkdirTemp("", "opsdesk-ui-bench")
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(dir, "big.jks")
		k, err := keystore.Create(path, []byte(testPassword))
		if err != nil {
			b.Fatal(err)
		}
		defer k.Close()
		ca := certtest.CA(b, "Bench Root")
		key := certtest.ECKey(b)
		cands := make([]keystore.Candidate, 10000)
		for i := range cands {
			tmpl := certtest.Template(pkix.Name{CommonName: fmt.Sprintf("host-%05d.example.com", i), Organization: []string{"Bench"}})
			tmpl.NotAfter = time.Now().AddDate(0, 0, i%400) // some expire within 30 days
			cands[i] = keystore.Candidate{Cert: certtest.Sign(b, tmpl, key, &ca).Cert, Alias: fmt.Sprintf("host-%05d", i)}
		}
		if _, err := k.AddCertificates(cands); err != nil {
			b.Fatal(err)
		}
		big10k.path = path
	})
	return big10k.path
}

// BenchmarkKeystoreOpen10k is what happens off the UI thread when the
// Keystore window opens a 10,000-entry keystore: read and check the file,
// parse and describe every certificate, build the filter index.
func BenchmarkKeystoreOpen10k(b *testing.B) {
	path := bigKeystore(b)
	for b.Loop() {
		k, err := keystore.Open(path, []byte(testPassword))
		if err != nil {
			b.Fatal(err)
		}
		if m := newKSModel(k, time.Now()); len(m.Rows) != 10000 || m.Soon == 0 {
			b.Fatalf("%d rows, %d soon", len(m.Rows), m.Soon)
		}
		k.Close()
	}
}

// BenchmarkKeystoreShow10k is what the UI thread does with that snapshot:
// filter it (empty filter) and refresh the table, whose cells are drawn
// only for the rows on screen.
func BenchmarkKeystoreShow10k(b *testing.B) {
	w, svc := benchWindow(b)
	m := svc.model
	for b.Loop() {
		svc.model = m
		w.onKeystoreChanged()
	}
}

// BenchmarkKeystoreFilter10k filters as the user types, on the UI thread:
// the index scan, the header and the table refresh.
func BenchmarkKeystoreFilter10k(b *testing.B) {
	w, _ := benchWindow(b)
	for _, q := range []struct{ name, query string }{
		{"one_match", "host-04321"},
		{"tenth", "cn=host-09"},
		{"all", "o=bench"},
		{"none", "no such entry"},
		{"typing_first_letter", "h"},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				w.onFilter(q.query)
			}
		})
	}
	b.Run("index_only", func(b *testing.B) {
		var into []int
		for b.Loop() {
			into = w.model.filter("cn=host-09", into)
		}
	})
}

func benchWindow(b *testing.B) (*keystoreWindow, *keystoreService) {
	a := test.NewApp()
	b.Cleanup(func() { a.Quit() })
	bg := &background{}
	svc := newKeystoreService(bg)
	w := newKeystoreWindow(a, svc, bg, func() {})
	w.win.Resize(w.win.Canvas().Size().Max(w.win.Content().MinSize()))
	svc.open(func() (*keystore.Keystore, error) { return keystore.Open(bigKeystore(b), []byte(testPassword)) }, func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	})
	bg.wait(time.Minute)
	if w.model == nil || len(w.model.Rows) != 10000 {
		b.Fatal("the window shows no keystore")
	}
	return w, svc
}
