package mailsetup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
)

// uniqueName is a credential name no other test uses at the same time
// (the Secret Service is shared by every package's tests); it is deleted
// afterwards.
func freeName(t *testing.T, store *credentials.Store, base string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := base + "_" + hex.EncodeToString(b)
	t.Cleanup(func() { _ = store.Delete(name) })
	return name
}

func TestStoreCredential(t *testing.T) {
	keyrings(t, func(t *testing.T, store *credentials.Store) {
		a := loopbackAccount(connectivity.SMTP, 587, connectivity.STARTTLSMandatory)
		a.Settings.Provider = gmail
		a.Credential = freeName(t, store, "gmail_smtp")
		secret := []byte("abcd efgh ijkl mnop")
		e, err := StoreCredential(store, a, secret)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name != a.Credential || e.Type != credentials.UserCredentials || e.User != testUser || e.Status != credentials.Deployed {
			t.Errorf("stored %+v", e)
		}
		if string(secret) != "abcd efgh ijkl mnop" {
			t.Errorf("the caller's secret was changed to %q", secret)
		}
		user, pw, err := store.Lookup(a.Credential)
		if err != nil || user != testUser || string(pw) != "abcdefghijklmnop" {
			t.Errorf("Lookup = %q, %q, %v; want the App Password without spaces", user, pw, err)
		}

		// The same name again, any capitals: refused, the entry kept.
		for _, name := range []string{a.Credential, "GMAIL" + a.Credential[len("gmail"):]} {
			again := a
			again.Credential = name
			_, err = StoreCredential(store, again, []byte("another-pass"))
			if !errors.Is(err, credentials.ErrExists) {
				t.Errorf("%s stored over an existing entry: %v", name, err)
			}
		}
		if _, pw, _ := store.Lookup(a.Credential); string(pw) != "abcdefghijklmnop" {
			t.Errorf("the existing password became %q", pw)
		}

		oauth2 := a
		oauth2.CredentialType, oauth2.Credential = credentials.OAuth2AuthorizationCode, freeName(t, store, "m365_smtp")
		if _, err := StoreCredential(store, oauth2, []byte("x")); !errors.Is(err, ErrCredential) {
			t.Errorf("an OAuth2 account stored a password: %v", err)
		}
	})
}

func TestExistingCredential(t *testing.T) {
	srv := oauthtest.Start(t, oauthtest.Options{})
	keyrings(t, func(t *testing.T, store *credentials.Store) {
		mine := freeName(t, store, "mine")
		if _, err := store.Add(credentials.Entry{Name: mine, Type: credentials.UserCredentials, User: "Me@Opsdesk.test"}, []byte(testPassword)); err != nil {
			t.Fatal(err)
		}
		theirs := freeName(t, store, "theirs")
		if _, err := store.Add(credentials.Entry{Name: theirs, Type: credentials.UserCredentials, User: "someone@opsdesk.test"}, []byte(testPassword)); err != nil {
			t.Fatal(err)
		}
		param := freeName(t, store, "param")
		if _, err := store.Add(credentials.Entry{Name: param, Type: credentials.SecureParameter}, []byte("x")); err != nil {
			t.Fatal(err)
		}
		token := freeName(t, store, "token")
		settings := credentials.OAuth2{Provider: oauth.Generic, AuthorizationURL: srv.AuthorizationURL(), TokenURL: srv.TokenURL(),
			Scope: oauthtest.MailScope + " offline_access", ClientID: oauthtest.PublicClient, RedirectURL: "http://127.0.0.1/opsdesk", SendAs: oauth.BodyParameter}
		if _, err := store.AddSecrets(credentials.Entry{Name: token, Type: credentials.OAuth2AuthorizationCode, User: oauthtest.DefaultUser, OAuth2: &settings}, credentials.Secrets{}); err != nil {
			t.Fatal(err)
		}

		if e, err := ExistingCredential(store, mine, testUser); err != nil || e.Name != mine {
			t.Errorf("the same user, other capitals: %+v %v", e, err)
		}
		for name, kind := range map[string]error{theirs: ErrCredential, param: ErrCredential, "absent_" + mine: credentials.ErrNotFound,
			token: credentials.ErrUnauthorized} {
			user := testUser
			if name == token {
				user = oauthtest.DefaultUser
			}
			if _, err := ExistingCredential(store, name, user); !errors.Is(err, kind) {
				t.Errorf("%s: %v, want %v", name, err, kind)
			}
		}
		if _, err := store.Authorize(context.Background(), token, oauth.AuthorizeOptions{Open: srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)}); err != nil {
			t.Fatal(err)
		}
		e, err := ExistingCredential(store, token, oauthtest.DefaultUser)
		if err != nil || e.Type != credentials.OAuth2AuthorizationCode {
			t.Fatalf("authorized OAuth2: %+v %v", e, err)
		}
		a := loopbackAccount(connectivity.IMAP, 993, connectivity.Implicit).AccountWith(e)
		if a.Credential != token || a.Auth() != connectivity.AuthOAuth2 || a.OAuth2 == nil || a.OAuth2.ClientID != oauthtest.PublicClient {
			t.Errorf("AccountWith: %+v", a)
		}
		req := a.Request(true)
		if err := FillSignIn(store, &req); err != nil || req.User != oauthtest.DefaultUser || req.OAuth2 == nil || req.Password != nil {
			t.Errorf("FillSignIn OAuth2: %v %+v", err, req)
		}
		plain := loopbackAccount(connectivity.SMTP, 587, connectivity.STARTTLSMandatory)
		plain.Credential = mine
		req = plain.Request(true)
		if err := FillSignIn(store, &req); err != nil || req.User != "Me@Opsdesk.test" || string(req.Password) != testPassword {
			t.Errorf("FillSignIn password: %v %q", err, req.User)
		}
		clear(req.Password)
		req = plain.Request(false)
		if err := FillSignIn(store, &req); err != nil || req.User != "" || req.Password != nil {
			t.Errorf("the first test got a secret: %v", err)
		}
	})
}

// TestAddTrust adds the proposal to a real JKS twice: the second time
// every certificate is a Duplicate and nothing is written.
func TestAddTrust(t *testing.T) {
	c := mailtest.NewChain(t)
	trustStore(t, c.Root)
	path := filepath.Join(t.TempDir(), "trust.jks")
	ks, err := keystore.Create(path, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	chosen := ProposeTrust(sent(c)).Chosen()
	if n := len(NotYetIn(ks, chosen)); n != 2 {
		t.Fatalf("NotYetIn an empty keystore: %d", n)
	}
	res, err := AddTrust(ks, chosen)
	if err != nil || len(res) != 2 || res[0].Outcome != keystore.Added || res[1].Outcome != keystore.Added {
		t.Fatalf("first: %+v %v", res, err)
	}
	if res[0].Alias != "opsdesk_test_ca_1o1" || res[1].Alias != "opsdesk_test_root_r1" {
		t.Errorf("aliases %s, %s", res[0].Alias, res[1].Alias)
	}
	if n := len(NotYetIn(ks, chosen)); n != 0 {
		t.Errorf("NotYetIn after adding: %d", n)
	}
	again, err := AddTrust(ks, chosen)
	if err != nil || len(again) != 2 {
		t.Fatal(err)
	}
	for i, r := range again {
		if r.Outcome != keystore.Duplicate || r.Existing != res[i].Alias || r.Alias != res[i].Alias {
			t.Errorf("again %d: %+v", i, r)
		}
	}
	if len(ks.Entries()) != 2 {
		t.Errorf("%d entries", len(ks.Entries()))
	}
	if res, err := AddTrust(ks, nil); res != nil || err != nil {
		t.Errorf("nothing chosen: %v %v", res, err)
	}
}
