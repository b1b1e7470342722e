package keystore

import (
	"crypto/x509"
	"testing"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

// FuzzOpenPKCS12 feeds arbitrary bytes to the PKCS#12 reader and the step
// that makes entries of what it read. Neither may panic or run past the
// limits; whatever the reader returns must make entries.
func FuzzOpenPKCS12(f *testing.F) {
	chain := certtest.NewChain(f, "fuzz.example.com")
	// Instrumented, the crypto is slow: one round in the seeds, at most 64
	// in what the fuzzer makes of them.
	old := maxPKCS12Iterations
	maxPKCS12Iterations = 64
	f.Cleanup(func() { maxPKCS12Iterations = old })
	extra := []*x509.Certificate{chain.Intermediate.Cert, chain.Root.Cert}
	for _, enc := range []*pkcs12.Encoder{pkcs12.Modern, pkcs12.Modern2026, pkcs12.Legacy, pkcs12.LegacyDES, pkcs12.LegacyRC2} {
		if p12, err := enc.WithIterations(1).Encode(chain.Leaf.Key, chain.Leaf.Cert, extra, "fuzz-pass"); err == nil {
			f.Add(p12, "fuzz-pass")
		}
		if ts, err := enc.WithIterations(1).EncodeTrustStoreEntries([]pkcs12.TrustStoreEntry{{Cert: chain.Root.Cert, FriendlyName: "root"}}, "fuzz-pass"); err == nil {
			f.Add(ts, "fuzz-pass")
		}
	}
	if p12, err := pkcs12.Passwordless.Encode(chain.Leaf.Key, chain.Leaf.Cert, extra, ""); err == nil {
		f.Add(p12, "")
	}
	f.Add([]byte{0x30, 0x82, 0xFF, 0xFF}, "")
	f.Fuzz(func(t *testing.T, data []byte, password string) {
		if len(data) > 1<<16 {
			return
		}
		bags, err := openPKCS12(data, []byte(password))
		if err != nil {
			return
		}
		entries := pkcs12Entries(bags)
		for _, e := range entries {
			if e.alias == "" {
				t.Fatal("an entry without alias")
			}
			if e.typ == KeyPair && e.problem == "" && (len(e.chain) == 0 || len(e.key) == 0) {
				t.Fatal("a key pair without key or chain and no problem said")
			}
		}
		zeroBags(bags)
	})
}
