package credentials

import (
	"errors"
	"strings"
	"testing"

	"github.com/99designs/keyring"
)

// credential is what wincred.GetGenericCredential returned: a pointer
// that v1.1.2 left nil, without an error, under Wine.
type credential struct{ CredentialBlob []byte }

// panicking is a backend that dies as 99designs/keyring's windowsKeyring
// did under Wine (wincred.go:51), dereferencing a nil credential, and in
// the other ways Go code panics, in the calls *armed names ("" for none).
type panicking struct {
	keyring.Keyring
	armed *string
}

func (p panicking) on(call string) bool { return *p.armed == "all" || *p.armed == call }

func (p panicking) Get(key string) (keyring.Item, error) {
	if !p.on("Get") {
		return p.Keyring.Get(key)
	}
	var cred *credential
	return keyring.Item{Key: key, Data: cred.CredentialBlob}, nil
}

func (p panicking) Keys() ([]string, error) {
	if !p.on("Keys") {
		return p.Keyring.Keys()
	}
	panic(errors.New("the backend gave up"))
}

func (p panicking) Set(item keyring.Item) error {
	if !p.on("Set") {
		return p.Keyring.Set(item)
	}
	panic("a string, as some libraries panic with")
}

func (p panicking) Remove(key string) error {
	if !p.on("Remove") {
		return p.Keyring.Remove(key)
	}
	var m map[string]int
	m[key]++ // assignment to entry in nil map
	return nil
}

// TestBackendPanicIsAnError: a backend's panic must not end the process,
// which the command-line tool and the app both are. Before the keyring
// calls were guarded, this test crashed the test binary with the nil
// pointer dereference, as opsdesk credentials edit and opsdesk test smtp
// --credential did under Wine.
func TestBackendPanicIsAnError(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		keep := uniq(t, ts.Store, "kept")
		if _, err := ts.Add(Entry{Name: keep, Type: UserCredentials, User: "u"}, []byte("kept-secret")); err != nil {
			t.Fatal(err)
		}
		armed := "all"
		opt := ts.opt
		opt.wrap = func(r keyring.Keyring) keyring.Keyring { return panicking{Keyring: r, armed: &armed} }
		if backend == "file" { // opening reads an item, to check the password
			_, err := Open(opt)
			pe := wantProblem(t, err, ErrFailed)
			if !strings.HasPrefix(pe.Sentence(), "The encrypted keyring file in ") || !strings.Contains(pe.Sentence(), "did not answer as expected") {
				t.Errorf("open: %q", pe.Error())
			}
		}
		armed = ""
		s, err := Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		armed = "all"
		where := capitalize(s.Where()) + " did not answer as expected when asked to "
		check := func(op string, err error, what string, changing bool) {
			t.Helper()
			pe := wantProblem(t, err, ErrFailed)
			if !strings.HasPrefix(pe.Sentence(), where+what+".") {
				t.Errorf("%s: %q, want it to start %q", op, pe.Sentence(), where+what)
			}
			if promise := strings.Contains(pe.Sentence(), "Nothing stored was changed"); promise == changing {
				t.Errorf("%s: %q promises what it cannot, or not what it can", op, pe.Sentence())
			}
			if !strings.HasPrefix(pe.Detail, "panic: ") || !strings.Contains(pe.Detail, "credentials.panicking.") {
				t.Errorf("%s: detail %q does not name the panic and where it was", op, pe.Detail)
			}
		}
		_, err = s.Entry(keep)
		check("Entry", err, "read an entry", false)
		_, _, err = s.Lookup(keep)
		check("Lookup", err, "read an entry", false)
		_, err = s.Edit(keep, Change{Secret: []byte("changed")})
		check("Edit", err, "read an entry", false)
		_, err = s.KeystorePassword(ts.home + "/keystore.jks")
		check("KeystorePassword", err, "read an entry", false)
		check("SetKeystorePassword", s.SetKeystorePassword(ts.home+"/keystore.jks", []byte("pw-123456")), "store an entry", true)
		_, err = s.List()
		check("List", err, "list the entries", false)
		_, err = s.Add(Entry{Name: "new", Type: UserCredentials, User: "u"}, []byte("x"))
		check("Add", err, "list the entries", false)

		// Delete reads the entry first; make it reach Remove.
		armed = "Remove"
		check("Delete", s.Delete(keep), "remove an entry", true)
		// The Store is still usable: every panic gave the turn back.
		armed = ""
		if u, pw, err := s.Lookup(keep); err != nil || u != "u" || string(pw) != "kept-secret" {
			t.Fatalf("after the panics: %q %q %v", u, pw, err)
		}
	})
}
