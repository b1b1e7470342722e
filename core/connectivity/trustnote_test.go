package connectivity_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

// "this computer's own trust store accepts it" is said beside Invalid,
// where it tells that only the keystore lacks the root, and never beside
// Valid, where it would read as the reason for it.
func TestTheOwnTrustStoreIsMentionedOnlyForAnInvalidChain(t *testing.T) {
	chain := mailtest.NewChain(t)
	bundle := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(bundle, chain.Root.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", bundle)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true})
	req := connectivity.Request{Protocol: connectivity.SMTP, Host: mailtest.Host, ConnectTo: "127.0.0.1", Port: port,
		Protection: connectivity.STARTTLSMandatory, Auth: connectivity.AuthNone}

	untrusted := connectivity.Run(context.Background(), req)
	c, _ := untrusted.Check("Server Certificate")
	if c.Value != "Invalid" || !strings.HasSuffix(c.Note, "; this computer's own trust store accepts it") {
		t.Errorf("not in the keystore: %q (%s)", c.Value, c.Note)
	}
	req.Trusted, req.VerifyCertificate = chain.Trusted(), true
	trusted := connectivity.Run(context.Background(), req)
	c, _ = trusted.Check("Server Certificate")
	if c.Value != "Valid" || c.Note != "" {
		t.Errorf("in the keystore: %q (%s)", c.Value, c.Note)
	}
}
