package credentials

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

// v1Records are records as Opsdesk wrote them before version 2, byte for
// byte: they must read the same for ever.
var v1Records = []struct {
	name string
	data string
	want record
}{
	{"user credentials",
		"OD\x01\x01\x98\x8e\x90\xcd\x06\x06tester\x05Gmail\x0fops@example.com\x0eapp-password-1",
		record{typ: UserCredentials, deployedBy: "tester", description: "Gmail", user: "ops@example.com", secret: []byte("app-password-1")}},
	{"secure parameter",
		"OD\x01\x02\x98\x8e\x90\xcd\x06\x06tester\x00\x00\rline 1\nline 2",
		record{typ: SecureParameter, deployedBy: "tester", secret: []byte("line 1\nline 2")}},
}

var v1Date = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func sameRecord(a, b record) bool {
	ao, bo := a.o, b.o
	ao.authorizedOn, bo.authorizedOn = time.Time{}, time.Time{}
	return a.typ == b.typ && a.deployedOn.Equal(b.deployedOn) && a.deployedBy == b.deployedBy && a.description == b.description &&
		a.user == b.user && a.companyID == b.companyID &&
		bytes.Equal(a.secret, b.secret) && bytes.Equal(a.organization, b.organization) && bytes.Equal(a.element, b.element) &&
		ao == bo && a.o.authorizedOn.Equal(b.o.authorizedOn)
}

func TestVersion1RecordsStillRead(t *testing.T) {
	for _, c := range v1Records {
		r, err := decodeRecord([]byte(c.data))
		c.want.deployedOn = v1Date
		if err != nil || !sameRecord(r, c.want) {
			t.Errorf("%s: %+v %v", c.name, r, err)
		}
		// Written again, they stay version 1, byte for byte, so that an
		// older Opsdesk still reads what a newer one edited.
		if got := string(r.encode()); got != c.data {
			t.Errorf("%s: written back as %q", c.name, got)
		}
	}
	// Version 1 never held the new types, nor a Secure Parameter's user.
	for _, bad := range []string{
		"OD\x01\x03\x00\x00\x00\x00\x00",
		"OD\x01\x04\x00\x00\x00\x00\x00",
		"OD\x01\x02\x00\x00\x00\x01u\x01s",
		"OD\x03\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00",
	} {
		if _, err := decodeRecord([]byte(bad)); err == nil {
			t.Errorf("%q is read", bad)
		}
	}
}

// newTypes are entries of the version-2 types.
func newTypes() []record {
	on := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	return []record{
		{typ: SuccessFactors, deployedOn: on, deployedBy: "tester", description: "SF", user: "sfapi", companyID: "SFCPART000123",
			secret: []byte("sf-password")},
		{typ: OpenConnectors, deployedOn: on, deployedBy: "tester", description: "OC",
			secret: []byte("Us3r-secret"), organization: []byte("0rg-secret"), element: []byte("Jt0HZF1+0EOzWlz/GkqjVa7CrqBCTvZnqxGYCF31tqlk=")},
	}
}

func TestVersion2Records(t *testing.T) {
	for _, r := range newTypes() {
		data := r.encode()
		if data[2] != recordV2 {
			t.Errorf("%s written as version %d", r.typ, data[2])
		}
		back, err := decodeRecord(data)
		if err != nil || !sameRecord(back, r) {
			t.Errorf("%s: %+v %v", r.typ, back, err)
		}
		// The secrets are last, so that they are one stretch of the item.
		var tail []byte
		for _, f := range [][]byte{r.secret, r.organization, r.element} {
			tail = binary.AppendUvarint(tail, uint64(len(f)))
			tail = append(tail, f...)
		}
		if !bytes.HasSuffix(data, tail) {
			t.Errorf("%s: the secrets are not at the end", r.typ)
		}
		back.wipe()
		for _, s := range [][]byte{back.secret, back.organization, back.element} {
			if len(bytes.Trim(s, "\x00")) != 0 {
				t.Errorf("%s: wipe left %d bytes", r.typ, len(s))
			}
		}
	}
	// A field the type has no use for must be empty.
	on := time.Unix(0, 0)
	for _, r := range []record{
		{typ: UserCredentials, deployedOn: on, user: "u", companyID: "C1", secret: []byte("p")},
		{typ: SuccessFactors, deployedOn: on, user: "u", companyID: "C1", element: []byte("e")},
		{typ: OpenConnectors, deployedOn: on, user: "shown", secret: []byte("s"), organization: []byte("o"), element: []byte("e")},
		{typ: SecureParameter, deployedOn: on, organization: []byte("o"), secret: []byte("s")},
	} {
		data := encodeV2(r)
		if _, err := decodeRecord(data); err == nil {
			t.Errorf("%s with a field it lacks is read: %q", r.typ, data)
		}
	}
}

// encodeV2 writes r as version 2 whatever its type, as encode does not.
func encodeV2(r record) []byte {
	b := append([]byte(recordMagic), recordV2, r.typ.code())
	b = binary.AppendUvarint(b, uint64(r.deployedOn.Unix()))
	for _, f := range [][]byte{[]byte(r.deployedBy), []byte(r.description), []byte(r.user), []byte(r.companyID), r.secret, r.organization, r.element} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// TestSuccessFactorsAndOpenConnectors is the life of the new types on each
// backend: add, list, look up, edit, and what they must never do.
func TestSuccessFactorsAndOpenConnectors(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		sf, oc := uniq(t, ts.Store, "sf_odata"), uniq(t, ts.Store, "oc.hubspot")
		e, err := ts.Add(Entry{Name: sf, Type: SuccessFactors, User: "sfapi", CompanyID: "SFCPART000123", Description: "SF"}, []byte("sf-pass"))
		if err != nil || e.CompanyID != "SFCPART000123" || e.User != "sfapi" || e.Type != SuccessFactors {
			t.Fatalf("add SuccessFactors: %+v %v", e, err)
		}
		_, err = ts.AddSecrets(Entry{Name: oc, Type: OpenConnectors, Description: "OC"},
			Secrets{Secret: []byte("Us3r-secret"), Organization: []byte("0rg-secret"), Element: []byte("El3ment+token/=")})
		if err != nil {
			t.Fatal(err)
		}

		s := ts.reopen(t)
		list, err := s.List()
		got := mine(list, sf, oc)
		if err != nil || len(got) != 2 || got[0].Type != OpenConnectors || got[1].Type != SuccessFactors {
			t.Fatalf("list: %+v %v", got, err)
		}
		if got[0].User != "" || got[0].CompanyID != "" || got[1].CompanyID != "SFCPART000123" {
			t.Fatalf("list: %+v", got)
		}
		for _, secret := range []string{"sf-pass", "Us3r-secret", "0rg-secret", "El3ment"} {
			if strings.Contains(fmtAll(list), secret) {
				t.Fatalf("the list holds %q", secret)
			}
		}
		// Neither is a credential a mail test can use.
		names, err := s.Names()
		if err != nil || len(mine(list, names...)) != 0 {
			t.Fatalf("Credential Name offers %v", names)
		}
		if u, pw, err := s.Lookup(sf); err != nil || u != "sfapi" || string(pw) != "sf-pass" {
			t.Fatalf("lookup SuccessFactors: %q %q %v", u, pw, err)
		}
		_, pw, err := s.Lookup(oc)
		wantProblem(t, err, ErrWrongType)
		if pw != nil {
			t.Fatal("lookup gave an OpenConnectors secret")
		}

		// Edits: the Company ID; one secret of three, keeping the others.
		if _, err := s.Edit(sf, Change{CompanyID: ptr("SFCPART000999")}); err != nil {
			t.Fatal(err)
		}
		if e, _ := s.Entry(sf); e.CompanyID != "SFCPART000999" || e.User != "sfapi" {
			t.Fatalf("after editing the Company ID: %+v", e)
		}
		if _, err := s.Edit(oc, Change{Element: []byte("new-element")}); err != nil {
			t.Fatal(err)
		}
		if r := readRecord(t, s, oc); string(r.secret) != "Us3r-secret" || string(r.organization) != "0rg-secret" || string(r.element) != "new-element" {
			t.Fatalf("after editing the element: %q %q %q", r.secret, r.organization, r.element)
		}
		for _, c := range []struct {
			name string
			c    Change
			kind error
		}{
			{oc, Change{User: ptr("plain")}, ErrWrongType},
			{oc, Change{CompanyID: ptr("C1")}, ErrWrongType},
			{sf, Change{Organization: []byte("o")}, ErrWrongType},
			{sf, Change{CompanyID: ptr("")}, ErrEmpty},
			{oc, Change{Element: []byte("with space")}, ErrBadText},
			{oc, Change{Organization: []byte{}}, ErrEmpty},
		} {
			_, err := s.Edit(c.name, c.c)
			wantProblem(t, err, c.kind)
		}
		if r := readRecord(t, s, oc); string(r.element) != "new-element" || string(r.organization) != "0rg-secret" {
			t.Fatal("a refused edit changed the entry")
		}
	})
}

// fmtAll prints entries as a log line would.
func fmtAll(list []Entry) string {
	var b strings.Builder
	for _, e := range list {
		b.WriteString(strings.Join([]string{e.Name, string(e.Type), e.Description, e.User, e.CompanyID, e.Problem}, " "))
	}
	return b.String()
}

// readRecord reads name's record with its secrets, as Edit does.
func readRecord(t *testing.T, s *Store, name string) record {
	t.Helper()
	var r record
	err := s.do("read "+name, func() error {
		var err error
		r, err = s.read(name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.wipe)
	return r
}

// TestVersion1ItemsInTheKeyring: items a version-1 Opsdesk stored list,
// look up and edit as before.
func TestVersion1ItemsInTheKeyring(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		for _, c := range v1Records {
			name := uniq(t, ts.Store, "v1")
			err := ts.do("store", func() error {
				return ts.ring.Set(keyring.Item{Key: materialKey(name), Data: []byte(c.data), Label: "Opsdesk: " + name})
			})
			if err != nil {
				t.Fatal(err)
			}
			e, err := ts.Entry(name)
			if err != nil || e.Type != c.want.typ || e.User != c.want.user || e.Description != c.want.description || !e.DeployedOn.Equal(v1Date) {
				t.Fatalf("%s: %+v %v", c.name, e, err)
			}
			if _, pw, err := ts.Lookup(name); err != nil || !bytes.Equal(pw, c.want.secret) {
				t.Fatalf("%s: lookup %v", c.name, err)
			}
			if _, err := ts.Edit(name, Change{Description: ptr("edited")}); err != nil {
				t.Fatal(err)
			}
			if _, pw, err := ts.Lookup(name); err != nil || !bytes.Equal(pw, c.want.secret) {
				t.Fatalf("%s: after edit %v", c.name, err)
			}
		}
	})
}

// TestFuzzSeeds: the corpus in testdata/fuzz holds a readable record of
// every type and version (files named ok-…), and records that must be
// refused (bad-…), so that every run of the tests tries them.
func TestFuzzSeeds(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecodeRecord", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seeds: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		data := readSeed(t, f)
		r, err := decodeRecord(data)
		base := filepath.Base(f)
		switch {
		case strings.HasPrefix(base, "ok-"):
			if err != nil {
				t.Errorf("%s: %v", base, err)
			}
			seen[string(r.typ)+" v"+strconv.Itoa(int(data[2]))] = true
		case strings.HasPrefix(base, "bad-"):
			if err == nil {
				t.Errorf("%s is read", base)
			}
		}
	}
	for _, want := range []string{"User Credentials v1", "Secure Parameter v1", "User Credentials v2", "Secure Parameter v2", "SuccessFactors v2", "OpenConnectors v2",
		"OAuth2 Authorization Code v3"} {
		if !seen[want] {
			t.Errorf("no seed of %s", want)
		}
	}
}

// readSeed reads a corpus file of one []byte, as "go test fuzz v1" writes it.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header, value, _ := strings.Cut(strings.TrimSpace(string(raw)), "\n")
	quoted, ok := strings.CutPrefix(value, "[]byte(")
	quoted, ok2 := strings.CutSuffix(quoted, ")")
	s, err := strconv.Unquote(quoted)
	if header != "go test fuzz v1" || !ok || !ok2 || err != nil {
		t.Fatalf("%s is not a corpus file of one []byte: %v", path, err)
	}
	return []byte(s)
}
