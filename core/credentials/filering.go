package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/99designs/keyring"
	jose "github.com/dvsekhvalnov/jose2go"
	"github.com/mtibben/percent"

	"github.com/opsdesk/opsdesk/core/internal/atomicfile"
)

// The keyring library's encrypted file backend (keyring v1.2.2, file.go)
// stores an item with os.WriteFile: it truncates the item's file, then
// writes the new token into it, and never syncs. A process killed between
// the two, a full disk or a power cut leaves the file empty or cut short,
// and the entry never decrypts again. The library offers no other way to
// write, so fileRing is that backend with Set replaced by an atomic write;
// reading, listing and removing stay the library's.
//
// Set produces exactly what the library's Set does (the same JSON, the same
// JWE algorithms and headers, the same file name), so that files written
// by either read with the other, and by older versions of Opsdesk.

// fileTempPrefix starts the name of an item being written. The library
// lists every file in the folder as an item, so Keys leaves these out. No
// item's file can start with it: Set refuses such a key, and ours all start
// with "opsdesk%2F".
const fileTempPrefix = ".opsdesk-writing-"

// staleTempAge: a temporary file this old is what a killed write left
// behind, not a write in progress (one takes milliseconds, and another
// Opsdesk may be in the middle of one), and the next write removes it.
const staleTempAge = 10 * time.Minute

// testHookBeforeRename, set only by tests, runs once the new item is
// written and synced to its temporary file, before it replaces the item:
// where a test process kills itself to leave what a crash leaves.
var testHookBeforeRename func()

type fileRing struct {
	keyring.Keyring // the library's file keyring: Get, GetMetadata and Remove

	dir      string
	prompt   keyring.PromptFunc
	password string
}

// newFileRing wraps lib, the library's file keyring opened on dir with
// prompt as its FilePasswordFunc.
func newFileRing(lib keyring.Keyring, dir string, prompt keyring.PromptFunc) *fileRing {
	return &fileRing{Keyring: lib, dir: dir, prompt: prompt}
}

// Keys is the library's list without the temporary files.
func (r *fileRing) Keys() ([]string, error) {
	keys, err := r.Keyring.Keys()
	if err != nil {
		return nil, err
	}
	out := keys[:0]
	for _, k := range keys {
		if !isFileTemp(k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func isFileTemp(name string) bool { return strings.HasPrefix(name, fileTempPrefix) }

// Set stores item as the library does, in the library's order (so the
// password is asked for, and may be refused, before anything is written),
// but replaces the item's file atomically.
func (r *fileRing) Set(item keyring.Item) error {
	payload, err := json.Marshal(item)
	if err != nil {
		return err
	}
	defer clear(payload) // the secret, in base64
	dir, err := r.resolveDir()
	if err != nil {
		return err
	}
	if r.password == "" {
		pw, err := r.prompt(fmt.Sprintf("Enter passphrase to unlock %q", dir))
		if err != nil {
			return err
		}
		r.password = pw
	}
	// EncryptBytes is what the library's Encrypt(string(payload), …) calls,
	// without a copy of the secret in a string that cannot be zeroed.
	token, err := jose.EncryptBytes(payload, jose.PBES2_HS256_A128KW, jose.A256GCM, r.password,
		jose.Headers(map[string]any{"created": time.Now().String()}))
	if err != nil {
		return err
	}
	name := percent.Encode(item.Key, "/") // the library's filenameEscape
	if isFileTemp(name) {
		return fmt.Errorf("keyring: the key %q is reserved for files being written", item.Key)
	}
	return writeFileAtomic(dir, name, []byte(token))
}

// resolveDir is the library's: ~ expanded, the folder made if missing.
func (r *fileRing) resolveDir() (string, error) {
	if r.dir == "" {
		return "", errors.New("no directory provided for file keyring")
	}
	dir, err := keyring.ExpandTilde(r.dir)
	if err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o700)
}

// writeFileAtomic replaces dir/name with data so that at any moment the
// file holds either its old content or the new (see atomicfile); the
// temporary file is 0600 from the start, as it is the item. Errors name the
// item's path, as the library's did, not the temporary file's.
func writeFileAtomic(dir, name string, data []byte) error {
	path := filepath.Join(dir, name)
	atomicfile.RemoveStale(dir, isFileTemp, staleTempAge, time.Now())
	err := atomicfile.Replace(path, data, atomicfile.Options{TempPrefix: fileTempPrefix, BeforeRename: testHookBeforeRename})
	if err != nil {
		return itemError("write", path, err)
	}
	return nil
}

// itemError reports err, which may name the temporary file, as an error of
// the item at path. It stays an *fs.PathError, which classify turns into a
// sentence about the data folder.
func itemError(op, path string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return &fs.PathError{Op: op, Path: path, Err: err}
}
