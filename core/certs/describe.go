package certs

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
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

// SHA256 returns the SHA-256 fingerprint of cert, as keytool prints it.
func SHA256(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return Fingerprint(sum[:])
}

// Fingerprint formats a digest as keytool does: "AB:CD:…".
func Fingerprint(sum []byte) string {
	h := strings.ToUpper(hex.EncodeToString(sum))
	var b strings.Builder
	b.Grow(len(h) * 3 / 2)
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// ExpiresWithin reports whether d is expired at now, or expires within the
// given window.
func (d Description) ExpiresWithin(now time.Time, window time.Duration) bool {
	return d.ValidUntil.Before(now.Add(window))
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

// javaSignatureAlgorithm spells Go's signature algorithms as Java does.
func javaSignatureAlgorithm(cert *x509.Certificate) string {
	names := map[x509.SignatureAlgorithm]string{
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
	if n, ok := names[cert.SignatureAlgorithm]; ok {
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
	"2.5.4.3":                    "CN",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "STREET",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "T",
	"2.5.4.4":                    "SURNAME",
	"2.5.4.42":                   "GIVENNAME",
	"2.5.4.43":                   "INITIALS",
	"2.5.4.44":                   "GENERATION",
	"2.5.4.46":                   "DNQUALIFIER",
	"2.5.4.5":                    "SERIALNUMBER",
	"0.9.2342.19200300.100.1.25": "DC",
	"0.9.2342.19200300.100.1.1":  "UID",
	"1.2.840.113549.1.9.1":       "EMAILADDRESS",
}

// JavaDN spells a DER-encoded distinguished name as Java's
// X500Name.toString does, the form keytool and Cloud Integration show: most
// specific first, ", " between attributes, " + " inside a multi-valued one,
// and values that hold special characters in double quotes. It reads the
// raw name because pkix.Name drops attributes Go has no field for.
func JavaDN(raw []byte) string {
	var rdns pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &rdns); err != nil {
		return "#" + hex.EncodeToString(raw)
	}
	parts := make([]string, 0, len(rdns))
	for i := len(rdns) - 1; i >= 0; i-- {
		avas := make([]string, 0, len(rdns[i]))
		for _, ava := range rdns[i] {
			avas = append(avas, javaAVA(ava))
		}
		parts = append(parts, strings.Join(avas, " + "))
	}
	return strings.Join(parts, ", ")
}

func javaAVA(ava pkix.AttributeTypeAndValue) string {
	oid := ava.Type.String()
	key, known := javaAttributeNames[oid]
	if !known {
		key = "OID." + oid
	}
	s, isString := ava.Value.(string)
	if !isString {
		der, err := asn1.Marshal(ava.Value)
		if err != nil {
			return key + "=?"
		}
		return key + "=#" + hex.EncodeToString(der)
	}
	return key + "=" + quoteDNValue(s)
}

func quoteDNValue(s string) string {
	if s == "" {
		return s
	}
	needs := strings.ContainsAny(s, ",+=\n<>#;\\\"") || s[0] == ' ' || s[len(s)-1] == ' '
	if !needs {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}
