package keystore

import (
	"bytes"
	"crypto/sha1"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The JKS format, as Java's sun.security.provider.JavaKeyStore writes it
// (all integers big-endian):
//
//	magic 0xFEEDFEED, version (1 or 2), entry count
//	per entry: tag (1 = private key, 2 = trusted certificate), alias (u16
//	length + modified UTF-8), creation time (u64 ms since 1970), then
//	  key:   u32 length + encrypted key, u32 certificate count, certificates
//	  trust: one certificate
//	  certificate: (version 2 only) u16 length + type "X.509", u32 length + DER
//	SHA-1 digest over password (UTF-16BE) + "Mighty Aphrodite" + all of the above
//
// keystore-go trusts every length field, so a few hostile bytes can make it
// allocate gigabytes. parse walks the structure first, checking each length
// against the bytes that are left, and keeps only sub-slices of the input,
// so that reading never costs more than a few times the file's size. It is
// also how a keystore is read without its password, as keytool does.

const (
	jksMagic   = 0xFEEDFEED
	jceksMagic = 0xCECECECE
	tagKey     = 1
	tagTrusted = 2
	digestLen  = sha1.Size
	// minEntryLen is the smallest possible entry: tag, empty alias,
	// timestamp, certificate length (version 1).
	minEntryLen = 4 + 2 + 8 + 4
	// Java's key protector: 20 bytes of salt, the key, a 20-byte check.
	minProtectedKeyLen = 20 + 20
)

type rawCert struct {
	typ string
	der []byte
}

type rawEntry struct {
	alias   string // as stored in the file
	tag     uint32
	created time.Time
	key     []byte // the protected private key, for key entries
	chain   []rawCert
}

type rawStore struct {
	version uint32
	entries []rawEntry
	signed  []byte // everything the digest covers
	digest  []byte
}

// parseError is a structural fault; Open turns it into a user's sentence.
type parseError struct{ msg string }

func (e *parseError) Error() string { return e.msg }

func damaged(format string, args ...any) error {
	return &parseError{fmt.Sprintf(format, args...)}
}

type reader struct {
	data []byte
	off  int
}

func (r *reader) left() int { return len(r.data) - r.off }

func (r *reader) bytes(n int, what string) ([]byte, error) {
	if n < 0 || n > r.left() {
		return nil, damaged("%s at byte %d claims %d bytes, but only %d are left", what, r.off, n, r.left())
	}
	b := r.data[r.off : r.off+n : r.off+n]
	r.off += n
	return b, nil
}

func (r *reader) u16(what string) (int, error) {
	b, err := r.bytes(2, what)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(b)), nil
}

func (r *reader) u32(what string) (uint32, error) {
	b, err := r.bytes(4, what)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b), nil
}

func (r *reader) length(what string) (int, error) {
	n, err := r.u32(what)
	if err != nil {
		return 0, err
	}
	if int64(n) > int64(r.left()) {
		return 0, damaged("%s at byte %d claims %d bytes, but only %d are left", what, r.off-4, n, r.left())
	}
	return int(n), nil
}

func (r *reader) str(what string) (string, error) {
	n, err := r.u16(what)
	if err != nil {
		return "", err
	}
	b, err := r.bytes(n, what)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", damaged("%s is not valid text", what)
	}
	return string(b), nil
}

// parse checks the whole structure of a JKS file and returns its entries.
// It does not check the digest: that needs the password.
func parse(data []byte) (*rawStore, error) {
	r := &reader{data: data}
	magic, err := r.u32("the header")
	if err != nil {
		return nil, err
	}
	switch magic {
	case jksMagic:
	case jceksMagic:
		return nil, errJCEKS
	default:
		return nil, errNotJKS
	}
	version, err := r.u32("the version")
	if err != nil {
		return nil, err
	}
	if version != 1 && version != 2 {
		return nil, damaged("unknown format version %d", version)
	}
	count, err := r.u32("the entry count")
	if err != nil {
		return nil, err
	}
	if int64(count)*minEntryLen > int64(r.left()) {
		return nil, damaged("it claims %d entries, more than its %d bytes can hold", count, len(data))
	}
	// Sized up front, but never beyond what the file could really hold.
	s := &rawStore{version: version, entries: make([]rawEntry, 0, min(int(count), len(data)/64))}
	seen := make(map[string]bool, min(int(count), len(data)/64))
	for i := uint32(0); i < count; i++ {
		e, err := parseEntry(r, version)
		if err != nil {
			return nil, damaged("entry %d of %d: %v", i+1, count, err)
		}
		lower := strings.ToLower(e.alias)
		if seen[lower] {
			return nil, damaged("two entries are named %q", lower)
		}
		seen[lower] = true
		s.entries = append(s.entries, e)
	}
	s.signed = data[:r.off]
	if s.digest, err = r.bytes(digestLen, "the integrity check"); err != nil {
		return nil, damaged("it ends before its integrity check")
	}
	// Java ignores anything after the digest, and so do we.
	return s, nil
}

func parseEntry(r *reader, version uint32) (rawEntry, error) {
	var e rawEntry
	var err error
	if e.tag, err = r.u32("the entry type"); err != nil {
		return e, err
	}
	if e.alias, err = r.str("the alias"); err != nil {
		return e, err
	}
	ts, err := r.bytes(8, "the creation date")
	if err != nil {
		return e, err
	}
	e.created = time.UnixMilli(int64(binary.BigEndian.Uint64(ts)))
	switch e.tag {
	case tagTrusted:
		c, err := parseCert(r, version)
		if err != nil {
			return e, err
		}
		e.chain = []rawCert{c}
	case tagKey:
		n, err := r.length("the private key")
		if err != nil {
			return e, err
		}
		if e.key, err = r.bytes(n, "the private key"); err != nil {
			return e, err
		}
		if err := checkProtectedKey(e.key); err != nil {
			return e, err
		}
		certs, err := r.u32("the certificate count")
		if err != nil {
			return e, err
		}
		if int64(certs)*6 > int64(r.left()) {
			return e, damaged("it claims %d certificates, more than the file holds", certs)
		}
		for j := uint32(0); j < certs; j++ {
			c, err := parseCert(r, version)
			if err != nil {
				return e, fmt.Errorf("certificate %d: %w", j+1, err)
			}
			e.chain = append(e.chain, c)
		}
	default:
		return e, damaged("unknown entry type %d", e.tag)
	}
	return e, nil
}

func parseCert(r *reader, version uint32) (rawCert, error) {
	c := rawCert{typ: "X.509"}
	if version == 2 {
		var err error
		if c.typ, err = r.str("the certificate type"); err != nil {
			return c, err
		}
	}
	n, err := r.length("the certificate")
	if err != nil {
		return c, err
	}
	if n == 0 {
		return c, damaged("an empty certificate")
	}
	c.der, err = r.bytes(n, "the certificate")
	return c, err
}

// checkProtectedKey makes sure keystore-go can try to decrypt the key
// without panicking: it slices the key assuming at least salt and check.
func checkProtectedKey(b []byte) error {
	var info struct {
		Algo struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		Key []byte
	}
	rest, err := asn1.Unmarshal(b, &info)
	if err != nil || len(rest) != 0 {
		return damaged("the private key is not in Java's format")
	}
	if len(info.Key) < minProtectedKeyLen {
		return damaged("the private key is too short to be real")
	}
	return nil
}

// verify checks the digest with a password already in Java's form.
func (s *rawStore) verify(password []byte) bool {
	h := sha1.New()
	h.Write(utf16Password(password))
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(s.signed)
	return bytes.Equal(h.Sum(nil), s.digest)
}
