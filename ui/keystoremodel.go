package ui

import (
	"crypto/sha256"
	"crypto/x509"
	"strings"
	"time"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// expiryWindow is when the Keystore page starts warning: the same 30 days
// the Home tile counts.
const expiryWindow = 30 * 24 * time.Hour

// dateFormat spells dates as the tenant's chain panel does, in local time.
const dateFormat = "Jan 2, 2006, 15:04:05"

// expiry is how urgent an entry's end of validity is.
type expiry int

const (
	expiryFine expiry = iota
	expirySoon        // within expiryWindow
	expired
	expiryUnknown // the certificate cannot be read
)

// ksRow is one entry as the Keystore table shows it, with every string
// the table and the filter need made once, off the UI thread, so that
// drawing a cell or filtering does no formatting at all.
type ksRow struct {
	Entry        keystore.Entry
	Desc         certs.Description // of the entry's own certificate
	ValidUntil   string
	LastModified string
	Expiry       expiry
	search       string // lower-case alias, subject DN and issuer DN
}

// ksModel is a snapshot of an open keystore: immutable once built, so the
// UI thread can read it while a worker builds the next one.
type ksModel struct {
	Path     string
	ReadOnly bool
	PKCS12   bool // a PKCS#12 keystore: read-only, but its keys usable and savable as JKS
	Size     int
	Rows     []ksRow // sorted by alias, as keystore.Entries are
	Expired  int
	Soon     int // expiring within 30 days, not yet expired
	byAlias  map[string]int
	bySHA256 map[[32]byte]string // trusted certificates, for duplicates
}

// newKSModel describes every entry (on every core: 10,000 entries take
// well under a second) and builds the filter index.
func newKSModel(k *keystore.Keystore, now time.Time) *ksModel {
	entries := k.Entries()
	m := &ksModel{
		Path:     k.Path(),
		ReadOnly: k.ReadOnly(),
		PKCS12:   k.Format() == keystore.PKCS12,
		Size:     k.Size(),
		Rows:     make([]ksRow, len(entries)),
		byAlias:  make(map[string]int, len(entries)),
		bySHA256: make(map[[32]byte]string, len(entries)),
	}
	list := make([]*x509.Certificate, len(entries))
	for i, e := range entries {
		list[i] = e.Certificate()
	}
	descs := certs.DescribeAll(list)
	soon := now.Add(expiryWindow)
	for i, e := range entries {
		r := ksRow{Entry: e, Desc: descs[i], LastModified: e.LastModified.Local().Format(dateFormat)}
		switch c := list[i]; {
		case c == nil:
			r.Expiry, r.ValidUntil = expiryUnknown, "unreadable"
		case c.NotAfter.Before(now):
			r.Expiry = expired
			m.Expired++
		case c.NotAfter.Before(soon):
			r.Expiry = expirySoon
			m.Soon++
		}
		if list[i] != nil {
			r.ValidUntil = list[i].NotAfter.Local().Format(dateFormat)
			if e.Type == keystore.Certificate {
				m.bySHA256[sha256.Sum256(list[i].Raw)] = e.Alias
			}
		}
		r.search = strings.ToLower(e.Alias + "\x00" + r.Desc.SubjectDN + "\x00" + r.Desc.IssuerDN)
		m.Rows[i] = r
		m.byAlias[e.Alias] = i
	}
	return m
}

// Has reports whether alias is taken, ignoring case as Java does.
func (m *ksModel) Has(alias string) bool {
	if m == nil {
		return false
	}
	_, ok := m.byAlias[strings.ToLower(alias)]
	return ok
}

// row is the row of alias (any case), or nil.
func (m *ksModel) row(alias string) *ksRow {
	if m == nil {
		return nil
	}
	if i, ok := m.byAlias[strings.ToLower(alias)]; ok {
		return &m.Rows[i]
	}
	return nil
}

// AliasOf returns the alias of the trusted entry holding cert, if any.
func (m *ksModel) AliasOf(cert *x509.Certificate) (string, bool) {
	if m == nil {
		return "", false
	}
	a, ok := m.bySHA256[sha256.Sum256(cert.Raw)]
	return a, ok
}

// filter returns the indexes of the rows whose alias, subject DN or issuer
// DN contains query, ignoring case, reusing into's storage. An empty query
// matches every row.
func (m *ksModel) filter(query string, into []int) []int {
	into = into[:0]
	q := strings.ToLower(strings.TrimSpace(query))
	for i := range m.Rows {
		if q == "" || strings.Contains(m.Rows[i].search, q) {
			into = append(into, i)
		}
	}
	return into
}

// readOnlyWhy says, as the end of a sentence, why nothing can be changed
// in the keystore; "" when it can be.
func (m *ksModel) readOnlyWhy() string {
	switch {
	case m == nil || !m.ReadOnly:
		return ""
	case m.PKCS12:
		return "it is a PKCS#12 keystore, which Opsdesk shows but does not change: Download saves it as a JKS keystore you can change"
	}
	return "the keystore was opened without its password, so its integrity is not verified: open it again with its password to change it"
}

// keysUsable reports whether key pairs' private keys can be used (to sign
// a request, or be saved in a copy).
func (m *ksModel) keysUsable() bool { return m != nil && (!m.ReadOnly || m.PKCS12) }
