package keystore_test

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// BigKeystore writes a JKS of n trusted certificates to dir, each signed
// by one CA so that generating it stays fast, and returns its path.
func BigKeystore(tb testing.TB, dir string, n int) string {
	ca := certtest.CA(tb, "Bench Root")
	key := certtest.ECKey(tb)
	lib := jks.New(jks.WithOrderedAliases())
	for i := 0; i < n; i++ {
		tmpl := certtest.Template(pkix.Name{CommonName: fmt.Sprintf("host-%05d.example.com", i), Organization: []string{"Bench"}})
		tmpl.DNSNames = []string{tmpl.Subject.CommonName}
		c := certtest.Sign(tb, tmpl, key, &ca)
		if err := lib.SetTrustedCertificateEntry(fmt.Sprintf("host-%05d", i), jks.TrustedCertificateEntry{Certificate: jks.Certificate{Type: "X.509", Content: c.Cert.Raw}}); err != nil {
			tb.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := lib.Store(&b, []byte("changeit")); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("big-%d.jks", n))
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

var (
	bigOnce sync.Once
	bigPath string
)

func big(b *testing.B) string {
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opsdesk-bench")
		if err != nil {
			b.Fatal(err)
		}
		bigPath = BigKeystore(b, dir, 10000)
	})
	return bigPath
}

// BenchmarkOpenAndDescribe10k: the target is under 100 ms per operation.
func BenchmarkOpenAndDescribe10k(b *testing.B) {
	path := big(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k, err := keystore.Open(path, []byte("changeit"))
		if err != nil {
			b.Fatal(err)
		}
		list := make([]*x509.Certificate, 0, len(k.Entries()))
		for _, e := range k.Entries() {
			list = append(list, e.Certificate())
		}
		if d := certs.DescribeAll(list); len(d) != 10000 || d[0].SHA256 == "" {
			b.Fatal("not described")
		}
		k.Close()
	}
}

func BenchmarkOpenReadOnly10k(b *testing.B) {
	path := big(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := keystore.OpenReadOnly(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAddOneTo10k(b *testing.B) {
	src, err := os.ReadFile(big(b))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "k.jks")
	_ = os.WriteFile(path, src, 0o600)
	k, err := keystore.Open(path, []byte("changeit"))
	if err != nil {
		b.Fatal(err)
	}
	extra := certtest.CA(b, "extra").Cert
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := k.AddCertificates([]keystore.Candidate{{Cert: extra, Alias: "extra"}}); err != nil {
			b.Fatal(err)
		}
		if err := k.Delete("extra"); err != nil {
			b.Fatal(err)
		}
	}
}
