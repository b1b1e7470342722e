package keystore

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
	"time"
	"unicode"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/problem"
)

// Outcome is what happened to one certificate or entry brought in.
type Outcome string

const (
	Added       Outcome = "added"
	Duplicate   Outcome = "duplicate"   // already there under another alias
	Rejected    Outcome = "rejected"    // not taken, see Reason
	Preserved   Outcome = "preserved"   // an existing entry kept
	Overwritten Outcome = "overwritten" // an existing entry replaced
	Removed     Outcome = "removed"     // an existing entry dropped by Replace
)

// Candidate is a certificate to add, under Alias or, if empty, under an
// alias suggested from the certificate.
type Candidate struct {
	Cert  *x509.Certificate
	Alias string
}

// Result says what became of one candidate or merged entry.
type Result struct {
	Alias    string
	Outcome  Outcome
	Reason   string // a sentence, for Duplicate and Rejected
	Existing string // for Duplicate: the alias already holding it
	Cert     *x509.Certificate
}

// NormalizeAlias is the alias an entry is saved under when the user typed
// typed: Java keystores and Cloud Integration keep aliases in lower case,
// and spaces at either end are a slip of the keyboard (spaces inside
// stay). how says in words what changed ("in lower case", "without the
// spaces at its ends", or both), "" when nothing did, so a form can tell
// the user before they confirm.
func NormalizeAlias(typed string) (alias, how string) {
	trimmed := strings.TrimSpace(typed)
	alias = strings.ToLower(trimmed)
	var changes []string
	if alias != trimmed {
		changes = append(changes, "in lower case")
	}
	if trimmed != typed && trimmed != "" {
		changes = append(changes, "without the spaces at its ends")
	}
	return alias, strings.Join(changes, " and ")
}

// ChainAlias is the alias of the i-th (from 0) of several certificates
// added under one alias the user chose, as Cloud Integration names the
// parts of a split chain: alias, alias_1, alias_2, …
func ChainAlias(alias string, i int) string {
	if i == 0 {
		return alias
	}
	return fmt.Sprintf("%s_%d", alias, i)
}

// CheckAlias says whether a user may put an entry under alias: not empty,
// at most 250 characters, no control characters, not SAP's.
func CheckAlias(alias string) error {
	switch {
	case strings.TrimSpace(alias) == "":
		return &problem.Error{Kind: ErrBadAlias, What: "The alias is empty", Hint: "Type a name for the entry."}
	case len(alias) > certs.MaxAliasLength:
		return &problem.Error{Kind: ErrBadAlias, What: fmt.Sprintf("The alias is %d characters long; Cloud Integration allows at most %d", len(alias), certs.MaxAliasLength), Hint: "Choose a shorter alias."}
	case strings.IndexFunc(alias, unicode.IsControl) >= 0:
		return &problem.Error{Kind: ErrBadAlias, What: "The alias contains a control character", Hint: "Use letters, digits, '.', '-' and '_'."}
	case certs.IsSAPOwned(alias):
		return sapOwned(alias)
	}
	return nil
}

func sapOwned(alias string) error {
	return &problem.Error{Kind: ErrSAPOwned,
		What: fmt.Sprintf("The alias %q belongs to SAP (aliases starting with sap_ or hcicertificate)", alias),
		Hint: "Entries under these names cannot be added, renamed, replaced or deleted; choose another alias."}
}

// SuggestAlias proposes a free alias for cert.
func (k *Keystore) SuggestAlias(cert *x509.Certificate) string {
	return certs.SuggestAlias(cert, k.Has)
}

// AddCertificates adds certificates as trusted entries ("Certificate" in
// Cloud Integration) and saves. A certificate already in the keystore is
// reported as a Duplicate, one whose alias is taken or not allowed is
// Rejected; the others are added together, in one save.
func (k *Keystore) AddCertificates(cands []Candidate) (results []Result, err error) {
	err = k.write(func() error {
		results, err = k.addCertificates(cands)
		return err
	})
	return results, err
}

func (k *Keystore) addCertificates(cands []Candidate) ([]Result, error) {
	results := make([]Result, 0, len(cands))
	batchAlias := map[string]bool{}
	batchCert := map[[32]byte]string{}
	taken := func(a string) bool { return k.Has(a) || batchAlias[strings.ToLower(a)] }
	var toAdd []Result
	for _, c := range cands {
		alias, _ := NormalizeAlias(c.Alias)
		r := Result{Cert: c.Cert, Alias: alias}
		sum := sha256.Sum256(c.Cert.Raw)
		if r.Alias == "" {
			r.Alias = certs.SuggestAlias(c.Cert, taken)
		}
		existing, dup := k.bySHA256[sum]
		if !dup {
			existing, dup = batchCert[sum]
		}
		switch {
		case dup:
			r.Outcome, r.Existing = Duplicate, existing
			r.Reason = fmt.Sprintf("This certificate is already in the keystore as %q.", existing)
		case CheckAlias(r.Alias) != nil:
			r.Outcome, r.Reason = Rejected, CheckAlias(r.Alias).Error()
		case taken(r.Alias):
			r.Outcome = Rejected
			r.Reason = fmt.Sprintf("An entry named %q already exists; choose another alias or delete that entry first.", r.Alias)
		default:
			r.Outcome = Added
			batchAlias[r.Alias] = true
			batchCert[sum] = r.Alias
			toAdd = append(toAdd, r)
		}
		results = append(results, r)
	}
	if len(toAdd) == 0 {
		return results, nil
	}
	now := time.Now()
	err := k.change(func(lib jks.KeyStore) error {
		for _, r := range toAdd {
			if err := lib.SetTrustedCertificateEntry(r.Alias, trusted(r.Cert.Raw, now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func trusted(der []byte, created time.Time) jks.TrustedCertificateEntry {
	return jks.TrustedCertificateEntry{
		CreationTime: created,
		// Java writes the type as "X.509"; keytool expects it so.
		Certificate: jks.Certificate{Type: "X.509", Content: der},
	}
}

// Delete removes an entry.
func (k *Keystore) Delete(alias string) error {
	return k.write(func() error {
		e, err := k.editable(alias)
		if err != nil {
			return err
		}
		return k.change(func(lib jks.KeyStore) error {
			lib.DeleteEntry(e.stored)
			return nil
		})
	})
}

// Rename gives an entry a new alias. A key pair's private key is
// re-protected on the way; keyPassword is its key password, or nil when it
// is the store password (keytool's default).
func (k *Keystore) Rename(oldAlias, newAlias string, keyPassword []byte) error {
	return k.write(func() error { return k.rename(oldAlias, newAlias, keyPassword) })
}

func (k *Keystore) rename(oldAlias, newAlias string, keyPassword []byte) error {
	e, err := k.editable(oldAlias)
	if err != nil {
		return err
	}
	newAlias, _ = NormalizeAlias(newAlias)
	if err := CheckAlias(newAlias); err != nil {
		return err
	}
	if newAlias == e.stored {
		return nil
	}
	if k.Has(newAlias) && !strings.EqualFold(newAlias, e.Alias) {
		return &problem.Error{Kind: ErrAliasTaken, What: fmt.Sprintf("An entry named %q already exists", newAlias),
			Hint: "Choose another alias, or delete that entry first."}
	}
	return k.change(func(lib jks.KeyStore) error {
		if e.Type == Certificate {
			entry, err := lib.GetTrustedCertificateEntry(e.stored)
			if err != nil {
				return err
			}
			lib.DeleteEntry(e.stored)
			return lib.SetTrustedCertificateEntry(newAlias, entry)
		}
		entry, kp, err := k.privateKey(e, keyPassword)
		if err != nil {
			return err
		}
		defer clear(entry.PrivateKey)
		defer clear(kp)
		lib.DeleteEntry(e.stored)
		// Kept under the same key password: renaming changes no secret.
		return lib.SetPrivateKeyEntry(newAlias, entry, kp)
	})
}

// editable finds an entry the user may change.
func (k *Keystore) editable(alias string) (Entry, error) {
	e, err := k.Entry(alias)
	if err != nil {
		return e, err
	}
	if e.SAPOwned {
		return e, sapOwned(e.Alias)
	}
	return e, nil
}

// privateKey decrypts a key pair's key with keyPassword (UTF-8), or with
// the store password when keyPassword is nil. It returns the Latin-1 key
// password it used; the caller zeroes both.
func (k *Keystore) privateKey(e Entry, keyPassword []byte) (jks.PrivateKeyEntry, []byte, error) {
	var kp []byte
	if keyPassword == nil {
		kp = append([]byte(nil), k.password...)
	} else {
		var err error
		if kp, err = javaPassword(keyPassword); err != nil {
			return jks.PrivateKeyEntry{}, nil, err
		}
	}
	entry, err := k.decryptKey(e, kp)
	if err != nil {
		clear(kp)
		return entry, nil, err
	}
	return entry, kp, nil
}

// decryptKey decrypts a key pair's key with a Latin-1 key password.
func (k *Keystore) decryptKey(e Entry, kp []byte) (entry jks.PrivateKeyEntry, err error) {
	defer func() {
		// parse ruled out the short keys keystore-go is known to panic on;
		// this is the belt to those braces.
		if r := recover(); r != nil {
			err = fmt.Errorf("decrypt key: %v", r)
		}
		if err != nil {
			err = &problem.Error{Kind: ErrKeyPassword,
				What: fmt.Sprintf("The private key of %q is protected by a password other than the keystore's", e.Alias),
				Hint: "Give that key password, or change it with keytool -keypasswd first.", Detail: err.Error()}
		}
	}()
	lib, err := k.library()
	if err != nil {
		return entry, err
	}
	return lib.GetPrivateKeyEntry(e.stored, kp)
}

// ChangePassword protects the keystore with a new password. Key pairs
// whose key was protected by the old store password move to the new one
// too, so that one password keeps opening everything (what Cloud
// Integration expects of an uploaded keystore); the aliases of key pairs
// with a password of their own, left as they were, are returned.
func (k *Keystore) ChangePassword(newPassword []byte) (ownKeyPassword []string, err error) {
	err = k.write(func() error {
		ownKeyPassword, err = k.changePassword(newPassword)
		return err
	})
	return ownKeyPassword, err
}

// changePassword is ChangePassword under the lock: catching up with the
// file must use the old password.
func (k *Keystore) changePassword(newPassword []byte) (ownKeyPassword []string, err error) {
	np, err := javaPassword(newPassword)
	if err != nil {
		return nil, err
	}
	if err := checkNewPassword(np); err != nil {
		clear(np)
		return nil, err
	}
	// Load the library with the old password before save needs the new.
	if _, err := k.library(); err != nil {
		clear(np)
		return nil, err
	}
	old := k.password
	k.password = np // what save stores with
	err = k.change(func(lib jks.KeyStore) error {
		for _, e := range k.entries {
			if e.Type != KeyPair {
				continue
			}
			entry, err := k.decryptKey(e, old)
			if err != nil {
				ownKeyPassword = append(ownKeyPassword, e.Alias)
				continue
			}
			err = lib.SetPrivateKeyEntry(e.stored, entry, np)
			clear(entry.PrivateKey)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		k.password = old
		k.rollback() // change rolled back with the new password: again with the old
		clear(np)
		return nil, err
	}
	clear(old)
	return ownKeyPassword, nil
}
