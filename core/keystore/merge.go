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
			clear(s.key)
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

func readPKCS12Source(path string, data, password []byte) ([]sourceEntry, error) {
	if err := checkPKCS12Work(path, data); err != nil {
		return nil, err
	}
	bags, err := openPKCS12(data, password)
	if err != nil {
		return nil, pkcs12Error(path, data, password, err)
	}
	return pkcs12Entries(bags), nil
}

// pkcs12Error says why a PKCS#12 file could not be opened.
func pkcs12Error(path string, data, password []byte, err error) error {
	switch {
	case errors.Is(err, errP12Password) && len(password) == 0:
		return fileError(path, ErrWrongPassword, "is protected by a password", "Type the password of this .p12/.pfx file.", nil)
	case errors.Is(err, errP12Password):
		return fileError(path, ErrWrongPassword, "cannot be opened: the password is wrong", "Type the password of this .p12/.pfx file.", nil)
	case errors.Is(err, errP12NoMAC):
		return fileError(path, ErrDamaged, "has no integrity check (MAC), so its password cannot be checked and nothing in it can be trusted",
			"Open it without a password, or export it again with your usual tool.", nil)
	case errors.Is(err, errP12Work):
		return fileError(path, ErrDamaged, fmt.Sprintf("asks for more than %d key-derivation rounds; no tool writes that many, so it is refused as damaged or hostile", maxPKCS12Iterations),
			"Export the PKCS#12 file again with your usual tool.", err)
	case errors.Is(err, errP12Unsupported):
		return fileError(path, ErrNotKeystore, "is a PKCS#12 keystore protected in a way Opsdesk cannot read",
			"Export it again with current settings (AES, as keytool, OpenSSL 3 and Windows do by default).", err)
	}
	if b := certs.Read("", data); len(b.Certificates) > 0 {
		return fileError(path, ErrIsCertificate, "is a certificate, not a keystore", "Add it with Add ▾ Certificate.", nil)
	}
	return fileError(path, ErrDamaged, "is not a keystore Opsdesk can read: neither JKS nor an intact PKCS#12 file",
		"Choose the keystore file itself, or export it again.", err)
}

// pkcs12Entries turns the bags of a PKCS#12 keystore into keystore
// entries, as keytool lists them: each key with its certificate (found by
// local key id, else by public key) and that certificate's issuers is a
// key pair; a certificate keytool marked trusted, or one that belongs to
// no key's chain, is a certificate entry. Aliases are the friendly names;
// entries without one get a proposed alias.
func pkcs12Entries(bags []p12Bag) []sourceEntry {
	var all []*x509.Certificate
	var certBags []p12Bag
	for _, b := range bags {
		if b.cert != nil {
			all = append(all, b.cert)
			certBags = append(certBags, b)
		}
	}
	taken := map[string]bool{}
	for _, b := range bags {
		if b.friendlyName != "" {
			taken[strings.ToLower(b.friendlyName)] = true
		}
	}
	alias := func(name string, c *x509.Certificate) string {
		if name != "" {
			return strings.ToLower(name)
		}
		a := certs.SuggestAlias(c, func(a string) bool { return taken[a] })
		taken[a] = true
		return a
	}
	var out []sourceEntry
	inChain := map[int]bool{}
	for _, b := range bags {
		if b.cert != nil {
			continue
		}
		s := sourceEntry{typ: KeyPair, key: b.key, problem: b.keyProblem}
		name := b.friendlyName
		leaf := -1
		for i, cb := range certBags {
			if len(b.localKeyID) > 0 && bytes.Equal(cb.localKeyID, b.localKeyID) {
				leaf = i
				if name == "" {
					name = cb.friendlyName
				}
				break
			}
		}
		if s.problem == "" {
			key, _ := x509.ParsePKCS8PrivateKey(b.key) // openPKCS12 checked it
			signer, ok := key.(crypto.Signer)
			if !ok {
				s.problem = "Its private key is of a kind Opsdesk cannot use."
			} else if leaf < 0 || !samePublicKey(all[leaf], signer.Public()) {
				leaf = leafOf(signer.Public(), all)
			}
		}
		if leaf >= 0 {
			var used map[int]bool
			s.chain, used = chainFrom(leaf, all)
			for i := range used {
				inChain[i] = true
			}
		} else if s.problem == "" {
			s.problem = "Its private key comes without its certificate."
		}
		var first *x509.Certificate
		if len(s.chain) > 0 {
			first = s.chain[0]
		}
		s.alias = alias(name, first)
		out = append(out, s)
	}
	for i, b := range certBags {
		if !b.trusted && (inChain[i] || len(b.localKeyID) > 0) {
			continue
		}
		out = append(out, sourceEntry{alias: alias(b.friendlyName, b.cert), typ: Certificate, chain: []*x509.Certificate{b.cert}})
	}
	return out
}

// leafOf is the index in all of the certificate of public key pub, or -1.
func leafOf(pub crypto.PublicKey, all []*x509.Certificate) int {
	for i, c := range all {
		if c != nil && samePublicKey(c, pub) {
			return i
		}
	}
	return -1
}

func samePublicKey(c *x509.Certificate, pub crypto.PublicKey) bool {
	p, ok := c.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && p.Equal(pub)
}

// chainFor finds in all the certificate of the public key pub, then its
// issuers in order as far as all holds them. It returns a nil chain when
// no certificate is pub's, and which of all it used.
func chainFor(pub crypto.PublicKey, all []*x509.Certificate) ([]*x509.Certificate, map[int]bool) {
	leaf := leafOf(pub, all)
	if leaf < 0 {
		return nil, nil
	}
	return chainFrom(leaf, all)
}

// chainFrom is all[leaf] followed by its issuers in order, as far as all
// holds them, and which of all it used.
func chainFrom(leaf int, all []*x509.Certificate) ([]*x509.Certificate, map[int]bool) {
	used := map[int]bool{leaf: true}
	chain := []*x509.Certificate{all[leaf]}
	for cur := all[leaf]; !bytes.Equal(cur.RawIssuer, cur.RawSubject); {
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
