package credentials

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

func ptr(s string) *string { return &s }

// TestStoreListEditDelete is the life of an entry, on each backend: add,
// list, look up, edit with and without a new secret, delete.
func TestStoreListEditDelete(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		clock := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
		ts := openTest(t, backend, func(o *Options) { o.Now = func() time.Time { return clock } })
		if ts.Backend() != backend {
			t.Fatalf("backend %q, want %q", ts.Backend(), backend)
		}
		gmail, token := uniq(t, ts.Store, "gmail_smtp"), uniq(t, ts.Store, "api.token")

		e, err := ts.Add(Entry{Name: gmail, Type: UserCredentials, User: "ops@example.com", Description: "Gmail for alerts"}, []byte("app-password-1"))
		if err != nil {
			t.Fatal(err)
		}
		want := Entry{Name: gmail, Description: "Gmail for alerts", Type: UserCredentials, User: "ops@example.com",
			Status: Deployed, DeployedBy: "tester", DeployedOn: clock}
		if !e.DeployedOn.Equal(want.DeployedOn) || e.DeployedOn.IsZero() {
			t.Fatalf("DeployedOn %v", e.DeployedOn)
		}
		e.DeployedOn = clock
		if e != want {
			t.Fatalf("Add returned %+v, want %+v", e, want)
		}
		if _, err := ts.Add(Entry{Name: token, Type: SecureParameter, Description: "API"}, []byte("line 1\nline 2\t€")); err != nil {
			t.Fatal(err)
		}

		// A new run of the app sees both, sorted by name, without secrets.
		s := ts.reopen(t)
		list, err := s.List()
		if err != nil {
			t.Fatal(err)
		}
		got := mine(list, gmail, token)
		if len(got) != 2 || got[0].Name != token || got[1].Name != gmail {
			t.Fatalf("list: %+v", got)
		}
		if got[0].Type != SecureParameter || got[0].User != "" || got[1].User != "ops@example.com" || got[1].Status != Deployed || got[1].DeployedBy != "tester" {
			t.Fatalf("list: %+v", got)
		}
		if !got[1].DeployedOn.Equal(clock) {
			t.Fatalf("DeployedOn %v, want %v", got[1].DeployedOn, clock)
		}
		if strings.Contains(fmt.Sprintf("%+v", list), "app-password-1") {
			t.Fatal("the list holds a secret")
		}

		if names, err := s.Names(); err != nil || len(mine(list, names...)) != 1 || mine(list, names...)[0].Name != gmail {
			t.Fatalf("names of User Credentials: %v %v", names, err)
		}

		user, pw, err := s.Lookup(gmail)
		if err != nil || user != "ops@example.com" || string(pw) != "app-password-1" {
			t.Fatalf("lookup: %q %q %v", user, pw, err)
		}
		_, secret, err := s.Lookup(token)
		if err != nil || string(secret) != "line 1\nline 2\t€" {
			t.Fatalf("lookup secure parameter: %q %v", secret, err)
		}

		// Editing the description keeps the password, and records the edit.
		clock = clock.Add(time.Hour)
		e, err = s.Edit(gmail, Change{Description: ptr("Gmail, App Password")})
		if err != nil || e.Description != "Gmail, App Password" || !e.DeployedOn.Equal(clock) {
			t.Fatalf("edit: %+v %v", e, err)
		}
		if user, pw, _ := s.Lookup(gmail); user != "ops@example.com" || string(pw) != "app-password-1" {
			t.Fatalf("after editing the description: %q %q", user, pw)
		}
		// A new user and password.
		if _, err := s.Edit(gmail, Change{User: ptr("alerts@example.com"), Secret: []byte("app-password-2")}); err != nil {
			t.Fatal(err)
		}
		if user, pw, _ := s.Lookup(gmail); user != "alerts@example.com" || string(pw) != "app-password-2" {
			t.Fatalf("after editing user and password: %q %q", user, pw)
		}
		if e, err := s.Entry(gmail); err != nil || e.Description != "Gmail, App Password" {
			t.Fatalf("entry: %+v %v", e, err)
		}

		if err := s.Delete(gmail); err != nil {
			t.Fatal(err)
		}
		list, _ = s.List()
		if got := mine(list, gmail, token); len(got) != 1 || got[0].Name != token {
			t.Fatalf("after delete: %+v", got)
		}
		wantProblem(t, s.Delete(gmail), ErrNotFound)
		_, _, err = s.Lookup(gmail)
		wantProblem(t, err, ErrNotFound)
		_, err = s.Edit(gmail, Change{Description: ptr("x")})
		wantProblem(t, err, ErrNotFound)
	})
}

// badInput is what a user might try; each must fail with a clear message
// and leave everything stored as it was.
var badInput = []struct {
	name   string
	add    Entry
	secret string
	kind   error
	says   string
	oc     [2]string // OpenConnectors' Organization and Element
}{
	{"empty name", Entry{Name: "", Type: UserCredentials, User: "u"}, "pw", ErrBadName, "empty", none},
	{"space in name", Entry{Name: "my gmail", Type: UserCredentials, User: "u"}, "pw", ErrBadName, "a space (character 3)", none},
	{"slash in name", Entry{Name: "gmail/smtp", Type: UserCredentials, User: "u"}, "pw", ErrBadName, `'/'`, none},
	{"umlaut in name", Entry{Name: "grüße", Type: UserCredentials, User: "u"}, "pw", ErrBadName, "which is not A-Z", none},
	{"name too long", Entry{Name: strings.Repeat("n", MaxNameLength+1), Type: UserCredentials, User: "u"}, "pw", ErrBadName, "too long", none},
	{"no user", Entry{Name: "nouser", Type: UserCredentials}, "pw", ErrEmpty, "user is empty", none},
	{"blank user", Entry{Name: "nouser", Type: UserCredentials, User: "  "}, "pw", ErrEmpty, "user is empty", none},
	{"user with line break", Entry{Name: "nl", Type: UserCredentials, User: "a\nb"}, "pw", ErrBadText, "line break", none},
	{"password too long", Entry{Name: "longpw", Type: UserCredentials, User: "u"}, strings.Repeat("p", MaxPasswordLength+1), ErrTooLong, "256 characters, at most 255", none},
	{"password not UTF-8", Entry{Name: "badpw", Type: UserCredentials, User: "u"}, "\xff\xfe", ErrBadText, "not valid UTF-8", none},
	{"description too long", Entry{Name: "longdesc", Type: UserCredentials, User: "u", Description: strings.Repeat("d", MaxDescriptionLength+1)}, "pw", ErrTooLong, "description is too long", none},
	{"user too long", Entry{Name: "longuser", Type: UserCredentials, User: strings.Repeat("u", MaxUserLength+1)}, "pw", ErrTooLong, "user is too long", none},
	{"secure parameter empty", Entry{Name: "emptysp", Type: SecureParameter}, "", ErrEmpty, "secure parameter is empty", none},
	{"secure parameter too long", Entry{Name: "longsp", Type: SecureParameter}, strings.Repeat("s", MaxSecureParameterBytes+1), ErrTooLong, "2049 bytes", none},
	{"secure parameter with user", Entry{Name: "spuser", Type: SecureParameter, User: "u"}, "s", ErrWrongType, "no user", none},
	{"no type", Entry{Name: "notype", User: "u"}, "s", ErrWrongType, "no type", okOC},
	{"SuccessFactors without a Company ID", Entry{Name: "sf", Type: SuccessFactors, User: "u"}, "pw", ErrEmpty, "Company ID is empty", none},
	{"Company ID too long", Entry{Name: "sf", Type: SuccessFactors, User: "u", CompanyID: strings.Repeat("C", MaxCompanyIDLength+1)}, "pw", ErrTooLong, "101 characters, at most 100", none},
	{"Company ID with a space", Entry{Name: "sf", Type: SuccessFactors, User: "u", CompanyID: "SFC PART"}, "pw", ErrBadText, "a space (character 4)", none},
	{"SuccessFactors user too long", Entry{Name: "sf", Type: SuccessFactors, User: strings.Repeat("u", MaxSuccessFactorsUser+1), CompanyID: "C1"}, "pw", ErrTooLong, "101 characters, at most 100", none},
	{"SuccessFactors without a user", Entry{Name: "sf", Type: SuccessFactors, CompanyID: "C1"}, "pw", ErrEmpty, "user is empty", none},
	{"Company ID on User Credentials", Entry{Name: "uc", Type: UserCredentials, User: "u", CompanyID: "C1"}, "pw", ErrWrongType, "only type with a Company ID", none},
	{"OpenConnectors with a plain user", Entry{Name: "oc", Type: OpenConnectors, User: "u"}, "s", ErrWrongType, "whose User is a secret", okOC},
	{"OpenConnectors without a user secret", Entry{Name: "oc", Type: OpenConnectors}, "", ErrEmpty, "user secret is empty", okOC},
	{"OpenConnectors without an organization", Entry{Name: "oc", Type: OpenConnectors}, "s", ErrEmpty, "organization secret is empty", [2]string{"", "e"}},
	{"OpenConnectors without an element", Entry{Name: "oc", Type: OpenConnectors}, "s", ErrEmpty, "element token is empty", [2]string{"o", ""}},
	{"element token with a line break", Entry{Name: "oc", Type: OpenConnectors}, "s", ErrBadText, "a line break (character 5)", [2]string{"o", "abcd\n"}},
	{"organization with a comma", Entry{Name: "oc", Type: OpenConnectors}, "s", ErrBadText, "a comma", [2]string{"Qx,Zv", "e"}},
	{"user secret outside ASCII", Entry{Name: "oc", Type: OpenConnectors}, "sé", ErrBadText, "outside ASCII", okOC},
	{"user secret too long", Entry{Name: "oc", Type: OpenConnectors}, strings.Repeat("s", MaxOpenConnectorsSecret+1), ErrTooLong, "256 characters, at most 255", okOC},
	{"element too long", Entry{Name: "oc", Type: OpenConnectors}, "s", ErrTooLong, "element token is too long", [2]string{"o", strings.Repeat("e", MaxOpenConnectorsSecret+1)}},
	{"organization on User Credentials", Entry{Name: "uc", Type: UserCredentials, User: "u"}, "pw", ErrWrongType, "only type with an Organization", okOC},
}

var none, okOC = [2]string{}, [2]string{"0rg-secret", "El3ment"}

func TestBadInputLosesNothing(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		keep := uniq(t, ts.Store, "Keep.Me")
		if _, err := ts.Add(Entry{Name: keep, Type: UserCredentials, User: "u@example.com"}, []byte("kept-secret")); err != nil {
			t.Fatal(err)
		}
		before, _ := ts.List()
		check := func(t *testing.T) {
			t.Helper()
			after, err := ts.List()
			if err != nil || fmt.Sprint(mine(after, keep)) != fmt.Sprint(mine(before, keep)) || len(after) != len(before) {
				t.Fatalf("the store changed: %+v → %+v (%v)", before, after, err)
			}
			if u, pw, err := ts.Lookup(keep); err != nil || u != "u@example.com" || string(pw) != "kept-secret" {
				t.Fatalf("the kept entry changed: %q %q %v", u, pw, err)
			}
		}
		for _, c := range badInput {
			t.Run(c.name, func(t *testing.T) {
				sec := Secrets{Secret: []byte(c.secret)}
				if c.oc != none {
					sec.Organization, sec.Element = []byte(c.oc[0]), []byte(c.oc[1])
				}
				_, err := ts.AddSecrets(c.add, sec)
				pe := wantProblem(t, err, c.kind)
				if !strings.Contains(pe.Error(), c.says) {
					t.Errorf("%q does not say %q", pe.Error(), c.says)
				}
				// A secret is never quoted, not even in part.
				for _, secret := range []string{c.secret, c.oc[0], c.oc[1]} {
					if c.add.Type == OpenConnectors && len(secret) > 2 && strings.Contains(pe.Error(), secret) {
						t.Errorf("%q quotes the secret", pe.Error())
					}
				}
				check(t)
			})
		}
		t.Run("duplicate", func(t *testing.T) {
			_, err := ts.Add(Entry{Name: keep, Type: UserCredentials, User: "other"}, []byte("other"))
			wantProblem(t, err, ErrExists)
			check(t)
		})
		t.Run("duplicate in other capitals", func(t *testing.T) {
			_, err := ts.Add(Entry{Name: strings.ToLower(keep), Type: SecureParameter}, []byte("other"))
			pe := wantProblem(t, err, ErrExists)
			if !strings.Contains(pe.Error(), keep) {
				t.Errorf("%q does not name the existing entry", pe.Error())
			}
			check(t)
		})
		t.Run("edit with a password too long", func(t *testing.T) {
			_, err := ts.Edit(keep, Change{Secret: []byte(strings.Repeat("x", 300))})
			wantProblem(t, err, ErrTooLong)
			check(t)
		})
		t.Run("edit with an empty user", func(t *testing.T) {
			_, err := ts.Edit(keep, Change{User: ptr("")})
			wantProblem(t, err, ErrEmpty)
			check(t)
		})
		t.Run("edit a bad name", func(t *testing.T) {
			_, err := ts.Edit("no such/thing", Change{})
			wantProblem(t, err, ErrBadName)
			check(t)
		})
		t.Run("mismatched repeat", func(t *testing.T) {
			wantProblem(t, MatchRepeat(UserCredentials, []byte("abc"), []byte("abd")), ErrMismatch)
			if MatchRepeat(UserCredentials, []byte("abc"), []byte("abc")) != nil {
				t.Error("equal passwords refused")
			}
			check(t)
		})
	})
}

// refusing is a keyring that lets the user read but refuses every change,
// as a keyring whose access prompt was declined does.
type refusing struct {
	keyring.Keyring
}

var errRefusedByTest = errors.New("access to the keyring was denied")

func (refusing) Set(keyring.Item) error { return errRefusedByTest }
func (refusing) Remove(string) error    { return errRefusedByTest }

func TestRefusingKeyringLosesNothing(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		keep := uniq(t, ts.Store, "kept")
		if _, err := ts.Add(Entry{Name: keep, Type: UserCredentials, User: "u"}, []byte("kept-secret")); err != nil {
			t.Fatal(err)
		}
		opt := ts.opt
		opt.wrap = func(r keyring.Keyring) keyring.Keyring { return refusing{r} }
		s, err := Open(opt)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Add(Entry{Name: uniq(t, ts.Store, "new"), Type: UserCredentials, User: "u"}, []byte("x"))
		pe := wantProblem(t, err, ErrFailed)
		if !strings.Contains(pe.Sentence(), "Nothing stored was changed") || strings.Contains(pe.Sentence(), "denied") {
			t.Errorf("message: %q", pe.Error())
		}
		_, err = s.Edit(keep, Change{Secret: []byte("changed")})
		wantProblem(t, err, ErrFailed)
		wantProblem(t, s.Delete(keep), ErrFailed)
		if u, pw, err := ts.Lookup(keep); err != nil || u != "u" || string(pw) != "kept-secret" {
			t.Fatalf("after refusals: %q %q %v", u, pw, err)
		}
	})
}

func TestKeystorePassword(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		path := ts.home + "/keystore.jks"
		_, err := ts.KeystorePassword(path)
		wantProblem(t, err, ErrNotFound)
		pw, err := ts.NewKeystorePassword(path)
		if err != nil || len(pw) < 32 {
			t.Fatalf("new password %d bytes, %v", len(pw), err)
		}
		again, err := ts.reopen(t).KeystorePassword(path)
		if err != nil || string(again) != string(pw) {
			t.Fatalf("kept password differs: %v", err)
		}
		if _, err := ts.KeystorePassword(ts.home + "/other.jks"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("another keystore's password: %v", err)
		}
		// It is not Security Material.
		list, _ := ts.List()
		for _, e := range list {
			if strings.Contains(e.Name, "keystore") {
				t.Errorf("listed: %+v", e)
			}
		}
		if hits := filesContaining(t, ts.home, pw); backend != "file" && len(hits) > 0 {
			t.Errorf("the keystore password is in %v", hits)
		}
	})
}

func TestBackendChoice(t *testing.T) {
	t.Setenv(BackendEnv, "floppy")
	_, err := Open(Options{Home: t.TempDir()})
	pe := wantProblem(t, err, ErrUnavailable)
	if !strings.Contains(pe.Error(), "floppy") || !strings.Contains(pe.Error(), "secret-service") {
		t.Errorf("%q", pe.Error())
	}
	t.Setenv(BackendEnv, "wincred")
	_, err = Open(Options{Home: t.TempDir()})
	if defaultBackends[0] != keyring.WinCredBackend {
		wantProblem(t, err, ErrUnavailable)
	}
	// The environment chooses when Options do not.
	t.Setenv(BackendEnv, "FILE")
	t.Setenv(FilePasswordEnv, testFilePassword)
	s, err := Open(Options{Home: t.TempDir()})
	if err != nil || s.Backend() != "file" {
		t.Fatalf("%v %v", s, err)
	}
}
