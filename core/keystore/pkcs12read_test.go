package keystore_test

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// keytoolListed is one entry as keytool -list -v shows it.
type keytoolListed struct {
	Type   string // PrivateKeyEntry or trustedCertEntry
	SHA256 string // of the entry's first certificate
	Chain  int    // certificates in the chain
}

// keytoolEntries lists a keystore (JKS or PKCS#12) as keytool sees it.
func keytoolEntries(t *testing.T, file, storepass string) map[string]keytoolListed {
	t.Helper()
	out := keytool(t, "-list", "-v", "-keystore", file, "-storepass", storepass)
	got := map[string]keytoolListed{}
	var alias string
	var e keytoolListed
	flush := func() {
		if alias != "" {
			got[alias] = e
		}
	}
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "Alias name: "):
			flush()
			alias, e = strings.TrimPrefix(line, "Alias name: "), keytoolListed{Chain: 1}
		case strings.HasPrefix(line, "Entry type: "):
			e.Type = strings.TrimPrefix(line, "Entry type: ")
		case strings.HasPrefix(line, "Certificate chain length: "):
			fmt.Sscan(strings.TrimPrefix(line, "Certificate chain length: "), &e.Chain)
		case strings.Contains(line, "SHA256: ") && e.SHA256 == "":
			e.SHA256 = strings.TrimSpace(strings.SplitN(line, "SHA256: ", 2)[1])
		}
	}
	flush()
	return got
}

// mergeAndCompare merges src (a PKCS#12 keystore) into a new JKS, and
// checks that keytool lists the JKS exactly as it lists src: the same
// aliases, entry types, fingerprints and chain lengths. Every key pair
// must then sign: keytool writes a signing request with its key, which
// OpenSSL verifies.
func mergeAndCompare(t *testing.T, src, password string) {
	t.Helper()
	mergeAndCompareAs(t, src, password, nil)
}

// mergeAndCompareAs is mergeAndCompare for a source whose entries have no
// friendly names: keytool numbers them ("1"), Opsdesk proposes an alias
// from the certificate, given here as keytool's alias → Opsdesk's.
func mergeAndCompareAs(t *testing.T, src, password string, proposed map[string]string) {
	t.Helper()
	want := keytoolEntries(t, src, password)
	for from, to := range proposed {
		want[to] = want[from]
		delete(want, from)
	}
	k := newStore(t, "changeit")
	sum, err := k.Merge(src, keystore.MergeOptions{Password: []byte(password)})
	if err != nil {
		t.Fatalf("merge %s: %v", filepath.Base(src), err)
	}
	if n := sum.Count(keystore.Added); n != len(want) {
		t.Errorf("%d entries added, keytool lists %d: %+v", n, len(want), sum.Results)
	}
	got := keytoolEntries(t, k.Path(), "changeit")
	if fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
		t.Fatalf("aliases %v, keytool lists %v in the source", sortedKeys(got), sortedKeys(want))
	}
	for alias, w := range want {
		if got[alias] != w {
			t.Errorf("%s: %+v after the merge, %+v in the source", alias, got[alias], w)
		}
		if w.Type != "PrivateKeyEntry" {
			continue
		}
		csr := filepath.Join(t.TempDir(), alias+".csr")
		keytool(t, "-certreq", "-alias", alias, "-keystore", k.Path(), "-storepass", "changeit", "-file", csr)
		openssl := certtest.Tool(t, "openssl")
		if out, err := exec.Command(openssl, "req", "-verify", "-noout", "-in", csr).CombinedOutput(); err != nil || !strings.Contains(string(out), "verify OK") {
			t.Errorf("%s: the JDK's signing request with the merged key does not verify: %v %s", alias, err, out)
		}
		// And Go signs with it too, verified against the certificate.
		tc, err := k.TLSCertificate(alias, nil)
		if err != nil {
			t.Fatal(err)
		}
		digest := sha256.Sum256([]byte("opsdesk"))
		sig, err := tc.PrivateKey.(crypto.Signer).Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if err := verifyDigest(tc.Leaf, digest[:], sig); err != nil {
			t.Errorf("%s: signature does not verify: %v", alias, err)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func verifyDigest(cert *x509.Certificate, digest, sig []byte) error {
	if cert == nil {
		return errors.New("no certificate")
	}
	alg := x509.SHA256WithRSA
	if _, ok := cert.PublicKey.(interface{ Curve() any }); ok || cert.PublicKeyAlgorithm == x509.ECDSA {
		alg = x509.ECDSAWithSHA256
	}
	return cert.CheckSignature(alg, []byte("opsdesk"), sig)
}

// jdkKeystore writes a PKCS#12 keystore with keytool: three key pairs
// (RSA, EC, RSA) and five trusted certificates, password changeit.
// legacy makes keytool write what JDKs before 11.0.12 wrote (3DES keys,
// RC2-40 certificates, a SHA-1 MAC).
func jdkKeystore(t *testing.T, legacy bool) string {
	dir := t.TempDir()
	p12 := filepath.Join(dir, "jdk.p12")
	var opts []string
	if legacy {
		opts = []string{"-J-Dkeystore.pkcs12.legacy"}
	}
	for i, alg := range []string{"RSA", "EC", "RSA"} {
		args := append([]string{"-genkeypair", "-storetype", "PKCS12", "-keystore", p12, "-storepass", "changeit",
			"-alias", fmt.Sprintf("pair%d", i+1), "-keyalg", alg, "-dname", fmt.Sprintf("CN=pair%d.example.com", i+1), "-validity", "30"}, opts...)
		keytool(t, args...)
	}
	for i := 1; i <= 5; i++ {
		cer := filepath.Join(dir, fmt.Sprintf("ca%d.pem", i))
		if err := os.WriteFile(cer, certtest.CA(t, fmt.Sprintf("Trusted CA %d", i)).PEM(), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"-importcert", "-noprompt", "-storetype", "PKCS12", "-keystore", p12, "-storepass", "changeit",
			"-alias", fmt.Sprintf("trusted%d", i), "-file", cer}, opts...)
		keytool(t, args...)
	}
	return p12
}

// Issue 14: keytool's default keystore since Java 9, refused until now
// with "expected exactly one key bag".
func TestMergeJDKPKCS12WithManyEntries(t *testing.T) {
	p12 := jdkKeystore(t, false)
	if n := len(keytoolEntries(t, p12, "changeit")); n != 8 {
		t.Fatalf("keytool wrote %d entries", n)
	}
	mergeAndCompare(t, p12, "changeit")
}

func TestMergeLegacyJDKPKCS12(t *testing.T) {
	mergeAndCompare(t, jdkKeystore(t, true), "changeit")
}

// opensslP12 exports key and chain with openssl pkcs12 under name.
func opensslP12(t *testing.T, dir, name string, c certtest.Chain, extra []string) string {
	openssl := certtest.Tool(t, "openssl")
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.Leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	key := writeFile(t, dir, name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	crt := writeFile(t, dir, name+".crt", c.Leaf.PEM())
	chain := writeFile(t, dir, name+"-chain.pem", append(c.Intermediate.PEM(), c.Root.PEM()...))
	out := filepath.Join(dir, name+".p12")
	args := append([]string{"pkcs12", "-export", "-inkey", key, "-in", crt, "-certfile", chain, "-name", name,
		"-passout", "pass:s3cret-pw", "-out", out}, extra...)
	if b, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
		if strings.Contains(string(b), "legacy") || strings.Contains(string(b), "unsupported") {
			t.Skipf("this OpenSSL cannot write %v: %s", extra, b)
		}
		t.Fatalf("openssl %v: %v\n%s", args, err, b)
	}
	return out
}

func TestMergeOpenSSL3PKCS12(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"mail", "api"} {
		mergeAndCompare(t, opensslP12(t, dir, name, certtest.NewChain(t, name+".example.com"), nil), "s3cret-pw")
	}
}

func TestMergeOpenSSLLegacyPKCS12(t *testing.T) {
	dir := t.TempDir()
	// -legacy: certificates under 40-bit RC2, the key under 3DES, a SHA-1 MAC.
	p12 := opensslP12(t, dir, "old", certtest.NewChain(t, "old.example.com"), []string{"-legacy"})
	mergeAndCompare(t, p12, "s3cret-pw")
}

func TestMergeGoPKCS12Encoders(t *testing.T) {
	dir := t.TempDir()
	c := certtest.NewChain(t, "go.example.com")
	for name, enc := range map[string]*pkcs12.Encoder{"modern": pkcs12.Modern, "modern2023": pkcs12.Modern2023, "legacy": pkcs12.Legacy, "legacydes": pkcs12.LegacyDES, "legacyrc2": pkcs12.LegacyRC2} {
		data, err := enc.Encode(c.Leaf.Key, c.Leaf.Cert, []*x509.Certificate{c.Intermediate.Cert, c.Root.Cert}, "go-pw-123")
		if err != nil {
			t.Fatal(err)
		}
		// No friendly name: keytool calls the key "1", Opsdesk proposes the
		// certificate's name.
		mergeAndCompareAs(t, writeFile(t, dir, name+".p12", data), "go-pw-123", map[string]string{"1": "go.example.com"})
		// A trust store: the JDK's trusted attribute on every certificate.
		ts, err := enc.EncodeTrustStoreEntries([]pkcs12.TrustStoreEntry{
			{Cert: certtest.CA(t, "Store One").Cert, FriendlyName: "store one"},
			{Cert: certtest.CA(t, "Store Two").Cert, FriendlyName: "store two"},
		}, "go-pw-123")
		if err != nil {
			t.Fatal(err)
		}
		mergeAndCompare(t, writeFile(t, dir, name+"-trust.p12", ts), "go-pw-123")
	}
}

func TestPKCS12WrongPasswordChangesNothing(t *testing.T) {
	p12 := opensslP12(t, t.TempDir(), "mail", certtest.NewChain(t, "mail.example.com"), nil)
	k := newStore(t, "changeit")
	before, _ := os.ReadFile(k.Path())
	for _, pw := range [][]byte{[]byte("wrong"), nil} {
		_, err := k.Merge(p12, keystore.MergeOptions{Password: pw})
		if !errors.Is(err, keystore.ErrWrongPassword) {
			t.Errorf("password %q: %v", pw, err)
		}
	}
	if after, _ := os.ReadFile(k.Path()); string(before) != string(after) {
		t.Error("a refused merge changed the keystore")
	}
}

// Hostile PKCS#12 files: refused with a sentence, quickly, nothing written.
func TestHostilePKCS12(t *testing.T) {
	c := certtest.NewChain(t, "h.example.com")
	good, err := pkcs12.Modern.Encode(c.Leaf.Key, c.Leaf.Cert, nil, "pw-123456")
	if err != nil {
		t.Fatal(err)
	}
	noMAC, err := pkcs12.Passwordless.Encode(c.Leaf.Key, c.Leaf.Cert, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-5] ^= 0xff // inside the MAC's digest
	cases := map[string]struct {
		data []byte
		pw   string
		says string
	}{
		"truncated":    {good[:len(good)/2], "pw-123456", "is not a keystore Opsdesk can read"},
		"wrong MAC":    {flipped, "pw-123456", "the password is wrong"},
		"no MAC, pw":   {noMAC, "pw-123456", "has no integrity check"},
		"deep nesting": {nested(200), "", "is not a keystore Opsdesk can read"},
		"garbage":      {append([]byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff}, make([]byte, 64)...), "", "is not a keystore Opsdesk can read"},
		"past the end": {append([]byte{0x30, 0x82, 0xff, 0xf0}, good[4:]...), "pw-123456", "is not a keystore Opsdesk can read"},
	}
	k := newStore(t, "changeit")
	before, _ := os.ReadFile(k.Path())
	for name, tc := range cases {
		src := writeFile(t, t.TempDir(), "h.p12", tc.data)
		start := time.Now()
		_, err := k.Merge(src, keystore.MergeOptions{Password: []byte(tc.pw)})
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: got %v, want %q", name, err, tc.says)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %s", name, d)
		}
	}
	// Without a password a MAC-less file is read, as the JDK does.
	if _, err := k.Merge(writeFile(t, t.TempDir(), "nomac.p12", noMAC), keystore.MergeOptions{}); err != nil {
		t.Errorf("a file without MAC and without password: %v", err)
	}
	if after, _ := os.ReadFile(k.Path()); len(after) == len(before) {
		t.Error("the password-less file's entry was not added")
	}
}

// nested is a SEQUENCE nested depth times: a parser that recurses on it
// without limit runs out of stack.
func nested(depth int) []byte {
	out := []byte{0x05, 0x00}
	for range depth {
		out = append([]byte{0x30, byte(len(out))}, out...)
		if len(out) > 120 {
			break
		}
	}
	return out
}

// Add ▾ Key Pair with a keystore of several key pairs: each is offered
// under the alias its file gives it; ReadKeyPairFile alone says how many.
func TestReadKeyPairsOffersEveryKeyPair(t *testing.T) {
	p12 := jdkKeystore(t, false)
	pairs, err := keystore.ReadKeyPairs(p12, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range pairs {
		names = append(names, p.Alias)
		p.Close()
	}
	if strings.Join(names, ",") != "pair1,pair2,pair3" {
		t.Fatalf("offered %v", names)
	}
	if _, err := keystore.ReadKeyPairFile(p12, []byte("changeit")); err == nil || !strings.Contains(err.Error(), "holds 3 key pairs") {
		t.Fatalf("ReadKeyPairFile: %v", err)
	}
}

// A PKCS#12 keystore opened as it is: listed as keytool lists it, its key
// pairs usable, never written; "Save as JKS" is ExportForUpload.
func TestOpenPKCS12ReadOnlyAndSaveAsJKS(t *testing.T) {
	p12 := jdkKeystore(t, false)
	before, _ := os.ReadFile(p12)
	k, err := keystore.OpenPKCS12(p12, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if k.Format() != keystore.PKCS12 || !k.ReadOnly() || len(k.Entries()) != 8 {
		t.Fatalf("format %s, read-only %v, %d entries", k.Format(), k.ReadOnly(), len(k.Entries()))
	}
	if err := k.Delete("trusted1"); !errors.Is(err, keystore.ErrReadOnly) || !strings.Contains(err.Error(), "reads but does not change") {
		t.Fatalf("delete: %v", err)
	}
	if err := k.CheckUnchanged(); err != nil {
		t.Fatalf("CheckUnchanged on an untouched file: %v", err)
	}
	if _, err := k.TLSCertificate("pair2", nil); err != nil {
		t.Fatalf("its key pair as a client certificate: %v", err)
	}
	out := filepath.Join(t.TempDir(), "upload.jks")
	if _, err := k.ExportForUpload(out, []byte("upload-pw")); err != nil {
		t.Fatal(err)
	}
	want := keytoolEntries(t, p12, "changeit")
	got := keytoolEntries(t, out, "upload-pw")
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("saved as JKS:\n%v\nkeytool lists the PKCS#12 as\n%v", got, want)
	}
	if after, _ := os.ReadFile(p12); string(after) != string(before) {
		t.Error("the PKCS#12 file was changed")
	}
	if _, err := keystore.OpenPKCS12(p12, []byte("wrong-pw")); !errors.Is(err, keystore.ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
}

// Opened without a password, a PKCS#12 keystore says it needs one (its
// MAC and encryption do), rather than calling itself not a keystore.
func TestOpenReadOnlyPKCS12NeedsItsPassword(t *testing.T) {
	p12 := opensslP12(t, t.TempDir(), "mail", certtest.NewChain(t, "mail.example.com"), nil)
	if _, err := keystore.OpenReadOnly(p12); !errors.Is(err, keystore.ErrWrongPassword) || !strings.Contains(err.Error(), "is protected by a password") {
		t.Fatalf("got %v", err)
	}
}
