package credentials

import (
	"bytes"
	"fmt"
	"testing"
)

// TestSecretsNeverWritten stores distinctive secrets and uses them every
// way the app does, then searches every file in the data folder, and
// everything the calls returned, for them: the keyring holds them, nothing
// else does (the file backend's file is encrypted).
func TestSecretsNeverWritten(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		first, second := []byte("Xy7-distinctive-first-Qw"), []byte("Xy7-distinctive-second-Qw")
		var said bytes.Buffer
		say := func(v ...any) { fmt.Fprintln(&said, v...) }

		name := uniq(t, ts.Store, "leak")
		e, err := ts.Add(Entry{Name: name, Type: UserCredentials, User: "ops@example.com"}, bytes.Clone(first))
		say(e, err)
		list, err := ts.List()
		say(list, err)
		user, pw, err := ts.Lookup(name)
		say(user, err)
		if !bytes.Equal(pw, first) {
			t.Fatal("lookup")
		}
		clear(pw)
		e, err = ts.Edit(name, Change{Description: ptr("edited")})
		say(e, err)
		e, err = ts.Edit(name, Change{Secret: bytes.Clone(second)})
		say(e, err)
		// Failures too: their messages must not quote the secret.
		_, err = ts.Add(Entry{Name: name, Type: UserCredentials, User: "u"}, bytes.Clone(first))
		say(err)
		_, err = ts.Edit(name, Change{Secret: append(bytes.Clone(second), bytes.Repeat([]byte("!"), 300)...)})
		say(err)
		sp := uniq(t, ts.Store, "leak.param")
		e, err = ts.Add(Entry{Name: sp, Type: SecureParameter}, bytes.Clone(first))
		say(e, err)

		// SuccessFactors: a password like any other. OpenConnectors: all
		// three values are secrets, and a refused one is not quoted either.
		orgSecret, element := []byte("Xy7-distinctive-org-Qw"), []byte("Xy7-distinctive-element-Qw")
		sf := uniq(t, ts.Store, "leak.sf")
		e, err = ts.Add(Entry{Name: sf, Type: SuccessFactors, User: "sfapi", CompanyID: "SFCPART000123"}, bytes.Clone(first))
		say(e, err)
		oc := uniq(t, ts.Store, "leak.oc")
		e, err = ts.AddSecrets(Entry{Name: oc, Type: OpenConnectors}, Secrets{Secret: bytes.Clone(second), Organization: bytes.Clone(orgSecret), Element: bytes.Clone(element)})
		say(e, err)
		_, _, err = ts.Lookup(oc)
		say(err)
		e, err = ts.Edit(oc, Change{Element: append(bytes.Clone(element), ',')})
		say(e, err)
		e, err = ts.Edit(oc, Change{Organization: append(bytes.Clone(orgSecret), bytes.Repeat([]byte("!"), 300)...)})
		say(e, err)
		e, err = ts.Edit(oc, Change{Description: ptr("edited")})
		say(e, err)
		list, err = ts.List()
		say(list, err)

		for _, secret := range [][]byte{first, second, orgSecret, element} {
			if hits := filesContaining(t, ts.home, secret); len(hits) > 0 {
				t.Errorf("%q is in %v", secret, hits)
			}
			if bytes.Contains(said.Bytes(), secret) {
				t.Errorf("%q was returned:\n%s", secret, said.String())
			}
		}
	})
}
