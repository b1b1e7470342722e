package connectivity

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// CertificateLines describes a certificate as the tenant's Server
// Certificate Chain panel prints it, plus its fingerprints.
func CertificateLines(c *x509.Certificate) []string {
	d := certs.Describe(c)
	lines := []string{
		"dn=" + d.SubjectDN,
		"issuerDN=" + d.IssuerDN,
	}
	if len(d.SubjectAltNames) > 0 {
		sans := make([]string, len(d.SubjectAltNames))
		for i, s := range d.SubjectAltNames {
			sans[i] = tenantSAN(s)
		}
		lines = append(lines, "subjectAlternativeNames="+strings.Join(sans, ", "))
	}
	return append(lines,
		"validUntil="+d.ValidUntil.UTC().Format("Jan 2, 2006, 15:04:05"),
		"serialNumber=0x"+d.SerialNumber,
		"SHA-256="+d.SHA256,
		"SHA-1="+d.SHA1,
	)
}

// tenantSAN spells "DNS:smtp.gmail.com" as the tenant does:
// "DNSName=smtp.gmail.com".
func tenantSAN(s string) string {
	kind, value, _ := strings.Cut(s, ":")
	switch kind {
	case "DNS":
		return "DNSName=" + value
	case "IP":
		return "IPAddress=" + value
	case "email":
		return "RFC822Name=" + value
	case "URI":
		return "URIName=" + value
	}
	return s
}

// ChainZip is the chain as Cloud Integration's download icon gives it: a
// ZIP of base64 (PEM) .cer files, one per certificate, each named after its
// certificate's common name ("smtp.gmail.com.cer"), safe on every system
// and unique within the archive.
func ChainZip(chain []*x509.Certificate) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	used := map[string]bool{}
	for _, c := range chain {
		name := certs.Unique(certs.SafeName(nameFor(c)), func(n string) bool { return used[n] })
		used[name] = true
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".cer", Method: zip.Deflate, Modified: time.Now()})
		if err != nil {
			return nil, err
		}
		if err := pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func nameFor(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	if len(c.DNSNames) > 0 {
		return c.DNSNames[0]
	}
	return fmt.Sprintf("certificate_%s", c.SerialNumber.Text(16))
}

// ChainCandidates proposes the chain's certificates for the keystore, each
// under an alias suggested from its name, as Add to Keystore shows them
// before the user confirms.
func ChainCandidates(ks *keystore.Keystore, chain []*x509.Certificate) []keystore.Candidate {
	taken := map[string]bool{}
	out := make([]keystore.Candidate, 0, len(chain))
	for _, c := range chain {
		alias := certs.SuggestAlias(c, func(a string) bool { return taken[a] || ks.Has(a) })
		taken[alias] = true
		out = append(out, keystore.Candidate{Cert: c, Alias: alias})
	}
	return out
}
