package keystore

import (
	"bytes"
	"testing"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

// FuzzOpen feeds arbitrary bytes to both ways of opening a keystore: the
// structural walk used without a password, and keystore-go's Load behind
// it with one. Neither may panic, and whatever the walk accepts keystore-go
// must read without running past what the walk checked.
func FuzzOpen(f *testing.F) {
	chain := certtest.NewChain(f, "fuzz.example.com")
	lib := jks.New(jks.WithOrderedAliases())
	_ = lib.SetTrustedCertificateEntry("root", jks.TrustedCertificateEntry{Certificate: jks.Certificate{Type: "X.509", Content: chain.Root.Cert.Raw}})
	_ = lib.SetPrivateKeyEntry("key", jks.PrivateKeyEntry{PrivateKey: []byte("0123456789abcdef0123456789abcdef0123456789"),
		CertificateChain: []jks.Certificate{{Type: "X.509", Content: chain.Leaf.Cert.Raw}}}, []byte("changeit"))
	var b bytes.Buffer
	_ = lib.Store(&b, []byte("changeit"))
	good := b.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 1, 0, 0, 0, 0})

	f.Fuzz(func(t *testing.T, data []byte) {
		raw, err := parseBytes("fuzz.jks", data)
		if err != nil {
			return
		}
		k := &Keystore{path: "fuzz.jks", readOnly: true}
		k.setEntries(data, raw)
		for _, e := range k.entries {
			if e.Alias == "" && e.stored != "" {
				t.Fatal("alias lost")
			}
		}
		pw := []byte("changeit")
		if raw.verify(pw) {
			w := &Keystore{path: "fuzz.jks", password: pw}
			w.setEntries(data, raw)
			if _, err := w.library(); err != nil {
				t.Fatalf("the walk accepted what keystore-go refuses: %v", err)
			}
			for _, e := range w.entries {
				if e.Type == KeyPair {
					_, _ = w.decryptKey(e, pw)
				}
			}
		}
	})
}
