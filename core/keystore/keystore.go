// Package keystore keeps the on-disk Java keystore (JKS) that Cloud
// Integration downloads and accepts for upload: it opens one (with its
// password, or read-only without it, as keytool does), lists and describes
// its entries, edits them with the tenant's alias rules, merges other
// keystores, and saves atomically so that no crash ever leaves a broken file.
//
// Reading and writing the format is keystore-go's job; this package guards
// it: every file is walked and bounds-checked before keystore-go sees it,
// passwords are converted to the Latin-1 bytes keytool agrees with, and
// entries the user does not touch are written back byte-for-byte.
package keystore

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/internal/par"
	"github.com/opsdesk/opsdesk/core/internal/regular"
	"github.com/opsdesk/opsdesk/core/problem"
)

// EntryType is what Cloud Integration's Type column shows.
type EntryType string

const (
	Certificate EntryType = "Certificate"
	KeyPair     EntryType = "Key Pair"
)

// Entry is one keystore entry as the Keystore page lists it.
type Entry struct {
	Alias        string // lower case, as Java lists it
	Type         EntryType
	LastModified time.Time
	// Chain holds the entry's certificates, its own first: one for a
	// Certificate, the whole chain for a Key Pair. A certificate that Go
	// cannot parse is nil, with the reason in ChainErrors.
	Chain       []*x509.Certificate
	ChainErrors []error
	SAPOwned    bool

	stored string // the alias as written in the file, for keystore-go
}

// Certificate returns the entry's own certificate, or nil if unreadable.
func (e Entry) Certificate() *x509.Certificate {
	if len(e.Chain) == 0 {
		return nil
	}
	return e.Chain[0]
}

// Keystore is an open keystore file.
type Keystore struct {
	path     string
	readOnly bool
	password []byte       // Latin-1, zeroed by Close
	lib      jks.KeyStore // loaded from data on first need: listing does not need it
	libReady bool
	data     []byte // the file as last read or written
	entries  []Entry
	byAlias  map[string]int
	bySHA256 map[[32]byte]string

	opts   WriteOptions
	locked bool // write holds the file's lock

	// A PKCS#12 keystore is held converted: data is the JKS made of it.
	pkcs12      bool
	p12Password []byte // zeroed by Close
	p12Data     []byte // the file as last read
}

func newLibrary() jks.KeyStore {
	// Case-exact, because keystore-go's default lower-cases lookups while
	// Load keeps the file's case: upper-case aliases would be listed yet
	// unreachable. Ordered, so that saved files are deterministic.
	return jks.New(jks.WithCaseExactAliases(), jks.WithOrderedAliases())
}

// Open opens the keystore at path with its password (UTF-8; the caller
// zeroes it). A wrong password, a damaged file or a file that is not a
// keystore gives a *problem.Error saying so. A PKCS#12 keystore opens
// read-only (see OpenPKCS12).
func Open(path string, password []byte) (*Keystore, error) {
	data, err := readBytes(path)
	if err != nil {
		return nil, err
	}
	if IsPKCS12(data) {
		return openPKCS12Data(path, data, password)
	}
	raw, err := parseBytes(path, data)
	if err != nil {
		return nil, err
	}
	jp, err := javaPassword(password)
	if err != nil {
		return nil, err
	}
	if !raw.verify(jp) {
		clear(jp)
		return nil, fileError(path, ErrWrongPassword, "cannot be opened: the password is wrong",
			"Type it again. If you don't know it, you can still open the keystore without a password to look at its entries.", nil)
	}
	k := &Keystore{path: path, password: jp}
	k.setEntries(data, raw)
	return k, nil
}

// OpenReadOnly opens the keystore without its password, as keytool does
// when none is given: every entry can be listed and exported, but its
// integrity is not verified and nothing can be changed. Cloud
// Integration's PublicContentKeystore.jks arrives without a password.
func OpenReadOnly(path string) (*Keystore, error) {
	data, err := readBytes(path)
	if err != nil {
		return nil, err
	}
	if IsPKCS12(data) {
		// Its MAC and encryption need the password, unless it has none.
		return openPKCS12Data(path, data, nil)
	}
	raw, err := parseBytes(path, data)
	if err != nil {
		return nil, err
	}
	k := &Keystore{path: path, readOnly: true}
	k.setEntries(data, raw)
	return k, nil
}

// Create makes a new, empty keystore at path protected by password. It
// refuses to overwrite an existing file.
func Create(path string, password []byte) (*Keystore, error) {
	jp, err := javaPassword(password)
	if err != nil {
		return nil, err
	}
	if err := checkNewPassword(jp); err != nil {
		clear(jp)
		return nil, err
	}
	k := &Keystore{path: path, password: jp, lib: newLibrary(), libReady: true}
	k.setEntries(nil, &rawStore{})
	// Under the lock, so that two programs creating the same keystore do
	// not both succeed, one silently replacing the other's.
	err = k.write(func() error {
		if _, err := os.Lstat(path); err == nil {
			return fileError(path, ErrExists, "already exists", "Open it instead, or choose another file name.", nil)
		}
		return k.save()
	})
	if err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// Close forgets the password. The Keystore must not be used afterwards.
func (k *Keystore) Close() {
	clear(k.password)
	clear(k.p12Password)
	k.password, k.p12Password = nil, nil
}

// Path is the keystore's file.
func (k *Keystore) Path() string { return k.path }

// ReadOnly reports whether the keystore was opened without its password:
// its integrity is not verified and it cannot be changed.
func (k *Keystore) ReadOnly() bool { return k.readOnly }

// Entries lists the entries, sorted by alias. The slice is the
// Keystore's own: don't modify it.
func (k *Keystore) Entries() []Entry { return k.entries }

// Size is the file's size in bytes.
func (k *Keystore) Size() int { return len(k.data) }

// Entry finds an entry by alias, ignoring case as Java does.
func (k *Keystore) Entry(alias string) (Entry, error) {
	i, ok := k.byAlias[strings.ToLower(alias)]
	if !ok {
		return Entry{}, &problem.Error{Kind: ErrNoEntry,
			What: fmt.Sprintf("The keystore has no entry named %q", alias), Hint: "Check the alias in the list of entries."}
	}
	return k.entries[i], nil
}

// Has reports whether an entry has alias, ignoring case.
func (k *Keystore) Has(alias string) bool {
	_, ok := k.byAlias[strings.ToLower(alias)]
	return ok
}

// AliasOf returns the alias under which cert is already stored, if any.
func (k *Keystore) AliasOf(cert *x509.Certificate) (string, bool) {
	a, ok := k.bySHA256[sha256.Sum256(cert.Raw)]
	return a, ok
}

func readFile(path string) ([]byte, *rawStore, error) {
	data, err := readBytes(path)
	if err != nil {
		return nil, nil, err
	}
	raw, err := parseBytes(path, data)
	return data, raw, err
}

// readBytes reads a keystore file, refusing what is not a file or is far
// larger than any keystore before reading a byte of it.
func readBytes(path string) ([]byte, error) {
	data, err := regular.Read(path, MaxFileSize)
	var notFile *regular.NotRegularError
	var tooLarge *regular.TooLargeError
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fileError(path, ErrNotFound, "does not exist", "Check the file name, or import a certificate to create a new keystore.", nil)
	case errors.As(err, &notFile):
		return nil, fileError(path, ErrNotKeystore, "is "+notFile.What+", not a keystore file", "Choose the keystore file (.jks) itself.", nil)
	case errors.As(err, &tooLarge):
		return nil, fileError(path, ErrTooLarge, fmt.Sprintf("is %s, far beyond any keystore (a tenant's is at most 6 MB; Opsdesk opens up to %d MB)", certs.HumanSize(tooLarge.Size), MaxFileSize>>20),
			"Choose the keystore file (.jks) itself.", nil)
	case errors.Is(err, fs.ErrPermission):
		return nil, fileError(path, ErrNotFound, "cannot be read: you may not open it", "Check the file's permissions, or ask whoever owns it.", err)
	}
	return nil, fileError(path, ErrNotFound, "cannot be read", "Check the disk and try again.", err)
}

// parseBytes turns parse's structural errors into sentences.
func parseBytes(path string, data []byte) (*rawStore, error) {
	if len(data) == 0 {
		return nil, fileError(path, ErrNotKeystore, "is empty", "Download or copy the keystore again.", nil)
	}
	raw, err := parse(data)
	switch {
	case err == nil:
		return raw, nil
	case errors.Is(err, errJCEKS):
		return nil, fileError(path, ErrNotKeystore, "is a JCEKS keystore, which Cloud Integration does not use",
			"Convert it with: keytool -importkeystore -srcstoretype JCEKS -deststoretype JKS.", nil)
	case errors.Is(err, errNotJKS):
		kind, what, hint := ErrNotKeystore, "is not a Java keystore (JKS)", "Choose a .jks file."
		if len(data) > 0 && data[0] == 0x30 {
			kind, what, hint = ErrIsPKCS12, "is a PKCS#12 keystore (.p12 or .pfx), not a JKS keystore", "Bring its entries in with Add ▾ Keystore."
		}
		if b := certs.Read("", data); len(b.Certificates) > 0 {
			kind, what, hint = ErrIsCertificate, "is a certificate, not a keystore", "Add it with Add ▾ Certificate."
		}
		return nil, fileError(path, kind, what, hint, nil)
	}
	return nil, fileError(path, ErrDamaged, "is damaged or cut off and cannot be read",
		"Use a backup, or download the keystore again.", err)
}

// library loads the keystore-go value from the bytes last read or
// written, which parse has checked, the first time an edit needs it.
func (k *Keystore) library() (lib jks.KeyStore, err error) {
	if k.libReady {
		return k.lib, nil
	}
	lib = newLibrary()
	defer func() {
		// parse has checked every length keystore-go reads; a panic here
		// would be a bug in that check, and must not take the app down.
		if r := recover(); r != nil {
			err = fileError(k.path, ErrDamaged, "cannot be read", "Use a backup, or download the keystore again.", fmt.Errorf("%v", r))
		}
	}()
	if err := lib.Load(bytes.NewReader(k.data), k.password); err != nil {
		return lib, fileError(k.path, ErrDamaged, "cannot be read", "Use a backup, or download the keystore again.", err)
	}
	k.lib, k.libReady = lib, true
	return lib, nil
}

func (k *Keystore) setEntries(data []byte, raw *rawStore) {
	k.data = data
	k.entries = make([]Entry, len(raw.entries))
	k.byAlias = make(map[string]int, len(raw.entries))
	k.bySHA256 = make(map[[32]byte]string, len(raw.entries))
	// Parsing certificates is most of the cost of opening a large
	// keystore; it is independent per entry, so use every core.
	par.For(len(raw.entries), func(i int) {
		r := raw.entries[i]
		e := Entry{
			Alias:        strings.ToLower(r.alias),
			Type:         Certificate,
			LastModified: r.created,
			stored:       r.alias,
			SAPOwned:     certs.IsSAPOwned(r.alias),
			Chain:        make([]*x509.Certificate, len(r.chain)),
			ChainErrors:  make([]error, len(r.chain)),
		}
		if r.tag == tagKey {
			e.Type = KeyPair
		}
		for j, c := range r.chain {
			e.Chain[j], e.ChainErrors[j] = x509.ParseCertificate(c.der)
		}
		k.entries[i] = e
	})
	for i, r := range raw.entries {
		if r.tag == tagTrusted {
			k.bySHA256[sha256.Sum256(r.chain[0].der)] = k.entries[i].Alias
		}
	}
	sort.Slice(k.entries, func(i, j int) bool { return k.entries[i].Alias < k.entries[j].Alias })
	for i, e := range k.entries {
		k.byAlias[e.Alias] = i
	}
}

// IsSame reports whether two paths name the same keystore file.
func IsSame(a, b string) bool {
	ai, err1 := os.Stat(a)
	bi, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(ai, bi)
	}
	aa, _ := filepath.Abs(a)
	bb, _ := filepath.Abs(b)
	return aa == bb
}
