package keystore_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// TestHostilePKCS12IterationCountsAreRefused: a PKCS#12 file chooses its
// own key-derivation rounds, and the library runs as many as it says.
// Files made with 70,000 rounds (more than any tool writes) read; the same
// files claiming 8,388,607 rounds are refused before any key is derived,
// by Add ▾ Key Pair and by Add ▾ Keystore, and the keystore stays as it was.
func TestHostilePKCS12IterationCountsAreRefused(t *testing.T) {
	chain := certtest.NewChain(t, "p12.example.com")
	target := newStore(t, "changeit")
	before, err := os.ReadFile(target.Path())
	if err != nil {
		t.Fatal(err)
	}
	rounds70k := []byte{0x02, 0x03, 0x01, 0x11, 0x70}  // INTEGER 70000
	roundsHuge := []byte{0x02, 0x03, 0x7F, 0xFF, 0xFF} // INTEGER 8388607, same length
	for name, enc := range map[string]*pkcs12.Encoder{
		"PBES2 (AES, PBKDF2)":  pkcs12.Modern.WithIterations(70000),
		"PBMAC1":               pkcs12.Modern2026.WithIterations(70000),
		"PKCS#12 PBE (RC2)":    pkcs12.LegacyRC2.WithIterations(70000),
		"PKCS#12 PBE (3DES)":   pkcs12.LegacyDES.WithIterations(70000),
		"trusted certificates": pkcs12.Modern.WithIterations(70000),
	} {
		var data []byte
		if strings.HasPrefix(name, "trusted") {
			data, err = enc.EncodeTrustStore([]*x509.Certificate{chain.Root.Cert}, "p12-pass")
		} else {
			data, err = enc.Encode(chain.Leaf.Key, chain.Leaf.Cert, []*x509.Certificate{chain.Intermediate.Cert}, "p12-pass")
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(data, rounds70k) == 0 {
			t.Fatalf("%s: no iteration count of 70000 to change", name)
		}
		dir := t.TempDir()
		good := writeFile(t, dir, "good.p12", data)
		if strings.HasPrefix(name, "trusted") {
			if _, err := target.Merge(good, keystore.MergeOptions{Password: []byte("p12-pass")}); err != nil {
				t.Fatalf("%s: the honest file: %v", name, err)
			}
			before, _ = os.ReadFile(target.Path())
		} else if m, err := keystore.ReadKeyPairFile(good, []byte("p12-pass")); err != nil {
			t.Fatalf("%s: the honest file: %v", name, err)
		} else {
			m.Close()
		}

		// Each count on its own (the MAC's, each bag's), then all at once.
		var variants [][]byte
		for i := range bytes.Count(data, rounds70k) {
			v := bytes.Clone(data)
			at := nthIndex(v, rounds70k, i)
			copy(v[at:], roundsHuge)
			variants = append(variants, v)
		}
		variants = append(variants, bytes.ReplaceAll(data, rounds70k, roundsHuge))
		for i, v := range variants {
			hostile := writeFile(t, dir, "hostile.p12", v)
			if _, err := keystore.ReadKeyPairFile(hostile, []byte("p12-pass")); !errors.Is(err, keystore.ErrDamaged) || !strings.Contains(err.Error(), "8388607 key-derivation rounds") {
				t.Errorf("%s, variant %d: Add ▾ Key Pair: %v", name, i, err)
			}
			if _, err := target.Merge(hostile, keystore.MergeOptions{Password: []byte("p12-pass")}); !errors.Is(err, keystore.ErrDamaged) {
				t.Errorf("%s, variant %d: Add ▾ Keystore: %v", name, i, err)
			}
			if after, _ := os.ReadFile(target.Path()); !bytes.Equal(after, before) {
				t.Fatalf("%s, variant %d: the keystore changed", name, i)
			}
		}
	}
}

// nthIndex is the offset of the n-th (0-based) occurrence of sep in s.
func nthIndex(s, sep []byte, n int) int {
	at := 0
	for ; n > 0; n-- {
		at += bytes.Index(s[at:], sep) + len(sep)
	}
	return at + bytes.Index(s[at:], sep)
}
