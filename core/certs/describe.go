package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/opsdesk/opsdesk/core/internal/par"
)

// Description is what Cloud Integration's Keystore details page (and
// keytool -list -v) shows of a certificate, in the same spelling.
type Description struct {
	CommonName         string
	SubjectDN          string // Java's order and spelling: "CN=…, O=…, C=…"
	IssuerDN           string
	SerialNumber       string // lower-case hex, as keytool prints it
	Version            int
	ValidFrom          time.Time
	ValidUntil         time.Time
	KeyType            string // "RSA", "EC", "Ed25519"
	KeySize            int    // bits
	KeyDescription     string // "RSA 2048", "EC P-256", "Ed25519"
	SignatureAlgorithm string // Java's name: "SHA256withRSA"
	SHA1               string // upper-case hex with colons, as keytool prints
	SHA256             string
	SubjectAltNames    []string // "DNS:smtp.gmail.com", "IP:…", "email:…", "URI:…"
	IsCA               bool
	SelfSigned         bool
}

// Describe describes cert.
func Describe(cert *x509.Certificate) Description {
	keyType, keySize, keyDesc := describeKey(cert)
	s1 := sha1.Sum(cert.Raw)
	s256 := sha256.Sum256(cert.Raw)
	return Description{
		CommonName:         cert.Subject.CommonName,
		SubjectDN:          JavaDN(cert.RawSubject),
		IssuerDN:           JavaDN(cert.RawIssuer),
		SerialNumber:       cert.SerialNumber.Text(16),
		Version:            cert.Version,
		ValidFrom:          cert.NotBefore,
		ValidUntil:         cert.NotAfter,
		KeyType:            keyType,
		KeySize:            keySize,
		KeyDescription:     keyDesc,
		SignatureAlgorithm: javaSignatureAlgorithm(cert),
		SHA1:               Fingerprint(s1[:]),
		SHA256:             Fingerprint(s256[:]),
		SubjectAltNames:    subjectAltNames(cert),
		IsCA:               cert.BasicConstraintsValid && cert.IsCA,
		SelfSigned:         isSelfSigned(cert),
	}
}

// DescribeAll describes many certificates at once, on every core: listing
// a large keystore describes thousands. A nil certificate gives a zero
// Description.
func DescribeAll(list []*x509.Certificate) []Description {
	out := make([]Description, len(list))
	par.For(len(list), func(i int) {
		if list[i] != nil {
			out[i] = Describe(list[i])
		}
	})
	return out
}

// SHA256 returns the SHA-256 fingerprint of cert, as keytool prints it.
func SHA256(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return Fingerprint(sum[:])
}

// Fingerprint formats a digest as keytool does: "AB:CD:…".
func Fingerprint(sum []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 3*len(sum))
	for i, c := range sum {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&0x0F])
	}
	return string(out)
}

// ExpiresWithin reports whether d is expired at now, or expires within the
// given window.
func (d Description) ExpiresWithin(now time.Time, window time.Duration) bool {
	return d.ValidUntil.Before(now.Add(window))
}

// NotValidAt says in words, for someone deciding whether to import the
// certificate, why it is not valid at now: expired, or not valid yet,
// with the date (in now's time zone) and what that means on the tenant.
// It is "" while the certificate is valid. The certificate can still be
// imported: a user may keep an expired one on purpose, to see it in the
// list until its renewal arrives.
func (d Description) NotValidAt(now time.Time) string {
	const date = "Jan 2, 2006"
	switch {
	case now.After(d.ValidUntil):
		return "This certificate expired on " + d.ValidUntil.In(now.Location()).Format(date) +
			" — the tenant will not trust a server that sends it. You can still import it."
	case now.Before(d.ValidFrom):
		return "This certificate is not valid until " + d.ValidFrom.In(now.Location()).Format(date) +
			" — until then the tenant will not trust a server that sends it. You can still import it."
	}
	return ""
}

func isSelfSigned(cert *x509.Certificate) bool {
	return bytes.Equal(cert.RawSubject, cert.RawIssuer) && cert.CheckSignatureFrom(cert) == nil
}

func describeKey(cert *x509.Certificate) (string, int, string) {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		bits := k.N.BitLen()
		return "RSA", bits, fmt.Sprintf("RSA %d", bits)
	case *ecdsa.PublicKey:
		p := k.Curve.Params()
		return "EC", p.BitSize, "EC " + p.Name
	case ed25519.PublicKey:
		return "Ed25519", 255, "Ed25519"
	}
	name := cert.PublicKeyAlgorithm.String()
	return name, 0, name
}

// javaSignatureNames spells Go's signature algorithms as Java does.
var javaSignatureNames = map[x509.SignatureAlgorithm]string{
	x509.MD2WithRSA:       "MD2withRSA",
	x509.MD5WithRSA:       "MD5withRSA",
	x509.SHA1WithRSA:      "SHA1withRSA",
	x509.SHA256WithRSA:    "SHA256withRSA",
	x509.SHA384WithRSA:    "SHA384withRSA",
	x509.SHA512WithRSA:    "SHA512withRSA",
	x509.DSAWithSHA1:      "SHA1withDSA",
	x509.DSAWithSHA256:    "SHA256withDSA",
	x509.ECDSAWithSHA1:    "SHA1withECDSA",
	x509.ECDSAWithSHA256:  "SHA256withECDSA",
	x509.ECDSAWithSHA384:  "SHA384withECDSA",
	x509.ECDSAWithSHA512:  "SHA512withECDSA",
	x509.SHA256WithRSAPSS: "RSASSA-PSS",
	x509.SHA384WithRSAPSS: "RSASSA-PSS",
	x509.SHA512WithRSAPSS: "RSASSA-PSS",
	x509.PureEd25519:      "Ed25519",
}

func javaSignatureAlgorithm(cert *x509.Certificate) string {
	if n, ok := javaSignatureNames[cert.SignatureAlgorithm]; ok {
		return n
	}
	return cert.SignatureAlgorithm.String()
}

func subjectAltNames(cert *x509.Certificate) []string {
	var out []string
	for _, n := range cert.DNSNames {
		out = append(out, "DNS:"+n)
	}
	for _, ip := range cert.IPAddresses {
		out = append(out, "IP:"+ip.String())
	}
	for _, e := range cert.EmailAddresses {
		out = append(out, "email:"+e)
	}
	for _, u := range cert.URIs {
		out = append(out, "URI:"+u.String())
	}
	return out
}

// javaAttributeNames are the keywords Java's X500Name prints.
var javaAttributeNames = map[string]string{
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1":  "UID",
	"1.2.840.113549.1.9.1":       "EMAILADDRESS",
}

// JavaDN spells a DER-encoded distinguished name as Java's
// X500Name.toString does, the form keytool and Cloud Integration show: most
// specific first, ", " between attributes, " + " inside a multi-valued one,
// and values that hold special characters in double quotes. It reads the
// raw name because pkix.Name drops attributes Go has no field for, and
// walks it with cryptobyte because listing a large keystore spells
// thousands of names.
func JavaDN(raw []byte) string {
	in := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return "#" + hex.EncodeToString(raw)
	}
	var stack [8]cryptobyte.String // most names have fewer RDNs: no allocation
	rdns := stack[:0]
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return "#" + hex.EncodeToString(raw)
		}
		rdns = append(rdns, set)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := len(rdns) - 1; i >= 0; i-- {
		if i < len(rdns)-1 {
			b.WriteString(", ")
		}
		for first := true; !rdns[i].Empty(); first = false {
			var ava, value cryptobyte.String
			var oid asn1.ObjectIdentifier
			var tag cbasn1.Tag
			if !rdns[i].ReadASN1(&ava, cbasn1.SEQUENCE) || !ava.ReadASN1ObjectIdentifier(&oid) || !ava.ReadAnyASN1Element(&value, &tag) {
				return "#" + hex.EncodeToString(raw)
			}
			if !first {
				b.WriteString(" + ")
			}
			writeAVA(&b, oid, tag, value)
		}
	}
	return b.String()
}

func writeAVA(b *strings.Builder, oid asn1.ObjectIdentifier, tag cbasn1.Tag, element cryptobyte.String) {
	if key, known := javaAttributeName(oid); known {
		b.WriteString(key)
	} else {
		b.WriteString("OID." + oid.String())
	}
	b.WriteByte('=')
	var body cryptobyte.String
	var t cbasn1.Tag
	elem := element
	if !elem.ReadAnyASN1(&body, &t) {
		b.WriteString("#" + hex.EncodeToString(element))
		return
	}
	switch tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String, cbasn1.T61String:
		writeDNValue(b, string(body))
		return
	case cbasn1.Tag(30): // BMPString: UTF-16BE
		if len(body)%2 == 0 {
			u := make([]uint16, len(body)/2)
			for i := range u {
				u[i] = uint16(body[2*i])<<8 | uint16(body[2*i+1])
			}
			writeDNValue(b, string(utf16.Decode(u)))
			return
		}
	}
	b.WriteString("#" + hex.EncodeToString(element))
}

// javaAttributeName looks up Java's keyword for an attribute type. The
// common ones, 2.5.4.x, are matched without formatting the OID.
func javaAttributeName(oid asn1.ObjectIdentifier) (string, bool) {
	if len(oid) == 4 && oid[0] == 2 && oid[1] == 5 && oid[2] == 4 {
		k, ok := x500Names[oid[3]]
		return k, ok
	}
	k, ok := javaAttributeNames[oid.String()]
	return k, ok
}

var x500Names = map[int]string{3: "CN", 6: "C", 7: "L", 8: "ST", 9: "STREET", 10: "O", 11: "OU", 12: "T",
	4: "SURNAME", 42: "GIVENNAME", 43: "INITIALS", 44: "GENERATION", 46: "DNQUALIFIER", 5: "SERIALNUMBER"}

func writeDNValue(b *strings.Builder, s string) {
	needs := s != "" && (strings.ContainsAny(s, ",+=\n<>#;\\\"") || s[0] == ' ' || s[len(s)-1] == ' ')
	if !needs {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
}
