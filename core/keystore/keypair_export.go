package keystore

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"

	"github.com/smallstep/pkcs7"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/problem"
)

// The row actions the tenant shows for Key Pair entries only: Download
// Certificate Chain, Download Root Certificate, Download Signing Request.

// CertificateChain writes an entry's whole chain as a .p7b (base64), even
// when the chain is the certificate alone.
func (k *Keystore) CertificateChain(alias string) (Exported, error) {
	e, raws, err := k.readableChain(alias)
	if err != nil {
		return Exported{}, err
	}
	p7, err := pkcs7.DegenerateCertificate(bytes.Join(raws, nil))
	if err != nil {
		return Exported{}, err
	}
	return Exported{FileName: certs.SafeName(e.Alias) + ".p7b", Data: pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7})}, nil
}

// RootCertificate writes the root of an entry's chain as
// "<alias>_rootCA.cer" (base64). A chain that stops short of its root is
// completed from the keystore's own certificates, as a verifier would.
func (k *Keystore) RootCertificate(alias string) (Exported, error) {
	e, _, err := k.readableChain(alias)
	if err != nil {
		return Exported{}, err
	}
	top := e.Chain[len(e.Chain)-1]
	for seen := 0; !bytes.Equal(top.RawIssuer, top.RawSubject) && seen < 16; seen++ {
		issuer := k.trustedIssuerOf(top)
		if issuer == nil {
			return Exported{}, &problem.Error{Kind: ErrNoEntry,
				What: fmt.Sprintf("The chain of %q ends at %s, which is not a root certificate, and the keystore holds no certificate that issued it", e.Alias, certs.JavaDN(top.RawSubject)),
				Hint: "Add the root with Add ▾ Certificate, or download the certificate chain instead."}
		}
		top = issuer
	}
	return Exported{FileName: certs.SafeName(e.Alias) + "_rootCA.cer", Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: top.Raw})}, nil
}

// trustedIssuerOf finds the Certificate entry that signed c.
func (k *Keystore) trustedIssuerOf(c *x509.Certificate) *x509.Certificate {
	for _, e := range k.entries {
		if e.Type != Certificate {
			continue
		}
		if p := e.Certificate(); p != nil && bytes.Equal(p.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(p) == nil {
			return p
		}
	}
	return nil
}

// readableChain finds an entry whose every certificate can be read.
func (k *Keystore) readableChain(alias string) (Entry, [][]byte, error) {
	e, err := k.Entry(alias)
	if err != nil {
		return e, nil, err
	}
	raws := make([][]byte, 0, len(e.Chain))
	for i, c := range e.Chain {
		if c == nil {
			return e, nil, &problem.Error{Kind: ErrDamaged,
				What: fmt.Sprintf("Certificate %d of %q cannot be read", i+1, e.Alias), Detail: e.ChainErrors[i].Error()}
		}
		raws = append(raws, c.Raw)
	}
	if len(raws) == 0 {
		return e, nil, &problem.Error{Kind: ErrDamaged, What: fmt.Sprintf("%q holds no certificate", e.Alias)}
	}
	return e, raws, nil
}

var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// SigningRequest writes a PKCS#10 certificate signing request for a key
// pair as "<alias>.csr" (base64): the certificate's subject and Subject
// Alternative Names, signed with the entry's private key, which is
// decrypted with keyPassword (UTF-8), or the store password when nil.
// Send it to a CA; its answer replaces the self-signed certificate.
func (k *Keystore) SigningRequest(alias string, keyPassword []byte) (Exported, error) {
	e, _, err := k.readableChain(alias)
	if err != nil {
		return Exported{}, err
	}
	if e.Type != KeyPair {
		return Exported{}, &problem.Error{Kind: ErrNotKeyPair,
			What: fmt.Sprintf("%q is a certificate without a private key, so it cannot sign a request", e.Alias), Hint: "Choose a Key Pair entry."}
	}
	if !k.keysReadable() {
		return Exported{}, k.change(nil)
	}
	entry, kp, err := k.privateKey(e, keyPassword)
	if err != nil {
		return Exported{}, err
	}
	clear(kp)
	defer clear(entry.PrivateKey)
	parsed, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
	if err != nil {
		return Exported{}, &problem.Error{Kind: ErrDamaged, What: fmt.Sprintf("The private key of %q cannot be read", e.Alias), Detail: err.Error()}
	}
	key, ok := parsed.(crypto.Signer)
	if !ok {
		return Exported{}, &problem.Error{Kind: ErrNotKeyPair, What: fmt.Sprintf("The private key of %q cannot sign", e.Alias)}
	}
	cert := e.Certificate()
	tmpl := &x509.CertificateRequest{RawSubject: cert.RawSubject, SignatureAlgorithm: requestSignature(key, cert.SignatureAlgorithm)}
	// The SAN extension is copied as it is, so that every kind of name
	// (including ones Go has no field for) is kept.
	for _, ext := range cert.Extensions {
		if ext.Id.Equal(oidSubjectAltName) {
			tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, ext)
		}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return Exported{}, &problem.Error{Kind: ErrDamaged, What: fmt.Sprintf("The signing request for %q could not be made", e.Alias), Detail: err.Error()}
	}
	return Exported{FileName: certs.SafeName(e.Alias) + ".csr", Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})}, nil
}

// requestSignature signs the request as the certificate was signed when
// that suits the key (a self-signed certificate, or a CA of the same key
// type), and with Go's default for the key otherwise.
func requestSignature(key crypto.Signer, certAlg x509.SignatureAlgorithm) x509.SignatureAlgorithm {
	switch key.(type) {
	case *rsa.PrivateKey:
		if fits(certAlg, []x509.SignatureAlgorithm{x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA}) {
			return certAlg
		}
	case *ecdsa.PrivateKey:
		if fits(certAlg, []x509.SignatureAlgorithm{x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512}) {
			return certAlg
		}
	}
	return x509.UnknownSignatureAlgorithm
}
