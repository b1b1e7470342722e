package credentials

import (
	"encoding/binary"
	"errors"
	"time"
)

// An entry is stored as one keyring item whose data is a record: the
// secrets and everything the Security Material page shows, in a compact
// binary form rather than JSON, so that no character is escaped or base64
// inflated and the worst case is exact arithmetic (limits.go):
//
//	"OD" version(1) type(1) uvarint(deployedOn, Unix seconds)
//	then fields, each uvarint(length) + bytes:
//	version 1: deployedBy, description, user, secret
//	version 2: deployedBy, description, user, companyID,
//	           secret, organization, element
//
// The public fields come first and the secrets last, so that the secrets
// are one stretch of the item, copied out once (decodeRecord). A field the
// type has no use for is empty (length 0): decodeRecord refuses a record
// that fills one, so that nothing hides in a field no one shows or wipes.
//
// Version 1 holds User Credentials and Secure Parameters; version 2 adds
// SuccessFactors (companyID) and OpenConnectors (whose three values are
// all secrets: secret is the User Secret, then the Organization Secret and
// the Element Token). A record is written in the lowest version that holds
// it, so that an Opsdesk from before version 2 still reads every User
// Credentials and Secure Parameter a newer one stored or edited.
//
// The name is not repeated inside: it is the item's key.
const (
	recordMagic = "OD"
	recordV1    = 1
	recordV2    = 2
)

var errBadRecord = errors.New("not an Opsdesk record")

type record struct {
	typ         Type
	deployedOn  time.Time
	deployedBy  string
	description string
	user        string // empty for a Secure Parameter, and for OpenConnectors, whose User is secret
	companyID   string // SuccessFactors only

	// The secrets; wipe zeroes them.
	secret       []byte // the password, the secure parameter, or OpenConnectors' User Secret
	organization []byte // OpenConnectors only: the Organization Secret
	element      []byte // OpenConnectors only: the Element Token
}

// wipe zeroes the record's secrets.
func (r *record) wipe() {
	clear(r.secret)
	clear(r.organization)
	clear(r.element)
}

// version is the lowest record version that holds r.
func (r *record) version() byte {
	if r.typ == UserCredentials || r.typ == SecureParameter {
		return recordV1
	}
	return recordV2
}

// fields are r's fields in the order of its version; secrets is how many of
// them, at the end, are secrets.
func (r *record) fields() (fields [][]byte, secrets int) {
	if r.version() == recordV1 {
		return [][]byte{[]byte(r.deployedBy), []byte(r.description), []byte(r.user), r.secret}, 1
	}
	return [][]byte{[]byte(r.deployedBy), []byte(r.description), []byte(r.user), []byte(r.companyID),
		r.secret, r.organization, r.element}, 3
}

func (r *record) encode() []byte {
	fields, _ := r.fields()
	size := len(recordMagic) + 2 + binary.MaxVarintLen64
	for _, f := range fields {
		size += binary.MaxVarintLen16 + len(f)
	}
	b := make([]byte, 0, size) // one allocation: no stray copies of the secrets
	b = append(b, recordMagic...)
	b = append(b, r.version(), r.typ.code())
	b = binary.AppendUvarint(b, uint64(max(r.deployedOn.Unix(), 0)))
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// decodeRecord reads a record of either version. Its secrets are copies,
// in one allocation, that the caller wipes; data is left for the caller to
// zero as well.
func decodeRecord(data []byte) (record, error) {
	var r record
	if len(data) < len(recordMagic)+2 || string(data[:2]) != recordMagic {
		return r, errBadRecord
	}
	r.typ = typeFromCode(data[3])
	if r.typ == "" || r.version() > data[2] || data[2] > recordV2 {
		// Version 1 never held the types of version 2. A record of
		// version 2 may hold any type (none is written so; all are read).
		return r, errBadRecord
	}
	rest := data[4:]
	secs, n := binary.Uvarint(rest)
	if n <= 0 || secs > 1<<40 {
		return r, errBadRecord
	}
	r.deployedOn = time.Unix(int64(secs), 0)
	rest = rest[n:]
	count, secrets := 4, 1
	if data[2] == recordV2 {
		count, secrets = 7, 3
	}
	fields := make([][]byte, count)
	for i := range fields {
		l, n := binary.Uvarint(rest)
		if n <= 0 || l > uint64(len(rest)-n) {
			return record{}, errBadRecord
		}
		fields[i] = rest[n : n+int(l)]
		rest = rest[n+int(l):]
	}
	if len(rest) != 0 {
		return record{}, errBadRecord
	}
	r.deployedBy, r.description, r.user = string(fields[0]), string(fields[1]), string(fields[2])
	if count == 7 {
		r.companyID = string(fields[3])
	}
	total := 0
	for _, f := range fields[count-secrets:] {
		total += len(f)
	}
	all := make([]byte, 0, total)
	var cut [3][]byte
	for i, f := range fields[count-secrets:] {
		start := len(all)
		all = append(all, f...)
		cut[i] = all[start:len(all):len(all)] // no append to one spills into the next
	}
	r.secret, r.organization, r.element = cut[0], cut[1], cut[2]
	if !r.shapeOK() {
		r.wipe()
		return record{}, errBadRecord
	}
	return r, nil
}

// shapeOK: the fields r's type has no use for are empty.
func (r *record) shapeOK() bool {
	switch r.typ {
	case UserCredentials:
		return r.companyID == "" && len(r.organization) == 0 && len(r.element) == 0
	case SecureParameter:
		return r.user == "" && r.companyID == "" && len(r.organization) == 0 && len(r.element) == 0
	case SuccessFactors:
		return len(r.organization) == 0 && len(r.element) == 0
	case OpenConnectors:
		return r.user == "" && r.companyID == ""
	}
	return false
}
