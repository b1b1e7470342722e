package credentials

import (
	"encoding/binary"
	"errors"
	"strconv"
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
//	version 3: deployedBy, description, user, provider, authorizationURL,
//	           tokenURL, redirectURL, clientID, scope, sendAs,
//	           refreshTokenExpiryDays, status, problem, authorizedOn,
//	           secret (the client secret)
//
// Version 1 holds User Credentials and Secure Parameters; version 2 adds
// SuccessFactors (companyID) and OpenConnectors (whose three values are
// all secrets: secret is the User Secret, then the Organization Secret and
// the Element Token). A record is written in the lowest version that holds
// it, so that an Opsdesk from before version 2 still reads every User
// Credentials and Secure Parameter a newer one stored or edited. Version 3
// holds OAuth2 Authorization Code, and only it: its numbers (expiry days,
// the date of the last authorization) are written as decimal text, and
// its tokens are not in it but in an item of their own (oauth2store.go),
// which changes with every renewal while this one stays. A version-3
// record can outgrow one item; chunks.go splits it then.
//
// The name is not repeated inside: it is the item's key.
const (
	recordMagic = "OD"
	recordV1    = 1
	recordV2    = 2
	recordV3    = 3
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

	o oauthFields // OAuth2 Authorization Code only; secret is its client secret
}

// oauthFields are an OAuth2 Authorization Code entry's settings and state:
// none of them secret.
type oauthFields struct {
	provider, authURL, tokenURL, redirectURL, clientID, scope, sendAs string
	expiryDays                                                        int
	status                                                            string // Unauthorized, Deployed or Error
	problem                                                           string // why Error
	authorizedOn                                                      time.Time
}

// wipe zeroes the record's secrets.
func (r *record) wipe() {
	clear(r.secret)
	clear(r.organization)
	clear(r.element)
}

// version is the lowest record version that holds r.
func (r *record) version() byte {
	switch r.typ {
	case UserCredentials, SecureParameter:
		return recordV1
	case OAuth2AuthorizationCode:
		return recordV3
	}
	return recordV2
}

// fields are r's fields in the order of its version; secrets is how many of
// them, at the end, are secrets.
func (r *record) fields() (fields [][]byte, secrets int) {
	switch r.version() {
	case recordV1:
		return [][]byte{[]byte(r.deployedBy), []byte(r.description), []byte(r.user), r.secret}, 1
	case recordV3:
		o := &r.o
		on := ""
		if !o.authorizedOn.IsZero() {
			on = strconv.FormatInt(max(o.authorizedOn.Unix(), 0), 10)
		}
		return [][]byte{[]byte(r.deployedBy), []byte(r.description), []byte(r.user), []byte(o.provider), []byte(o.authURL),
			[]byte(o.tokenURL), []byte(o.redirectURL), []byte(o.clientID), []byte(o.scope), []byte(o.sendAs),
			[]byte(strconv.Itoa(o.expiryDays)), []byte(o.status), []byte(o.problem), []byte(on), r.secret}, 1
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
	if r.typ == "" || r.version() > data[2] || data[2] > recordV3 || (data[2] == recordV3) != (r.typ == OAuth2AuthorizationCode) {
		// Version 1 never held the types of version 2. A record of
		// version 2 may hold any of the types of versions 1 and 2 (none
		// is written so; all are read). Version 3 holds OAuth2 alone.
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
	switch data[2] {
	case recordV2:
		count, secrets = 7, 3
	case recordV3:
		count, secrets = 15, 1
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
	if count == 15 {
		if !decodeOAuth(&r.o, fields) {
			return record{}, errBadRecord
		}
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
	case OAuth2AuthorizationCode:
		return r.companyID == "" && len(r.organization) == 0 && len(r.element) == 0
	}
	return false
}

// decodeOAuth reads version 3's settings; the numbers must be the
// decimal text encode writes, nothing else.
func decodeOAuth(o *oauthFields, f [][]byte) bool {
	o.provider, o.authURL, o.tokenURL, o.redirectURL = string(f[3]), string(f[4]), string(f[5]), string(f[6])
	o.clientID, o.scope, o.sendAs = string(f[7]), string(f[8]), string(f[9])
	days, err := strconv.Atoi(string(f[10]))
	if err != nil || days < 0 || days > MaxRefreshTokenExpiryDays || strconv.Itoa(days) != string(f[10]) {
		return false
	}
	o.expiryDays = days
	o.status, o.problem = string(f[11]), string(f[12])
	switch o.status {
	case Unauthorized, Deployed, Error:
	default:
		return false
	}
	if on := string(f[13]); on != "" {
		secs, err := strconv.ParseInt(on, 10, 64)
		if err != nil || secs < 0 || secs > 1<<40 || strconv.FormatInt(secs, 10) != on {
			return false
		}
		o.authorizedOn = time.Unix(secs, 0)
	}
	return true
}
