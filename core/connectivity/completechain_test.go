package connectivity

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

// A server sends leaf and intermediate; the root is found in the trust
// store SSL_CERT_FILE names, as Gmail's GTS Root R1 is found in the
// system's.
func TestCompleteChainAddsTheRootFromTheTrustStore(t *testing.T) {
	c := certtest.NewChain(t, "mail.opsdesk.test")
	other := certtest.CA(t, "Unrelated Root")
	bundle := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(bundle, append(other.PEM(), c.Root.PEM()...), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", bundle)

	got, ok := CompleteChain([]*x509.Certificate{c.Leaf.Cert, c.Intermediate.Cert})
	if !ok || len(got) != 3 || !got[2].Equal(c.Root.Cert) || !got[1].Equal(c.Intermediate.Cert) || !got[0].Equal(c.Leaf.Cert) {
		t.Fatalf("CompleteChain = %d certificates, ok %v; want leaf, intermediate, root", len(got), ok)
	}

	// A trust store without the root: the chain comes back as sent.
	if err := os.WriteFile(bundle, other.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, ok = CompleteChain([]*x509.Certificate{c.Leaf.Cert, c.Intermediate.Cert})
	if ok || len(got) != 2 {
		t.Fatalf("without the root: %d certificates, ok %v; want the 2 sent, false", len(got), ok)
	}
	if _, ok := CompleteChain(nil); ok {
		t.Fatal("an empty chain was completed")
	}
}
