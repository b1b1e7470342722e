package mailsetup

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/problem"
)

// FieldAddress is the Field of the errors about the address typed.
const FieldAddress = "E-mail Address"

// RFC 5321 §4.5.3.1: at most 64 octets before the @, and a path of at most
// 256 octets, so an address of at most 254.
const (
	maxLocalPart = 64
	maxAddress   = 254
)

func badAddress(input, what, hint string) error {
	return &problem.Error{Source: input, Kind: ErrAddress, Field: FieldAddress, What: what, Hint: hint}
}

// CheckAddress reads an e-mail address as users type or paste it (with
// spaces around it, "mailto:" before it, or as "Anna <anna@example.com>")
// and returns the address, its domain as DNS looks it up (lowercase, IDNA
// A-labels), or an *problem.Error of Kind ErrAddress that says what to
// type. A form can use it as its validator; Detect calls it first.
func CheckAddress(input string) (address, domain string, err error) {
	const example = "Type the whole e-mail address, such as anna@example.com."
	s := strings.TrimSpace(input)
	s = strings.TrimPrefix(s, "mailto:")
	if strings.ContainsAny(s, "<>") {
		// A pasted "Name <address>": the address is the part in brackets.
		if a, err := mail.ParseAddress(s); err == nil {
			s = a.Address
		}
	}
	switch {
	case s == "":
		return "", "", badAddress(input, "is empty", example)
	case !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return "", "", badAddress(input, "contains spaces or invisible characters", "Type the address without spaces, such as anna@example.com.")
	case len(s) > maxAddress:
		return "", "", badAddress(input, "is longer than an e-mail address can be", example)
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", "", badAddress(input, "has no @", example)
	}
	local, host := s[:at], strings.TrimSuffix(s[at+1:], ".")
	switch {
	case host == "":
		return "", "", badAddress(input, "ends at the @", example)
	case local == "":
		return "", "", badAddress(input, "has nothing before the @", "Type the name before the @ too, such as anna@example.com.")
	case len(local) > maxLocalPart:
		return "", "", badAddress(input, "has more than 64 characters before the @", "Check the address, it cannot be that long.")
	case strings.Contains(local, "@") && !strings.HasPrefix(local, `"`):
		return "", "", badAddress(input, "has more than one @", "Type one address, such as anna@example.com.")
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil || !strings.Contains(ascii, ".") || !connectivity.ValidHostName(ascii) {
		return "", "", badAddress(input, "has no domain after the @", "Type the domain after the @, such as example.com in anna@example.com.")
	}
	domain = strings.ToLower(ascii)
	return local + "@" + strings.ToLower(host), domain, nil
}
