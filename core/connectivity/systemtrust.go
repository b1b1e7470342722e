package connectivity

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"runtime"
	"time"

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
	opts.Roots = systemRoots(chain)
	_, err := leaf.Verify(opts)
	return err == nil
}

// systemRoots returns the roots of this computer's trust store that could
// have issued a certificate of the chain, or nil where the platform
// verifier is to answer (macOS, Windows, or no bundle found). SSL_CERT_FILE
// names the bundle in place of the usual ones, on every system: that is
// how an administrator, or a test, points Opsdesk at another trust store.
func systemRoots(chain []*x509.Certificate) *x509.CertPool {
	files := bundleFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	} else if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return nil
	}
	wanted := map[string]bool{}
	for _, c := range chain {
		wanted[string(c.RawIssuer)] = true
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		roots := x509.NewCertPool()
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
		return roots
	}
	return nil
}

// CompleteChain returns the chain a server sent as this computer's trust
// store completes it: from the leaf through the intermediates to a root
// the trust store holds, which servers usually leave out (Gmail sends its
// leaf and intermediate only). ok is false when no root of this computer
// issued it; the chain comes back as sent then. Host names and dates are
// not judged here (the connectivity test does that): an expired leaf
// still shows which root and intermediate the keystore needs.
func CompleteChain(sent []*x509.Certificate) (chain []*x509.Certificate, ok bool) {
	if len(sent) == 0 {
		return sent, false
	}
	leaf := sent[0]
	inter := x509.NewCertPool()
	for _, c := range sent[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: systemRoots(sent), Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	// At the moment the leaf became valid as well as now: a chain that
	// has expired since still names its root.
	for _, at := range []time.Time{time.Now(), leaf.NotBefore.Add(time.Second)} {
		opts.CurrentTime = at
		chains, err := leaf.Verify(opts)
		if err == nil && len(chains) > 0 {
			return chains[0], true
		}
	}
	return sent, false
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
