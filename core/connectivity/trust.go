package connectivity

import (
	"crypto/x509"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// TrustedFrom returns the certificates of a keystore's entries that a
// server certificate can be checked against: every trusted certificate
// ("Certificate" entries), as the tenant does.
func TrustedFrom(entries []keystore.Entry) []*x509.Certificate {
	var out []*x509.Certificate
	for _, e := range entries {
		if e.Type == keystore.Certificate && e.Certificate() != nil {
			out = append(out, e.Certificate())
		}
	}
	return out
}
