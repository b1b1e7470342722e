package connectivity

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"runtime"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Where Unix systems keep their trusted roots as one PEM bundle (the
// files crypto/x509 reads too).
var bundleFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt", // Debian, Ubuntu, Gentoo
	"/etc/pki/tls/certs/ca-bundle.crt",   // Fedora, RHEL
	"/etc/ssl/ca-bundle.pem",             // openSUSE
	"/etc/pki/tls/cacert.pem",            // OpenELEC
	"/etc/ssl/cert.pem",                  // Alpine, BSDs
}

// systemTrusts reports whether this computer's own trust store accepts the
// chain. x509.SystemCertPool parses every root on the system (here 30–60
// ms, more than a whole loopback test); this reads the bundle once and
// parses only the roots that could have issued a certificate of the chain.
// Where there is no bundle (macOS, Windows), the platform verifier answers.
func systemTrusts(leaf *x509.Certificate, chain []*x509.Certificate, opts x509.VerifyOptions) bool {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		opts.Roots = nil
		_, err := leaf.Verify(opts)
		return err == nil
	}
	wanted := map[string]bool{}
	for _, c := range chain {
		wanted[string(c.RawIssuer)] = true
	}
	roots := x509.NewCertPool()
	found := false
	files := bundleFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		found = true
		for len(data) > 0 {
			var block *pem.Block
			block, data = pem.Decode(data)
			if block == nil {
				break
			}
			if block.Type != "CERTIFICATE" || !wanted[string(subjectOf(block.Bytes))] {
				continue
			}
			if c, err := x509.ParseCertificate(block.Bytes); err == nil {
				roots.AddCert(c)
			}
		}
		break
	}
	if !found {
		opts.Roots = nil
	} else {
		opts.Roots = roots
	}
	_, err := leaf.Verify(opts)
	return err == nil
}

// subjectOf returns a DER certificate's raw subject without parsing the
// rest of it.
func subjectOf(der []byte) []byte {
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil
	}
	tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) // version
	var subject cryptobyte.String
	if !tbs.SkipASN1(cbasn1.INTEGER) || !tbs.SkipASN1(cbasn1.SEQUENCE) || // serial, signature
		!tbs.SkipASN1(cbasn1.SEQUENCE) || !tbs.SkipASN1(cbasn1.SEQUENCE) || // issuer, validity
		!tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) {
		return nil
	}
	return subject
}
