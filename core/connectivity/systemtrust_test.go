package connectivity

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
	"time"
)

// TestSystemTrustsAgreesWithSystemCertPool checks the quick answer
// against the slow one, for every root of this computer's bundle and for
// a chain the system does not know.
func TestSystemTrustsAgreesWithSystemCertPool(t *testing.T) {
	// The system's own store on each system: SSL_CERT_FILE, which this
	// machine may set (and Wine passes on), would make Windows read the
	// Linux bundle.
	t.Setenv("SSL_CERT_FILE", "")
	pool, err := x509.SystemCertPool()
	if err != nil {
		t.Skipf("skipped: no system trust store here (%v)", err)
	}
	data, err := os.ReadFile(bundleFiles[0])
	if err != nil {
		t.Skipf("skipped: %s is missing (install ca-certificates)", bundleFiles[0])
	}
	checked := 0
	for _, der := range pemCerts(data) {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		opts := x509.VerifyOptions{CurrentTime: time.Now()}
		slowOpts := opts
		slowOpts.Roots = pool
		_, slowErr := c.Verify(slowOpts)
		if quick := systemTrusts(c, []*x509.Certificate{c}, opts); quick != (slowErr == nil) {
			t.Errorf("%s: quick %v, SystemCertPool %v", c.Subject, quick, slowErr)
		}
		checked++
	}
	if checked < 50 {
		t.Fatalf("only %d roots checked", checked)
	}
}

func pemCerts(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		block, rest := pem.Decode(data)
		if block == nil {
			break
		}
		data = rest
		out = append(out, block.Bytes)
	}
	return out
}
