package credentials

import (
	"encoding/binary"
	"errors"
	"time"
)

// An entry is stored as one keyring item whose data is a record: the
// secret and everything the Security Material page shows, in a compact
// binary form rather than JSON, so that no character is escaped or base64
// inflated and the worst case is exact arithmetic (limits.go):
//
//	"OD" version(1) type(1) uvarint(deployedOn, Unix seconds)
//	then deployedBy, description, user and secret, each uvarint(length) + bytes.
//
// The name is not repeated inside: it is the item's key.
const (
	recordMagic   = "OD"
	recordVersion = 1
)

var errBadRecord = errors.New("not an Opsdesk record")

type record struct {
	typ         Type
	deployedOn  time.Time
	deployedBy  string
	description string
	user        string
	secret      []byte
}

func (r *record) encode() []byte {
	size := len(recordMagic) + 2 + binary.MaxVarintLen64 + 4*binary.MaxVarintLen16 +
		len(r.deployedBy) + len(r.description) + len(r.user) + len(r.secret)
	b := make([]byte, 0, size) // one allocation: no stray copies of the secret
	b = append(b, recordMagic...)
	b = append(b, recordVersion, r.typ.code())
	b = binary.AppendUvarint(b, uint64(max(r.deployedOn.Unix(), 0)))
	for _, f := range [][]byte{[]byte(r.deployedBy), []byte(r.description), []byte(r.user), r.secret} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}

// decodeRecord reads a record. The secret is a copy the caller zeroes;
// data is left for the caller to zero as well.
func decodeRecord(data []byte) (record, error) {
	var r record
	if len(data) < len(recordMagic)+2 || string(data[:2]) != recordMagic || data[2] != recordVersion {
		return r, errBadRecord
	}
	r.typ = typeFromCode(data[3])
	if r.typ == "" {
		return r, errBadRecord
	}
	rest := data[4:]
	secs, n := binary.Uvarint(rest)
	if n <= 0 || secs > 1<<40 {
		return r, errBadRecord
	}
	r.deployedOn = time.Unix(int64(secs), 0)
	rest = rest[n:]
	var fields [4][]byte
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
	r.secret = append([]byte(nil), fields[3]...)
	return r, nil
}
