package keystore_test

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// TestWindowsReadsExports: what Export writes, Windows' own certificate API
// reads: crypt32's CryptQueryObject, which the certificate viewer calls
// when a .cer or .p7b is double-clicked. PEM keeps "\n" line endings on
// Windows too (the same bytes on every system, as openssl writes them);
// crypt32 takes them, as it takes the "\r\n" of certutil and of keytool on
// Windows, which certs.Read accepts (read_test.go). Under Wine this is
// Wine's crypt32, not Microsoft's.
func TestWindowsReadsExports(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Zertifikate für SMTP")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	k, err := keystore.Open(writeFile(t, dir, "s.jks", sample(t, "changeit")), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	for _, tc := range []struct {
		alias string
		der   bool
	}{{"root", false}, {"root", true}, {"server", false}, {"server", true}} {
		x, err := k.Export(tc.alias, tc.der)
		if err != nil {
			t.Fatal(err)
		}
		if !tc.der && (bytes.Contains(x.Data, []byte("\r")) || !bytes.HasSuffix(x.Data, []byte("-----\n"))) {
			t.Errorf("%s: PEM line endings are not \\n: %q", x.FileName, x.Data)
		}
		e, _ := k.Entry(tc.alias)
		path := writeFile(t, dir, tc.alias+map[bool]string{false: " pem", true: " der"}[tc.der]+filepath.Ext(x.FileName), x.Data)
		got, format := windowsCertificates(t, path)
		if len(got) != len(e.Chain) {
			t.Fatalf("%s: Windows reads %d certificates, the entry has %d", path, len(got), len(e.Chain))
		}
		for i, c := range e.Chain {
			if !bytes.Contains(bytes.Join(got, nil), c.Raw) {
				t.Errorf("%s: certificate %d is not among those Windows reads", path, i+1)
			}
		}
		if want := map[bool]uint32{false: windows.CERT_QUERY_FORMAT_BASE64_ENCODED, true: windows.CERT_QUERY_FORMAT_BINARY}[tc.der]; format != want {
			t.Errorf("%s: Windows reads it as format %d, want %d", path, format, want)
		}
	}
}

// windowsCertificates opens path as Windows opens a certificate file and
// returns the DER of every certificate in it, and the format it saw.
func windowsCertificates(t *testing.T, path string) ([][]byte, uint32) {
	t.Helper()
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		t.Fatal(err)
	}
	var encoding, content, format uint32
	var store windows.Handle
	err = windows.CryptQueryObject(windows.CERT_QUERY_OBJECT_FILE, unsafe.Pointer(name),
		windows.CERT_QUERY_CONTENT_FLAG_CERT|windows.CERT_QUERY_CONTENT_FLAG_PKCS7_SIGNED|windows.CERT_QUERY_CONTENT_FLAG_PKCS7_UNSIGNED,
		windows.CERT_QUERY_FORMAT_FLAG_ALL, 0, &encoding, &content, &format, &store, nil, nil)
	if err != nil {
		t.Fatalf("Windows cannot read %s as a certificate: %v", path, err)
	}
	defer windows.CertCloseStore(store, 0)
	var out [][]byte
	var c *windows.CertContext
	for {
		c, err = windows.CertEnumCertificatesInStore(store, c)
		if c == nil {
			break
		}
		der := bytes.Clone(unsafe.Slice(c.EncodedCert, c.Length))
		if _, err := x509.ParseCertificate(der); err != nil {
			t.Fatalf("%s: Windows gives a certificate Go cannot parse: %v", path, err)
		}
		out = append(out, der)
	}
	return out, format
}
