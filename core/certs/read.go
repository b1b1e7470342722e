// Package certs reads the certificate files a user may hold (DER, PEM,
// PKCS#7 and ZIP archives of those), describes certificates the way
// Cloud Integration's Keystore page and Java's keytool do, and suggests
// aliases and file names for them.
package certs

import (
	"archive/zip"
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/smallstep/pkcs7"

	"github.com/opsdesk/opsdesk/core/internal/regular"
)

// Found is one certificate read from a file, with the file (or archive
// member) it came from.
type Found struct {
	Cert   *x509.Certificate
	Source string
}

// Batch is everything read from one or more files: the certificates, and
// the files that held none, each with the reason.
type Batch struct {
	Certificates []Found
	Problems     []*Error
}

// Limits on ZIP archives, so that a hostile archive (a "zip bomb", or one
// with a million members) costs no more than a few ordinary files.
const (
	maxZipMembers  = 1000
	maxZipTotal    = 4 * MaxFileSize
	maxMemberCerts = 1000
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Read reads every certificate in one file. The format is found from the
// content, never from the name, which is only used in messages. A ZIP
// archive is read member by member: members that hold no certificate are
// reported as problems while the others are still read.
func Read(name string, data []byte) Batch {
	if isZip(data) {
		if len(data) > MaxFileSize {
			return Batch{Problems: []*Error{tooLarge(name, len(data))}}
		}
		return readZip(name, data)
	}
	certs, err := Decode(name, data)
	if err != nil {
		return Batch{Problems: []*Error{asError(name, err)}}
	}
	b := Batch{}
	for _, c := range certs {
		b.Certificates = append(b.Certificates, Found{Cert: c, Source: name})
	}
	return b
}

// ReadFile reads the certificates in the file at path, named in messages
// by name (the file's base name, usually). Only a regular file of at most
// MaxFileSize is read, and that is checked before reading, so a named pipe,
// a device or a huge file dropped by mistake is refused at once with what
// it is and its real size.
func ReadFile(path, name string) Batch {
	data, err := regular.Read(path, MaxFileSize)
	if err != nil {
		return Batch{Problems: []*Error{fileProblem(name, err)}}
	}
	return Read(name, data)
}

// ReadFiles reads every file with ReadFile, each named by its base name,
// into one batch: what an import of several files offers.
func ReadFiles(paths []string) Batch {
	var b Batch
	for _, p := range paths {
		b.Add(ReadFile(p, filepath.Base(p)))
	}
	return b
}

// ReadCertificates reads the certificates of one file for a change that
// needs at least one, as updating an entry does: them, or why there are
// none.
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	name := filepath.Base(path)
	b := ReadFile(path, name)
	if len(b.Certificates) == 0 {
		if len(b.Problems) > 0 {
			return nil, b.Problems[0]
		}
		return nil, &Error{Source: name, Kind: ErrNotCertificate, What: "holds no certificate", Hint: hintChooseCert}
	}
	out := make([]*x509.Certificate, len(b.Certificates))
	for i, f := range b.Certificates {
		out[i] = f.Cert
	}
	return out, nil
}

// fileProblem says why a file could not be read at all.
func fileProblem(name string, err error) *Error {
	var notFile *regular.NotRegularError
	var big *regular.TooLargeError
	switch {
	case errors.As(err, &notFile) && notFile.What == "a folder":
		return &Error{Source: name, Kind: ErrNotCertificate, What: "is a folder, not a certificate", Hint: "Choose the certificate files inside it instead."}
	case errors.As(err, &notFile):
		return notCertificate(name, notFile.What, "")
	case errors.As(err, &big):
		return &Error{Source: name, Kind: ErrTooLarge,
			What: fmt.Sprintf("is %s, far larger than any certificate (at most %s is read)", HumanSize(big.Size), humanSize(MaxFileSize)),
			Hint: hintChooseCert}
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Source: name, Kind: ErrEmpty, What: "does not exist", Hint: "Check the file name and where the file went."}
	case errors.Is(err, fs.ErrPermission):
		return &Error{Source: name, Kind: ErrEmpty, What: "cannot be read: you may not open it", Hint: "Check the file's permissions.", Detail: err.Error()}
	}
	return &Error{Source: name, Kind: ErrEmpty, What: "cannot be read", Hint: "Check the disk and try again.", Detail: err.Error()}
}

// Add appends another file's results to b.
func (b *Batch) Add(other Batch) {
	b.Certificates = append(b.Certificates, other.Certificates...)
	b.Problems = append(b.Problems, other.Problems...)
}

// Decode reads the certificates in one file that is not an archive: DER,
// PEM (one or many blocks, CRLF line ends, text around the blocks, a UTF-8
// byte-order mark), or PKCS#7 in DER or PEM. The error is an *Error.
func Decode(name string, data []byte) ([]*x509.Certificate, error) {
	switch {
	case len(data) == 0:
		return nil, &Error{Source: name, Kind: ErrEmpty, What: "is empty", Hint: "Download the certificate again."}
	case len(data) > MaxFileSize:
		return nil, tooLarge(name, len(data))
	case isZip(data):
		return nil, notCertificate(name, "a ZIP archive inside another archive", "Unpack it first.")
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if kind := sniffBinary(data); kind != "" {
		return nil, notCertificate(name, kind, hintFor(kind))
	}
	if data[0] == 0x30 { // an ASN.1 SEQUENCE: DER
		return decodeDER(name, data)
	}
	return decodeText(name, data)
}

func tooLarge(name string, n int) *Error {
	return &Error{Source: name, Kind: ErrTooLarge,
		What: fmt.Sprintf("is %s, far larger than any certificate (at most %s is read)", humanSize(n), humanSize(MaxFileSize)),
		Hint: hintChooseCert}
}

func isZip(data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06"))
}

// sniffBinary names common files that users pick by mistake.
func sniffBinary(data []byte) string {
	magics := []struct {
		prefix string
		kind   string
	}{
		{"\xFE\xED\xFE\xED", "a Java keystore (JKS)"},
		{"\xCE\xCE\xCE\xCE", "a Java keystore (JCEKS)"},
		{"\x89PNG", "a PNG image"},
		{"\xFF\xD8\xFF", "a JPEG image"},
		{"GIF8", "a GIF image"},
		{"%PDF", "a PDF document"},
		{"\xD0\xCF\x11\xE0", "a Microsoft Office document"},
		{"\x7FELF", "a program"},
		{"MZ", "a Windows program"},
	}
	for _, m := range magics {
		if bytes.HasPrefix(data, []byte(m.prefix)) {
			return m.kind
		}
	}
	return ""
}

func hintFor(kind string) string {
	switch {
	case strings.Contains(kind, "keystore"):
		return "To bring its entries in, use Add ▾ Keystore instead."
	case strings.Contains(kind, "private key"):
		return "A private key must never be shared; choose the certificate file instead."
	case strings.Contains(kind, "signing request"):
		return "Import the certificate the authority sent back for it instead."
	}
	return ""
}

func decodeDER(name string, data []byte) ([]*x509.Certificate, error) {
	// An outer length that runs past the end of the file is the mark of a
	// download or copy that stopped early.
	if declared, ok := derLength(data); ok && declared > len(data) {
		return nil, &Error{Source: name, Kind: ErrTruncated,
			What: fmt.Sprintf("is cut off: it should be %d bytes long but has only %d", declared, len(data)),
			Hint: "Download or copy it again."}
	}
	cert, certErr := x509.ParseCertificate(data)
	if certErr == nil {
		return []*x509.Certificate{cert}, nil
	}
	if certs, err := decodePKCS7(data); err == nil {
		return certs, nil
	}
	if kind := sniffDER(data); kind != "" {
		return nil, notCertificate(name, kind, hintFor(kind))
	}
	return nil, malformed(name, certErr)
}

func malformed(name string, err error) *Error {
	detail := strings.TrimPrefix(err.Error(), "x509: ")
	what := "looks like a certificate but cannot be read"
	if strings.Contains(detail, "negative serial number") {
		what = "is a certificate with a negative serial number, which is not allowed and which Java and Go refuse"
	}
	return &Error{Source: name, Kind: ErrMalformed, What: what,
		Hint: "Ask whoever issued it for a corrected certificate.", Detail: detail}
}

// derLength returns the total length an ASN.1 element at the start of data
// claims to have, header included.
func derLength(data []byte) (int, bool) {
	if len(data) < 2 {
		return 0, false
	}
	l := int(data[1])
	if l < 0x80 {
		return 2 + l, true
	}
	n := l & 0x7F
	if n == 0 || n > 4 || len(data) < 2+n {
		return 0, false
	}
	total := 0
	for _, b := range data[2 : 2+n] {
		total = total<<8 | int(b)
	}
	return 2 + n + total, true
}

var (
	oidPKCS7Data       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidPKCS7SignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
)

// contentInfo is the outer structure of PKCS#7 and of PKCS#12's AuthSafe.
type contentInfo struct {
	Type    asn1.ObjectIdentifier
	Content asn1.RawValue `asn1:"explicit,optional,tag:0"`
}

func decodePKCS7(data []byte) (certs []*x509.Certificate, err error) {
	// The PKCS#7 parser has panicked on hostile input in the past; a file
	// the user picked must never take the application down.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pkcs7: %v", r)
		}
	}()
	var info contentInfo
	if _, err := asn1.Unmarshal(data, &info); err != nil || !info.Type.Equal(oidPKCS7SignedData) {
		return nil, errors.New("not PKCS#7 signed data")
	}
	p7, err := pkcs7.Parse(data)
	if err != nil {
		return nil, err
	}
	if len(p7.Certificates) == 0 {
		return nil, errors.New("PKCS#7 without certificates")
	}
	return p7.Certificates, nil
}

// sniffDER names DER structures that are not certificates.
func sniffDER(data []byte) string {
	if _, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		return "a private key"
	}
	if _, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return "a private key"
	}
	if _, err := x509.ParseECPrivateKey(data); err == nil {
		return "a private key"
	}
	if _, err := x509.ParseCertificateRequest(data); err == nil {
		return "a certificate signing request"
	}
	if _, err := x509.ParsePKIXPublicKey(data); err == nil {
		return "a public key"
	}
	var pfx struct {
		Version  int
		AuthSafe contentInfo
		MacData  asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(data, &pfx); err == nil && pfx.Version == 3 && pfx.AuthSafe.Type.Equal(oidPKCS7Data) {
		return "a PKCS#12 keystore"
	}
	return ""
}

// pemKinds names PEM block types that are not certificates.
var pemKinds = map[string]string{
	"PRIVATE KEY":                 "a private key",
	"RSA PRIVATE KEY":             "a private key",
	"EC PRIVATE KEY":              "a private key",
	"DSA PRIVATE KEY":             "a private key",
	"OPENSSH PRIVATE KEY":         "a private key",
	"ENCRYPTED PRIVATE KEY":       "a private key",
	"CERTIFICATE REQUEST":         "a certificate signing request",
	"NEW CERTIFICATE REQUEST":     "a certificate signing request",
	"PUBLIC KEY":                  "a public key",
	"RSA PUBLIC KEY":              "a public key",
	"X509 CRL":                    "a certificate revocation list",
	"PGP PUBLIC KEY BLOCK":        "a PGP key",
	"PGP PRIVATE KEY BLOCK":       "a PGP key",
	"SSH2 PUBLIC KEY":             "an SSH key",
	"OPENSSH PUBLIC KEY":          "an SSH key",
	"ENCRYPTED PRIVATE KEY INFO":  "a private key",
	"CERTIFICATE REVOCATION LIST": "a certificate revocation list",
}

func decodeText(name string, data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	var other string
	rest := data
	sawBegin := false
	for {
		i := bytes.Index(rest, []byte("-----BEGIN "))
		if i < 0 {
			break
		}
		sawBegin = true
		block, after := pem.Decode(rest[i:])
		if block == nil {
			// A BEGIN line with no matching END, or broken base64.
			return nil, &Error{Source: name, Kind: ErrTruncated,
				What: "has a certificate block that is cut off or damaged",
				Hint: "Copy it again, including the -----END CERTIFICATE----- line."}
		}
		rest = after
		found, err := decodePEMBlock(name, block)
		if err != nil {
			return nil, err
		}
		if found == nil && other == "" {
			other = pemKinds[block.Type]
			if other == "" {
				other = fmt.Sprintf("a %q block", block.Type)
			}
		}
		certs = append(certs, found...)
		if len(certs) > maxMemberCerts {
			return nil, notCertificate(name, fmt.Sprintf("a list of more than %d certificates", maxMemberCerts), "Split it into smaller files.")
		}
	}
	switch {
	case len(certs) > 0:
		return certs, nil
	case other != "":
		return nil, notCertificate(name, other, hintFor(other))
	case sawBegin:
		return nil, notCertificate(name, "a text file without a certificate", "")
	}
	// Some tools write the base64 of the DER with no BEGIN/END lines.
	if der, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(data), nil))); err == nil && len(der) > 0 && der[0] == 0x30 {
		if cert, err := x509.ParseCertificate(der); err == nil {
			return []*x509.Certificate{cert}, nil
		}
	}
	if looksLikeText(data) {
		return nil, notCertificate(name, "a text file without a certificate", "")
	}
	return nil, notCertificate(name, "a file of an unknown kind", "")
}

func decodePEMBlock(name string, block *pem.Block) ([]*x509.Certificate, error) {
	switch block.Type {
	case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
		der := block.Bytes
		if block.Type == "TRUSTED CERTIFICATE" {
			// OpenSSL appends its trust settings after the certificate.
			var first asn1.RawValue
			if _, err := asn1.Unmarshal(der, &first); err == nil {
				der = first.FullBytes
			}
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, malformed(name, err)
		}
		return []*x509.Certificate{cert}, nil
	case "PKCS7", "PKCS #7 SIGNED DATA", "CMS":
		certs, err := decodePKCS7(block.Bytes)
		if err != nil {
			return nil, &Error{Source: name, Kind: ErrMalformed, What: "holds a certificate chain (PKCS#7) that cannot be read",
				Hint: "Download the chain again.", Detail: err.Error()}
		}
		return certs, nil
	}
	return nil, nil
}

func looksLikeText(data []byte) bool {
	sample := data[:min(len(data), 512)]
	for _, b := range sample {
		if b < 0x09 || (b > 0x0D && b < 0x20) {
			return false
		}
	}
	return true
}

func readZip(name string, data []byte) Batch {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Batch{Problems: []*Error{{Source: name, Kind: ErrTruncated, What: "is a ZIP archive that is damaged or cut off",
			Hint: "Download it again.", Detail: err.Error()}}}
	}
	if len(zr.File) > maxZipMembers {
		return Batch{Problems: []*Error{notCertificate(name, fmt.Sprintf("a ZIP archive of %d files, more than a certificate chain has", len(zr.File)), "Unpack it and choose the certificate files.")}}
	}
	var b Batch
	total := 0
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || path.Base(f.Name) == ".DS_Store" {
			continue
		}
		source := name + "/" + f.Name
		member, err := readMember(f)
		total += len(member)
		switch {
		case err != nil:
			b.Problems = append(b.Problems, asError(source, err))
		case total > maxZipTotal:
			b.Problems = append(b.Problems, tooLarge(source, total))
			return b
		case isZip(member):
			b.Problems = append(b.Problems, notCertificate(source, "a ZIP archive inside another archive", "Unpack it first."))
		default:
			b.Add(Read(source, member))
		}
	}
	if len(b.Certificates) == 0 && len(b.Problems) == 0 {
		b.Problems = append(b.Problems, notCertificate(name, "an empty ZIP archive", "Download the certificate chain again."))
	}
	return b
}

// readMember reads one archive member, refusing to inflate it past
// MaxFileSize whatever size its header claims.
func readMember(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > MaxFileSize {
		return nil, tooLarge(f.Name, int(min(f.UncompressedSize64, 1<<40)))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &Error{Kind: ErrMalformed, What: "cannot be unpacked", Hint: "Download the archive again.", Detail: err.Error()}
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxFileSize+1))
	if err != nil {
		return nil, &Error{Kind: ErrTruncated, What: "is damaged inside the archive", Hint: "Download the archive again.", Detail: err.Error()}
	}
	if len(data) > MaxFileSize {
		return nil, tooLarge("", len(data))
	}
	return data, nil
}

func asError(source string, err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		c.Source = source
		return &c
	}
	return &Error{Source: source, Kind: ErrMalformed, What: "cannot be read", Detail: err.Error()}
}

func humanSize(n int) string { return HumanSize(int64(n)) }

// HumanSize says a file size the way a file manager does.
func HumanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
