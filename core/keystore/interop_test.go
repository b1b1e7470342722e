package keystore_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// TestOpensKeystoresMadeByKeytool: trusted certificates, a key pair whose
// key password differs from the store password, a mixed-case alias, and a
// Latin-1 password, all made by the real keytool.
func TestOpensKeystoresMadeByKeytool(t *testing.T) {
	dir := t.TempDir()
	chain := certtest.NewChain(t, "smtp.example.com")
	rootFile := writeFile(t, dir, "root.cer", chain.Root.Cert.Raw)
	interFile := writeFile(t, dir, "inter.pem", chain.Intermediate.PEM())
	const pass = "pässwörd€" // € is not Latin-1: must be refused by us, so use below without it
	latin1 := strings.TrimSuffix(pass, "€")
	ks := filepath.Join(dir, "made-by-keytool.jks")

	keytool(t, "-importcert", "-noprompt", "-storetype", "JKS", "-keystore", ks, "-storepass", latin1, "-alias", "GTS Root R1", "-file", rootFile)
	keytool(t, "-importcert", "-noprompt", "-storetype", "JKS", "-keystore", ks, "-storepass", latin1, "-alias", "MixedCase_CA", "-file", interFile)
	keytool(t, "-genkeypair", "-storetype", "JKS", "-keystore", ks, "-storepass", latin1, "-keypass", "another-key-pass",
		"-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=client.example.com, O=Opsdesk, C=DE", "-validity", "30")

	want := keytoolFingerprints(t, ks, latin1)
	if len(want) != 3 {
		t.Fatalf("keytool lists %d entries: %v", len(want), want)
	}

	k, err := keystore.Open(ks, []byte(latin1))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	got := map[string]string{}
	for _, e := range k.Entries() {
		got[e.Alias] = certs.Describe(e.Certificate()).SHA256
	}
	for alias, fp := range want {
		if got[alias] != fp {
			t.Errorf("%s: fingerprint %q, keytool says %q", alias, got[alias], fp)
		}
	}
	if e, err := k.Entry("MIXEDcase_ca"); err != nil || e.Type != keystore.Certificate {
		t.Errorf("mixed-case alias not found regardless of case: %v", err)
	}
	client, _ := k.Entry("client")
	if client.Type != keystore.KeyPair || len(client.Chain) != 1 {
		t.Errorf("client entry = %s with %d certificates", client.Type, len(client.Chain))
	}

	// Touch one entry; the key pair under its own password must survive
	// byte-for-byte and keytool must still read it with that password.
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: chain.Leaf.Cert, Alias: "smtp.example.com"}}); err != nil {
		t.Fatal(err)
	}
	out := keytool(t, "-exportcert", "-rfc", "-keystore", ks, "-storepass", latin1, "-alias", "client")
	if !strings.Contains(out, "BEGIN CERTIFICATE") {
		t.Fatalf("keytool cannot export the key pair after our save:\n%s", out)
	}
	// keytool checks the key password when copying a key pair out.
	keytool(t, "-importkeystore", "-noprompt", "-srckeystore", ks, "-srcstorepass", latin1, "-srcalias", "client",
		"-srckeypass", "another-key-pass", "-destkeystore", filepath.Join(dir, "copy.p12"), "-deststoretype", "PKCS12",
		"-deststorepass", "copy-pass", "-destkeypass", "copy-pass")

	if _, err := keystore.Open(ks, []byte(pass)); !errors.Is(err, keystore.ErrBadPassword) {
		t.Errorf("a password with € should be refused as unrepresentable, got %v", err)
	}
}

// TestKeytoolReadsWhatWeWrite: every operation's result passes keytool
// -list -v with the same fingerprints.
func TestKeytoolReadsWhatWeWrite(t *testing.T) {
	chain := certtest.NewChain(t, "smtp.example.com")
	k := newStore(t, "ÄÖÜ-secret")
	results, err := k.AddCertificates([]keystore.Candidate{{Cert: chain.Leaf.Cert}, {Cert: chain.Intermediate.Cert}, {Cert: chain.Root.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Outcome != keystore.Added {
			t.Fatalf("%s: %s %s", r.Alias, r.Outcome, r.Reason)
		}
	}
	if err := k.Rename("opsdesk_test_root_r1", "gts_root_r1", nil); err != nil {
		t.Fatal(err)
	}
	check := func(pass string) {
		t.Helper()
		got := keytoolFingerprints(t, k.Path(), pass)
		want := map[string]string{}
		for _, e := range k.Entries() {
			want[e.Alias] = certs.SHA256(e.Certificate())
		}
		if len(got) != len(want) {
			t.Fatalf("keytool lists %v, we list %v", got, want)
		}
		for a, fp := range want {
			if got[a] != fp {
				t.Errorf("%s: keytool %q, ours %q", a, got[a], fp)
			}
		}
	}
	check("ÄÖÜ-secret")
	if _, err := k.ChangePassword([]byte("new-secret-ß")); err != nil {
		t.Fatal(err)
	}
	check("new-secret-ß")
	if err := k.Delete("smtp.example.com"); err != nil {
		t.Fatal(err)
	}
	check("new-secret-ß")
}

func TestMergesPKCS12MadeByKeytool(t *testing.T) {
	dir := t.TempDir()
	p12 := filepath.Join(dir, "client.p12")
	keytool(t, "-genkeypair", "-storetype", "PKCS12", "-keystore", p12, "-storepass", "p12-pass", "-alias", "Client-Key",
		"-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=client.example.com, O=Opsdesk, C=DE", "-validity", "30")
	want := keytoolFingerprints(t, p12, "p12-pass")

	k := newStore(t, "store-pass")
	sum, err := k.Merge(p12, keystore.MergeOptions{Password: []byte("p12-pass")})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Count(keystore.Added) != 1 {
		t.Fatalf("summary: %+v", sum.Results)
	}
	e, err := k.Entry("client-key")
	if err != nil {
		t.Fatalf("the key pair is not under keytool's alias: %v (have %v)", err, aliases(k))
	}
	if e.Type != keystore.KeyPair || certs.SHA256(e.Certificate()) != want["client-key"] {
		t.Errorf("merged entry %s, fingerprint %s, keytool says %s", e.Type, certs.SHA256(e.Certificate()), want["client-key"])
	}
	// keytool reads the merged key with the store password.
	keytool(t, "-importkeystore", "-noprompt", "-srckeystore", k.Path(), "-srcstorepass", "store-pass", "-srcalias", "client-key",
		"-destkeystore", filepath.Join(dir, "back.p12"), "-deststoretype", "PKCS12", "-deststorepass", "back-pass")

	if _, err := k.Merge(p12, keystore.MergeOptions{Password: []byte("wrong")}); !errors.Is(err, keystore.ErrWrongPassword) {
		t.Errorf("wrong PKCS#12 password: %v", err)
	}
}

func TestOpensDebianCacerts(t *testing.T) {
	const cacerts = "/etc/ssl/certs/java/cacerts"
	if _, err := os.Stat(cacerts); err != nil {
		certtest.Tool(t, "keytool") // fails under CI, where the JDK is installed
		t.Skipf("skipped: %s is missing (install a Debian JDK)", cacerts)
	}
	want := keytoolFingerprints(t, cacerts, "changeit")
	k, err := keystore.Open(cacerts, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if len(k.Entries()) != len(want) || len(want) < 100 {
		t.Fatalf("we list %d entries, keytool %d", len(k.Entries()), len(want))
	}
	for _, e := range k.Entries() {
		if e.Certificate() == nil {
			t.Errorf("%s: unreadable certificate: %v", e.Alias, e.ChainErrors[0])
			continue
		}
		if fp := certs.SHA256(e.Certificate()); want[e.Alias] != fp {
			t.Errorf("%s: %s, keytool %s", e.Alias, fp, want[e.Alias])
		}
	}
}
