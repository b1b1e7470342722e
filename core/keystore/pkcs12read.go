package keystore

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"unicode/utf16"

	"github.com/opsdesk/opsdesk/core/internal/rc2"
)

// A PKCS#12 keystore (RFC 7292) as keytool writes it by default since Java
// 9, OpenSSL and Windows export it, read with encoding/asn1 and crypto/*:
// go-pkcs12 reads one key pair at most. The file is walked with limits on
// every count a hostile file could inflate, and its MAC is verified with
// the password before anything in it is decrypted or used.

var (
	oidData            = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEncryptedData   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 6}
	oidKeyBag          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 1}
	oidShroudedKeyBag  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidCertBag         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidSafeContentsBag = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 6}
	oidX509Certificate = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidFriendlyName    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 20}
	oidLocalKeyID      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	// oidJDKTrusted marks a certificate bag as a trusted certificate entry
	// (keytool's trustedCertEntry) rather than part of a key's chain.
	oidJDKTrusted = asn1.ObjectIdentifier{2, 16, 840, 1, 113894, 746875, 1, 1}

	oidPBEWithSHA3KeyDES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidPBEWithSHA2KeyDES = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 4}
	oidPBEWithSHARC2128  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 5}
	oidPBEWithSHARC240   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 6}
	oidAES128CBC         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC         = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC        = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

// Digests by OID: as the MAC's digest (PKCS#12 MAC) and as HMAC's (PBKDF2
// and PBMAC1 name HMAC-with-digest OIDs).
var (
	macDigests = map[string]func() hash.Hash{
		"1.3.14.3.2.26":          sha1.New,
		"2.16.840.1.101.3.4.2.4": sha256.New224,
		"2.16.840.1.101.3.4.2.1": sha256.New,
		"2.16.840.1.101.3.4.2.2": sha512.New384,
		"2.16.840.1.101.3.4.2.3": sha512.New,
	}
	hmacDigests = map[string]func() hash.Hash{
		"1.2.840.113549.2.7":  sha1.New,
		"1.2.840.113549.2.8":  sha256.New224,
		"1.2.840.113549.2.9":  sha256.New,
		"1.2.840.113549.2.10": sha512.New384,
		"1.2.840.113549.2.11": sha512.New,
	}
)

// Limits a PKCS#12 keystore stays within: a tenant keystore has a few
// hundred entries, keytool nests nothing, and OpenSSL one level at most.
const (
	maxPKCS12Parts = 64     // ContentInfos in the authenticated safe
	maxPKCS12Bags  = 20_000 // bags in all, two per entry at most
	maxPKCS12Depth = 4      // SafeContents within SafeContents
)

type p12PFX struct {
	Version  int
	AuthSafe p12ContentInfo
	MacData  p12MacData `asn1:"optional"`
}

type p12ContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0,explicit,optional"`
}

type p12MacData struct {
	Mac        p12DigestInfo
	MacSalt    []byte
	Iterations int `asn1:"optional,default:1"`
}

type p12DigestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type p12EncryptedData struct {
	Version int
	Info    p12EncryptedContentInfo
}

type p12EncryptedContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Algorithm   pkix.AlgorithmIdentifier
	Content     []byte `asn1:"tag:0,optional"`
}

type p12SafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue  `asn1:"tag:0,explicit"`
	Attributes []p12Attribute `asn1:"set,optional"`
}

type p12Attribute struct {
	ID     asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

type p12CertBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type p12EncryptedKey struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type p12PBEParams struct {
	Salt       []byte
	Iterations int
}

type p12PBES2Params struct {
	KDF    pkix.AlgorithmIdentifier
	Scheme pkix.AlgorithmIdentifier
}

type p12PBKDF2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type p12PBMAC1Params struct {
	KDF pkix.AlgorithmIdentifier
	MAC pkix.AlgorithmIdentifier
}

// p12Bag is a key or a certificate read from a PKCS#12 file.
type p12Bag struct {
	key          []byte // PKCS#8, plain; nil for a certificate
	keyProblem   string // why the key could not be read
	cert         *x509.Certificate
	friendlyName string
	localKeyID   []byte
	trusted      bool // keytool's trusted certificate entry
}

// errP12Unsupported marks what the file does that Opsdesk cannot follow;
// errP12Password a password the file's MAC does not take.
var (
	errP12Unsupported = errors.New("pkcs12: unsupported")
	errP12Password    = errors.New("pkcs12: wrong password")
	errP12NoMAC       = errors.New("pkcs12: no MAC with a password")
	errP12Work        = errors.New("pkcs12: too many iterations")
)

// p12Reader opens one PKCS#12 file with one password.
type p12Reader struct {
	utf8 []byte // the password as typed, for PBES2 and PBMAC1
	bmp  []byte // the password as PKCS#12's own KDF takes it
	bags int
}

// openPKCS12 reads every key and certificate of a PKCS#12 file. password
// is UTF-8, nil when none was given. The caller zeroes the keys.
func openPKCS12(data, password []byte) ([]p12Bag, error) {
	var pfx p12PFX
	if rest, err := asn1.Unmarshal(data, &pfx); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("not DER: %v", err)
	}
	if pfx.Version != 3 || !pfx.AuthSafe.ContentType.Equal(oidData) {
		return nil, fmt.Errorf("%w: version %d, content %v (public-key integrity is not supported)", errP12Unsupported, pfx.Version, pfx.AuthSafe.ContentType)
	}
	var authSafe []byte
	if rest, err := asn1.Unmarshal(pfx.AuthSafe.Content.Bytes, &authSafe); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("authenticated safe: %v", err)
	}
	r := &p12Reader{}
	defer r.close()
	if err := r.verifyMAC(pfx.MacData, authSafe, password); err != nil {
		return nil, err
	}
	var parts []p12ContentInfo
	if rest, err := asn1.Unmarshal(authSafe, &parts); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("authenticated safe: %v", err)
	}
	if len(parts) > maxPKCS12Parts {
		return nil, fmt.Errorf("%d parts in the authenticated safe", len(parts))
	}
	var bags []p12Bag
	for _, part := range parts {
		contents, err := r.partContents(part)
		if err != nil {
			zeroBags(bags)
			return nil, err
		}
		if bags, err = r.safeContents(contents, bags, 0); err != nil {
			zeroBags(bags)
			return nil, err
		}
	}
	return bags, nil
}

func (r *p12Reader) close() {
	clear(r.utf8)
	clear(r.bmp)
}

func zeroBags(bags []p12Bag) {
	for _, b := range bags {
		clear(b.key)
	}
}

// verifyMAC checks the file's integrity with the password, and settles
// how the password is encoded: tools disagree on an empty one.
func (r *p12Reader) verifyMAC(mac p12MacData, authSafe, password []byte) error {
	r.utf8 = append([]byte(nil), password...)
	if len(mac.Mac.Algorithm.Algorithm) == 0 {
		// The JDK reads a file without a MAC only when it is given no
		// password: the password could not be checked, so nothing it
		// decrypts could be trusted.
		if len(password) > 0 {
			return errP12NoMAC
		}
		r.bmp = bmpPassword(nil)
		return nil
	}
	candidates := [][]byte{bmpPassword(password)}
	if len(password) == 0 {
		candidates = append(candidates, nil) // some tools use no bytes at all
	}
	for _, c := range candidates {
		ok, err := checkMAC(mac, authSafe, c, r.utf8)
		if err != nil {
			return err
		}
		if ok {
			r.bmp = c
			return nil
		}
	}
	return errP12Password
}

func checkMAC(mac p12MacData, authSafe, bmp, utf8 []byte) (bool, error) {
	alg := mac.Mac.Algorithm
	if alg.Algorithm.Equal(oidPBMAC1) {
		var p p12PBMAC1Params
		if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil {
			return false, fmt.Errorf("PBMAC1 parameters: %v", err)
		}
		h, ok := hmacDigests[p.MAC.Algorithm.String()]
		if !ok {
			return false, fmt.Errorf("%w: PBMAC1 with %v", errP12Unsupported, p.MAC.Algorithm)
		}
		key, err := pbkdf2Key(p.KDF, utf8, 0)
		if err != nil {
			return false, err
		}
		defer clear(key)
		m := hmac.New(h, key)
		m.Write(authSafe)
		return hmac.Equal(m.Sum(nil), mac.Mac.Digest), nil
	}
	h, ok := macDigests[alg.Algorithm.String()]
	if !ok {
		return false, fmt.Errorf("%w: MAC with %v", errP12Unsupported, alg.Algorithm)
	}
	if err := checkIterations(mac.Iterations); err != nil {
		return false, err
	}
	key := pkcs12KDF(h, 3, bmp, mac.MacSalt, mac.Iterations, h().Size())
	defer clear(key)
	m := hmac.New(h, key)
	m.Write(authSafe)
	return hmac.Equal(m.Sum(nil), mac.Mac.Digest), nil
}

func checkIterations(n int) error {
	if n < 1 || n > maxPKCS12Iterations {
		return fmt.Errorf("%w: %d", errP12Work, n)
	}
	return nil
}

// partContents is the SafeContents of one part of the authenticated safe,
// decrypted if need be.
func (r *p12Reader) partContents(part p12ContentInfo) ([]byte, error) {
	switch {
	case part.ContentType.Equal(oidData):
		var contents []byte
		if rest, err := asn1.Unmarshal(part.Content.Bytes, &contents); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("safe contents: %v", err)
		}
		return contents, nil
	case part.ContentType.Equal(oidEncryptedData):
		var ed p12EncryptedData
		if rest, err := asn1.Unmarshal(part.Content.Bytes, &ed); err != nil || len(rest) != 0 {
			return nil, fmt.Errorf("encrypted data: %v", err)
		}
		return r.decrypt(ed.Info.Algorithm, ed.Info.Content)
	}
	return nil, fmt.Errorf("%w: content type %v", errP12Unsupported, part.ContentType)
}

// safeContents reads the bags of one SafeContents into bags.
func (r *p12Reader) safeContents(der []byte, bags []p12Bag, depth int) ([]p12Bag, error) {
	if depth > maxPKCS12Depth {
		return bags, errors.New("safe contents nested too deep")
	}
	var list []p12SafeBag
	if rest, err := asn1.Unmarshal(der, &list); err != nil || len(rest) != 0 {
		return bags, fmt.Errorf("safe contents: %v", err)
	}
	for _, sb := range list {
		if r.bags++; r.bags > maxPKCS12Bags {
			return bags, fmt.Errorf("more than %d bags", maxPKCS12Bags)
		}
		b := p12Bag{}
		if err := b.attributes(sb.Attributes); err != nil {
			return bags, err
		}
		switch {
		case sb.ID.Equal(oidSafeContentsBag):
			var err error
			if bags, err = r.safeContents(sb.Value.Bytes, bags, depth+1); err != nil {
				return bags, err
			}
			continue
		case sb.ID.Equal(oidCertBag):
			var cb p12CertBag
			if rest, err := asn1.Unmarshal(sb.Value.Bytes, &cb); err != nil || len(rest) != 0 {
				return bags, fmt.Errorf("certificate bag: %v", err)
			}
			if !cb.ID.Equal(oidX509Certificate) {
				continue // SDSI certificates: nothing a keystore holds
			}
			c, err := x509.ParseCertificate(cb.Data)
			if err != nil {
				return bags, fmt.Errorf("certificate: %v", err)
			}
			b.cert = c
		case sb.ID.Equal(oidKeyBag):
			b.key = append([]byte(nil), sb.Value.Bytes...)
		case sb.ID.Equal(oidShroudedKeyBag):
			var ek p12EncryptedKey
			if rest, err := asn1.Unmarshal(sb.Value.Bytes, &ek); err != nil || len(rest) != 0 {
				return bags, fmt.Errorf("shrouded key: %v", err)
			}
			key, err := r.decrypt(ek.Algorithm, ek.Data)
			switch {
			case errors.Is(err, errP12Work):
				return bags, err
			case err != nil:
				b.keyProblem = "Its private key cannot be decrypted with the file's password (" + err.Error() + ")."
			default:
				b.key = key
			}
		default:
			continue // CRLs and secret keys: nothing a JKS entry for the tenant holds
		}
		if b.key != nil {
			if _, err := x509.ParsePKCS8PrivateKey(b.key); err != nil {
				clear(b.key)
				b.key, b.keyProblem = nil, "Its private key cannot be read ("+err.Error()+")."
			}
		}
		bags = append(bags, b)
	}
	return bags, nil
}

func (b *p12Bag) attributes(attrs []p12Attribute) error {
	for _, a := range attrs {
		if len(a.Values) == 0 {
			continue
		}
		v := a.Values[0].FullBytes
		switch {
		case a.ID.Equal(oidFriendlyName):
			var raw asn1.RawValue
			if _, err := asn1.Unmarshal(v, &raw); err != nil || raw.Tag != asn1.TagBMPString {
				return fmt.Errorf("friendly name: %v", err)
			}
			name, err := decodeBMP(raw.Bytes)
			if err != nil {
				return err
			}
			b.friendlyName = name
		case a.ID.Equal(oidLocalKeyID):
			if _, err := asn1.Unmarshal(v, &b.localKeyID); err != nil {
				return fmt.Errorf("local key id: %v", err)
			}
		case a.ID.Equal(oidJDKTrusted):
			b.trusted = true
		}
	}
	return nil
}

// decrypt undoes one of the password-based encryptions PKCS#12 files use.
func (r *p12Reader) decrypt(alg pkix.AlgorithmIdentifier, data []byte) ([]byte, error) {
	if alg.Algorithm.Equal(oidPBES2) {
		return r.decryptPBES2(alg.Parameters.FullBytes, data)
	}
	var p p12PBEParams
	if _, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil {
		return nil, fmt.Errorf("%w: encryption %v", errP12Unsupported, alg.Algorithm)
	}
	if err := checkIterations(p.Iterations); err != nil {
		return nil, err
	}
	derive := func(id byte, n int) []byte { return pkcs12KDF(sha1.New, id, r.bmp, p.Salt, p.Iterations, n) }
	var block cipher.Block
	var err error
	switch {
	case alg.Algorithm.Equal(oidPBEWithSHA3KeyDES), alg.Algorithm.Equal(oidPBEWithSHA2KeyDES):
		key := derive(1, 24)
		if alg.Algorithm.Equal(oidPBEWithSHA2KeyDES) {
			copy(key[16:], key[:8]) // two keys: K1 K2 K1
		}
		block, err = des.NewTripleDESCipher(key)
		clear(key)
	case alg.Algorithm.Equal(oidPBEWithSHARC240), alg.Algorithm.Equal(oidPBEWithSHARC2128):
		size := 5
		if alg.Algorithm.Equal(oidPBEWithSHARC2128) {
			size = 16
		}
		key := derive(1, size)
		block, err = rc2.New(key, size*8)
		clear(key)
	default:
		return nil, fmt.Errorf("%w: encryption %v", errP12Unsupported, alg.Algorithm)
	}
	if err != nil {
		return nil, err
	}
	return cbcDecrypt(block, derive(2, block.BlockSize()), data)
}

func (r *p12Reader) decryptPBES2(params, data []byte) ([]byte, error) {
	var p p12PBES2Params
	if _, err := asn1.Unmarshal(params, &p); err != nil {
		return nil, fmt.Errorf("PBES2 parameters: %v", err)
	}
	var iv []byte
	if _, err := asn1.Unmarshal(p.Scheme.Parameters.FullBytes, &iv); err != nil {
		return nil, fmt.Errorf("PBES2 IV: %v", err)
	}
	keySize := map[string]int{oidAES128CBC.String(): 16, oidAES192CBC.String(): 24, oidAES256CBC.String(): 32, oidDESEDE3CBC.String(): 24}[p.Scheme.Algorithm.String()]
	if keySize == 0 {
		return nil, fmt.Errorf("%w: PBES2 with %v", errP12Unsupported, p.Scheme.Algorithm)
	}
	key, err := pbkdf2Key(p.KDF, r.utf8, keySize)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	var block cipher.Block
	if p.Scheme.Algorithm.Equal(oidDESEDE3CBC) {
		block, err = des.NewTripleDESCipher(key)
	} else {
		block, err = aes.NewCipher(key)
	}
	if err != nil {
		return nil, err
	}
	return cbcDecrypt(block, iv, data)
}

// pbkdf2Key derives a key with PBKDF2 as kdf's parameters say; size is
// the key length the cipher needs, or 0 to take the parameters' own.
func pbkdf2Key(kdf pkix.AlgorithmIdentifier, password []byte, size int) ([]byte, error) {
	if !kdf.Algorithm.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("%w: key derivation %v", errP12Unsupported, kdf.Algorithm)
	}
	var p p12PBKDF2Params
	if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
		return nil, fmt.Errorf("PBKDF2 parameters: %v", err)
	}
	if err := checkIterations(p.Iterations); err != nil {
		return nil, err
	}
	h := sha1.New // PBKDF2's default PRF
	if len(p.PRF.Algorithm) > 0 {
		var ok bool
		if h, ok = hmacDigests[p.PRF.Algorithm.String()]; !ok {
			return nil, fmt.Errorf("%w: PBKDF2 with %v", errP12Unsupported, p.PRF.Algorithm)
		}
	}
	switch {
	case size == 0 && (p.KeyLength < 1 || p.KeyLength > 64):
		return nil, fmt.Errorf("PBKDF2 key length %d", p.KeyLength)
	case size == 0:
		size = p.KeyLength
	case p.KeyLength != 0 && p.KeyLength != size:
		return nil, fmt.Errorf("PBKDF2 key length %d for a %d-byte key", p.KeyLength, size)
	}
	return pbkdf2.Key(h, string(password), p.Salt, p.Iterations, size)
}

// cbcDecrypt decrypts CBC and removes PKCS#7 padding; a wrong key shows
// as padding that does not check out.
func cbcDecrypt(block cipher.Block, iv, data []byte) ([]byte, error) {
	bs := block.BlockSize()
	if len(iv) != bs || len(data) == 0 || len(data)%bs != 0 {
		return nil, errors.New("encrypted data of the wrong length")
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad < 1 || pad > bs || !bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		clear(out)
		return nil, errors.New("the decrypted data does not check out (a wrong password)")
	}
	return out[:len(out)-pad], nil
}

// pkcs12KDF is RFC 7292 appendix B.2: n bytes of key material of the kind
// id (1 key, 2 IV, 3 MAC key) from a BMPString password and a salt.
func pkcs12KDF(h func() hash.Hash, id byte, password, salt []byte, iterations, n int) []byte {
	d := h()
	u, v := d.Size(), d.BlockSize()
	fill := func(src []byte) []byte {
		if len(src) == 0 {
			return nil
		}
		out := make([]byte, v*((len(src)+v-1)/v))
		for i := range out {
			out[i] = src[i%len(src)]
		}
		return out
	}
	i := append(fill(salt), fill(password)...)
	defer clear(i)
	dBlock := bytes.Repeat([]byte{id}, v)
	out := make([]byte, 0, n+u)
	b := make([]byte, v)
	for len(out) < n {
		d.Reset()
		d.Write(dBlock)
		d.Write(i)
		a := d.Sum(nil)
		for range iterations - 1 {
			d.Reset()
			d.Write(a)
			a = d.Sum(a[:0])
		}
		out = append(out, a...)
		for k := range b {
			b[k] = a[k%u]
		}
		// I_j = (I_j + B + 1) mod 2^(8v), for each v-byte block of I.
		for j := 0; j < len(i); j += v {
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(i[j+k]) + int(b[k]) + carry
				i[j+k], carry = byte(sum), sum>>8
			}
		}
	}
	clear(out[n:])
	return out[:n]
}

// bmpPassword is the password as PKCS#12's own KDF takes it: UTF-16 big
// endian with two zero bytes at the end.
func bmpPassword(utf8Password []byte) []byte {
	units := utf16.Encode([]rune(string(utf8Password)))
	out := make([]byte, 0, 2*len(units)+2)
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return append(out, 0, 0)
}

func decodeBMP(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("friendly name of odd length")
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(units)), nil
}
