// Package credentials keeps Opsdesk's Security Material — User Credentials
// (of the types User Credentials, SuccessFactors and OpenConnectors) and
// Secure Parameters, as Cloud Integration calls them — in the operating
// system's keyring: Keychain on macOS, Credential Manager on Windows, the
// Secret Service (the login keyring) or KWallet on Linux, and an encrypted
// file under the data folder where no keyring service runs. It also keeps
// the password of the app's own keystore there.
//
// Each entry is one keyring item keyed "opsdesk/security-material/NAME", so
// that listing shows only ours even in a collection other programs share.
// Secrets are handed out as byte slices the caller zeroes; they are never
// written anywhere but the keyring.
package credentials

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/keyring"

	"github.com/opsdesk/opsdesk/core/credentials/internal/dbusenv"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// The keyring library connected to D-Bus in its init(), which has run by
// now because this package imports it; dbusenv kept it from launching a bus.
func init() { dbusenv.Restore() }

// Key prefixes. Items outside materialPrefix never show in the list.
const (
	materialPrefix = "opsdesk/security-material/"
	keystorePrefix = "opsdesk/keystore-password/"
)

func materialKey(name string) string { return materialPrefix + name }

// Store is the Security Material in the keyring chosen by Open. Its methods
// may be called from several goroutines; calls into the keyring take turns.
type Store struct {
	ring    keyring.Keyring
	backend keyring.BackendType
	fileDir string
	lockDir string // token renewals take turns here: tokenlock.go
	timeout time.Duration
	user    string
	now     func() time.Time
	prepare func() error // run before each operation: unlocks the Secret Service
	askFile keyring.PromptFunc
	filePW  string // the encrypted file's password, once given

	mu sync.Mutex
}

// Backend names the keyring in use, as OPSDESK_KEYRING_BACKEND spells it.
func (s *Store) Backend() string { return string(s.backend) }

// Where describes the keyring in use for a person.
func (s *Store) Where() string {
	switch s.backend {
	case keyring.SecretServiceBackend:
		return "the login keyring (Secret Service)"
	case keyring.KWalletBackend:
		return "KWallet"
	case keyring.KeychainBackend:
		return "the macOS Keychain"
	case keyring.WinCredBackend:
		return "Windows Credential Manager"
	case keyring.FileBackend:
		return "the encrypted keyring file in " + s.fileDir
	}
	return string(s.backend)
}

// List returns every entry, sorted by name, without secrets. An item of
// ours that cannot be read is listed with Status Error rather than hidden,
// so that it can be deleted.
func (s *Store) List() ([]Entry, error) {
	var out []Entry
	err := s.do("list the Security Material", func() error {
		keys, err := s.ring.Keys()
		if err != nil {
			return err
		}
		for _, k := range keys {
			name, ok := strings.CutPrefix(k, materialPrefix)
			if !ok || CheckName(name) != nil {
				continue
			}
			e, err := s.get(name)
			if errors.Is(err, keyring.ErrKeyNotFound) {
				continue // gone meanwhile, or another program's item with our label
			}
			if err != nil && !errors.Is(err, ErrDamaged) {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, err // after a timeout, out may still be written to
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// Names lists the User Credentials that can be used, sorted: the choices
// of a connectivity test's Credential Name.
func (s *Store) Names() ([]string, error) {
	list, err := s.List()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range list {
		if e.Type == UserCredentials && e.Status == Deployed {
			out = append(out, e.Name)
		}
	}
	return out, nil
}

// NamesOf lists the entries of type t, sorted: for OAuth2 Authorization
// Code, the choices of a connectivity test's Credential Name when its
// Authentication is OAuth2 Authorization Code. Unauthorized ones and those
// whose token was refused are listed too: a test with one says what to do.
func (s *Store) NamesOf(t Type) ([]string, error) {
	list, err := s.List()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range list {
		if e.Type == t && (e.Status == Deployed || t == OAuth2AuthorizationCode) {
			out = append(out, e.Name)
		}
	}
	return out, nil
}

// Entry returns one entry without its secret.
func (s *Store) Entry(name string) (Entry, error) {
	if err := CheckName(name); err != nil {
		return Entry{}, err
	}
	var e Entry
	err := s.do("read "+name, func() error {
		var err error
		e, err = s.get(name)
		if errors.Is(err, keyring.ErrKeyNotFound) {
			return notFound(name)
		}
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	return e, nil
}

// get reads the item of name; the caller holds the turn. A record that
// cannot be decoded gives an Entry with Status Error and ErrDamaged.
func (s *Store) get(name string) (Entry, error) {
	r, err := s.read(name)
	if errors.Is(err, ErrDamaged) {
		return Entry{Name: name, Status: Error, Problem: "this entry cannot be read: it was not stored by this version of Opsdesk"}, err
	}
	if err != nil {
		return Entry{}, err
	}
	r.wipe()
	return r.entry(name), nil
}

// entry is what the Security Material page shows of r: never a secret.
func (r *record) entry(name string) Entry {
	e := Entry{Name: name, Description: r.description, Type: r.typ, User: r.user, CompanyID: r.companyID,
		Status: Deployed, DeployedBy: r.deployedBy, DeployedOn: r.deployedOn, OAuth2: r.settings()}
	if r.typ == OAuth2AuthorizationCode {
		e.Status, e.Problem = r.o.status, r.o.problem
	}
	return e
}

// read fetches and decodes the item of name; the caller wipes r.
func (s *Store) read(name string) (record, error) {
	data, err := s.getItem(materialKey(name))
	if err != nil {
		if s.undecodable(err) || errors.Is(err, errBadChunks) {
			return record{}, newError(ErrDamaged, name, "cannot be read from the keyring", "Delete it and add it again.", err)
		}
		return record{}, err
	}
	defer clear(data)
	r, err := decodeRecord(data)
	if err != nil {
		return record{}, newError(ErrDamaged, name, "cannot be read from the keyring", "Delete it and add it again.", err)
	}
	return r, nil
}

// Add stores a new entry: e's Name, Type, Description and (for User
// Credentials and SuccessFactors) User, with its secret: the password or
// secure parameter. Deployed By and On are filled in. The caller zeroes
// secret. OpenConnectors, which has three secrets, takes AddSecrets.
func (s *Store) Add(e Entry, secret []byte) (Entry, error) {
	return s.AddSecrets(e, Secrets{Secret: secret})
}

// AddSecrets is Add for any type: e's Name, Type, Description, User (User
// Credentials, SuccessFactors, OAuth2 Authorization Code's mailbox),
// CompanyID (SuccessFactors) and OAuth2 (its settings), with its secrets:
// for OAuth2 Authorization Code, Secret is the client secret (empty for a
// public client). An OAuth2 entry starts Unauthorized: Authorize gets its
// tokens. The caller zeroes the secrets.
func (s *Store) AddSecrets(e Entry, sec Secrets) (Entry, error) {
	r := record{typ: e.Type, description: e.Description, user: e.User, companyID: e.CompanyID,
		secret: sec.Secret, organization: sec.Organization, element: sec.Element}
	if e.Type == OAuth2AuthorizationCode {
		if e.OAuth2 == nil {
			return Entry{}, newError(ErrEmpty, e.Name, "has no OAuth2 settings", "Fill in the Provider, URLs, Client ID and Scope."+nothingChanged, nil)
		}
		if err := CheckOAuth2(e.User, *e.OAuth2); err != nil {
			return Entry{}, unchanged(err)
		}
		r.setOAuth(*e.OAuth2)
		r.o.status = Unauthorized
	} else if e.OAuth2 != nil {
		return Entry{}, newError(ErrWrongType, e.Name, "is not an OAuth2 Authorization Code entry, the only type with OAuth2 settings",
			"Leave them out."+nothingChanged, nil)
	}
	if err := s.check(e.Name, &r); err != nil {
		return Entry{}, unchanged(err)
	}
	s.stamp(&r)
	err := s.do("store "+e.Name, func() error {
		if err := s.checkFree(e.Name); err != nil {
			return err
		}
		if r.typ == OAuth2AuthorizationCode {
			// Tokens a crash left behind under this name belong to no one.
			if err := s.removeItem(tokensKey(e.Name)); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
				return err
			}
		}
		return s.write(e.Name, &r)
	})
	if err != nil {
		return Entry{}, err
	}
	return r.entry(e.Name), nil
}

// CheckNew says whether a new entry may take name: a valid name that no
// entry has, in any capitals (Windows' Credential Manager ignores case).
// The command asks it before asking for the secret.
func (s *Store) CheckNew(name string) error {
	if err := CheckName(name); err != nil {
		return unchanged(err)
	}
	return s.do("list the Security Material", func() error { return s.checkFree(name) })
}

// checkFree: the caller holds the turn.
func (s *Store) checkFree(name string) error {
	existing, err := s.names()
	if err != nil {
		return err
	}
	for _, n := range existing {
		if strings.EqualFold(n, name) {
			return duplicate(name, n)
		}
	}
	return nil
}

func duplicate(name, existing string) error {
	what := "already exists"
	if existing != name {
		what = "already exists as \"" + existing + "\": names differing only in capitals count as the same"
	}
	return newError(ErrExists, name, what, "Choose another name, or edit the existing entry."+nothingChanged, nil)
}

// Change is an edit: nil fields keep their value. The type never changes.
type Change struct {
	Description *string
	User        *string // User Credentials and SuccessFactors
	CompanyID   *string // SuccessFactors
	// The secrets: nil keeps the stored one; the caller zeroes them.
	Secret       []byte // the password, the secure parameter, or OpenConnectors' User
	Organization []byte // OpenConnectors
	Element      []byte // OpenConnectors
	// OAuth2 replaces an OAuth2 Authorization Code entry's settings. A
	// change of provider, URLs, Client ID, Scope or User makes the entry
	// Unauthorized again: its tokens were for the old ones. Secret is its
	// client secret then, and an empty non-nil Secret makes it a public
	// client.
	OAuth2 *OAuth2
}

// Edit changes an entry in place, keeping its secret unless a new one is
// given. Deployed By and On record the edit.
func (s *Store) Edit(name string, c Change) (Entry, error) {
	if err := CheckName(name); err != nil {
		return Entry{}, unchanged(err)
	}
	var out Entry
	err := s.do("change "+name, func() error {
		r, err := s.read(name)
		if errors.Is(err, keyring.ErrKeyNotFound) {
			return notFound(name)
		}
		if err != nil {
			return err
		}
		stored := r // its secrets, wiped whichever are replaced
		defer stored.wipe()
		if err := changeFits(name, r.typ, c); err != nil {
			return err
		}
		if c.Description != nil {
			r.description = *c.Description
		}
		if c.User != nil {
			r.user = *c.User
		}
		if c.CompanyID != nil {
			r.companyID = *c.CompanyID
		}
		if c.Secret != nil {
			r.secret = c.Secret
		}
		if c.Organization != nil {
			r.organization = c.Organization
		}
		if c.Element != nil {
			r.element = c.Element
		}
		regrant := false
		if r.typ == OAuth2AuthorizationCode {
			if c.OAuth2 != nil {
				if err := CheckOAuth2(r.user, *c.OAuth2); err != nil {
					return unchanged(err)
				}
				r.setOAuth(*c.OAuth2)
			}
			if regrant = grantChanged(stored.o, r.o, stored.user, r.user); regrant {
				r.o.status, r.o.problem, r.o.authorizedOn = Unauthorized, "", time.Time{}
			}
		}
		if err := s.check(name, &r); err != nil {
			return unchanged(err)
		}
		s.stamp(&r)
		if regrant {
			if err := s.removeItem(tokensKey(name)); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
				return err
			}
		}
		if err := s.write(name, &r); err != nil {
			return err
		}
		out = r.entry(name)
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	return out, nil
}

// Delete removes an entry.
func (s *Store) Delete(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	return s.do("delete "+name, func() error {
		// Get first: some backends report success for a missing item. An
		// item that cannot be read is still removed, since that is the cure.
		r, err := s.read(name)
		r.wipe()
		if errors.Is(err, keyring.ErrKeyNotFound) {
			return notFound(name)
		}
		if err != nil && !errors.Is(err, ErrDamaged) { // damaged: removed all the same, since that is the cure
			return err
		}
		if r.typ == OAuth2AuthorizationCode || errors.Is(err, ErrDamaged) {
			if err := s.removeItem(tokensKey(name)); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
				return err
			}
		}
		if err := s.removeItem(materialKey(name)); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
			return err
		}
		return nil
	})
}

// Lookup returns the user and password of a User Credentials entry (or of
// SuccessFactors, or the secret of a Secure Parameter with an empty user),
// for a connectivity test. OpenConnectors has no user and password to give:
// ErrWrongType. The caller zeroes password as soon as it is sent.
func (s *Store) Lookup(name string) (user string, password []byte, err error) {
	if err := CheckName(name); err != nil {
		return "", nil, err
	}
	err = s.do("read "+name, func() error {
		r, err := s.read(name)
		if errors.Is(err, keyring.ErrKeyNotFound) {
			return notFound(name)
		}
		if err != nil {
			return err
		}
		clear(r.organization)
		clear(r.element)
		if r.typ == OpenConnectors {
			clear(r.secret)
			return newError(ErrWrongType, name, "is an OpenConnectors entry, which has no user and password",
				"Choose User Credentials.", nil)
		}
		if r.typ == OAuth2AuthorizationCode {
			clear(r.secret)
			return newError(ErrWrongType, name, "is an OAuth2 Authorization Code credential, which signs in with a token, not a password",
				"Choose Authentication OAuth2 Authorization Code for it, or a User Credentials entry for a password.", nil)
		}
		user, password = r.user, r.secret
		return nil
	})
	if err != nil {
		return "", nil, err // after a timeout, the answer is the goroutine's, not ours
	}
	return user, password, nil
}

// names lists the names of our entries; the caller holds the turn.
func (s *Store) names() ([]string, error) {
	keys, err := s.ring.Keys()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		if n, ok := strings.CutPrefix(k, materialPrefix); ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// check validates an entry about to be written.
func (s *Store) check(name string, r *record) error {
	if err := CheckName(name); err != nil {
		return err
	}
	switch r.typ {
	case UserCredentials, SuccessFactors:
		if err := checkLine("user", r.user, MaxUser(r.typ), true); err != nil {
			return err
		}
	case SecureParameter, OpenConnectors:
		if r.user != "" {
			return noUser(name, r.typ)
		}
	case OAuth2AuthorizationCode:
		if err := CheckMailbox(oauth.Provider(r.o.provider), r.user); err != nil {
			return err
		}
	default:
		return newError(ErrWrongType, name, "has no type",
			"Choose User Credentials, SuccessFactors, OpenConnectors, OAuth2 Authorization Code or Secure Parameter."+nothingChanged, nil)
	}
	if r.typ == SuccessFactors {
		if err := CheckCompanyID(r.companyID); err != nil {
			return err
		}
	} else if r.companyID != "" {
		return newError(ErrWrongType, name, "is not a SuccessFactors entry, the only type with a Company ID",
			"Leave the Company ID out."+nothingChanged, nil)
	}
	if r.typ != OpenConnectors && (len(r.organization) > 0 || len(r.element) > 0) {
		return newError(ErrWrongType, name, "is not an OpenConnectors entry, the only type with an Organization and Element",
			"Leave them out."+nothingChanged, nil)
	}
	if err := checkLine("description", r.description, MaxDescriptionLength, false); err != nil {
		return err
	}
	if err := checkSecret(r.typ, r.secret); err != nil {
		return err
	}
	if r.typ == OpenConnectors {
		if err := CheckOpenConnectorsSecret("organization secret", r.organization); err != nil {
			return err
		}
		return CheckOpenConnectorsSecret("element token", r.element)
	}
	return nil
}

// changeFits refuses a change of fields that the type of name lacks.
func changeFits(name string, t Type, c Change) error {
	if c.User != nil && !t.HasUser() {
		return noUser(name, t)
	}
	if c.CompanyID != nil && t != SuccessFactors {
		return newError(ErrWrongType, name, "is not a SuccessFactors entry, the only type with a Company ID",
			"Leave the Company ID out."+nothingChanged, nil)
	}
	if (c.Organization != nil || c.Element != nil) && t != OpenConnectors {
		return newError(ErrWrongType, name, "is not an OpenConnectors entry, the only type with an Organization and Element",
			"Leave them out."+nothingChanged, nil)
	}
	if c.OAuth2 != nil && t != OAuth2AuthorizationCode {
		return newError(ErrWrongType, name, "is not an OAuth2 Authorization Code entry, the only type with OAuth2 settings",
			"Leave them out."+nothingChanged, nil)
	}
	return nil
}

// noUser: a Secure Parameter has no user; OpenConnectors' User is its
// first secret, given as the secret, never as a plain field.
func noUser(name string, t Type) error {
	if t == OpenConnectors {
		return newError(ErrWrongType, name, "is an OpenConnectors entry, whose User is a secret",
			"Change it as a secret, like the Organization and Element."+nothingChanged, nil)
	}
	return newError(ErrWrongType, name, "is a secure parameter, which has no user", "Leave the user out."+nothingChanged, nil)
}

func (s *Store) stamp(r *record) {
	r.deployedBy = truncateUTF8(s.user, maxDeployedByBytes)
	r.deployedOn = s.now().Truncate(time.Second)
}

// write stores r under name; the caller holds the turn. The types of
// versions 1 and 2 always fit one item (limits.go); an OAuth2 entry is
// split when it does not (chunks.go).
func (s *Store) write(name string, r *record) error {
	data := r.encode()
	defer clear(data)
	if len(data) > MaxItemBytes && r.typ != OAuth2AuthorizationCode { // limits.go makes this impossible; keep Windows safe if they change
		return newError(ErrTooLong, name, "is too large for the keyring", "Shorten the description or the secret."+nothingChanged, nil)
	}
	err := s.setItem(materialKey(name), data, "Opsdesk: "+name, string(r.typ))
	if errors.Is(err, errTooLarge) {
		return newError(ErrTooLong, name, "is too large for the keyring", "Shorten the description or the settings."+nothingChanged, nil)
	}
	return err
}
