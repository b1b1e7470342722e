package mailsetup

import (
	"bytes"
	"crypto/x509"
	"strings"

	"github.com/opsdesk/opsdesk/core/certs"
)

// dateFormat is how the Why sentences write a date, as the tenant's
// Valid Until does.
const dateFormat = "Jan 2, 2006"

// CertName is what a sentence calls a certificate: its common name, its
// first DNS name, or its subject as Java spells it.
func CertName(c *x509.Certificate) string {
	switch {
	case c.Subject.CommonName != "":
		return c.Subject.CommonName
	case len(c.DNSNames) > 0:
		return c.DNSNames[0]
	}
	return certs.JavaDN(c.RawSubject)
}

// selfSigned checks the signature itself, not with CheckSignatureFrom,
// which refuses a parent that is no CA: a server's home-made certificate
// usually is none, yet signed itself.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

func contains(list []*x509.Certificate, c *x509.Certificate) bool {
	for _, l := range list {
		if l.Equal(c) {
			return true
		}
	}
	return false
}

// signedPath is "it signed WR2, which signed smtp.gmail.com": the chain
// from the certificate at i down to the leaf.
func signedPath(chain []*x509.Certificate, i int) string {
	var b strings.Builder
	b.WriteString("it signed ")
	for j := i - 1; j >= 0; j-- {
		b.WriteString(CertName(chain[j]))
		if j > 0 {
			b.WriteString(", which signed ")
		}
	}
	return b.String()
}

func whyRoot(chain []*x509.Certificate, complete, fromHere bool) string {
	i := len(chain) - 1
	name := CertName(chain[i])
	if !complete {
		return name + " is the root the server sent, but this computer does not know it: " + signedPath(chain, i) +
			"; check with the provider that it is theirs before the tenant trusts it."
	}
	why := name + " is the root the tenant must trust: " + signedPath(chain, i)
	if fromHere {
		why += " (the server does not send it: it comes from this computer's trust store)"
	}
	return why + "."
}

func whyIntermediate(chain []*x509.Certificate, i int) string {
	c := chain[i]
	issuer := c.Issuer.CommonName
	if i+1 < len(chain) {
		issuer = CertName(chain[i+1])
	}
	return CertName(c) + " was issued by " + issuer + " and signed " + CertName(chain[i-1]) +
		": the tenant keeps it beside the root, as SAP's tutorial does, so that the chain holds even where the server leaves it out."
}

func whyLeaf(c *x509.Certificate) string {
	return CertName(c) + "'s own certificate is replaced every few weeks or months (valid until " +
		c.NotAfter.UTC().Format(dateFormat) + "); trusting its issuers keeps the connection working after that."
}

func whySelfSigned(c *x509.Certificate) string {
	return CertName(c) + "'s certificate signed itself (no issuer stands behind it), so the tenant must trust this very certificate, valid until " +
		c.NotAfter.UTC().Format(dateFormat) + ", and again each time the server gets a new one."
}

func whyLeafAlone(c *x509.Certificate) string {
	return CertName(c) + " sent only its own certificate, and this computer does not know its issuer " + c.Issuer.CommonName +
		", so the tenant can trust only this very certificate, valid until " + c.NotAfter.UTC().Format(dateFormat) +
		", and again each time it is replaced; the provider's root certificate would last longer."
}
