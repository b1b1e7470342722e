package keystore_test

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// sample writes a small keystore with keystore-go directly: two trusted
// certificates, one under an upper-case alias as some tools write it, and a
// key pair. It returns the file's bytes.
func sample(t testing.TB, password string) []byte {
	return sampleWith(t, password, "Upper_CA")
}

func sampleWith(t testing.TB, password, intermediateAlias string) []byte {
	t.Helper()
	chain := certtest.NewChain(t, "smtp.example.com")
	lib := jks.New(jks.WithCaseExactAliases(), jks.WithOrderedAliases())
	put := func(alias string, c *x509.Certificate) {
		if err := lib.SetTrustedCertificateEntry(alias, jks.TrustedCertificateEntry{Certificate: jks.Certificate{Type: "X.509", Content: c.Raw}}); err != nil {
			t.Fatal(err)
		}
	}
	put("root", chain.Root.Cert)
	put(intermediateAlias, chain.Intermediate.Cert)
	key, _ := x509.MarshalPKCS8PrivateKey(chain.Leaf.Key)
	err := lib.SetPrivateKeyEntry("server", jks.PrivateKeyEntry{PrivateKey: key, CertificateChain: []jks.Certificate{
		{Type: "X.509", Content: chain.Leaf.Cert.Raw}, {Type: "X.509", Content: chain.Intermediate.Cert.Raw}}}, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := lib.Store(&b, []byte(password)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// hostile returns files that must be refused with a clear error, never a
// panic or a huge allocation.
func hostile(t testing.TB) map[string][]byte {
	good := sample(t, "changeit")
	header := append([]byte{0xFE, 0xED, 0xFE, 0xED}, u32(2)...)
	// A key entry that claims 0xFFFFFFFF certificates: keystore-go would
	// die with "out of memory", which recover() cannot catch.
	billionCerts := append(append([]byte{}, header...), u32(1)...)
	billionCerts = append(billionCerts, u32(1)...)          // tag: key
	billionCerts = append(billionCerts, 0, 1, 'a')          // alias
	billionCerts = append(billionCerts, make([]byte, 8)...) // time
	key := append([]byte{0x30, 0x31, 0x30, 0x0e, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01, 0x05, 0x00, 0x04, 0x1f}, make([]byte, 31)...)
	billionCerts = append(billionCerts, u32(uint32(len(key)))...)
	billionCerts = append(billionCerts, key...)
	billionCerts = append(billionCerts, u32(0xFFFFFFFF)...)
	// A short protected key: keystore-go panics with "makeslice" on it.
	shortKey := append(append([]byte{}, header...), u32(1)...)
	shortKey = append(shortKey, u32(1)...)
	shortKey = append(shortKey, 0, 1, 'a')
	shortKey = append(shortKey, make([]byte, 8)...)
	sk := []byte{0x30, 0x14, 0x30, 0x0e, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01, 0x05, 0x00, 0x04, 0x02, 0x01, 0x02}
	shortKey = append(shortKey, u32(uint32(len(sk)))...)
	shortKey = append(shortKey, sk...)
	shortKey = append(shortKey, u32(0)...)
	shortKey = append(shortKey, make([]byte, 20)...)

	return map[string][]byte{
		"empty":                     {},
		"wrong magic":               append([]byte("NOTAJKS!"), good[8:]...),
		"truncated header":          good[:6],
		"truncated in an entry":     good[:len(good)/2],
		"missing digest":            good[:len(good)-10],
		"billions of entries":       append(append([]byte{}, header...), u32(0xFFFFFFFF)...),
		"length larger than file":   append(append(append([]byte{}, header...), u32(1)...), append(u32(2), 0xFF, 0xFF)...),
		"billions of certificates":  billionCerts,
		"short protected key":       shortKey,
		"unknown version":           append(append([]byte{0xFE, 0xED, 0xFE, 0xED}, u32(7)...), good[8:]...),
		"unknown entry type":        append(append(append([]byte{}, header...), u32(1)...), append(u32(9), make([]byte, 40)...)...),
		"JCEKS":                     append([]byte{0xCE, 0xCE, 0xCE, 0xCE}, good[4:]...),
		"a PEM certificate instead": certtest.NewChain(t, "x.example.com").Leaf.PEM(),
	}
}

func TestHostileFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	for name, data := range hostile(t) {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, dir, strings.ReplaceAll(name, " ", "_")+".jks", data)
			for _, open := range []func() (*keystore.Keystore, error){
				func() (*keystore.Keystore, error) { return keystore.Open(path, []byte("changeit")) },
				func() (*keystore.Keystore, error) { return keystore.OpenReadOnly(path) },
			} {
				k, err := open()
				if err == nil {
					k.Close()
					t.Fatal("opened")
				}
				var pe *problem.Error
				if !errors.As(err, &pe) || pe.Hint == "" {
					t.Fatalf("error is not a user's sentence with a next step: %v", err)
				}
				if !errors.Is(err, keystore.ErrDamaged) && !errors.Is(err, keystore.ErrNotKeystore) {
					t.Errorf("error kind: %v", err)
				}
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, data) {
				t.Error("the file was changed")
			}
		})
	}
}

func TestHostileFilesCostLittleMemory(t *testing.T) {
	dir := t.TempDir()
	for name, data := range hostile(t) {
		path := writeFile(t, dir, "h.jks", data)
		const runs = 20
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < runs; i++ {
			_, _ = keystore.Open(path, []byte("changeit"))
		}
		runtime.ReadMemStats(&after)
		allocs := int64(after.TotalAlloc-before.TotalAlloc) / runs
		// Reading the file, plus a small fixed overhead for the path and
		// the error sentence.
		if limit := int64(4*len(data) + 64<<10); allocs > limit {
			t.Errorf("%s: %d bytes allocated to refuse a %d-byte file", name, allocs, len(data))
		}
	}
}

func TestOpenWithAndWithoutPassword(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "sample.jks", sample(t, "changeit"))

	if _, err := keystore.Open(path, []byte("wrong-password")); !errors.Is(err, keystore.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	} else if !strings.Contains(err.Error(), "password is wrong") || !strings.Contains(err.Error(), "without a password") {
		t.Errorf("message does not help: %v", err)
	}
	if _, err := keystore.Open(filepath.Join(dir, "nope.jks"), []byte("x")); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}

	ro, err := keystore.OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	if !ro.ReadOnly() {
		t.Error("not marked read-only")
	}
	if got := strings.Join(aliases(ro), ","); got != "root,server,upper_ca" {
		t.Errorf("aliases %s", got)
	}
	if _, err := ro.Export("UPPER_CA", false); err != nil {
		t.Errorf("export from read-only: %v", err)
	}
	if err := ro.Delete("root"); !errors.Is(err, keystore.ErrReadOnly) {
		t.Errorf("delete on read-only: %v", err)
	}

	k, err := keystore.Open(path, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	server, err := k.Entry("SERVER")
	if err != nil || server.Type != keystore.KeyPair || len(server.Chain) != 2 {
		t.Fatalf("server: %+v %v", server, err)
	}
	// The upper-case alias is reachable, renamable, and then lower case.
	if err := k.Rename("upper_ca", "intermediate", nil); err != nil {
		t.Fatal(err)
	}
	if err := k.Rename("server", "Server-Renamed", nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(aliases(k), ","); got != "intermediate,root,server-renamed" {
		t.Errorf("after renames: %s", got)
	}
	if got := keytoolFingerprints(t, path, "changeit"); len(got) != 3 {
		t.Errorf("keytool lists %v", got)
	}
	again, err := keystore.Open(path, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if e, err := again.Entry("server-renamed"); err != nil || e.Type != keystore.KeyPair {
		t.Errorf("renamed key pair after reopening: %v", err)
	}
}

func TestUntouchedEntriesAreKeptByteForByte(t *testing.T) {
	dir := t.TempDir()
	original := sampleWith(t, "changeit", "intermediate")
	path := writeFile(t, dir, "sample.jks", original)
	k, err := keystore.Open(path, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	extra := certtest.CA(t, "Extra Root")
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: extra.Cert}}); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("extra_root"); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if keytoolFingerprints(t, path, "changeit")["server"] == "" {
		t.Error("keytool cannot read the key pair")
	}
	// Same entries, same order (ordered aliases), same protected keys:
	// only the digest could differ, and it must not.
	if !bytes.Equal(after, original) {
		t.Error("adding then deleting an entry did not give back the same bytes")
	}
}

func TestAliasRules(t *testing.T) {
	chain := certtest.NewChain(t, "smtp.example.com")
	k := newStore(t, "changeit")
	res, err := k.AddCertificates([]keystore.Candidate{
		{Cert: chain.Root.Cert, Alias: "sap_my_root"},
		{Cert: chain.Root.Cert, Alias: "HCICertificate9"},
		{Cert: chain.Root.Cert, Alias: strings.Repeat("x", 251)},
		{Cert: chain.Root.Cert, Alias: "My Root"},
		{Cert: chain.Root.Cert, Alias: "again"},
		{Cert: chain.Leaf.Cert, Alias: "MY ROOT"},
		{Cert: chain.Intermediate.Cert},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []keystore.Outcome{keystore.Rejected, keystore.Rejected, keystore.Rejected, keystore.Added, keystore.Duplicate, keystore.Rejected, keystore.Added}
	for i, r := range res {
		if r.Outcome != want[i] {
			t.Errorf("%d %q: %s (%s), want %s", i, r.Alias, r.Outcome, r.Reason, want[i])
		}
		if r.Outcome != keystore.Added && r.Reason == "" {
			t.Errorf("%d: no reason given", i)
		}
	}
	if res[4].Existing != "my root" {
		t.Errorf("duplicate names %q", res[4].Existing)
	}
	if got := strings.Join(aliases(k), ","); got != "my root,opsdesk_test_ca_1o1" {
		t.Errorf("aliases %s", got)
	}
	if err := k.Rename("my root", "sap_root", nil); !errors.Is(err, keystore.ErrSAPOwned) {
		t.Errorf("rename to an SAP alias: %v", err)
	}
	if err := k.Rename("my root", "OPSDESK_TEST_CA_1O1", nil); !errors.Is(err, keystore.ErrAliasTaken) {
		t.Errorf("rename onto another entry: %v", err)
	}
	if err := k.Delete("nothing"); !errors.Is(err, keystore.ErrNoEntry) {
		t.Errorf("delete of a missing entry: %v", err)
	}
}

func TestSAPOwnedEntriesAreUntouchable(t *testing.T) {
	dir := t.TempDir()
	chain := certtest.NewChain(t, "a.example.com")
	lib := jks.New(jks.WithOrderedAliases())
	_ = lib.SetTrustedCertificateEntry("sap_cloud_root", jks.TrustedCertificateEntry{Certificate: jks.Certificate{Type: "X.509", Content: chain.Root.Cert.Raw}})
	var b bytes.Buffer
	_ = lib.Store(&b, []byte("changeit"))
	path := writeFile(t, dir, "system.jks", b.Bytes())
	k, err := keystore.Open(path, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	e, _ := k.Entry("sap_cloud_root")
	if !e.SAPOwned {
		t.Error("not marked SAP-owned")
	}
	if err := k.Delete("sap_cloud_root"); !errors.Is(err, keystore.ErrSAPOwned) {
		t.Errorf("delete: %v", err)
	}
	if err := k.Rename("sap_cloud_root", "mine", nil); !errors.Is(err, keystore.ErrSAPOwned) {
		t.Errorf("rename: %v", err)
	}
}

func TestPasswords(t *testing.T) {
	dir := t.TempDir()
	if _, err := keystore.Create(filepath.Join(dir, "a.jks"), []byte("short")); !errors.Is(err, keystore.ErrBadPassword) {
		t.Errorf("5-character password: %v", err)
	}
	if _, err := keystore.Create(filepath.Join(dir, "b.jks"), []byte("price-in-€")); !errors.Is(err, keystore.ErrBadPassword) || !strings.Contains(err.Error(), "€") {
		t.Errorf("non-Latin-1 password: %v", err)
	}
	if _, err := keystore.Create(filepath.Join(dir, "c.jks"), []byte{0xff, 0xfe, 'a', 'b', 'c', 'd', 'e'}); !errors.Is(err, keystore.ErrBadPassword) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	k := newStore(t, "first-pass")
	if _, err := k.ChangePassword([]byte("12345")); !errors.Is(err, keystore.ErrBadPassword) {
		t.Errorf("short new password: %v", err)
	}
	// The keystore still works with its old password after that refusal.
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: certtest.CA(t, "x").Cert}}); err != nil {
		t.Fatal(err)
	}
	if _, err := keystore.Open(k.Path(), []byte("first-pass")); err != nil {
		t.Fatal(err)
	}
	// A change of password straight after opening, with nothing else done.
	fresh, err := keystore.Open(k.Path(), []byte("first-pass"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.ChangePassword([]byte("second-pass")); err != nil {
		t.Fatal(err)
	}
	if reopened, err := keystore.Open(k.Path(), []byte("second-pass")); err != nil || len(reopened.Entries()) != 1 {
		t.Fatalf("reopen with the new password: %v", err)
	}
	if _, err := keystore.Create(k.Path(), []byte("whatever-pass")); !errors.Is(err, keystore.ErrExists) {
		t.Errorf("create over an existing file: %v", err)
	}
}

func TestRefusesToOverwriteAChangedFile(t *testing.T) {
	k := newStore(t, "changeit")
	other, err := keystore.Open(k.Path(), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.AddCertificates([]keystore.Candidate{{Cert: certtest.CA(t, "first").Cert}}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(k.Path())
	_, err = k.AddCertificates([]keystore.Candidate{{Cert: certtest.CA(t, "second").Cert}})
	if !errors.Is(err, keystore.ErrChangedOnDisk) || !strings.Contains(err.Error(), "another program") {
		t.Fatalf("save over a changed file: %v", err)
	}
	after, _ := os.ReadFile(k.Path())
	if !bytes.Equal(before, after) {
		t.Error("the other program's change was overwritten")
	}
	if len(k.Entries()) != 0 {
		t.Error("the failed change shows in memory")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(k.Path()), ".*tmp*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestExport(t *testing.T) {
	dir := t.TempDir()
	k, err := keystore.Open(writeFile(t, dir, "s.jks", sample(t, "changeit")), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	cases := []struct {
		alias    string
		der      bool
		file     string
		certsIn  int
		startsAs string
	}{
		{"root", false, "root.cer", 1, "-----BEGIN CERTIFICATE-----"},
		{"root", true, "root.cer", 1, "\x30"},
		{"server", false, "server.p7b", 2, "-----BEGIN PKCS7-----"},
		{"server", true, "server.p7b", 2, "\x30"},
	}
	for _, tc := range cases {
		x, err := k.Export(tc.alias, tc.der)
		if err != nil {
			t.Fatal(err)
		}
		if x.FileName != tc.file || !bytes.HasPrefix(x.Data, []byte(tc.startsAs)) {
			t.Errorf("%s der=%v: %s starting %q", tc.alias, tc.der, x.FileName, x.Data[:12])
		}
		if bytes.Contains(x.Data, []byte("PRIVATE")) {
			t.Error("a private key left the keystore")
		}
		// What we export, keytool reads.
		p := writeFile(t, dir, "export-"+x.FileName, x.Data)
		out := keytool(t, "-printcert", "-file", p)
		if n := strings.Count(out, "Owner:"); n != tc.certsIn {
			t.Errorf("keytool sees %d certificates in %s", n, x.FileName)
		}
	}
}

func TestBackupAndRestore(t *testing.T) {
	k := newStore(t, "changeit")
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: certtest.CA(t, "one").Cert}}); err != nil {
		t.Fatal(err)
	}
	b, err := k.Backup()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: certtest.CA(t, "two").Cert}}); err != nil {
		t.Fatal(err)
	}
	list, err := k.Backups()
	if err != nil || len(list) != 1 || list[0].Name != b.Name {
		t.Fatalf("backups: %v %v", list, err)
	}
	if _, err := k.Restore(b.Name); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(aliases(k), ","); got != "one" {
		t.Errorf("after restore: %s", got)
	}
	if list, _ := k.Backups(); len(list) != 2 {
		t.Errorf("the state before the restore was not backed up: %v", list)
	}
	if _, err := k.Restore("../keystore.jks"); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("restore outside the backup folder: %v", err)
	}
}

func TestExportForUpload(t *testing.T) {
	dir := t.TempDir()
	k, err := keystore.Open(writeFile(t, dir, "s.jks", sample(t, "changeit")), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	out := filepath.Join(dir, "upload.jks")
	check, err := k.ExportForUpload(out, []byte("upload-pass"))
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Warnings) != 0 {
		t.Errorf("warnings for a clean keystore: %v", check.Warnings)
	}
	got := keytoolFingerprints(t, out, "upload-pass")
	if len(got) != 3 {
		t.Errorf("keytool lists %v", got)
	}
	// keytool takes the key with the upload password alone.
	keytool(t, "-importkeystore", "-noprompt", "-srckeystore", out, "-srcstorepass", "upload-pass", "-srcalias", "server",
		"-destkeystore", filepath.Join(dir, "k.p12"), "-deststoretype", "PKCS12", "-deststorepass", "xxxxxx")

	big := certtest.Template(certtest.CA(t, "big").Cert.Subject)
	big.DNSNames = make([]string, 400)
	for i := range big.DNSNames {
		big.DNSNames[i] = strings.Repeat("n", 20) + ".example.com"
	}
	bigCert := certtest.Sign(t, big, certtest.ECKey(t), nil)
	if _, err := k.AddCertificates([]keystore.Candidate{{Cert: bigCert.Cert, Alias: "big"}}); err != nil {
		t.Fatal(err)
	}
	check, err = k.ExportForUpload(out, []byte("upload-pass"))
	if err != nil {
		t.Fatal(err)
	}
	if len(check.Warnings) != 1 || !strings.Contains(check.Warnings[0], "10240") {
		t.Errorf("warnings: %v", check.Warnings)
	}
}

// TestNormalizeAlias: the one rule for how a typed alias is saved, and
// the words a form shows before Confirm.
func TestNormalizeAlias(t *testing.T) {
	tests := []struct{ typed, alias, how string }{
		{"peers root ca", "peers root ca", ""},
		{"Peers Root CA", "peers root ca", "in lower case"},
		{"  smtp ", "smtp", "without the spaces at its ends"},
		{" Gmail ", "gmail", "in lower case and without the spaces at its ends"},
		{"   ", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		alias, how := keystore.NormalizeAlias(tt.typed)
		if alias != tt.alias || how != tt.how {
			t.Errorf("NormalizeAlias(%q) = %q, %q; want %q, %q", tt.typed, alias, how, tt.alias, tt.how)
		}
	}
}

// TestIsKeystoreFile: every keystore name a drop or "Open with" meets,
// whatever its capitals; certificates are not keystores.
func TestIsKeystoreFile(t *testing.T) {
	for name, want := range map[string]bool{"my.jks": true, "MY.JKS": true, "client.p12": true, "client.PFX": true,
		"cacerts.keystore": true, "smtp.cer": false, "chain.zip": false, "jks": false} {
		if keystore.IsKeystoreFile(name) != want {
			t.Errorf("IsKeystoreFile(%q) = %v", name, !want)
		}
	}
}
