package credentials

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/99designs/keyring"
	"golang.org/x/oauth2"

	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/problem"
)

// An OAuth2 entry's tokens live in an item of their own, keyed
// "opsdesk/oauth2-tokens/NAME", apart from its settings: they change with
// every renewal (Microsoft hands out a new refresh token each time), the
// settings seldom, and listing the Security Material reads only the
// settings. The item is split when long (chunks.go):
//
//	"OT" 1 uvarint(access token's expiry, Unix seconds; 0: none)
//	       uvarint(refresh token obtained, Unix seconds)
//	       uvarint(length) refresh token, uvarint(length) access token
const (
	tokensPrefix = "opsdesk/oauth2-tokens/"
	tokensMagic  = "OT"
	tokensV1     = 1
)

func tokensKey(name string) string { return tokensPrefix + name }

// renewBefore is how long before its expiry an access token is renewed,
// so that it does not expire between the check and the server's.
const renewBefore = 30 * time.Second

// tokens are an OAuth2 entry's secrets besides its client secret.
type tokens struct {
	refresh, access []byte
	expiry          time.Time // of the access token
	obtained        time.Time // when the refresh token was issued
}

func (t *tokens) wipe() { clear(t.refresh); clear(t.access) }

func (t *tokens) encode() []byte {
	b := make([]byte, 0, 4+3*binary.MaxVarintLen64+len(t.refresh)+len(t.access))
	b = append(b, tokensMagic...)
	b = append(b, tokensV1)
	exp := int64(0)
	if !t.expiry.IsZero() {
		exp = max(t.expiry.Unix(), 1)
	}
	b = binary.AppendUvarint(b, uint64(exp))
	b = binary.AppendUvarint(b, uint64(max(t.obtained.Unix(), 0)))
	b = binary.AppendUvarint(b, uint64(len(t.refresh)))
	b = append(b, t.refresh...)
	b = binary.AppendUvarint(b, uint64(len(t.access)))
	return append(b, t.access...)
}

func decodeTokens(data []byte) (tokens, error) {
	var t tokens
	if len(data) < 3 || string(data[:2]) != tokensMagic || data[2] != tokensV1 {
		return t, errBadRecord
	}
	rest := data[3:]
	var nums [2]uint64
	for i := range nums {
		v, n := binary.Uvarint(rest)
		if n <= 0 || v > 1<<40 {
			return t, errBadRecord
		}
		nums[i], rest = v, rest[n:]
	}
	var fields [2][]byte
	for i := range fields {
		l, n := binary.Uvarint(rest)
		if n <= 0 || l > uint64(len(rest)-n) {
			return tokens{}, errBadRecord
		}
		fields[i], rest = rest[n:n+int(l)], rest[n+int(l):]
	}
	if len(rest) != 0 || len(fields[0]) == 0 || len(fields[0]) > MaxRefreshTokenBytes || len(fields[1]) > MaxAccessTokenBytes {
		return tokens{}, errBadRecord
	}
	all := append(make([]byte, 0, len(fields[0])+len(fields[1])), fields[0]...)
	all = append(all, fields[1]...)
	t.refresh, t.access = all[:len(fields[0]):len(fields[0])], all[len(fields[0]):]
	if nums[0] != 0 {
		t.expiry = time.Unix(int64(nums[0]), 0)
	}
	t.obtained = time.Unix(int64(nums[1]), 0)
	return t, nil
}

// readTokens reads name's tokens; the caller holds the turn and wipes them.
func (s *Store) readTokens(name string) (tokens, error) {
	data, err := s.getItem(tokensKey(name))
	if err != nil {
		return tokens{}, err
	}
	defer clear(data)
	return decodeTokens(data)
}

// writeTokens keeps t as name's tokens; the caller holds the turn.
func (s *Store) writeTokens(name string, t *tokens) error {
	if len(t.refresh) > MaxRefreshTokenBytes {
		return newError(ErrTooLong, name, "received a refresh token longer than Opsdesk keeps", "Tell Opsdesk's makers which provider issues such tokens.", nil)
	}
	keep := *t
	if len(keep.access) > MaxAccessTokenBytes {
		keep.access, keep.expiry = nil, time.Time{} // used for this test only, fetched again next time
	}
	data := keep.encode()
	defer clear(data)
	err := s.setItem(tokensKey(name), data, "Opsdesk: "+name+" (tokens)", string(OAuth2AuthorizationCode))
	if errors.Is(err, errTooLarge) {
		return newError(ErrTooLong, name, "received tokens too large for the keyring", "Tell Opsdesk's makers which provider issues such tokens.", nil)
	}
	return err
}

// oauthRecord reads name's record and checks it is an OAuth2 entry; the
// caller holds the turn and wipes the record.
func (s *Store) oauthRecord(name string) (record, error) {
	r, err := s.read(name)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return record{}, notFound(name)
	}
	if err != nil {
		return record{}, err
	}
	if r.typ != OAuth2AuthorizationCode {
		r.wipe()
		return record{}, newError(ErrWrongType, name, "is "+string(r.typ)+" security material, not an OAuth2 Authorization Code credential",
			"Choose an OAuth2 Authorization Code credential.", nil)
	}
	return r, nil
}

// Authorize runs the authorization code flow for name's settings: the
// sign-in page opens through opt.Open (the system browser, a line on a
// terminal, a test's own client), the answer comes back to a listener on
// this computer, and the refresh token is kept in the keyring. The entry
// is Deployed afterwards. It waits up to opt.Timeout (5 minutes) for the
// browser, off the keyring's turn, and stops when ctx is cancelled; a
// failed authorization leaves the entry as it was.
func (s *Store) Authorize(ctx context.Context, name string, opt oauth.AuthorizeOptions) (Entry, error) {
	if err := CheckName(name); err != nil {
		return Entry{}, err
	}
	var cfg oauth.Config
	err := s.do("read "+name, func() error {
		r, err := s.oauthRecord(name)
		if err != nil {
			return err
		}
		cfg = r.config()
		cfg.ClientSecret = append([]byte(nil), r.secret...)
		r.wipe()
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	defer clear(cfg.ClientSecret)
	tok, err := oauth.Authorize(ctx, cfg, opt)
	if err != nil {
		return Entry{}, err
	}
	t := fromOAuth2(tok, s.now())
	defer t.wipe()
	var out Entry
	err = s.do("store the tokens of "+name, func() error {
		r, err := s.oauthRecord(name)
		if err != nil {
			return err
		}
		defer r.wipe()
		if err := s.writeTokens(name, &t); err != nil {
			return err
		}
		r.o.status, r.o.problem, r.o.authorizedOn = Deployed, "", s.now().Truncate(time.Second)
		s.stamp(&r)
		if err := s.write(name, &r); err != nil {
			return err
		}
		out = r.entry(name)
		return nil
	})
	if err != nil {
		return Entry{}, err
	}
	return out, nil
}

func fromOAuth2(tok *oauth2.Token, now time.Time) tokens {
	t := tokens{refresh: []byte(tok.RefreshToken), access: []byte(tok.AccessToken), obtained: now}
	if !tok.Expiry.IsZero() {
		// x/oauth2 dates the expiry by the system clock; the store's
		// may differ (tests move it), and is the one it is compared with.
		t.expiry = now.Add(time.Until(tok.Expiry))
	}
	if t.expiry.IsZero() && len(t.access) > 0 {
		// No expires_in: RFC 6749 leaves the lifetime to the server;
		// keep the token a few minutes, then renew rather than guess.
		t.expiry = now.Add(5 * time.Minute)
	}
	return t
}

// OAuth2Login is an OAuth2 credential ready for a connectivity test: the
// mailbox to sign in as, and its access tokens on demand.
// *OAuth2Login satisfies connectivity.TokenSource.
type OAuth2Login struct {
	User string // the mailbox: the SASL user name
	s    *Store
	name string
}

// OAuth2Login prepares name for a test. An entry that is not authorized,
// or whose refresh token was refused, is an error that says to authorize.
func (s *Store) OAuth2Login(name string) (*OAuth2Login, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	var user string
	err := s.do("read "+name, func() error {
		r, err := s.oauthRecord(name)
		if err != nil {
			return err
		}
		r.wipe()
		user = r.user
		return usable(name, r.o)
	})
	if err != nil {
		return nil, err
	}
	return &OAuth2Login{User: user, s: s, name: name}, nil
}

// ErrUnauthorized: an OAuth2 credential without a usable refresh token.
var ErrUnauthorized = errors.New("credentials: OAuth2 credential not authorized")

func usable(name string, o oauthFields) error {
	switch o.status {
	case Unauthorized:
		return newError(ErrUnauthorized, name, "has not been authorized yet",
			"Authorize it first (Authorize in Security Material), signing in as its mailbox in the browser.", nil)
	case Error:
		what := "can no longer be used: " + lowerFirst(o.problem)
		if o.problem == "" {
			what = "can no longer be used: its refresh token was refused"
		}
		return newError(ErrUnauthorized, name, what, "Authorize it again (Authorize in Security Material).", nil)
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// AccessToken returns an access token for the test: the one kept while it
// is valid for at least another half minute, otherwise (or when renew is
// set, after a server refused the one kept) a new one from the refresh
// token, kept at once with the refresh token the server may have rotated.
// fresh reports that it was just obtained. A refresh token the server
// refuses makes the entry's Status Error with the reason, and the error
// says to authorize again. The caller zeroes the token.
func (l *OAuth2Login) AccessToken(ctx context.Context, renew bool) (token []byte, fresh bool, err error) {
	s, name := l.s, l.name
	// From reading the tokens to keeping the new ones, one program at a
	// time: the second then finds the first's fresh access token.
	unlock, err := s.lockTokens(ctx, name)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	var cfg oauth.Config
	var refresh []byte
	err = s.do("read "+name, func() error {
		r, err := s.oauthRecord(name)
		if err != nil {
			return err
		}
		defer r.wipe()
		if err := usable(name, r.o); err != nil {
			return err
		}
		t, err := s.readTokens(name)
		if errors.Is(err, keyring.ErrKeyNotFound) || errors.Is(err, errBadRecord) || errors.Is(err, errBadChunks) {
			return newError(ErrUnauthorized, name, "has lost its tokens", "Authorize it again (Authorize in Security Material).", err)
		}
		if err != nil {
			return err
		}
		defer t.wipe()
		if !renew && len(t.access) > 0 && s.now().Add(renewBefore).Before(t.expiry) {
			token = append([]byte(nil), t.access...)
			return nil
		}
		cfg = r.config()
		cfg.ClientSecret = append([]byte(nil), r.secret...)
		refresh = append([]byte(nil), t.refresh...)
		return nil
	})
	if err != nil || token != nil {
		return token, false, err
	}
	defer clear(cfg.ClientSecret)
	defer clear(refresh)
	tok, err := oauth.Refresh(ctx, cfg, string(refresh))
	if err != nil {
		if errors.Is(err, oauth.ErrRefused) {
			l.refused(err)
		}
		return nil, false, err
	}
	rotated := tok.RefreshToken != string(refresh)
	err = s.do("store the tokens of "+name, func() error {
		old, err := s.readTokens(name)
		obtained := s.now()
		if err == nil && !rotated {
			obtained = old.obtained
		}
		old.wipe()
		t := fromOAuth2(tok, s.now())
		t.obtained = obtained
		defer t.wipe()
		return s.writeTokens(name, &t)
	})
	if err != nil {
		// A rotated refresh token that could not be kept is lost, and the
		// old one may be spent: say so rather than pass it off as the
		// server's refusal later.
		if rotated {
			return nil, false, &problem.Error{Source: name, Kind: ErrFailed, What: "received a new refresh token that the keyring did not keep",
				Hint: "Authorize it again once the keyring works; " + sentenceOf(err), Detail: err.Error()}
		}
		return nil, false, err
	}
	return []byte(tok.AccessToken), true, nil
}

// refused records that the refresh token was refused: Status Error with
// the reason, and the dead tokens gone.
func (l *OAuth2Login) refused(cause error) {
	why := sentenceOf(cause)
	var pe *problem.Error
	if errors.As(cause, &pe) {
		why = pe.What
	}
	_ = l.s.do("mark "+l.name+" as refused", func() error {
		r, err := l.s.oauthRecord(l.name)
		if err != nil {
			return err
		}
		defer r.wipe()
		r.o.status, r.o.problem = Error, truncateUTF8(why, maxProblemBytes)
		if err := l.s.write(l.name, &r); err != nil {
			return err
		}
		err = l.s.removeItem(tokensKey(l.name))
		if errors.Is(err, keyring.ErrKeyNotFound) {
			return nil
		}
		return err
	})
}

func sentenceOf(err error) string {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return pe.Sentence()
	}
	return err.Error()
}
