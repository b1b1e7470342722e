package credentials

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/problem"
)

// wide is a character UTF-8 writes in 4 bytes, the most any takes.
const wide = "𝄞"

// longest are entries at every limit, in plain ASCII and in the widest
// characters, with the longest Deployed By and a far-future date.
func longest() []record {
	on := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	by := strings.Repeat("b", maxDeployedByBytes)
	var out []record
	for _, ch := range []string{"a", wide} {
		out = append(out,
			record{typ: UserCredentials, deployedOn: on, deployedBy: by,
				description: strings.Repeat(ch, MaxDescriptionLength),
				user:        strings.Repeat(ch, MaxUserLength),
				secret:      []byte(strings.Repeat(ch, MaxPasswordLength))},
			record{typ: SecureParameter, deployedOn: on, deployedBy: by,
				description: strings.Repeat(ch, MaxDescriptionLength),
				secret:      []byte(strings.Repeat(ch, MaxSecureParameterBytes/len(ch)))},
			record{typ: SuccessFactors, deployedOn: on, deployedBy: by,
				description: strings.Repeat(ch, MaxDescriptionLength),
				user:        strings.Repeat(ch, MaxSuccessFactorsUser),
				companyID:   strings.Repeat("C", MaxCompanyIDLength), // ASCII only
				secret:      []byte(strings.Repeat(ch, MaxPasswordLength))},
			record{typ: OpenConnectors, deployedOn: on, deployedBy: by,
				description:  strings.Repeat(ch, MaxDescriptionLength),
				secret:       []byte(strings.Repeat("u", MaxOpenConnectorsSecret)), // ASCII only
				organization: []byte(strings.Repeat("o", MaxOpenConnectorsSecret)),
				element:      []byte(strings.Repeat("e", MaxOpenConnectorsSecret))})
	}
	return out
}

// overLimit are the longest entries with one character too many in one
// field each: every one is refused before it reaches the keyring.
func overLimit() map[string]record {
	out := map[string]record{}
	for i, r := range longest() {
		more := func(what string, edit func(*record)) {
			c := r
			c.secret, c.organization, c.element = bytes.Clone(r.secret), bytes.Clone(r.organization), bytes.Clone(r.element)
			edit(&c)
			out[fmt.Sprintf("%d %s: %s", i, r.typ, what)] = c
		}
		more("description", func(c *record) { c.description += "d" })
		switch r.typ {
		case UserCredentials, SuccessFactors:
			more("user", func(c *record) { c.user += "u" })
			more("password", func(c *record) { c.secret = append(c.secret, 'p') })
		case SecureParameter:
			more("secure parameter", func(c *record) { c.secret = append(c.secret, 's') })
		}
		switch r.typ {
		case SuccessFactors:
			more("company ID", func(c *record) { c.companyID += "C" })
		case OpenConnectors:
			more("user secret", func(c *record) { c.secret = append(c.secret, 'u') })
			more("organization", func(c *record) { c.organization = append(c.organization, 'o') })
			more("element", func(c *record) { c.element = append(c.element, 'e') })
		}
	}
	return out
}

// TestLongestEntriesFitWindows measures the item Windows would store (the
// record is all of it: Credential Manager keeps only the data) for the
// longest entries allowed.
func TestLongestEntriesFitWindows(t *testing.T) {
	biggest := 0
	for _, r := range longest() {
		s := &Store{user: r.deployedBy, now: func() time.Time { return r.deployedOn }}
		if err := s.check("n", &r); err != nil {
			t.Fatalf("the longest allowed %s is refused: %v", r.typ, err)
		}
		data := r.encode()
		t.Logf("%s, %d-byte characters: %d bytes", r.typ, len(r.description)/MaxDescriptionLength, len(data))
		if len(data) > MaxItemBytes {
			t.Errorf("%s takes %d bytes, more than Windows' %d", r.typ, len(data), MaxItemBytes)
		}
		biggest = max(biggest, len(data))
		back, err := decodeRecord(data)
		if err != nil || !sameRecord(back, r) {
			t.Errorf("round trip: %v", err)
		}
	}
	// The limits are not wasteful either: the worst case uses most of it.
	if biggest < MaxItemBytes-100 {
		t.Errorf("the largest item is %d bytes; the limits could be higher", biggest)
	}
	// One character more of anything is refused before it reaches the
	// keyring, in one sentence.
	for what, r := range overLimit() {
		s := &Store{}
		err := s.check("n", &r)
		if err == nil {
			t.Errorf("%s over the limit is accepted", what)
			continue
		}
		pe := wantProblem(t, err, ErrTooLong)
		if !strings.Contains(pe.What, "too long") {
			t.Errorf("%s: %q", what, pe.Error())
		}
	}
}

// TestLongestEntriesStored stores the longest entries in each backend and
// reads them back whole.
func TestLongestEntriesStored(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		for i, r := range longest() {
			name := uniq(t, ts.Store, "long")
			_, err := ts.AddSecrets(Entry{Name: name, Type: r.typ, User: r.user, CompanyID: r.companyID, Description: r.description},
				Secrets{Secret: r.secret, Organization: r.organization, Element: r.element})
			if err != nil {
				t.Fatalf("%d: %v", i, err)
			}
			back := readRecord(t, ts.Store, name)
			if back.user != r.user || back.companyID != r.companyID || !bytes.Equal(back.secret, r.secret) ||
				!bytes.Equal(back.organization, r.organization) || !bytes.Equal(back.element, r.element) {
				t.Fatalf("%d: read back %d bytes, %v", i, len(back.secret), err)
			}
		}
		_, err := ts.Add(Entry{Name: uniq(t, ts.Store, "toolong"), Type: SecureParameter}, bytes.Repeat([]byte(wide), MaxSecureParameterBytes/4+1))
		wantProblem(t, err, ErrTooLong)
	})
}

// FuzzDecodeRecord: whatever another program leaves under our key must give
// an error, never a panic or a huge allocation; a record that reads must
// survive being written again, whole. The seeds are the longest entries of
// every type and the files in testdata/fuzz/FuzzDecodeRecord: records of
// both versions and every type (TestFuzzSeeds checks that), and damaged ones.
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range longest() {
		f.Add(r.encode())
		f.Add(encodeV2(r))
	}
	long := longestOAuth2()
	f.Add(long.encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord(data)
		if err != nil {
			return
		}
		if !r.shapeOK() {
			t.Fatalf("a %s with fields it lacks is read", r.typ)
		}
		back, err := decodeRecord(r.encode())
		if err != nil || !sameRecord(back, r) {
			t.Fatalf("a record read does not survive writing: %v", err)
		}
		// Its secrets are copies: wiping them leaves data as it was.
		before := bytes.Clone(data)
		r.wipe()
		if !bytes.Equal(data, before) {
			t.Fatal("the secrets share memory with the item's data")
		}
	})
}

// TestCheckInput: what a form refuses while the user types, each refusal
// naming its field and worded once, without the "Nothing stored was
// changed" that a refused save adds.
func TestCheckInput(t *testing.T) {
	pw := []byte("secret")
	for _, tc := range []struct {
		name    string
		e       Entry
		sec     Secrets
		repeat  []byte
		editing bool
		field   string
		says    string
	}{
		{"complete", Entry{Name: "gmail", Type: UserCredentials, User: "me"}, Secrets{Secret: pw}, pw, false, "", ""},
		{"no name", Entry{Type: UserCredentials, User: "me"}, Secrets{Secret: pw}, pw, false, FieldName, "The name is empty"},
		{"no user", Entry{Name: "gmail", Type: UserCredentials}, Secrets{Secret: pw}, pw, false, FieldUser, "Enter the User."},
		{"long password", Entry{Name: "gmail", Type: UserCredentials, User: "me"}, Secrets{Secret: []byte(strings.Repeat("p", 256))},
			[]byte(strings.Repeat("p", 256)), false, FieldSecret, "The password is too long: 256 characters, at most 255 are allowed."},
		{"repeat differs", Entry{Name: "gmail", Type: UserCredentials, User: "me"}, Secrets{Secret: pw}, []byte("other"), false, FieldRepeat, "The two passwords differ"},
		{"long description", Entry{Name: "gmail", Type: UserCredentials, User: "me", Description: strings.Repeat("d", 101)},
			Secrets{Secret: pw}, pw, false, FieldDescription, "at most 100"},
		{"no secure parameter", Entry{Name: "p", Type: SecureParameter}, Secrets{}, nil, false, FieldSecret, "Enter the Secure Parameter"},
		{"secure parameter kept", Entry{Name: "p", Type: SecureParameter}, Secrets{}, nil, true, "", ""},
		{"no company", Entry{Name: "sf", Type: SuccessFactors, User: "u"}, Secrets{Secret: pw}, pw, false, FieldCompanyID, "The Company ID is empty"},
		{"no element", Entry{Name: "oc", Type: OpenConnectors}, Secrets{Secret: pw, Organization: pw}, nil, false, FieldElement, "The element token is empty"},
		{"open connectors kept", Entry{Name: "oc", Type: OpenConnectors}, Secrets{}, nil, true, "", ""},
	} {
		err := CheckInput(tc.e, tc.sec, tc.repeat, tc.editing)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Field != tc.field || !strings.Contains(pe.Sentence(), tc.says) || strings.Contains(pe.Sentence(), "Nothing stored") {
			t.Errorf("%s: %v (field %q), want %q about %s", tc.name, err, problem.FieldOf(err), tc.says, tc.field)
		}
	}
}
