package keystore

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/opsdesk/opsdesk/core/problem"
)

// KeyType is a key Create ▾ Key Pair can generate, named as the command
// line spells it.
type KeyType string

const (
	RSA2048 KeyType = "rsa2048"
	RSA3072 KeyType = "rsa3072"
	RSA4096 KeyType = "rsa4096"
	EC256   KeyType = "ec256"
	EC384   KeyType = "ec384"
)

// KeyTypes lists the key types offered, the default first.
var KeyTypes = []KeyType{RSA2048, RSA3072, RSA4096, EC256, EC384}

// Algorithm is "RSA" or "EC", as the Key Algorithm field shows it.
func (t KeyType) Algorithm() string {
	if strings.HasPrefix(string(t), "ec") {
		return "EC"
	}
	return "RSA"
}

// SizeLabel is what the Key Size field shows: "2048", or the curve.
func (t KeyType) SizeLabel() string {
	switch t {
	case EC256:
		return "P-256"
	case EC384:
		return "P-384"
	}
	return strings.TrimPrefix(string(t), "rsa")
}

// SignatureAlgorithms lists what a certificate for this key can be signed
// with, the default first.
func (t KeyType) SignatureAlgorithms() []x509.SignatureAlgorithm {
	switch t {
	case EC256:
		return []x509.SignatureAlgorithm{x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512}
	case EC384:
		return []x509.SignatureAlgorithm{x509.ECDSAWithSHA384, x509.ECDSAWithSHA256, x509.ECDSAWithSHA512}
	}
	return []x509.SignatureAlgorithm{x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA}
}

// KeyTypeFor finds a key type by its Key Algorithm and Key Size labels.
func KeyTypeFor(algorithm, size string) (KeyType, bool) {
	for _, t := range KeyTypes {
		if t.Algorithm() == algorithm && t.SizeLabel() == size {
			return t, true
		}
	}
	return "", false
}

// ParseKeyType reads a key type as the command line spells it.
func ParseKeyType(s string) (KeyType, error) {
	for _, t := range KeyTypes {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	names := make([]string, len(KeyTypes))
	for i, t := range KeyTypes {
		names[i] = string(t)
	}
	return "", &problem.Error{Kind: ErrBadKeyPair, What: fmt.Sprintf("%q is not a key type Opsdesk creates", s),
		Hint: "Use one of " + strings.Join(names, ", ") + "."}
}

// SignatureName is Java's name of a signature algorithm ("SHA256withRSA"),
// as keytool and the Keystore page's details spell it.
func SignatureName(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSA:
		return "SHA256withRSA"
	case x509.SHA384WithRSA:
		return "SHA384withRSA"
	case x509.SHA512WithRSA:
		return "SHA512withRSA"
	case x509.ECDSAWithSHA256:
		return "SHA256withECDSA"
	case x509.ECDSAWithSHA384:
		return "SHA384withECDSA"
	case x509.ECDSAWithSHA512:
		return "SHA512withECDSA"
	}
	return a.String()
}

// KeyPairOptions is what Create ▾ Key Pair asks for.
type KeyPairOptions struct {
	Alias              string
	Key                KeyType                 // empty: RSA2048
	SignatureAlgorithm x509.SignatureAlgorithm // 0: the key type's default
	CommonName         string                  // required
	OrganizationalUnit string
	Organization       string
	Locality           string
	Province           string // State/Province
	Country            string // two letters
	Email              string
	// SubjectAltNames are "DNS:name", "IP:address", "email:address" or
	// "URI:uri"; without a prefix, the kind is guessed from the value.
	SubjectAltNames []string
	ValidUntil      time.Time // zero: one year from now
}

// Upper bounds of RFC 5280 (Appendix A) on the subject's fields: longer
// ones make certificates that strict parsers refuse.
var dnLimits = []struct {
	name  string
	max   int
	value func(o *KeyPairOptions) string
}{
	{"Common Name", 64, func(o *KeyPairOptions) string { return o.CommonName }},
	{"Organizational Unit", 64, func(o *KeyPairOptions) string { return o.OrganizationalUnit }},
	{"Organization", 64, func(o *KeyPairOptions) string { return o.Organization }},
	{"Locality", 128, func(o *KeyPairOptions) string { return o.Locality }},
	{"State/Province", 128, func(o *KeyPairOptions) string { return o.Province }},
	{"E-mail", 255, func(o *KeyPairOptions) string { return o.Email }},
}

// Check says what is wrong with the options, as one sentence, before any
// key is generated. It does not know which aliases the keystore holds.
func (o KeyPairOptions) Check() error {
	bad := func(what, hint string) error { return &problem.Error{Kind: ErrBadKeyPair, What: what, Hint: hint} }
	if err := CheckAlias(normalized(o.Alias)); err != nil {
		return err
	}
	key := o.keyType()
	if _, err := ParseKeyType(string(key)); err != nil {
		return err
	}
	if o.SignatureAlgorithm != 0 && !fits(o.SignatureAlgorithm, key.SignatureAlgorithms()) {
		return bad(fmt.Sprintf("%s cannot sign with a %s key", SignatureName(o.SignatureAlgorithm), key.Algorithm()),
			"Choose a signature algorithm that ends in "+map[string]string{"RSA": "withRSA", "EC": "withECDSA"}[key.Algorithm()]+".")
	}
	if strings.TrimSpace(o.CommonName) == "" {
		return bad("The Common Name is empty", "Type the name the certificate is for, such as the host name or the system's name.")
	}
	for _, l := range dnLimits {
		v := l.value(&o)
		if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return bad(fmt.Sprintf("The %s contains a control character", l.name), "Type it again without line breaks or tabs.")
		}
		if n := len([]rune(strings.TrimSpace(v))); n > l.max {
			return bad(fmt.Sprintf("The %s is %d characters long; certificates allow at most %d", l.name, n, l.max), "Shorten it.")
		}
	}
	if c := strings.TrimSpace(o.Country); c != "" && !isCountryCode(c) {
		return bad(fmt.Sprintf("The Country %q is not a two-letter country code", c), "Use the ISO 3166 code, such as DE, US or IN.")
	}
	if e := strings.TrimSpace(o.Email); e != "" && !isEmail(e) {
		return bad(fmt.Sprintf("The E-mail %q is not an e-mail address", e), "Type it as name@example.com.")
	}
	if _, err := parseSANs(o.SubjectAltNames); err != nil {
		return err
	}
	if !o.ValidUntil.IsZero() && !o.ValidUntil.After(time.Now()) {
		return bad("The Valid Until date has passed", "Choose a date in the future.")
	}
	return nil
}

func (o KeyPairOptions) keyType() KeyType {
	if o.Key == "" {
		return RSA2048
	}
	return o.Key
}

func fits(a x509.SignatureAlgorithm, list []x509.SignatureAlgorithm) bool {
	for _, b := range list {
		if a == b {
			return true
		}
	}
	return false
}

func isCountryCode(c string) bool {
	return len(c) == 2 && strings.IndexFunc(c, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) < 0
}

func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// sans are parsed Subject Alternative Names.
type sans struct {
	dns    []string
	ips    []net.IP
	emails []string
	uris   []*url.URL
}

// parseSANs reads "DNS:…", "IP:…", "email:…" and "URI:…" (keytool's
// -ext SAN spelling, any case), guessing the kind of a bare value.
func parseSANs(list []string) (sans, error) {
	var s sans
	for _, raw := range list {
		v := strings.TrimSpace(raw)
		if v == "" {
			continue
		}
		kind := ""
		if i := strings.Index(v, ":"); i > 0 {
			switch p := strings.ToLower(v[:i]); p {
			case "dns", "ip", "email", "uri":
				kind, v = p, strings.TrimSpace(v[i+1:])
			}
		}
		if kind == "" {
			switch {
			case net.ParseIP(v) != nil:
				kind = "ip"
			case strings.Contains(v, "://"):
				kind = "uri"
			case strings.Contains(v, "@"):
				kind = "email"
			default:
				kind = "dns"
			}
		}
		bad := &problem.Error{Kind: ErrBadKeyPair, What: fmt.Sprintf("The Subject Alternative Name %q is not a valid %s", raw, map[string]string{
			"dns": "host name", "ip": "IP address", "email": "e-mail address", "uri": "URI"}[kind]),
			Hint: "Write each name as DNS:host.example.com, IP:192.0.2.1, email:name@example.com or URI:https://example.com, separated by commas."}
		switch kind {
		case "dns":
			if !isDNSName(v) {
				return s, bad
			}
			s.dns = append(s.dns, strings.ToLower(v))
		case "ip":
			ip := net.ParseIP(v)
			if ip == nil {
				return s, bad
			}
			s.ips = append(s.ips, ip)
		case "email":
			if !isEmail(v) {
				return s, bad
			}
			s.emails = append(s.emails, v)
		case "uri":
			u, err := url.Parse(v)
			if err != nil || u.Scheme == "" {
				return s, bad
			}
			s.uris = append(s.uris, u)
		}
	}
	return s, nil
}

// isDNSName accepts host names, with a leading "*." wildcard.
func isDNSName(s string) bool {
	s = strings.TrimPrefix(s, "*.")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// normalized is NormalizeAlias's alias alone.
func normalized(typed string) string {
	a, _ := NormalizeAlias(typed)
	return a
}
