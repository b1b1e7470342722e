package keystore_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// TestUpdateKeyPairWithTheCAsReply is the signing-request round trip with
// a real CA: Create ▾ Key Pair, Download Signing Request, keytool's CA
// signs it, Update takes the reply (the signed certificate alone; the CA
// is already trusted in the keystore, as keytool -importcert completes a
// reply), and keytool then lists the key pair with the two-certificate
// chain under the same key.
func TestUpdateKeyPairWithTheCAsReply(t *testing.T) {
	dir := t.TempDir()
	caStore := filepath.Join(dir, "ca.jks")
	keytool(t, "-genkeypair", "-storetype", "JKS", "-keystore", caStore, "-storepass", "ca-pass", "-alias", "myca", "-keyalg", "RSA", "-keysize", "2048",
		"-dname", "CN=Opsdesk Update CA, O=Opsdesk, C=DE", "-ext", "bc:c", "-validity", "365")
	caFile := filepath.Join(dir, "ca.cer")
	keytool(t, "-exportcert", "-rfc", "-keystore", caStore, "-storepass", "ca-pass", "-alias", "myca", "-file", caFile)

	k := newStore(t, "store-pass")
	created, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "client", Key: keystore.EC256, CommonName: "client.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	ca := certs.Read("ca.cer", caPEM).Certificates[0].Cert
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: ca, Alias: "opsdesk_update_ca"}}); err != nil {
		t.Fatal(err)
	}
	csr, err := k.SigningRequest("client", nil)
	if err != nil {
		t.Fatal(err)
	}
	reqFile := writeFile(t, dir, "client.csr", csr.Data)
	replyFile := filepath.Join(dir, "client.cer")
	keytool(t, "-gencert", "-rfc", "-keystore", caStore, "-storepass", "ca-pass", "-alias", "myca", "-infile", reqFile, "-outfile", replyFile, "-validity", "90")
	replyPEM, err := os.ReadFile(replyFile)
	if err != nil {
		t.Fatal(err)
	}
	reply := certs.Read("client.cer", replyPEM).Certificates[0].Cert

	// A certificate for another key is refused, and nothing changes.
	before, _ := os.ReadFile(k.Path())
	if _, err := k.Update("client", []*x509.Certificate{ca}, nil); !errors.Is(err, keystore.ErrKeyMismatch) {
		t.Errorf("update with the CA's own certificate: %v", err)
	}
	if after, _ := os.ReadFile(k.Path()); !bytes.Equal(before, after) {
		t.Fatal("a refused update changed the file")
	}

	updated, err := k.Update("client", []*x509.Certificate{reply}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(updated.Chain) != 2 || !bytes.Equal(updated.Chain[0].Raw, reply.Raw) || !bytes.Equal(updated.Chain[1].Raw, ca.Raw) {
		t.Fatalf("chain after update: %d certificates", len(updated.Chain))
	}
	if !updated.Chain[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(created.Certificate().PublicKey) {
		t.Error("the key pair's key changed")
	}
	out := keytoolEntry(t, k.Path(), "store-pass", "client")
	for _, want := range []string{"PrivateKeyEntry", "Certificate chain length: 2", "Issuer: CN=Opsdesk Update CA, O=Opsdesk, C=DE"} {
		if !strings.Contains(out, want) {
			t.Errorf("keytool -list -v lacks %q:\n%s", want, out)
		}
	}
	// The key still signs: a TLS client certificate comes out of it.
	if _, err := k.TLSCertificate("client", nil); err != nil {
		t.Errorf("TLS certificate after the update: %v", err)
	}
}

// TestUpdateCertificateAndRefusals: a certificate entry takes one new
// certificate under its alias; SAP's entries, several certificates and
// read-only keystores are refused with the file as it was.
func TestUpdateCertificateAndRefusals(t *testing.T) {
	k := newStore(t, "store-pass")
	old, renewed, other := certtest.CA(t, "mail"), certtest.CA(t, "mail"), certtest.CA(t, "other")
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: old.Cert, Alias: "mail"}}); err != nil {
		t.Fatal(err)
	}
	e, err := k.Update("mail", []*x509.Certificate{renewed.Cert}, nil)
	if err != nil || !bytes.Equal(e.Certificate().Raw, renewed.Cert.Raw) {
		t.Fatalf("update: %v", err)
	}
	fp := keytoolFingerprints(t, k.Path(), "store-pass")
	if len(fp) != 1 || fp["mail"] == "" {
		t.Errorf("keytool lists %v", fp)
	}

	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: other.Cert, Alias: "other"}}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(k.Path())
	if _, err := k.Update("mail", []*x509.Certificate{renewed.Cert}, nil); err != nil {
		t.Errorf("the same certificate again: %v", err)
	}
	if _, err := k.Update("mail", []*x509.Certificate{other.Cert}, nil); !errors.Is(err, keystore.ErrAliasTaken) || !strings.Contains(err.Error(), `already in the keystore as "other"`) {
		t.Errorf("a certificate kept under another alias: %v", err)
	}
	if _, err := k.Update("mail", []*x509.Certificate{renewed.Cert, other.Cert}, nil); !errors.Is(err, keystore.ErrNotOne) {
		t.Errorf("two certificates: %v", err)
	}
	if _, err := k.Update("mail", nil, nil); !errors.Is(err, keystore.ErrNotOne) {
		t.Errorf("no certificate: %v", err)
	}
	if _, err := k.Update("nothing", []*x509.Certificate{other.Cert}, nil); !errors.Is(err, keystore.ErrNoEntry) {
		t.Errorf("no such entry: %v", err)
	}
	if after, _ := os.ReadFile(k.Path()); !bytes.Equal(before, after) {
		t.Error("a refused update changed the file")
	}
	ro, err := keystore.OpenReadOnly(k.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Update("mail", []*x509.Certificate{other.Cert}, nil); !errors.Is(err, keystore.ErrReadOnly) {
		t.Errorf("read-only: %v", err)
	}
}
