package keystore

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/problem"
)

// MergeMode is Cloud Integration's choice in Add ▾ Keystore.
type MergeMode int

const (
	// Add keeps existing entries; with Overwrite, entries with the same
	// alias are replaced.
	Add MergeMode = iota
	// Replace drops every entry the tenant administrator owns, keeps
	// SAP's, and adds the source's.
	Replace
)

// MergeOptions says how to merge.
type MergeOptions struct {
	Mode      MergeMode
	Overwrite bool   // with Add: replace entries with the same alias
	Password  []byte // the source's password (UTF-8); nil when it has none or it is unknown
}

// Summary is what Cloud Integration shows after Add ▾ Keystore.
type Summary struct {
	Results []Result
}

// Count returns how many results had outcome o.
func (s Summary) Count(o Outcome) int {
	n := 0
	for _, r := range s.Results {
		if r.Outcome == o {
			n++
		}
	}
	return n
}

// sourceEntry is one entry of a keystore being merged in.
type sourceEntry struct {
	alias   string
	typ     EntryType
	created time.Time
	chain   []*x509.Certificate
	key     []byte // PKCS#8, plain; zeroed after the merge
	problem string // why it cannot be taken
}

// Merge brings the entries of another keystore (JKS, or PKCS#12 .p12/.pfx)
// into this one and saves, as Cloud Integration's Add ▾ Keystore does.
// SAP-owned entries are never added, replaced or removed.
func (k *Keystore) Merge(sourcePath string, opt MergeOptions) (Summary, error) {
	if k.readOnly {
		return Summary{}, k.change(nil)
	}
	if IsSame(sourcePath, k.path) {
		return Summary{}, &problem.Error{Source: sourcePath, Kind: ErrBadAlias, What: "is the keystore itself", Hint: "Choose another keystore to merge in."}
	}
	src, err := readSource(sourcePath, opt.Password)
	if err != nil {
		return Summary{}, err
	}
	defer func() {
		for _, s := range src {
			zero(s.key)
		}
	}()

	var sum Summary
	now := time.Now()
	err = k.change(func(lib jks.KeyStore) error {
		sum = Summary{}
		incoming := map[string]bool{}
		if opt.Mode == Replace {
			for _, e := range k.entries {
				if e.SAPOwned {
					sum.Results = append(sum.Results, Result{Alias: e.Alias, Outcome: Preserved, Reason: "SAP owns this entry.", Cert: e.Certificate()})
					continue
				}
				lib.DeleteEntry(e.stored)
			}
		}
		present := func(alias string) (Entry, bool) {
			e, err := k.Entry(alias)
			if err != nil || (opt.Mode == Replace && !e.SAPOwned) {
				return Entry{}, false
			}
			return e, true
		}
		for _, s := range src {
			r := Result{Alias: s.alias}
			if len(s.chain) > 0 {
				r.Cert = s.chain[0]
			}
			existing, exists := present(s.alias)
			switch {
			case s.problem != "":
				r.Outcome, r.Reason = Rejected, s.problem
			case CheckAlias(s.alias) != nil:
				r.Outcome, r.Reason = Rejected, CheckAlias(s.alias).Error()
			case incoming[s.alias]:
				r.Outcome, r.Reason = Rejected, "The source holds two entries with this alias."
			case exists && existing.SAPOwned:
				r.Outcome, r.Reason = Preserved, "SAP owns this entry."
			case exists && !opt.Overwrite:
				r.Outcome, r.Reason = Preserved, "An entry with this alias already exists; choose \"overwrite existing entries\" to replace it."
			default:
				if dup, ok := k.duplicateOf(s, opt.Mode); ok && dup != s.alias {
					r.Outcome, r.Existing = Duplicate, dup
					r.Reason = fmt.Sprintf("This certificate is already in the keystore as %q.", dup)
					break
				}
				r.Outcome = Added
				if exists {
					r.Outcome = Overwritten
					lib.DeleteEntry(existing.stored)
				}
				if err := putEntry(lib, s, k.password, now); err != nil {
					return fmt.Errorf("add %q: %w", s.alias, err)
				}
				incoming[s.alias] = true
			}
			sum.Results = append(sum.Results, r)
		}
		if opt.Mode == Replace {
			for _, e := range k.entries {
				if !e.SAPOwned && !incoming[e.Alias] {
					sum.Results = append(sum.Results, Result{Alias: e.Alias, Outcome: Removed, Cert: e.Certificate()})
				}
			}
		}
		return nil
	})
	return sum, err
}

// duplicateOf finds a trusted certificate already kept (and not about to be
// dropped by Replace) with the same content.
func (k *Keystore) duplicateOf(s sourceEntry, mode MergeMode) (string, bool) {
	if s.typ != Certificate || len(s.chain) == 0 {
		return "", false
	}
	alias, ok := k.AliasOf(s.chain[0])
	if !ok {
		return "", false
	}
	if e, err := k.Entry(alias); err == nil && mode == Replace && !e.SAPOwned {
		return "", false
	}
	return alias, true
}

func putEntry(lib jks.KeyStore, s sourceEntry, storePassword []byte, now time.Time) error {
	created := s.created
	if created.IsZero() {
		created = now
	}
	if s.typ == Certificate {
		return lib.SetTrustedCertificateEntry(s.alias, trusted(s.chain[0].Raw, created))
	}
	chain := make([]jks.Certificate, len(s.chain))
	for i, c := range s.chain {
		chain[i] = jks.Certificate{Type: "X.509", Content: c.Raw}
	}
	// Protected by the store password, as keytool -importkeystore does.
	return lib.SetPrivateKeyEntry(s.alias, jks.PrivateKeyEntry{CreationTime: created, PrivateKey: append([]byte(nil), s.key...), CertificateChain: chain}, storePassword)
}

// readSource reads the entries of a keystore to merge in.
func readSource(path string, password []byte) ([]sourceEntry, error) {
	data, err := readBytes(path)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFE, 0xED}) {
		return readJKSSource(path, password)
	}
	if len(data) > 0 && data[0] == 0x30 {
		return readPKCS12Source(path, data, password)
	}
	_, err = parseBytes(path, data) // for its sentence on what the file is
	return nil, err
}

func readJKSSource(path string, password []byte) ([]sourceEntry, error) {
	var src *Keystore
	var err error
	if password == nil {
		src, err = OpenReadOnly(path)
	} else {
		src, err = Open(path, password)
	}
	if err != nil {
		return nil, err
	}
	defer src.Close()
	out := make([]sourceEntry, 0, len(src.entries))
	for _, e := range src.entries {
		s := sourceEntry{alias: e.Alias, typ: e.Type, created: e.LastModified, chain: e.Chain}
		for i, c := range e.Chain {
			if c == nil {
				s.problem = fmt.Sprintf("Its certificate %d cannot be read (%v).", i+1, e.ChainErrors[i])
			}
		}
		if e.Type == KeyPair && s.problem == "" {
			if src.readOnly {
				s.problem = "Its private key cannot be read without the source keystore's password."
			} else if entry, err := src.decryptKey(e, src.password); err != nil {
				s.problem = "Its private key has a password of its own, different from the keystore's."
			} else {
				s.key = entry.PrivateKey
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func readPKCS12Source(path string, data, password []byte) (out []sourceEntry, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fileError(path, ErrDamaged, "is damaged and cannot be read", "Export the PKCS#12 file again.", fmt.Errorf("%v", r))
		}
	}()
	if err := checkPKCS12Work(path, data); err != nil {
		return nil, err
	}
	pw := string(password)
	key, leaf, cas, chainErr := pkcs12.DecodeChain(data, pw)
	if errors.Is(chainErr, pkcs12.ErrIncorrectPassword) {
		return nil, fileError(path, ErrWrongPassword, "cannot be opened: the password is wrong", "Type the password of this .p12/.pfx file.", nil)
	}
	if chainErr == nil {
		return pkcs12Entries(path, data, pw, key, append([]*x509.Certificate{leaf}, cas...))
	}
	trustedCerts, err := pkcs12.DecodeTrustStore(data, pw)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, fileError(path, ErrWrongPassword, "cannot be opened: the password is wrong", "Type the password of this .p12/.pfx file.", nil)
	}
	if err != nil {
		if b := certs.Read("", data); len(b.Certificates) > 0 {
			return nil, fileError(path, ErrNotKeystore, "is a certificate, not a keystore", "Add it with Add ▾ Certificate (opsdesk keystore import).", nil)
		}
		return nil, fileError(path, ErrNotKeystore, "is neither a JKS nor a PKCS#12 keystore Opsdesk can read",
			"Opsdesk reads PKCS#12 files with one key pair, or with trusted certificates only.", chainErr)
	}
	taken := map[string]bool{}
	for _, c := range trustedCerts {
		alias := certs.SuggestAlias(c, func(a string) bool { return taken[a] })
		taken[alias] = true
		out = append(out, sourceEntry{alias: alias, typ: Certificate, chain: []*x509.Certificate{c}})
	}
	return out, nil
}

// pkcs12Entries turns a PKCS#12's key and certificates into a key pair
// (the certificate matching the key, then its issuers) and trusted
// certificates (the rest).
func pkcs12Entries(path string, data []byte, pw string, key any, all []*x509.Certificate) ([]sourceEntry, error) {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fileError(path, ErrNotKeystore, "holds a kind of private key Opsdesk cannot use", "", nil)
	}
	chain, used := chainFor(signer.Public(), all)
	if chain == nil {
		return nil, fileError(path, ErrNotKeystore, "holds a private key without its certificate", "Export it again with its certificate.", nil)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fileError(path, ErrNotKeystore, "holds a private key Opsdesk cannot convert", "", err)
	}
	alias := strings.ToLower(friendlyName(data, pw))
	if alias == "" {
		alias = certs.SuggestAlias(chain[0], nil)
	}
	out := []sourceEntry{{alias: alias, typ: KeyPair, chain: chain, key: pkcs8}}
	taken := map[string]bool{alias: true}
	for i, c := range all {
		if used[i] {
			continue
		}
		a := certs.SuggestAlias(c, func(a string) bool { return taken[a] })
		taken[a] = true
		out = append(out, sourceEntry{alias: a, typ: Certificate, chain: []*x509.Certificate{c}})
	}
	return out, nil
}

// chainFor finds in all the certificate of the public key pub, then its
// issuers in order as far as all holds them. It returns a nil chain when
// no certificate is pub's, and which of all it used.
func chainFor(pub crypto.PublicKey, all []*x509.Certificate) ([]*x509.Certificate, map[int]bool) {
	leafIdx := -1
	for i, c := range all {
		if c == nil {
			continue
		}
		if p, ok := c.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); ok && p.Equal(pub) {
			leafIdx = i
			break
		}
	}
	if leafIdx < 0 {
		return nil, nil
	}
	used := map[int]bool{leafIdx: true}
	chain := []*x509.Certificate{all[leafIdx]}
	for cur := all[leafIdx]; !bytes.Equal(cur.RawIssuer, cur.RawSubject); {
		next := -1
		for i, c := range all {
			if c != nil && !used[i] && bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		used[next] = true
		chain = append(chain, all[next])
		cur = all[next]
	}
	return chain, used
}

// friendlyName is the key's alias as keytool wrote it into a PKCS#12.
func friendlyName(data []byte, pw string) string {
	blocks, err := pkcs12.ToPEM(data, pw) //nolint:staticcheck // the only API that returns friendly names
	if err != nil {
		return ""
	}
	for _, b := range blocks {
		if b.Type == "PRIVATE KEY" {
			defer zero(b.Bytes)
			return b.Headers["friendlyName"]
		}
	}
	return ""
}
