package credentials

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/99designs/keyring"

	"github.com/opsdesk/opsdesk/internal/wine"
)

// TestCredentialManagerItemLimit: Credential Manager keeps an item of
// exactly MaxItemBytes (CRED_MAX_CREDENTIAL_BLOB_SIZE) whole, which the
// longest entries come close to (TestLongestEntriesStored stores them);
// Windows refuses one byte more, which the Store never asks it to keep.
func TestCredentialManagerItemLimit(t *testing.T) {
	requireCredentialManager(t)
	ts := openTest(t, "wincred")
	key := materialKey(uniq(t, ts.Store, "limit"))
	data := make([]byte, MaxItemBytes)
	_, _ = rand.Read(data)
	if err := ts.ring.Set(keyring.Item{Key: key, Data: data}); err != nil {
		t.Fatalf("an item of %d bytes: %v", len(data), err)
	}
	item, err := ts.ring.Get(key)
	if err != nil || !bytes.Equal(item.Data, data) {
		t.Fatalf("read back %d of %d bytes: %v", len(item.Data), len(data), err)
	}
	err = ts.ring.Set(keyring.Item{Key: key, Data: append(data, 0)})
	switch {
	case err != nil:
		t.Logf("one byte more is refused: %v", err)
	case wine.Running():
		t.Logf("Wine's Credential Manager kept %d bytes; Windows refuses more than %d", MaxItemBytes+1, MaxItemBytes)
	default:
		t.Errorf("Credential Manager kept %d bytes, more than CRED_MAX_CREDENTIAL_BLOB_SIZE", MaxItemBytes+1)
	}
}
