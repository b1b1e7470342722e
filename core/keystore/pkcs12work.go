package keystore

import (
	"encoding/asn1"
	"fmt"
	"math/big"
)

// maxPKCS12Iterations bounds the key-derivation work a PKCS#12 file may
// ask for. Its iteration counts are the file's to choose, and the library
// runs whatever they say: a count of two billion keeps a core busy for
// many minutes, with nothing to cancel. Tools write 2,048 (OpenSSL), 10,000
// (keytool) or 2,000 (Windows); a million takes well under a second.
var maxPKCS12Iterations = 1_000_000 // a variable only so the fuzz test can lower it

// pbeOIDPrefix is PKCS#12's own password-based encryption schemes
// (1.2.840.113549.1.12.1.x); PBES2, PBKDF2 and PBMAC1 are PKCS#5's.
var (
	pbeOIDPrefix = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1}
	oidPBES2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidPBMAC1    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 14}
)

// checkPKCS12Work refuses a PKCS#12 file whose MAC or whose visible
// encryption parameters ask for more than maxPKCS12Iterations, before the
// library derives a single key. It reads only the structure: a file it
// cannot follow is left to the library, which reads DER only, as this
// does, and so reports it damaged. The
// parameters of a key sealed inside an encrypted part are visible only
// after decrypting it with the right password; tools do not nest them so.
func checkPKCS12Work(path string, data []byte) error {
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(data, &pfx); err != nil {
		return nil
	}
	if len(pfx.MacData.FullBytes) > 0 {
		var mac struct {
			Mac        asn1.RawValue
			Salt       []byte
			Iterations *big.Int `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(pfx.MacData.FullBytes, &mac); err == nil && tooManyIterations(mac.Iterations) {
			return workError(path, mac.Iterations)
		}
	}
	// The contents, and the MAC's algorithm: PBMAC1 keeps its PBKDF2
	// parameters there rather than in the iterations field.
	for _, part := range [][]byte{pfx.AuthSafe.FullBytes, pfx.MacData.FullBytes} {
		if n := pbeIterations(part, 0, false); n != nil {
			return workError(path, n)
		}
	}
	return nil
}

func tooManyIterations(n *big.Int) bool {
	return n != nil && n.Cmp(big.NewInt(int64(maxPKCS12Iterations))) > 0
}

func workError(path string, n *big.Int) error {
	count := n.String()
	if n.BitLen() > 64 {
		count = "an enormous number"
	}
	return fileError(path, ErrDamaged, fmt.Sprintf("asks for %s key-derivation rounds; no tool writes more than %d, so it is refused as damaged or hostile", count, maxPKCS12Iterations),
		"Export the PKCS#12 file again with your usual tool.", nil)
}

// pbeIterations walks DER and returns the first iteration count above the
// limit found in a password-based encryption algorithm's parameters, or
// nil. OCTET STRINGs outside the parameters are looked into as well:
// PKCS#12 wraps its contents in them. inPBE marks the parameters of such an algorithm, where every
// INTEGER is an iteration count or a key length (which is small).
func pbeIterations(der []byte, depth int, inPBE bool) *big.Int {
	if depth > 24 {
		return nil
	}
	for len(der) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil {
			return nil
		}
		der = rest
		switch {
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagInteger && inPBE:
			n := new(big.Int)
			if _, err := asn1.Unmarshal(v.FullBytes, &n); err != nil || tooManyIterations(n) {
				if err != nil {
					n = new(big.Int).Lsh(big.NewInt(1), 65) // unreadable as a number: too many
				}
				return n
			}
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagSequence:
			if n := pbeInSequence(v.Bytes, depth, inPBE); n != nil {
				return n
			}
		case v.IsCompound:
			if n := pbeIterations(v.Bytes, depth+1, inPBE); n != nil {
				return n
			}
		case v.Class == asn1.ClassUniversal && v.Tag == asn1.TagOctetString && !inPBE:
			// Not within the parameters: a salt or an IV is random bytes,
			// which could read as an INTEGER by chance.
			if n := pbeIterations(v.Bytes, depth+1, false); n != nil {
				return n
			}
		}
	}
	return nil
}

// pbeInSequence looks into a SEQUENCE; one that starts with the OID of a
// password-based scheme is an AlgorithmIdentifier whose parameters hold
// the iteration count.
func pbeInSequence(body []byte, depth int, inPBE bool) *big.Int {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(body, &oid); err == nil {
		if isPBE(oid) {
			return pbeIterations(rest, depth+1, true)
		}
	}
	return pbeIterations(body, depth+1, inPBE)
}

func isPBE(oid asn1.ObjectIdentifier) bool {
	if oid.Equal(oidPBES2) || oid.Equal(oidPBKDF2) || oid.Equal(oidPBMAC1) {
		return true
	}
	return len(oid) == len(pbeOIDPrefix)+1 && asn1.ObjectIdentifier(oid[:len(pbeOIDPrefix)]).Equal(pbeOIDPrefix)
}
