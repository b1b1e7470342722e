// Package certtest makes real certificate chains for tests: a root CA, an
// intermediate CA and a leaf for a host name, as a mail server sends them.
package certtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/internal/wine"
)

// Issued is a certificate with its private key.
type Issued struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// PEM returns the certificate in PEM.
func (i Issued) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.Cert.Raw})
}

// Chain is root → intermediate → leaf.
type Chain struct {
	Root, Intermediate, Leaf Issued
}

// Certificates returns the chain leaf first, as a server sends it.
func (c Chain) Certificates() []*x509.Certificate {
	return []*x509.Certificate{c.Leaf.Cert, c.Intermediate.Cert, c.Root.Cert}
}

var serial atomic.Int64

func init() { serial.Store(time.Now().UnixNano() & 0xFFFFFFFF) }

// Template returns a certificate template valid from an hour ago for a
// year, with a fresh serial number.
func Template(subject pkix.Name) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)),
		Subject:      subject,
		NotBefore:    time.Now().Add(-time.Hour).Truncate(time.Second),
		NotAfter:     time.Now().Add(365 * 24 * time.Hour).Truncate(time.Second),
	}
}

// Sign creates a certificate from tmpl for key, signed by parent (or
// self-signed when parent is nil).
func Sign(t testing.TB, tmpl *x509.Certificate, key crypto.Signer, parent *Issued) Issued {
	t.Helper()
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		t.Fatalf("create certificate %s: %v", tmpl.Subject, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	return Issued{Cert: cert, Key: key}
}

// ECKey returns a fresh P-256 key.
func ECKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// RSAKey returns a fresh RSA key of the given size.
func RSAKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// CA makes a self-signed root CA.
func CA(t testing.TB, cn string) Issued {
	tmpl := Template(pkix.Name{CommonName: cn, Organization: []string{"Opsdesk Test Trust"}, Country: []string{"DE"}})
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	tmpl.NotAfter = time.Now().Add(10 * 365 * 24 * time.Hour).Truncate(time.Second)
	return Sign(t, tmpl, RSAKey(t, 2048), nil)
}

// NewChain makes root → intermediate → leaf, the leaf valid for host (a
// DNS name, or an IP address) and for "localhost" and 127.0.0.1.
func NewChain(t testing.TB, host string) Chain {
	t.Helper()
	root := CA(t, "Opsdesk Test Root R1")

	itmpl := Template(pkix.Name{CommonName: "Opsdesk Test CA 1O1", Organization: []string{"Opsdesk Test Trust"}, Country: []string{"DE"}})
	itmpl.IsCA, itmpl.BasicConstraintsValid, itmpl.MaxPathLenZero = true, true, true
	itmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	inter := Sign(t, itmpl, ECKey(t), &root)

	return Chain{Root: root, Intermediate: inter, Leaf: Leaf(t, host, &inter)}
}

// Leaf issues a server certificate for host (and for "localhost" and
// 127.0.0.1) from issuer: two servers of one provider (smtp. and imap.)
// get leafs of their own under the same intermediate, as Gmail's do.
func Leaf(t testing.TB, host string, issuer *Issued) Issued {
	t.Helper()
	ltmpl := Template(pkix.Name{CommonName: host})
	ltmpl.KeyUsage = x509.KeyUsageDigitalSignature
	ltmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	ltmpl.DNSNames = []string{"localhost"}
	ltmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	if ip := net.ParseIP(host); ip != nil {
		ltmpl.IPAddresses = append(ltmpl.IPAddresses, ip)
	} else if host != "localhost" {
		ltmpl.DNSNames = append([]string{host}, ltmpl.DNSNames...)
	}
	return Sign(t, ltmpl, ECKey(t), issuer)
}

// Tool returns the path of an external program a test talks to, such as
// keytool. Where it is missing the test is skipped with the reason, except
// under CI, which installs every such program and so fails instead. Under
// Wine (make test-windows) keytool and openssl are the lane's bridges to
// the Linux programs (internal/cmd/winebridge), on Wine's PATH.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if wine.Running() {
		t.Fatalf("%s is not on Wine's PATH: run the Windows tests with scripts/windows/test-windows.sh (make test-windows), which bridges to the Linux %s", name, name)
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; .ci/run must install it (make deps)", name)
	}
	t.Skipf("skipped: %s is not installed (run `make deps` to install it)", name)
	return ""
}
