package rc2

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func TestPiTableIsAPermutation(t *testing.T) {
	var seen [256]bool
	for _, b := range piTable {
		if seen[b] {
			t.Fatalf("0x%02x appears twice", b)
		}
		seen[b] = true
	}
}

// The test vectors of RFC 2268 section 5.
func TestRFC2268Vectors(t *testing.T) {
	for _, v := range []struct {
		key   string
		bits  int
		plain string
		want  string
	}{
		{"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
		{"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
		{"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
		{"88", 64, "0000000000000000", "61a8a244adacccf0"},
		{"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
		{"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
		{"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
	} {
		key, _ := hex.DecodeString(v.key)
		plain, _ := hex.DecodeString(v.plain)
		want, _ := hex.DecodeString(v.want)
		c, err := New(key, v.bits)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 8)
		c.Encrypt(got, plain)
		if !bytes.Equal(got, want) {
			t.Errorf("key %s/%d: encrypt %x, want %x", v.key, v.bits, got, want)
		}
		back := make([]byte, 8)
		c.Decrypt(back, got)
		if !bytes.Equal(back, plain) {
			t.Errorf("key %s/%d: decrypt %x, want %x", v.key, v.bits, back, plain)
		}
	}
}

func TestRefusesImpossibleKeys(t *testing.T) {
	if _, err := New(nil, 40); err == nil {
		t.Error("empty key accepted")
	}
	if _, err := New(make([]byte, 129), 40); err == nil {
		t.Error("129-byte key accepted")
	}
	if _, err := New([]byte{1}, 0); err == nil {
		t.Error("0 effective bits accepted")
	}
}
