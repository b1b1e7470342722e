package certs

import (
	"crypto/x509"
	"strconv"
	"strings"
	"unicode"
)

// MaxAliasLength is Cloud Integration's limit on a keystore alias.
const MaxAliasLength = 250

// SAP owns aliases with these prefixes: a tenant administrator can neither
// add nor change entries under them.
var sapPrefixes = []string{"sap_", "hcicertificate"}

// IsSAPOwned reports whether alias belongs to SAP on a Cloud Integration
// tenant.
func IsSAPOwned(alias string) bool {
	a := strings.ToLower(alias)
	for _, p := range sapPrefixes {
		if strings.HasPrefix(a, p) {
			return true
		}
	}
	return false
}

// SuggestAlias proposes an alias for cert: its common name (or, without
// one, its first DNS name or organisation), lower-cased, with only the
// characters both a keystore alias and a file name can hold, made unique
// with a numeric suffix against the aliases taken reports as used.
func SuggestAlias(cert *x509.Certificate, taken func(string) bool) string {
	base := SafeName(nameOf(cert))
	if IsSAPOwned(base) {
		// SAP's own prefixes are refused by the tenant; keep the name
		// recognisable but importable.
		base = "cert_" + base
	}
	return Unique(base, taken)
}

// Unique returns base, or base with "_2", "_3", … appended, whichever is
// first not taken. taken may be nil.
func Unique(base string, taken func(string) bool) string {
	if taken == nil || !taken(base) {
		return base
	}
	for i := 2; ; i++ {
		suffix := "_" + strconv.Itoa(i)
		candidate := truncate(base, MaxAliasLength-len(suffix)) + suffix
		if !taken(candidate) {
			return candidate
		}
	}
}

func nameOf(cert *x509.Certificate) string {
	switch {
	case cert.Subject.CommonName != "":
		return cert.Subject.CommonName
	case len(cert.DNSNames) > 0:
		return cert.DNSNames[0]
	case len(cert.Subject.Organization) > 0:
		return cert.Subject.Organization[0]
	}
	return "certificate_" + cert.SerialNumber.Text(16)
}

// windowsReserved are base names Windows refuses for files.
var windowsReserved = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true,
	"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
}

// SafeName turns any name into one that is a valid alias and a valid file
// name on every system: lower-case letters, digits, '.', '-' and '_', no
// leading dot, at most MaxAliasLength characters, never empty.
// "GTS Root R1" becomes "gts_root_r1"; "*.gmail.com" becomes "wildcard.gmail.com".
func SafeName(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	name = strings.ReplaceAll(name, "*", "wildcard")
	var b strings.Builder
	lastUnderscore := false
	for _, r := range name {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)), r == '.', r == '-':
			b.WriteRune(r)
			lastUnderscore = false
		case !lastUnderscore:
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	out := strings.Trim(b.String(), "._-")
	out = truncate(out, MaxAliasLength)
	if out == "" {
		out = "certificate"
	}
	if windowsReserved[strings.SplitN(out, ".", 2)[0]] {
		out = "cert_" + out
	}
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimRight(s[:n], "._-")
}
