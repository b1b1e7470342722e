package keystore

import (
	"unicode/utf8"
)

// MinPasswordLength is keytool's minimum for a new keystore's password.
const MinPasswordLength = 6

// javaPassword converts a UTF-8 password into the bytes keystore-go wants.
// keystore-go widens each byte to one UTF-16 code unit while Java widens
// each character, so they agree only on Latin-1: encode as Latin-1, and
// refuse what it cannot hold rather than write a keystore Java can't open.
// The caller zeroes the result with zero.
func javaPassword(utf8Password []byte) ([]byte, error) {
	out := make([]byte, 0, len(utf8Password))
	for i := 0; i < len(utf8Password); {
		r, size := utf8.DecodeRune(utf8Password[i:])
		if r == utf8.RuneError && size <= 1 {
			clear(out)
			return nil, errPasswordEncoding
		}
		if r > 0xFF {
			clear(out)
			return nil, passwordCharacterError(r)
		}
		out = append(out, byte(r))
		i += size
	}
	return out, nil
}

// utf16Password is how Java feeds a password to the keystore digest.
func utf16Password(p []byte) []byte {
	out := make([]byte, 0, 2*len(p))
	for _, b := range p {
		out = append(out, 0, b)
	}
	return out
}

func checkNewPassword(javaPass []byte) error {
	if len(javaPass) < MinPasswordLength {
		return errPasswordTooShort
	}
	return nil
}
