package keystore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"
	"strings"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/problem"
)

// KeyMaterial is a private key with its certificate chain, generated or
// read from files, not yet in a keystore. Close forgets the key.
type KeyMaterial struct {
	Chain []*x509.Certificate // the key's own certificate first
	Alias string              // the alias its file gives it, if any
	key   []byte              // PKCS#8, plain
}

// Certificate is the key's own certificate.
func (m *KeyMaterial) Certificate() *x509.Certificate { return m.Chain[0] }

// Size is what the key pair weighs against the tenant's limit: the
// encoded key and every certificate of its chain.
func (m *KeyMaterial) Size() int {
	n := len(m.key)
	for _, c := range m.Chain {
		n += len(c.Raw)
	}
	return n
}

// Close zeroes the private key.
func (m *KeyMaterial) Close() {
	if m != nil {
		clear(m.key)
	}
}

// newKeyMaterial keeps key (any crypto.Signer x509 can encode) with its
// chain, refusing what the tenant would refuse for its size.
func newKeyMaterial(source string, key any, chain []*x509.Certificate) (*KeyMaterial, error) {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, &problem.Error{Source: source, Kind: ErrNotKeyPair, What: "holds a kind of private key Opsdesk cannot keep",
			Hint: "Use an RSA or EC key.", Detail: err.Error()}
	}
	return keyMaterialOf(source, pkcs8, chain)
}

// keyMaterialOf takes over a PKCS#8 key: it is zeroed on refusal, and by
// Close otherwise.
func keyMaterialOf(source string, pkcs8 []byte, chain []*x509.Certificate) (*KeyMaterial, error) {
	m := &KeyMaterial{Chain: chain, key: pkcs8}
	if m.Size() > MaxKeyPairSize {
		m.Close()
		return nil, &problem.Error{Source: source, Kind: ErrTooLarge,
			What: fmt.Sprintf("holds a key pair of %d bytes; Cloud Integration accepts at most %d", m.Size(), MaxKeyPairSize),
			Hint: "Leave out certificates the chain does not need, or use a smaller key."}
	}
	return m, nil
}

// NewKeyPair generates a key and a self-signed certificate for it, as
// keytool -genkeypair does. An RSA 4096 key takes seconds: call it off
// the UI thread, and without holding the keystore.
func NewKeyPair(o KeyPairOptions) (*KeyMaterial, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	key, err := generateKey(o.keyType())
	if err != nil {
		return nil, &problem.Error{Kind: ErrBadKeyPair, What: "The key could not be generated", Hint: "Try again.", Detail: err.Error()}
	}
	tmpl, err := certificateTemplate(o, key.Public())
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, &problem.Error{Kind: ErrBadKeyPair, What: "The certificate could not be made", Hint: "Check the fields and try again.", Detail: err.Error()}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, &problem.Error{Kind: ErrBadKeyPair, What: "The certificate made cannot be read back", Detail: err.Error()}
	}
	return newKeyMaterial("", key, []*x509.Certificate{cert})
}

func generateKey(t KeyType) (crypto.Signer, error) {
	switch t {
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case RSA4096:
		return rsa.GenerateKey(rand.Reader, 4096)
	case EC256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EC384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	}
	return nil, fmt.Errorf("unknown key type %q", t)
}

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// certificateTemplate is what keytool -genkeypair writes: a v3
// certificate with a random serial number and a subject key identifier,
// plus the Subject Alternative Names asked for.
func certificateTemplate(o KeyPairOptions, pub crypto.PublicKey) (*x509.Certificate, error) {
	s, err := parseSANs(o.SubjectAltNames)
	if err != nil {
		return nil, err
	}
	subject := pkix.Name{CommonName: strings.TrimSpace(o.CommonName)}
	add := func(dst *[]string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = append(*dst, v)
		}
	}
	add(&subject.OrganizationalUnit, o.OrganizationalUnit)
	add(&subject.Organization, o.Organization)
	add(&subject.Locality, o.Locality)
	add(&subject.Province, o.Province)
	add(&subject.Country, strings.ToUpper(o.Country))
	if e := strings.TrimSpace(o.Email); e != "" {
		// RFC 5280 wants emailAddress as an IA5String; a plain string
		// would be written as UTF8String.
		subject.ExtraNames = append(subject.ExtraNames, pkix.AttributeTypeAndValue{Type: oidEmailAddress,
			Value: asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte(e)}})
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(spki, &info); err != nil {
		return nil, err
	}
	ski := sha1.Sum(info.Key.Bytes)
	now := time.Now().Truncate(time.Second)
	until := o.ValidUntil
	if until.IsZero() {
		until = now.AddDate(1, 0, 0)
	}
	return &x509.Certificate{
		SerialNumber:       randomSerial(),
		Subject:            subject,
		NotBefore:          now,
		NotAfter:           until,
		SignatureAlgorithm: o.SignatureAlgorithm,
		SubjectKeyId:       ski[:],
		DNSNames:           s.dns,
		IPAddresses:        s.ips,
		EmailAddresses:     s.emails,
		URIs:               s.uris,
	}, nil
}

// randomSerial is a positive 63-bit random number, as keytool's are.
func randomSerial() *big.Int {
	var b [8]byte
	_, _ = rand.Read(b[:])
	n := binary.BigEndian.Uint64(b[:]) >> 1
	if n == 0 {
		n = 1
	}
	return new(big.Int).SetUint64(n)
}

// AddKeyPair stores m as a Key Pair entry under alias, its key protected
// with the keystore password (as keytool does), and saves. An alias that
// is SAP's or already taken is refused and the file left as it was.
func (k *Keystore) AddKeyPair(alias string, m *KeyMaterial) error {
	return k.write(func() error { return k.addKeyPair(alias, m) })
}

func (k *Keystore) addKeyPair(alias string, m *KeyMaterial) error {
	alias, _ = NormalizeAlias(alias)
	if err := CheckAlias(alias); err != nil {
		return err
	}
	if k.Has(alias) {
		return &problem.Error{Kind: ErrAliasTaken, What: fmt.Sprintf("An entry named %q already exists", alias),
			Hint: "Choose another alias, or delete that entry first."}
	}
	if m == nil || len(m.Chain) == 0 || len(m.key) == 0 {
		return &problem.Error{Kind: ErrNotKeyPair, What: "There is no key pair to add", Hint: "Choose the key pair's files again."}
	}
	if m.Size() > MaxKeyPairSize {
		return &problem.Error{Kind: ErrTooLarge, What: fmt.Sprintf("The key pair is %d bytes; Cloud Integration accepts at most %d", m.Size(), MaxKeyPairSize),
			Hint: "Leave out certificates the chain does not need, or use a smaller key."}
	}
	s := sourceEntry{alias: alias, typ: KeyPair, created: time.Now(), chain: m.Chain, key: m.key}
	return k.change(func(lib jks.KeyStore) error { return putEntry(lib, s, k.password, s.created) })
}

// CreateKeyPair generates a key pair (see NewKeyPair) and adds it under
// o.Alias. The UI generates and adds in two steps, so that the slow part
// does not hold the keystore.
func (k *Keystore) CreateKeyPair(o KeyPairOptions) (Entry, error) {
	if k.readOnly {
		return Entry{}, k.change(nil)
	}
	alias, _ := NormalizeAlias(o.Alias)
	if err := CheckAlias(alias); err != nil {
		return Entry{}, err
	}
	if k.Has(alias) {
		return Entry{}, &problem.Error{Kind: ErrAliasTaken, What: fmt.Sprintf("An entry named %q already exists", alias),
			Hint: "Choose another alias, or delete that entry first."}
	}
	m, err := NewKeyPair(o)
	if err != nil {
		return Entry{}, err
	}
	defer m.Close()
	if err := k.AddKeyPair(alias, m); err != nil {
		return Entry{}, err
	}
	return k.Entry(alias)
}
