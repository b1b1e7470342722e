package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

const testPassword = "Sekr3t-Pässwort"

// ksRun runs "opsdesk keystore …" and checks that no password ever shows
// in what it prints.
func ksRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(append([]string{"keystore"}, args...), strings.NewReader(""), &out, &errb)
	for _, secret := range []string{testPassword, "new-pass-123", "copy-pass-123", "source-pass"} {
		if strings.Contains(out.String()+errb.String(), secret) {
			t.Fatalf("a password was printed:\n%s\n%s", out.String(), errb.String())
		}
	}
	return code, out.String(), errb.String()
}

func TestKeystoreCommands(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore.jks")
	chain := certtest.NewChain(t, "smtp.example.com")
	chainFile := filepath.Join(dir, "chain.pem")
	pemChain := append(append(chain.Leaf.PEM(), chain.Intermediate.PEM()...), chain.Root.PEM()...)
	if err := os.WriteFile(chainFile, pemChain, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)

	// import creates the keystore.
	code, out, errs := ksRun(t, "import", chainFile, "--keystore", ks)
	if code != 0 || strings.Count(out, "Added ") != 3 || !strings.Contains(out, "Created the keystore") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
	}
	// Importing again finds duplicates, changes nothing, and succeeds.
	before, _ := os.ReadFile(ks)
	code, out, _ = ksRun(t, "import", chainFile, "--keystore", ks)
	if after, _ := os.ReadFile(ks); code != 0 || strings.Count(out, "Already there") != 3 || !bytes.Equal(before, after) {
		t.Fatalf("re-import: exit %d\n%s", code, out)
	}
	// A file that is not a certificate: one sentence, nothing written.
	junk := filepath.Join(dir, "notes.txt")
	_ = os.WriteFile(junk, []byte("hello\n"), 0o644)
	code, _, errs = ksRun(t, "import", junk, "--keystore", ks)
	if after, _ := os.ReadFile(ks); code != 1 || !strings.Contains(errs, "a text file") || !bytes.Equal(before, after) {
		t.Fatalf("junk import: exit %d\n%s", code, errs)
	}

	code, out, _ = ksRun(t, "list", "--keystore", ks, "--json")
	entries, err := jsonEntries(out)
	if code != 0 || err != nil || len(entries) != 3 {
		t.Fatalf("list --json: exit %d, %v\n%s", code, err, out)
	}
	for _, field := range []string{"alias", "type", "subjectDN", "issuerDN", "serialNumber", "validFrom", "validUntil", "sha1", "sha256", "keyType", "keySize", "signatureAlgorithm", "sapOwned", "lastModified"} {
		if _, ok := entries[0][field]; !ok {
			t.Errorf("list --json lacks %q", field)
		}
	}

	code, out, _ = ksRun(t, "show", "SMTP.example.com", "--keystore", ks)
	if code != 0 || !strings.Contains(out, "Subject DN:") || !strings.Contains(out, "CN=smtp.example.com") {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
	code, out, _ = ksRun(t, "export", "smtp.example.com", "--keystore", ks, "--out", "-")
	if code != 0 || !strings.HasPrefix(out, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("export: exit %d\n%s", code, out)
	}
	if code, out, errs = ksRun(t, "rename", "smtp.example.com", "gmail_smtp", "--keystore", ks); code != 0 {
		t.Fatalf("rename: %d %s %s", code, out, errs)
	}
	if code, out, errs = ksRun(t, "delete", "gmail_smtp", "--keystore", ks); code != 0 {
		t.Fatalf("delete: %d %s %s", code, out, errs)
	}
	if code, out, _ = ksRun(t, "backup", "--keystore", ks); code != 0 || !strings.Contains(out, "Backed up 2 entries") {
		t.Fatalf("backup: %d %s", code, out)
	}

	// Merge a keystore made by keytool, with its password from the environment.
	keytool := certtest.Tool(t, "keytool")
	src := filepath.Join(dir, "source.jks")
	cmd := exec.Command(keytool, "-genkeypair", "-storetype", "JKS", "-keystore", src, "-storepass", "source-pass", "-alias", "client",
		"-keyalg", "EC", "-dname", "CN=client", "-validity", "10")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("keytool: %v %s", err, out)
	}
	t.Setenv("OPSDESK_SOURCE_PASSWORD", "source-pass")
	if code, out, errs = ksRun(t, "merge", src, "--keystore", ks); code != 0 || !strings.Contains(out, "Added: 1") {
		t.Fatalf("merge: %d\n%s\n%s", code, out, errs)
	}

	t.Setenv("OPSDESK_NEW_KEYSTORE_PASSWORD", "new-pass-123")
	if code, out, errs = ksRun(t, "passwd", "--keystore", ks); code != 0 {
		t.Fatalf("passwd: %d %s %s", code, out, errs)
	}
	code, _, errs = ksRun(t, "list", "--keystore", ks)
	if code != 1 || !strings.Contains(errs, "password is wrong") {
		t.Fatalf("old password after passwd: exit %d %s", code, errs)
	}
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", "new-pass-123")
	t.Setenv("OPSDESK_COPY_PASSWORD", "copy-pass-123")
	upload := filepath.Join(dir, "upload.jks")
	if code, out, errs = ksRun(t, "download", "--keystore", ks, "--out", upload); code != 0 {
		t.Fatalf("download: %d %s %s", code, out, errs)
	}
	list := exec.Command(keytool, "-list", "-keystore", upload, "-storepass", "copy-pass-123")
	if out, err := list.CombinedOutput(); err != nil || !strings.Contains(string(out), "3 entries") {
		t.Fatalf("keytool on the upload copy: %v\n%s", err, out)
	}

	code, out, errs = ksRun(t, "list", "--keystore", ks, "--no-password")
	if code != 0 || !strings.Contains(errs, "integrity was not verified") || !strings.Contains(out, "Entries (3)") {
		t.Fatalf("--no-password: %d\n%s\n%s", code, out, errs)
	}
}

func TestKeystoreUsageErrors(t *testing.T) {
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)
	cases := [][]string{
		{"list", "--keystore"},                                  // --keystore without its FILE
		{"frobnicate", "--keystore", "x.jks"},                   // unknown command
		{"show", "--keystore", "x.jks"},                         // missing alias
		{"rename", "a", "--keystore", "x.jks"},                  // missing new alias
		{"delete", "a", "--keystore", "x.jks", "--no-password"}, // read-only but writes
		{"list", "--keystore", "x.jks", "--bogus"},
	}
	for _, args := range cases {
		code, _, errs := ksRun(t, args...)
		if code != 2 || !strings.Contains(errs, "opsdesk keystore help") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	code, _, errs := ksRun(t, "list", "--keystore", filepath.Join(t.TempDir(), "missing.jks"))
	if code != 1 || !strings.Contains(errs, "does not exist") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("missing keystore: exit %d, %q", code, errs)
	}
}

func TestKeystoreNeedsAPassword(t *testing.T) {
	os.Unsetenv("OPSDESK_KEYSTORE_PASSWORD")
	code, _, errs := ksRun(t, "list", "--keystore", "x.jks")
	if code != 1 || !strings.Contains(errs, "OPSDESK_KEYSTORE_PASSWORD") {
		t.Errorf("exit %d, %q", code, errs)
	}
}

func TestKeystoreKeyPairCommands(t *testing.T) {
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore.jks")
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)
	root := certtest.CA(t, "Some Root")
	rootFile := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(rootFile, root.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := ksRun(t, "import", rootFile, "--keystore", ks); code != 0 {
		t.Fatalf("import: %d %s %s", code, out, errs)
	}

	code, out, errs := ksRun(t, "create-keypair", "Client", "--keystore", ks, "--cn", "client.example.com", "--key", "ec256",
		"--days", "30", "--san", "DNS:client.example.com,IP:192.0.2.1", "--san", "alt.example.com", "--org", "Opsdesk", "--country", "de")
	if code != 0 || !strings.Contains(out, "Created the key pair client: CN=client.example.com, O=Opsdesk, C=DE, EC P-256, SHA256withECDSA") ||
		!strings.Contains(out, "DNS:client.example.com, DNS:alt.example.com, IP:192.0.2.1") {
		t.Fatalf("create-keypair: exit %d\n%s\n%s", code, out, errs)
	}
	keytool := certtest.Tool(t, "keytool")
	list, err := exec.Command(keytool, "-list", "-v", "-keystore", ks, "-storepass", testPassword, "-alias", "client").CombinedOutput()
	if err != nil || !strings.Contains(string(list), "PrivateKeyEntry") || !strings.Contains(string(list), "256-bit EC (secp256r1) key") {
		t.Fatalf("keytool -list -v: %v\n%s", err, list)
	}

	csrFile := filepath.Join(dir, "client.csr")
	if code, out, errs = ksRun(t, "csr", "client", "--keystore", ks, "-o", csrFile); code != 0 || !strings.Contains(out, "Wrote "+csrFile) {
		t.Fatalf("csr: exit %d\n%s\n%s", code, out, errs)
	}
	openssl := certtest.Tool(t, "openssl")
	if v, err := exec.Command(openssl, "req", "-verify", "-noout", "-in", csrFile).CombinedOutput(); err != nil || !strings.Contains(string(v), "verify OK") {
		t.Fatalf("openssl req -verify: %v\n%s", err, v)
	}
	code, out, _ = ksRun(t, "csr", "client", "--keystore", ks, "-o", "-")
	if code != 0 || !strings.HasPrefix(out, "-----BEGIN CERTIFICATE REQUEST-----") {
		t.Fatalf("csr -o -: exit %d\n%s", code, out)
	}

	// openssl, as the CA, signs the request; update takes the reply and
	// completes the chain with the root already in the keystore.
	rootKey, err := x509.MarshalPKCS8PrivateKey(root.Key)
	if err != nil {
		t.Fatal(err)
	}
	rootKeyFile := filepath.Join(dir, "root.key")
	if err := os.WriteFile(rootKeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rootKey}), 0o600); err != nil {
		t.Fatal(err)
	}
	signedFile := filepath.Join(dir, "client-signed.pem")
	if v, err := exec.Command(openssl, "x509", "-req", "-in", csrFile, "-CA", rootFile, "-CAkey", rootKeyFile, "-CAcreateserial",
		"-days", "30", "-out", signedFile).CombinedOutput(); err != nil {
		t.Fatalf("openssl x509 -req: %v\n%s", err, v)
	}
	if code, out, errs = ksRun(t, "update", "client", signedFile, "--keystore", ks); code != 0 || !strings.Contains(out, "Updated client: CN=client.example.com") {
		t.Fatalf("update: exit %d\n%s\n%s", code, out, errs)
	}
	list, err = exec.Command(keytool, "-list", "-v", "-keystore", ks, "-storepass", testPassword, "-alias", "client").CombinedOutput()
	if err != nil || !strings.Contains(string(list), "Certificate chain length: 2") || !strings.Contains(string(list), "Issuer: CN=Some Root") {
		t.Fatalf("keytool -list -v after update: %v\n%s", err, list)
	}

	before, _ := os.ReadFile(ks)
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"create-keypair", "x"}, 2, "--cn NAME is required"},
		{[]string{"create-keypair", "x", "--cn", "x", "--key", "dsa1024"}, 2, "not a key type"},
		{[]string{"create-keypair", "--cn", "x"}, 2, "expected one ALIAS"},
		{[]string{"create-keypair", "sap_mine", "--cn", "x"}, 1, "belongs to SAP"},
		{[]string{"create-keypair", "client", "--cn", "x"}, 1, "already exists"},
		{[]string{"create-keypair", "new", "--cn", "x", "--country", "Germany"}, 1, "two-letter country code"},
		{[]string{"csr", "some_root"}, 1, "certificate without a private key"},
		{[]string{"csr", "missing"}, 1, "no entry named"},
		{[]string{"update", "client"}, 2, "expected ALIAS and FILE"},
		{[]string{"update", "client", rootFile}, 1, "None of the certificates belongs to the private key"},
		{[]string{"update", "client", filepath.Join(dir, "nothing.pem")}, 1, `"nothing.pem" does not exist`},
	} {
		code, _, errs := ksRun(t, append(tc.args, "--keystore", ks)...)
		if code != tc.code || !strings.Contains(errs, tc.says) {
			t.Errorf("%v: exit %d, %q", tc.args, code, errs)
		}
	}
	if after, _ := os.ReadFile(ks); !bytes.Equal(before, after) {
		t.Error("a refused command changed the keystore")
	}
}

// TestKeystoreHintsNameCommands: core's hints name the window's ways; the
// command line adds its own command, once.
func TestKeystoreHintsNameCommands(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)
	cert := filepath.Join(dir, "smtp.pem")
	if err := os.WriteFile(cert, certtest.CA(t, "smtp").PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := ksRun(t, "list", "--keystore", cert)
	if code != 1 || !strings.Contains(errs, "is a certificate, not a keystore") || strings.Count(errs, `"opsdesk keystore import"`) != 1 {
		t.Errorf("a certificate as the keystore: exit %d, %q", code, errs)
	}
}
