package credentials

import (
	"bytes"
	"strings"
	"testing"
	"time"
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
				secret:      []byte(strings.Repeat(ch, MaxSecureParameterBytes/len(ch)))})
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
		if err != nil || back.user != r.user || !bytes.Equal(back.secret, r.secret) || back.description != r.description || !back.deployedOn.Equal(r.deployedOn) {
			t.Errorf("round trip: %v", err)
		}
	}
	// The limits are not wasteful either: the worst case uses most of it.
	if biggest < MaxItemBytes-100 {
		t.Errorf("the largest item is %d bytes; the limits could be higher", biggest)
	}
	// One character more of anything is refused before it reaches the keyring.
	for _, r := range longest() {
		r.description += "d"
		s := &Store{}
		if err := s.check("n", &r); err == nil {
			t.Errorf("%s: a description over the limit is accepted", r.typ)
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
			_, err := ts.Add(Entry{Name: name, Type: r.typ, User: r.user, Description: r.description}, r.secret)
			if err != nil {
				t.Fatalf("%d: %v", i, err)
			}
			u, secret, err := ts.Lookup(name)
			if err != nil || u != r.user || !bytes.Equal(secret, r.secret) {
				t.Fatalf("%d: read back %d bytes, %v", i, len(secret), err)
			}
		}
		_, err := ts.Add(Entry{Name: uniq(t, ts.Store, "toolong"), Type: SecureParameter}, bytes.Repeat([]byte(wide), MaxSecureParameterBytes/4+1))
		wantProblem(t, err, ErrTooLong)
	})
}

var recordSeeds = [][]byte{
	nil,
	[]byte("OD"),
	[]byte("OD\x01\x01\x00\x00\x00\x00\x00"),
	[]byte("OD\x01\x02\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"),
	[]byte("OD\x01\x01\x01\xff\xff\xff\xff\x0f"),
	[]byte(`{"Key":"x","Data":"eA=="}`),
}

// FuzzDecodeRecord: whatever another program leaves under our key must give
// an error, never a panic or a huge allocation.
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range longest() {
		f.Add(r.encode())
	}
	for _, s := range recordSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeRecord(data)
		if err != nil {
			return
		}
		back, err := decodeRecord(r.encode())
		if err != nil || back.typ != r.typ || back.user != r.user || !bytes.Equal(back.secret, r.secret) {
			t.Fatalf("a record read does not survive writing: %v", err)
		}
	})
}
