package keystore_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// keytoolEntry is keytool -list -v's account of one alias.
func keytoolEntry(t *testing.T, file, pass, alias string) string {
	t.Helper()
	return keytool(t, "-list", "-v", "-keystore", file, "-storepass", pass, "-alias", alias)
}

func TestCreateKeyPairKeytoolLists(t *testing.T) {
	cases := []struct {
		key    keystore.KeyType
		sig    x509.SignatureAlgorithm
		keytoo string // what keytool says of the key
		sigAlg string
	}{
		{keystore.RSA2048, 0, "2048-bit RSA key", "SHA256withRSA"},
		{keystore.RSA3072, x509.SHA512WithRSA, "3072-bit RSA key", "SHA512withRSA"},
		{keystore.EC256, 0, "256-bit EC (secp256r1) key", "SHA256withECDSA"},
		{keystore.EC384, 0, "384-bit EC (secp384r1) key", "SHA384withECDSA"},
	}
	k := newStore(t, "store-pass")
	for _, tc := range cases {
		alias := "Client-" + string(tc.key)
		until := time.Now().AddDate(2, 0, 0).Truncate(time.Second)
		e, err := k.CreateKeyPair(keystore.KeyPairOptions{
			Alias: alias, Key: tc.key, SignatureAlgorithm: tc.sig,
			CommonName: "client.example.com", OrganizationalUnit: "Integration", Organization: "Opsdesk GmbH",
			Locality: "Walldorf", Province: "Baden-Württemberg", Country: "de", Email: "ops@example.com",
			SubjectAltNames: []string{"DNS:client.example.com", "alt.example.com", "IP:192.0.2.7", "email:ops@example.com"},
			ValidUntil:      until,
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.key, err)
		}
		if e.Alias != strings.ToLower(alias) || e.Type != keystore.KeyPair || len(e.Chain) != 1 {
			t.Fatalf("%s: entry %q %s with %d certificates", tc.key, e.Alias, e.Type, len(e.Chain))
		}
		if !e.Certificate().NotAfter.Equal(until) {
			t.Errorf("%s: valid until %v, want %v", tc.key, e.Certificate().NotAfter, until)
		}
		out := keytoolEntry(t, k.Path(), "store-pass", e.Alias)
		for _, want := range []string{
			"Entry type: PrivateKeyEntry",
			"Owner: EMAILADDRESS=ops@example.com, CN=client.example.com, OU=Integration, O=Opsdesk GmbH, L=Walldorf, ST=Baden-Württemberg, C=DE",
			tc.keytoo, "Signature algorithm name: " + tc.sigAlg,
			"DNSName: client.example.com", "DNSName: alt.example.com", "IPAddress: 192.0.2.7", "RFC822Name: ops@example.com",
			"SubjectKeyIdentifier",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: keytool -list -v does not say %q:\n%s", tc.key, want, out)
			}
		}
		// What the TLS test authenticates with.
		tc, err := k.TLSCertificate(e.Alias, nil)
		if err != nil || tc.Leaf == nil || len(tc.Certificate) != 1 {
			t.Fatalf("TLSCertificate: %v", err)
		}
	}
	// The key is protected with the store password, as keytool
	// -genkeypair does: keytool copies it out without -srckeypass.
	keytool(t, "-importkeystore", "-noprompt", "-srckeystore", k.Path(), "-srcstorepass", "store-pass", "-srcalias", "client-ec256",
		"-destkeystore", filepath.Join(t.TempDir(), "copy.p12"), "-deststoretype", "PKCS12", "-deststorepass", "copy-pass")
}

func TestCreateKeyPairDefaults(t *testing.T) {
	k := newStore(t, "store-pass")
	e, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "plain", CommonName: "Plain"})
	if err != nil {
		t.Fatal(err)
	}
	d := certs.Describe(e.Certificate())
	if d.KeyDescription != "RSA 2048" || d.SignatureAlgorithm != "SHA256withRSA" || d.SubjectDN != "CN=Plain" || d.IssuerDN != "CN=Plain" {
		t.Errorf("defaults: %+v", d)
	}
	if days := time.Until(d.ValidUntil).Hours() / 24; days < 364 || days > 366 {
		t.Errorf("valid for %.0f days, want a year", days)
	}
}

func TestKeyPairOptionsCheck(t *testing.T) {
	ok := keystore.KeyPairOptions{Alias: "mine", CommonName: "mine.example.com"}
	cases := []struct {
		name string
		edit func(o *keystore.KeyPairOptions)
		kind error
		says string
	}{
		{"fine", func(*keystore.KeyPairOptions) {}, nil, ""},
		{"no alias", func(o *keystore.KeyPairOptions) { o.Alias = " " }, keystore.ErrBadAlias, "alias is empty"},
		{"SAP alias", func(o *keystore.KeyPairOptions) { o.Alias = "sap_mine" }, keystore.ErrSAPOwned, "belongs to SAP"},
		{"no CN", func(o *keystore.KeyPairOptions) { o.CommonName = "" }, keystore.ErrBadKeyPair, "Common Name is empty"},
		{"long CN", func(o *keystore.KeyPairOptions) { o.CommonName = strings.Repeat("x", 65) }, keystore.ErrBadKeyPair, "at most 64"},
		{"country", func(o *keystore.KeyPairOptions) { o.Country = "DEU" }, keystore.ErrBadKeyPair, "two-letter country code"},
		{"country digits", func(o *keystore.KeyPairOptions) { o.Country = "D1" }, keystore.ErrBadKeyPair, "two-letter"},
		{"email", func(o *keystore.KeyPairOptions) { o.Email = "not an address" }, keystore.ErrBadKeyPair, "not an e-mail address"},
		{"SAN", func(o *keystore.KeyPairOptions) { o.SubjectAltNames = []string{"DNS:bad host"} }, keystore.ErrBadKeyPair, "not a valid host name"},
		{"SAN IP", func(o *keystore.KeyPairOptions) { o.SubjectAltNames = []string{"IP:300.1.1.1"} }, keystore.ErrBadKeyPair, "not a valid IP address"},
		{"past", func(o *keystore.KeyPairOptions) { o.ValidUntil = time.Now().Add(-time.Hour) }, keystore.ErrBadKeyPair, "has passed"},
		{"signature", func(o *keystore.KeyPairOptions) { o.Key, o.SignatureAlgorithm = keystore.EC256, x509.SHA256WithRSA }, keystore.ErrBadKeyPair, "cannot sign with a EC key"},
		{"key type", func(o *keystore.KeyPairOptions) { o.Key = "dsa1024" }, keystore.ErrBadKeyPair, "not a key type"},
	}
	for _, tc := range cases {
		o := ok
		tc.edit(&o)
		err := o.Check()
		if tc.kind == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var pe *problem.Error
		if !errors.As(err, &pe) || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want %v saying %q", tc.name, err, tc.kind, tc.says)
		}
	}
	if got := keystore.EC384.SignatureAlgorithms()[0]; keystore.SignatureName(got) != "SHA384withECDSA" {
		t.Errorf("EC P-384 defaults to %s", keystore.SignatureName(got))
	}
	if kt, ok := keystore.KeyTypeFor("EC", "P-256"); !ok || kt != keystore.EC256 {
		t.Errorf("KeyTypeFor(EC, P-256) = %q", kt)
	}
}

// verifyCSR checks a request with Go and with openssl, and returns it.
func verifyCSR(t *testing.T, data []byte) *x509.CertificateRequest {
	t.Helper()
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE REQUEST" {
		t.Fatalf("not a PEM signing request:\n%s", data)
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := csr.CheckSignature(); err != nil {
		t.Fatalf("the request's signature does not verify: %v", err)
	}
	file := writeFile(t, t.TempDir(), "x.csr", data)
	out, err := exec.Command(certtest.Tool(t, "openssl"), "req", "-verify", "-noout", "-in", file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verify OK") {
		t.Fatalf("openssl req -verify: %v\n%s", err, out)
	}
	return csr
}

func TestSigningRequestOfACreatedKeyPair(t *testing.T) {
	k := newStore(t, "store-pass")
	e, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "client", Key: keystore.EC256, CommonName: "client.example.com",
		Organization: "Opsdesk", Country: "DE", SubjectAltNames: []string{"client.example.com", "IP:192.0.2.7"}})
	if err != nil {
		t.Fatal(err)
	}
	x, err := k.SigningRequest("client", nil)
	if err != nil {
		t.Fatal(err)
	}
	if x.FileName != "client.csr" {
		t.Errorf("file name %q", x.FileName)
	}
	csr := verifyCSR(t, x.Data)
	if !bytes.Equal(csr.RawSubject, e.Certificate().RawSubject) {
		t.Errorf("subject %s, want %s", certs.JavaDN(csr.RawSubject), certs.JavaDN(e.Certificate().RawSubject))
	}
	if !slices.Equal(csr.DNSNames, []string{"client.example.com"}) || len(csr.IPAddresses) != 1 {
		t.Errorf("SANs lost: %v %v", csr.DNSNames, csr.IPAddresses)
	}
	if !e.Certificate().PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(csr.PublicKey) {
		t.Error("the request is for another key")
	}
}

// keytoolChain has keytool make a CA and a key pair whose certificate the
// CA signed, as a CA's answer to a signing request is imported.
func keytoolChain(t *testing.T, dir, ks, pass string) {
	t.Helper()
	keytool(t, "-genkeypair", "-storetype", "JKS", "-keystore", ks, "-storepass", pass, "-alias", "myca", "-keyalg", "RSA", "-keysize", "2048",
		"-dname", "CN=Opsdesk Test CA, O=Opsdesk, C=DE", "-ext", "bc:c", "-validity", "365")
	keytool(t, "-genkeypair", "-storetype", "JKS", "-keystore", ks, "-storepass", pass, "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
		"-dname", "CN=server.example.com, OU=Ops, O=Opsdesk, C=DE", "-ext", "SAN=dns:server.example.com,ip:192.0.2.9", "-validity", "90")
	req := filepath.Join(dir, "server.csr")
	keytool(t, "-certreq", "-keystore", ks, "-storepass", pass, "-alias", "server", "-file", req)
	signed := filepath.Join(dir, "server.cer")
	keytool(t, "-gencert", "-keystore", ks, "-storepass", pass, "-alias", "myca", "-infile", req, "-outfile", signed,
		"-ext", "SAN=dns:server.example.com,ip:192.0.2.9", "-validity", "90")
	keytool(t, "-importcert", "-noprompt", "-keystore", ks, "-storepass", pass, "-alias", "server", "-file", signed)
	// The CA as a trusted certificate, as a tenant holds its CAs.
	caFile := filepath.Join(dir, "ca.cer")
	keytool(t, "-exportcert", "-keystore", ks, "-storepass", pass, "-alias", "myca", "-file", caFile)
	keytool(t, "-importcert", "-noprompt", "-keystore", ks, "-storepass", pass, "-alias", "opsdesk_test_ca", "-file", caFile)
}

func TestKeyPairMadeByKeytoolExports(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keytool.jks")
	keytoolChain(t, dir, ks, "store-pass")
	k, err := keystore.Open(ks, []byte("store-pass"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	e, err := k.Entry("server")
	if err != nil || e.Type != keystore.KeyPair || len(e.Chain) != 2 {
		t.Fatalf("keytool's key pair: %v, %d certificates", err, len(e.Chain))
	}
	ca, _ := k.Entry("opsdesk_test_ca")

	chain, err := k.CertificateChain("server")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(chain.Data)
	p7, err := pkcs7.Parse(block.Bytes)
	if chain.FileName != "server.p7b" || err != nil || len(p7.Certificates) != 2 || !p7.Certificates[0].Equal(e.Certificate()) {
		t.Fatalf("chain %s: %v", chain.FileName, err)
	}
	if out := keytool(t, "-printcert", "-file", writeFile(t, dir, chain.FileName, chain.Data)); strings.Count(out, "Owner:") != 2 {
		t.Errorf("keytool sees in the .p7b:\n%s", out)
	}

	root, err := k.RootCertificate("server")
	if err != nil {
		t.Fatal(err)
	}
	block, _ = pem.Decode(root.Data)
	rootCert, err := x509.ParseCertificate(block.Bytes)
	if root.FileName != "server_rootCA.cer" || err != nil || !rootCert.Equal(ca.Certificate()) {
		t.Fatalf("root %s: %v", root.FileName, err)
	}

	x, err := k.SigningRequest("server", nil)
	if err != nil {
		t.Fatal(err)
	}
	csr := verifyCSR(t, x.Data)
	if certs.JavaDN(csr.RawSubject) != "CN=server.example.com, OU=Ops, O=Opsdesk, C=DE" ||
		!slices.Equal(csr.DNSNames, []string{"server.example.com"}) || len(csr.IPAddresses) != 1 {
		t.Errorf("request for %s with %v %v", certs.JavaDN(csr.RawSubject), csr.DNSNames, csr.IPAddresses)
	}
	// keytool's CA signs our request: the round trip a user makes.
	keytool(t, "-gencert", "-keystore", ks, "-storepass", "store-pass", "-alias", "myca",
		"-infile", writeFile(t, dir, x.FileName, x.Data), "-outfile", filepath.Join(dir, "again.cer"))

	if _, err := k.SigningRequest("nothing", nil); !errors.Is(err, keystore.ErrNoEntry) {
		t.Errorf("request for a missing alias: %v", err)
	}
}

func TestRootCertificateNeedsTheRoot(t *testing.T) {
	// sample's key pair holds leaf and intermediate; its root is "root".
	dir := t.TempDir()
	k, err := keystore.Open(writeFile(t, dir, "s.jks", sample(t, "changeit")), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	root, err := k.RootCertificate("server")
	if err != nil || root.FileName != "server_rootCA.cer" || !strings.Contains(string(root.Data), "BEGIN CERTIFICATE") {
		t.Fatalf("root from the keystore's certificates: %v", err)
	}
	if err := k.Delete("root"); err != nil {
		t.Fatal(err)
	}
	_, err = k.RootCertificate("server")
	var pe *problem.Error
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "not a root certificate") {
		t.Errorf("chain without its root: %v", err)
	}
	if _, err := k.SigningRequest("upper_ca", nil); !errors.Is(err, keystore.ErrNotKeyPair) {
		t.Errorf("request for a certificate entry: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addKeyPair adds m under alias, and checks that keytool lists it as a
// PrivateKeyEntry with the same certificate.
func addKeyPair(t *testing.T, k *keystore.Keystore, alias string, m *keystore.KeyMaterial, chainLen int) {
	t.Helper()
	defer m.Close()
	if err := k.AddKeyPair(alias, m); err != nil {
		t.Fatal(err)
	}
	e, err := k.Entry(alias)
	if err != nil || e.Type != keystore.KeyPair || len(e.Chain) != chainLen {
		t.Fatalf("%s: %v, %s with %d certificates", alias, err, e.Type, len(e.Chain))
	}
	out := keytoolEntry(t, k.Path(), "store-pass", alias)
	if !strings.Contains(out, "Entry type: PrivateKeyEntry") || !strings.Contains(out, fmt.Sprintf("Certificate chain length: %d", chainLen)) ||
		!strings.Contains(out, certs.SHA256(m.Certificate())) {
		t.Errorf("keytool lists %s as:\n%s", alias, out)
	}
}

func TestAddKeyPairFromPKCS12(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keytool.jks")
	keytoolChain(t, dir, ks, "store-pass")
	p12 := filepath.Join(dir, "server.p12")
	keytool(t, "-importkeystore", "-noprompt", "-srckeystore", ks, "-srcstorepass", "store-pass", "-srcalias", "server",
		"-destkeystore", p12, "-deststoretype", "PKCS12", "-deststorepass", "p12-pass")

	k := newStore(t, "store-pass")
	m, err := keystore.ReadKeyPairFile(p12, []byte("p12-pass"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Certificate().Subject.CommonName != "server.example.com" || k.SuggestAlias(m.Certificate()) != "server.example.com" {
		t.Errorf("leaf %s", m.Certificate().Subject)
	}
	addKeyPair(t, k, "server.example.com", m, 2)

	// One made by go-pkcs12, with a chain and an unrelated certificate.
	chain := certtest.NewChain(t, "client.example.com")
	other := certtest.CA(t, "unrelated")
	data, err := pkcs12.Modern.Encode(chain.Leaf.Key, chain.Leaf.Cert, []*x509.Certificate{other.Cert, chain.Root.Cert, chain.Intermediate.Cert}, "go-pass")
	if err != nil {
		t.Fatal(err)
	}
	m, err = keystore.ReadKeyPairFile(writeFile(t, dir, "client.pfx", data), []byte("go-pass"))
	if err != nil {
		t.Fatal(err)
	}
	addKeyPair(t, k, "client", m, 3)

	// keytool's own JKS holding one key pair is read the same way.
	single := filepath.Join(dir, "single.jks")
	keytool(t, "-genkeypair", "-storetype", "JKS", "-keystore", single, "-storepass", "single-pass", "-alias", "one",
		"-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=one", "-validity", "30")
	m, err = keystore.ReadKeyPairFile(single, []byte("single-pass"))
	if err != nil {
		t.Fatal(err)
	}
	addKeyPair(t, k, "one", m, 1)
}

func TestAddKeyPairFromPEM(t *testing.T) {
	dir := t.TempDir()
	chain := certtest.NewChain(t, "pem.example.com")
	chainPEM := append(append(chain.Leaf.PEM(), chain.Intermediate.PEM()...), chain.Root.PEM()...)
	certFile := writeFile(t, dir, "chain.pem", chainPEM)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(chain.Leaf.Key)
	sec1, _ := x509.MarshalECPrivateKey(chain.Leaf.Key.(*ecdsa.PrivateKey))
	k := newStore(t, "store-pass")
	for name, data := range map[string][]byte{
		"pkcs8.pem": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		"pkcs8.der": pkcs8,
		"sec1.pem":  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}),
	} {
		m, err := keystore.ReadKeyPairPEM(writeFile(t, dir, name, data), certFile)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		addKeyPair(t, k, strings.ReplaceAll(name, ".", "-"), m, 3)
	}
	// An RSA key in PKCS#1 form, its certificate in the same file.
	rsaKey := certtest.RSAKey(t, 2048)
	ca := certtest.Sign(t, certtest.Template(pkix.Name{CommonName: "rsa.example.com"}), rsaKey, nil)
	both := append(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}), ca.PEM()...)
	bothFile := writeFile(t, dir, "both.pem", both)
	m, err := keystore.ReadKeyPairPEM(bothFile, bothFile)
	if err != nil {
		t.Fatal(err)
	}
	addKeyPair(t, k, "rsa", m, 1)
}

// TestKeyPairRefusals: every way a user can get Add ▾ Key Pair or Create
// ▾ Key Pair wrong gives one sentence and leaves the file as it was.
func TestKeyPairRefusals(t *testing.T) {
	dir := t.TempDir()
	chain := certtest.NewChain(t, "client.example.com")
	other := certtest.NewChain(t, "other.example.com")
	p12, _ := pkcs12.Modern.Encode(chain.Leaf.Key, chain.Leaf.Cert, []*x509.Certificate{chain.Intermediate.Cert}, "p12-pass")
	p12File := writeFile(t, dir, "client.p12", p12)
	trustOnly, _ := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{chain.Root.Cert}, "p12-pass")
	trustFile := writeFile(t, dir, "trust.p12", trustOnly)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(chain.Leaf.Key)
	keyFile := writeFile(t, dir, "client.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	certFile := writeFile(t, dir, "client.pem", chain.Leaf.PEM())
	otherCert := writeFile(t, dir, "other.pem", other.Leaf.PEM())
	legacy := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-256-CBC,00112233445566778899AABBCCDDEEFF"}, Bytes: make([]byte, 64)})
	legacyFile := writeFile(t, dir, "legacy.key", legacy)
	textFile := writeFile(t, dir, "notes.txt", []byte("just notes\n"))
	encFile := filepath.Join(dir, "encrypted.key")
	if out, err := exec.Command(certtest.Tool(t, "openssl"), "pkcs8", "-topk8", "-v2", "aes256", "-in", keyFile, "-out", encFile, "-passout", "pass:secret").CombinedOutput(); err != nil {
		t.Fatalf("openssl pkcs8: %v\n%s", err, out)
	}
	// Many names make the certificate itself larger than the tenant takes.
	bigTmpl := certtest.Template(pkix.Name{CommonName: "big.example.com"})
	for i := range 2000 {
		bigTmpl.DNSNames = append(bigTmpl.DNSNames, fmt.Sprintf("host%04d.big.example.com", i))
	}
	bigKey := certtest.ECKey(t)
	big := certtest.Sign(t, bigTmpl, bigKey, nil)
	bigPKCS8, _ := x509.MarshalPKCS8PrivateKey(bigKey)
	bigFile := writeFile(t, dir, "big.pem", append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: bigPKCS8}), big.PEM()...))

	k := newStore(t, "store-pass")
	if _, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "taken", Key: keystore.EC256, CommonName: "taken"}); err != nil {
		t.Fatal(err)
	}
	good := func() *keystore.KeyMaterial {
		m, err := keystore.ReadKeyPairFile(p12File, []byte("p12-pass"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name string
		do   func() error
		kind error
		says string
	}{
		{"wrong PKCS#12 password", func() error { _, err := keystore.ReadKeyPairFile(p12File, []byte("wrong")); return err },
			keystore.ErrWrongPassword, "the password is wrong"},
		{"PKCS#12 without a key", func() error { _, err := keystore.ReadKeyPairFile(trustFile, []byte("p12-pass")); return err },
			keystore.ErrNotKeyPair, "no private key"},
		{"certificate as PKCS#12", func() error { _, err := keystore.ReadKeyPairFile(certFile, nil); return err },
			keystore.ErrNotKeyPair, "Add ▾ Certificate"},
		{"PEM key as PKCS#12", func() error { _, err := keystore.ReadKeyPairFile(keyFile, nil); return err },
			keystore.ErrNotKeyPair, "choose PEM"},
		{"text file as PKCS#12", func() error { _, err := keystore.ReadKeyPairFile(textFile, nil); return err },
			keystore.ErrNotKeyPair, "is not a PKCS#12 file"},
		{"key and certificate do not match", func() error { _, err := keystore.ReadKeyPairPEM(keyFile, otherCert); return err },
			keystore.ErrKeyMismatch, "belongs to none of the certificates in \"other.pem\""},
		{"encrypted PKCS#8 key", func() error { _, err := keystore.ReadKeyPairPEM(encFile, certFile); return err },
			keystore.ErrEncryptedKey, "encrypted private key"},
		{"encrypted legacy key", func() error { _, err := keystore.ReadKeyPairPEM(legacyFile, certFile); return err },
			keystore.ErrEncryptedKey, "openssl pkey"},
		{"certificate as key", func() error { _, err := keystore.ReadKeyPairPEM(certFile, certFile); return err },
			keystore.ErrNotKeyPair, "certificate but no private key"},
		{"text file as key", func() error { _, err := keystore.ReadKeyPairPEM(textFile, certFile); return err },
			keystore.ErrNotKeyPair, "holds no private key"},
		{"certificate file is text", func() error { _, err := keystore.ReadKeyPairPEM(keyFile, textFile); return err },
			certs.ErrNotCertificate, "not a certificate"},
		{"larger than 30,720 bytes", func() error { _, err := keystore.ReadKeyPairPEM(bigFile, bigFile); return err },
			keystore.ErrTooLarge, "at most 30720"},
		{"alias taken", func() error { m := good(); defer m.Close(); return k.AddKeyPair("Taken", m) },
			keystore.ErrAliasTaken, "already exists"},
		{"SAP-owned alias", func() error { m := good(); defer m.Close(); return k.AddKeyPair("sap_client", m) },
			keystore.ErrSAPOwned, "belongs to SAP"},
		{"create: alias taken", func() error {
			_, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "taken", CommonName: "x"})
			return err
		}, keystore.ErrAliasTaken, "already exists"},
		{"create: SAP-owned alias", func() error {
			_, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "hcicertificate1", CommonName: "x"})
			return err
		}, keystore.ErrSAPOwned, "belongs to SAP"},
		{"create: bad country", func() error {
			_, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "new", CommonName: "x", Country: "Germany"})
			return err
		}, keystore.ErrBadKeyPair, "two-letter"},
	}
	for _, tc := range cases {
		before := mustRead(t, k.Path())
		err := tc.do()
		var pe *problem.Error
		if !errors.As(err, &pe) || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want %v saying %q", tc.name, err, tc.kind, tc.says)
		}
		if after := mustRead(t, k.Path()); !bytes.Equal(before, after) {
			t.Errorf("%s: the keystore file changed", tc.name)
		}
	}
	if got := aliases(k); !slices.Equal(got, []string{"taken"}) {
		t.Errorf("entries after the refusals: %v", got)
	}
	// A keystore opened without its password takes no key pair.
	ro, err := keystore.OpenReadOnly(k.Path())
	if err != nil {
		t.Fatal(err)
	}
	m := good()
	defer m.Close()
	if err := ro.AddKeyPair("new", m); !errors.Is(err, keystore.ErrReadOnly) {
		t.Errorf("read-only: %v", err)
	}
	if _, err := ro.SigningRequest("taken", nil); !errors.Is(err, keystore.ErrReadOnly) {
		t.Errorf("read-only request: %v", err)
	}
}

// FuzzReadKeyPairPEM: no key file, however made, panics the reader.
func FuzzReadKeyPairPEM(f *testing.F) {
	chain := certtest.NewChain(f, "fuzz.example.com")
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(chain.Leaf.Key)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	f.Add(append(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: pkcs8[:20]}), chain.Leaf.PEM()...))
	f.Add(pkcs8)
	f.Add([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\n-----END ENCRYPTED PRIVATE KEY-----\n"))
	dir := f.TempDir()
	certFile := writeFile(f, dir, "leaf.pem", chain.Leaf.PEM())
	f.Fuzz(func(t *testing.T, data []byte) {
		keyFile := filepath.Join(dir, "fuzz.key")
		if err := os.WriteFile(keyFile, data, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := keystore.ReadKeyPairPEM(keyFile, certFile)
		if err == nil {
			m.Close()
			return
		}
		var pe *problem.Error
		if !errors.As(err, &pe) {
			t.Fatalf("not a sentence: %v", err)
		}
	})
}

// FuzzReadKeyPairFile: no PKCS#12 or JKS file, however made, panics the
// reader or gets a bare Go error; the password is one the seeds use, so
// mutations reach past the integrity check.
func FuzzReadKeyPairFile(f *testing.F) {
	chain := certtest.NewChain(f, "fuzz.example.com")
	// One key-derivation round in the seeds, and at most 64 in what the
	// fuzzer makes of them: instrumented, the crypto is slow enough
	// without thousands of rounds per input.
	keystore.LowerPKCS12Limit(f, 64)
	p12, err := pkcs12.Modern.WithIterations(1).Encode(chain.Leaf.Key, chain.Leaf.Cert, []*x509.Certificate{chain.Intermediate.Cert}, "fuzz-pass")
	if err != nil {
		f.Fatal(err)
	}
	legacy, _ := pkcs12.LegacyRC2.WithIterations(1).Encode(chain.Leaf.Key, chain.Leaf.Cert, nil, "fuzz-pass")
	trust, _ := pkcs12.Modern.WithIterations(1).EncodeTrustStore([]*x509.Certificate{chain.Root.Cert}, "fuzz-pass")
	f.Add(p12)
	f.Add(legacy)
	f.Add(trust)
	f.Add(p12[:len(p12)/2])
	f.Add([]byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 1})
	f.Add([]byte{0x30, 0x82, 0xFF, 0xFF})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.p12")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := keystore.ReadKeyPairFile(path, []byte("fuzz-pass"))
		if err == nil {
			m.Close()
			return
		}
		var pe *problem.Error
		if !errors.As(err, &pe) {
			t.Fatalf("not a sentence: %v", err)
		}
	})
}
