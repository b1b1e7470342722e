package mailsetup

import (
	"crypto/x509"
	"errors"
	"strings"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// ErrCredential is the Kind of the errors about the credential an account
// is to use: an existing entry that does not fit it.
var ErrCredential = errors.New("mailsetup: credential does not fit the account")

// StoreCredential keeps the account's secret as a new User Credentials
// entry named a.Credential for a.User, the secret normalized as its
// provider takes it (NormalizeSecret). A name already taken is refused
// with credentials.ErrExists, and the entry under it stays as it was:
// the flow never replaces a credential. The caller clears secret.
func StoreCredential(store *credentials.Store, a Account, secret []byte) (credentials.Entry, error) {
	if a.CredentialType == credentials.OAuth2AuthorizationCode {
		return credentials.Entry{}, &problem.Error{Kind: ErrCredential, Source: a.Credential,
			What: "is to be an OAuth2 Authorization Code credential, which is not stored with a password",
			Hint: "Add it with its settings in Security Material (Add ▾ OAuth2 Authorization Code), authorize it, and choose it here."}
	}
	normalized := NormalizeSecret(a.Settings.Provider, secret)
	defer clear(normalized)
	return store.Add(credentials.Entry{Name: a.Credential, Type: credentials.UserCredentials, User: a.User,
		Description: "Mail account " + a.Settings.Address + " (" + a.Protocols() + ")"}, normalized)
}

// ExistingCredential is the stored entry name when it can serve an account
// that signs in as user: User Credentials or an authorized OAuth2
// Authorization Code credential, of the same user (capitals aside, as
// mail servers take addresses). Using it changes nothing stored: this is
// how a flow run again goes on with the credential the first run stored,
// without typing the secret again. An entry that does not exist gives
// credentials.ErrNotFound; one of another user or type, ErrCredential.
func ExistingCredential(store *credentials.Store, name, user string) (credentials.Entry, error) {
	e, err := store.Entry(name)
	if err != nil {
		return credentials.Entry{}, err
	}
	misfit := func(what, hint string) error {
		return &problem.Error{Kind: ErrCredential, Source: name, What: what, Hint: hint + " It was left unchanged."}
	}
	switch {
	case e.Type != credentials.UserCredentials && e.Type != credentials.OAuth2AuthorizationCode:
		return e, misfit("already exists as "+string(e.Type)+" security material, which cannot sign in to a mailbox",
			"Choose another Credential Name.")
	case !strings.EqualFold(e.User, user):
		return e, misfit("already exists for the user "+e.User+", not "+user,
			"Choose another Credential Name, or delete the existing entry first if it is no longer needed.")
	case e.Type == credentials.OAuth2AuthorizationCode:
		if _, err := store.OAuth2Login(name); err != nil {
			return e, err // not authorized yet, or its refresh token refused: it says to authorize
		}
	}
	return e, nil
}

// AccountWith returns a with the existing entry e as its credential: its
// name, its type and, for OAuth2, its settings.
func (a Account) AccountWith(e credentials.Entry) Account {
	a.Credential, a.CredentialType, a.OAuth2 = e.Name, e.Type, nil
	if e.Type == credentials.OAuth2AuthorizationCode {
		a.OAuth2 = e.OAuth2
	}
	return a
}

// FillSignIn fills a test's user and secret from its Credential: the user
// and password of User Credentials, or the mailbox and access tokens of
// an OAuth2 Authorization Code credential. A test without Authentication
// needs nothing. The caller clears req.Password after the test.
func FillSignIn(store *credentials.Store, req *connectivity.Request) error {
	switch {
	case req.Auth == connectivity.AuthNone || req.Credential == "":
		return nil
	case req.Auth == connectivity.AuthOAuth2:
		login, err := store.OAuth2Login(req.Credential)
		if err != nil {
			return err
		}
		req.User, req.OAuth2 = login.User, login
		return nil
	}
	user, pw, err := store.Lookup(req.Credential)
	if err != nil {
		return err
	}
	req.User, req.Password = user, pw
	return nil
}

// NotYetIn returns the certificates of chosen that ks does not hold yet:
// when there are none, the Trust step has nothing to ask.
func NotYetIn(ks *keystore.Keystore, chosen []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range chosen {
		if _, ok := ks.AliasOf(c); !ok {
			out = append(out, c)
		}
	}
	return out
}

// AddTrust adds the certificates chosen to ks as trusted entries, with the
// checks of Add ▾ Certificate: each under the alias Add to Keystore
// proposes for it (connectivity.ChainCandidates), one already there
// reported as a Duplicate under the alias it has, never added twice. The
// results are what the hand-over lists.
func AddTrust(ks *keystore.Keystore, chosen []*x509.Certificate) ([]keystore.Result, error) {
	if len(chosen) == 0 {
		return nil, nil
	}
	cands := connectivity.ChainCandidates(ks, chosen)
	for i, c := range cands {
		// A proposal would be a free alias ("wr2_2") that nothing is
		// stored under: name the one that holds it.
		if alias, ok := ks.AliasOf(c.Cert); ok {
			cands[i].Alias = alias
		}
	}
	return ks.AddCertificates(cands)
}
