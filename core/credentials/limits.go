package credentials

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The limits every entry respects, on every operating system. Windows'
// Credential Manager keeps at most MaxItemBytes per item and keeps nothing
// but those bytes, so everything about an entry travels in them; the other
// limits are chosen so that the longest values allowed, written in the
// widest characters UTF-8 has (4 bytes), still fit (limits_test.go proves it).
//
// Cloud Integration allows a secure parameter of 4,096 characters; that
// cannot fit in 2,560 bytes whatever the encoding (random text does not
// compress), so a secure parameter here is at most MaxSecureParameterBytes:
// 2,048 plain ASCII characters, fewer when it holds other letters.
//
// The worst cases, in bytes (record.go; a header of 10 bytes with a date in
// the year 9999, Deployed By 64+1, a description of 100 four-byte
// characters 400+2, an empty field 1):
//
//	User Credentials (v1): 10 + 65 + 402 + user 1020+2 + password 1020+2 = 2,521
//	Secure Parameter (v1): 10 + 65 + 402 + 1 + 2048+2                    = 2,528
//	SuccessFactors (v2):   10 + 65 + 402 + user 400+2 + company ID 100+1
//	                       + password 1020+2 + 1 + 1                    = 2,004
//	OpenConnectors (v2):   10 + 65 + 402 + 1 + 1 + 3 × (255+2)          = 1,250
//
// SuccessFactors would not fit with a user of 255 wide characters and a
// Company ID beside it (2,624 bytes), so its user is held to 100
// characters, SuccessFactors' own limit for a user ID. A Company ID is an
// ASCII code of a few dozen letters and digits (such as SFCPART000123);
// 100 is ample. OpenConnectors' secrets are base64 tokens of about 44
// characters; 255, as for a password, leaves room to spare.
const (
	MaxItemBytes            = 2560 // Windows' CRED_MAX_CREDENTIAL_BLOB_SIZE
	MaxNameLength           = 150  // characters; Cloud Integration's own limit is unknown here
	MaxDescriptionLength    = 100  // characters
	MaxUserLength           = 255  // characters
	MaxPasswordLength       = 255  // characters, as in Cloud Integration
	MaxSecureParameterBytes = 2048 // bytes of UTF-8
	MaxSuccessFactorsUser   = 100  // characters, SuccessFactors' limit for a user ID
	MaxCompanyIDLength      = 100  // printable ASCII characters, so also bytes
	MaxOpenConnectorsSecret = 255  // printable ASCII characters, for each of the three
	maxDeployedByBytes      = 64   // the operating-system user, cut at a character boundary
)

// MaxUser is the longest user t allows, in characters.
func MaxUser(t Type) int {
	if t == SuccessFactors {
		return MaxSuccessFactorsUser
	}
	return MaxUserLength
}

// CheckName says what is wrong with a name, or returns nil. Names follow
// what Cloud Integration accepts for security material: ASCII letters,
// digits, '-', '_' and '.'.
func CheckName(name string) error { return inField(FieldName, checkName(name)) }

func checkName(name string) error {
	if name == "" {
		return newError(ErrBadName, "", "The name is empty", "Give the entry a name, such as gmail_smtp.", nil)
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return newError(ErrBadName, "", fmt.Sprintf("The name is too long: %d characters, at most %d are allowed", n, MaxNameLength),
			"Choose a shorter name.", nil)
	}
	if !utf8.ValidString(name) {
		return newError(ErrBadName, "", "The name is not valid text", "Type it again.", nil)
	}
	pos := 0
	for _, r := range name {
		pos++
		if nameRune(r) {
			continue
		}
		return newError(ErrBadName, name, fmt.Sprintf("contains %s (character %d), which names cannot hold", describeRune(r), pos),
			"Use only letters A-Z and a-z, digits, '-', '_' and '.'; for example gmail_smtp.", nil)
	}
	return nil
}

func nameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
}

func describeRune(r rune) string {
	switch {
	case r == ' ':
		return "a space"
	case r == '\t':
		return "a tab"
	case r == '\n' || r == '\r':
		return "a line break"
	case r > unicode.MaxASCII && unicode.IsLetter(r):
		return fmt.Sprintf("the letter %q, which is not A-Z", r)
	case unicode.IsPrint(r):
		return fmt.Sprintf("%q", r)
	}
	return fmt.Sprintf("the invisible character %U", r)
}

// checkLine checks a one-line field (user, description).
func checkLine(what, s string, limit int, required bool) error {
	return inField(map[string]string{"user": FieldUser, "description": FieldDescription}[what], checkLineIn(what, s, limit, required))
}

func checkLineIn(what, s string, limit int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return newError(ErrEmpty, "", fmt.Sprintf("The %s is empty", what), fmt.Sprintf("Enter the %s.", strings.ToUpper(what[:1])+what[1:]), nil)
	}
	if !utf8.ValidString(s) {
		return newError(ErrBadText, "", fmt.Sprintf("The %s is not valid text", what), "Type it again.", nil)
	}
	if n := utf8.RuneCountInString(s); n > limit {
		return tooLong(what, n, limit, "characters")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return newError(ErrBadText, "", fmt.Sprintf("The %s contains %s", what, describeRune(r)),
				"Keep it on one line, without invisible characters.", nil)
		}
	}
	return nil
}

// checkSecret checks a password or secure parameter. Any text is allowed,
// including line breaks in a secure parameter such as a PEM key.
func checkSecret(t Type, secret []byte) error { return inField(FieldSecret, checkSecretIn(t, secret)) }

func checkSecretIn(t Type, secret []byte) error {
	what := t.secretName()
	if !utf8.Valid(secret) {
		return newError(ErrBadText, "", fmt.Sprintf("The %s is not valid UTF-8 text", what), "Type or paste it again.", nil)
	}
	switch t {
	case UserCredentials, SuccessFactors:
		if n := utf8.RuneCount(secret); n > MaxPasswordLength {
			return tooLong(what, n, MaxPasswordLength, "characters")
		}
	case OpenConnectors:
		return CheckOpenConnectorsSecret(what, secret)
	case OAuth2AuthorizationCode:
		return CheckClientSecret(secret)
	case SecureParameter:
		if len(secret) == 0 {
			return newError(ErrEmpty, "", "The secure parameter is empty", "Enter the Secure Parameter, the value to keep secret.", nil)
		}
		if len(secret) > MaxSecureParameterBytes {
			return newError(ErrTooLong, "", fmt.Sprintf("The secure parameter is too long: %d bytes, at most %d fit in every operating system's keyring", len(secret), MaxSecureParameterBytes),
				"Shorten it; 2,048 plain ASCII characters fit, fewer when it holds other letters.", nil)
		}
	}
	return nil
}

// CheckCompanyID checks a SuccessFactors Company ID: required, printable
// ASCII without spaces, at most MaxCompanyIDLength characters.
func CheckCompanyID(id string) error { return inField(FieldCompanyID, checkCompanyID(id)) }

func checkCompanyID(id string) error {
	if id == "" {
		return newError(ErrEmpty, "", "The Company ID is empty",
			"Enter the SuccessFactors Company ID, as its \"Show version information\" shows it.", nil)
	}
	if n := utf8.RuneCountInString(id); n > MaxCompanyIDLength {
		return tooLong("Company ID", n, MaxCompanyIDLength, "characters")
	}
	return checkASCII("Company ID", id, "", false)
}

// CheckOpenConnectorsSecret checks one of OpenConnectors' three secrets
// (what: "user secret", "organization secret", "element token"): required,
// printable ASCII without spaces or commas, since the three travel in one
// header separated by ", "; a stray space or line break is the usual
// mistake when pasting one. It never quotes the secret.
func CheckOpenConnectorsSecret(what string, secret []byte) error {
	field := map[string]string{"organization secret": FieldOrganization, "element token": FieldElement}[what]
	if field == "" {
		field = FieldSecret
	}
	return inField(field, checkOpenConnectorsSecret(what, secret))
}

func checkOpenConnectorsSecret(what string, secret []byte) error {
	if len(secret) == 0 {
		return newError(ErrEmpty, "", fmt.Sprintf("The %s is empty", what),
			fmt.Sprintf("Paste the %s from Open Connectors.", what), nil)
	}
	if n := utf8.RuneCount(secret); n > MaxOpenConnectorsSecret {
		return tooLong(what, n, MaxOpenConnectorsSecret, "characters")
	}
	return checkASCII(what, string(secret), ",", true)
}

// checkASCII refuses anything but printable ASCII without spaces and the
// characters in also, saying which and where. Of a secret it names only
// the kind of character, never the character itself.
func checkASCII(what, s, also string, secret bool) error {
	pos := 0
	for _, r := range s {
		pos++
		if r > ' ' && r < unicode.MaxASCII && !strings.ContainsRune(also, r) {
			continue
		}
		which := describeRune(r)
		switch {
		case !secret || r == ' ' || r == '\t' || r == '\n' || r == '\r':
		case r == ',':
			which = "a comma"
		case r > unicode.MaxASCII:
			which = "a character outside ASCII"
		default:
			which = "an invisible character"
		}
		hint := "Type it as SuccessFactors shows it, in plain letters and digits without spaces, such as SFCPART000123."
		if secret {
			hint = "Copy it again from Open Connectors: it holds no spaces, commas or line breaks."
		}
		return newError(ErrBadText, "", fmt.Sprintf("The %s contains %s (character %d), which it cannot hold", what, which, pos),
			hint, nil)
	}
	return nil
}

// MatchRepeat checks the "Repeat Password" field against the first entry.
func MatchRepeat(t Type, secret, repeat []byte) error {
	if string(secret) != string(repeat) {
		return inField(FieldRepeat, newError(ErrMismatch, "", fmt.Sprintf("The two %ss differ", t.secretName()),
			"Type the same in both fields.", nil))
	}
	return nil
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
