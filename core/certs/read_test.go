package certs_test

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/smallstep/pkcs7"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

// inputs builds, once per test binary, one file of every kind a user may
// hold, good and bad.
type inputCase struct {
	name    string
	data    []byte
	want    int   // certificates expected
	wantErr error // sentinel expected when want == 0
	saying  string
}

func buildInputs(t testing.TB) []inputCase {
	chain := certtest.NewChain(t, "smtp.example.com")
	leaf, inter, root := chain.Leaf.Cert, chain.Intermediate.Cert, chain.Root.Cert
	pemOf := func(cs ...*x509.Certificate) []byte {
		var b bytes.Buffer
		for _, c := range cs {
			_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		return b.Bytes()
	}
	p7, err := pkcs7.DegenerateCertificate(append(append(append([]byte{}, leaf.Raw...), inter.Raw...), root.Raw...))
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(chain.Leaf.Key)
	p12, err := pkcs12.Modern.Encode(chain.Leaf.Key, leaf, []*x509.Certificate{inter}, "changeit")
	if err != nil {
		t.Fatal(err)
	}
	csrDER, err := x509.CreateCertificateRequest(nil, &x509.CertificateRequest{Subject: leaf.Subject}, chain.Leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	crlf := bytes.ReplaceAll(pemOf(leaf, inter), []byte("\n"), []byte("\r\n"))
	chatty := append(append([]byte("subject=CN = smtp.example.com\nissuer=CN = Opsdesk Test CA 1O1\n"), pemOf(leaf)...),
		append([]byte("\n--- some openssl s_client noise ---\n"), pemOf(inter)...)...)
	bom := append([]byte{0xEF, 0xBB, 0xBF}, pemOf(root)...)

	zipOf := func(files map[string][]byte) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for name, data := range files {
			w, _ := zw.Create(name)
			_, _ = w.Write(data)
		}
		_ = zw.Close()
		return b.Bytes()
	}
	chainZip := zipOf(map[string][]byte{
		"certificates/smtp.example.com.cer": pemOf(leaf),
		"certificates/ca.cer":               inter.Raw,
		"certificates/root.cer":             pemOf(root),
	})
	mixedZip := zipOf(map[string][]byte{"a.cer": leaf.Raw, "notes.txt": []byte("hello\n"), "__MACOSX/._a.cer": {0, 5, 22}})
	nestedZip := zipOf(map[string][]byte{"inner.zip": chainZip})

	return []inputCase{
		{name: "leaf.cer (DER)", data: leaf.Raw, want: 1},
		{name: "leaf.pem", data: pemOf(leaf), want: 1},
		{name: "chain.pem", data: pemOf(leaf, inter, root), want: 3},
		{name: "crlf.pem", data: crlf, want: 2},
		{name: "s_client-output.txt", data: chatty, want: 2},
		{name: "bom.crt", data: bom, want: 1},
		{name: "headerless-base64.cer", data: []byte(base64.StdEncoding.EncodeToString(leaf.Raw) + "\n"), want: 1},
		{name: "trusted.pem", data: pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, root.Raw...), 0x30, 0x00)}), want: 1},
		{name: "chain.p7b (DER)", data: p7, want: 3},
		{name: "chain.p7b (PEM)", data: pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7}), want: 3},
		{name: "chain.zip", data: chainZip, want: 3},

		{name: "empty.cer", data: nil, wantErr: certs.ErrEmpty, saying: "is empty"},
		{name: "huge.cer", data: bytes.Repeat([]byte{'A'}, certs.MaxFileSize+1), wantErr: certs.ErrTooLarge, saying: "far larger"},
		{name: "key.pem", data: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), wantErr: certs.ErrNotCertificate, saying: "a private key"},
		{name: "key.der", data: keyDER, wantErr: certs.ErrNotCertificate, saying: "a private key"},
		{name: "request.csr", data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER}), wantErr: certs.ErrNotCertificate, saying: "signing request"},
		{name: "store.p12", data: p12, wantErr: certs.ErrNotCertificate, saying: "PKCS#12 keystore"},
		{name: "store.jks", data: []byte{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 0}, wantErr: certs.ErrNotCertificate, saying: "Add ▾ Keystore"},
		{name: "photo.png", data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), wantErr: certs.ErrNotCertificate, saying: "a PNG image"},
		{name: "truncated.cer", data: leaf.Raw[:len(leaf.Raw)/2], wantErr: certs.ErrTruncated, saying: "cut off"},
		{name: "truncated.pem", data: pemOf(leaf)[:200], wantErr: certs.ErrTruncated, saying: "cut off"},
		{name: "readme.txt", data: []byte("Please find attached the certificate.\n"), wantErr: certs.ErrNotCertificate, saying: "a text file"},
		{name: "random.bin", data: []byte{0x01, 0x02, 0x03, 0xFF, 0x00}, wantErr: certs.ErrNotCertificate, saying: "unknown kind"},
		{name: "negative-serial.cer", data: negativeSerial(t, leaf.Raw), wantErr: certs.ErrMalformed, saying: "negative serial number"},
		{name: "garbled.cer", data: garble(leaf.Raw), wantErr: certs.ErrMalformed, saying: "cannot be read"},
		{name: "nested.zip", data: nestedZip, wantErr: certs.ErrNotCertificate, saying: "inside another archive"},
		{name: "damaged.zip", data: chainZip[:len(chainZip)-30], wantErr: certs.ErrTruncated, saying: "damaged or cut off"},
		{name: "mixed.zip", data: mixedZip, want: 1, wantErr: certs.ErrNotCertificate, saying: "a text file"},
	}
}

// negativeSerial rewrites a certificate's one-byte-or-more serial so that it
// reads as negative, as some old mail servers' certificates do.
func negativeSerial(t testing.TB, der []byte) []byte {
	out := append([]byte{}, der...)
	i := bytes.Index(out, []byte{0xA0, 0x03, 0x02, 0x01, 0x02, 0x02})
	if i < 0 {
		t.Fatal("no serial found")
	}
	out[i+7] |= 0x80 // first byte of the serial's value
	return out
}

// garble keeps the outer structure but breaks the inside.
func garble(der []byte) []byte {
	out := append([]byte{}, der...)
	for i := 8; i < 40 && i < len(out); i++ {
		out[i] = 0x05
	}
	return out
}

func TestRead(t *testing.T) {
	for _, tc := range buildInputs(t) {
		t.Run(tc.name, func(t *testing.T) {
			b := certs.Read(tc.name, tc.data)
			if len(b.Certificates) != tc.want {
				t.Fatalf("got %d certificates, want %d (problems: %v)", len(b.Certificates), tc.want, b.Problems)
			}
			if tc.wantErr == nil {
				if len(b.Problems) != 0 {
					t.Fatalf("unexpected problems: %v", b.Problems)
				}
				for _, f := range b.Certificates {
					if !strings.HasPrefix(f.Source, tc.name) {
						t.Errorf("source %q does not name the file %q", f.Source, tc.name)
					}
				}
				return
			}
			if len(b.Problems) != 1 {
				t.Fatalf("got problems %v, want one", b.Problems)
			}
			p := b.Problems[0]
			if !errors.Is(p, tc.wantErr) {
				t.Errorf("error %v is not %v", p, tc.wantErr)
			}
			msg := p.Error()
			if !strings.Contains(msg, tc.saying) {
				t.Errorf("message %q does not say %q", msg, tc.saying)
			}
			if !strings.Contains(msg, tc.name) {
				t.Errorf("message %q does not name the file", msg)
			}
			if strings.Contains(msg, "asn1:") && !strings.Contains(msg, "(") {
				t.Errorf("message %q shows a parser error without an explanation", msg)
			}
		})
	}
}

func TestDecodeRejectsZip(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	_ = zw.Close()
	if _, err := certs.Decode("x.zip", b.Bytes()); !errors.Is(err, certs.ErrNotCertificate) {
		t.Fatalf("Decode of a zip: %v", err)
	}
}

func TestZipBombIsRefused(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("bomb.cer")
	chunk := make([]byte, 1<<20)
	for i := 0; i < certs.MaxFileSize>>20+2; i++ {
		_, _ = w.Write(chunk) // zeros compress to almost nothing
	}
	_ = zw.Close()
	if b.Len() > 200<<10 {
		t.Fatalf("test archive unexpectedly large: %d", b.Len())
	}
	batch := certs.Read("bomb.zip", b.Bytes())
	if len(batch.Problems) != 1 || !errors.Is(batch.Problems[0], certs.ErrTooLarge) {
		t.Fatalf("problems = %v, want one too-large", batch.Problems)
	}
}
