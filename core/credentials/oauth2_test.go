package credentials

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
)

// msSettings are a Microsoft 365 credential's settings, as the preset
// fills them.
func msSettings() OAuth2 {
	p := oauth.PresetFor(oauth.Microsoft365, "contoso.onmicrosoft.com")
	return OAuth2{Provider: oauth.Microsoft365, AuthorizationURL: p.AuthorizationURL, TokenURL: p.TokenURL, Scope: p.Scope,
		ClientID: "0e8f7a2c-1b3d-4c5e-8f9a-0b1c2d3e4f50", RefreshTokenExpiryDays: 90}
}

// longestOAuth2 is an OAuth2 entry with every field at its limit: more
// than one Windows item holds.
func longestOAuth2() record {
	on := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	url := func(base string) string { return base + strings.Repeat("a", MaxOAuthURLLength-len(base)) }
	r := record{typ: OAuth2AuthorizationCode, deployedOn: on, deployedBy: strings.Repeat("b", maxDeployedByBytes),
		description: strings.Repeat(wide, MaxDescriptionLength), user: strings.Repeat("m", MaxMailboxBytes-12) + "@example.com",
		secret: bytes.Repeat([]byte("S"), MaxClientSecretLength)}
	r.setOAuth(OAuth2{Provider: oauth.Generic, AuthorizationURL: url("https://login.example.com/authorize?x="),
		TokenURL: url("https://login.example.com/token?x="), RedirectURL: url("http://127.0.0.1:65535/"),
		ClientID: strings.Repeat("c", MaxClientIDLength), Scope: strings.TrimSpace(strings.Repeat("scope ", MaxScopeLength/6)),
		SendAs: oauth.BasicAuthHeader, RefreshTokenExpiryDays: MaxRefreshTokenExpiryDays})
	r.o.status, r.o.problem, r.o.authorizedOn = Error, strings.Repeat("p", maxProblemBytes), on
	return r
}

func TestVersion3Records(t *testing.T) {
	r := longestOAuth2()
	if err := CheckOAuth2(r.user, *r.settings()); err != nil {
		t.Fatalf("the longest settings allowed are refused: %v", err)
	}
	if err := (&Store{}).check("n", &r); err != nil {
		t.Fatal(err)
	}
	data := r.encode()
	if data[2] != recordV3 {
		t.Fatalf("written as version %d", data[2])
	}
	back, err := decodeRecord(data)
	if err != nil || !sameRecord(back, r) {
		t.Fatalf("round trip: %v", err)
	}
	// Only OAuth2 is version 3, and OAuth2 is only version 3.
	for _, bad := range [][]byte{encodeV2(r), bytes.Replace(data, []byte("OD\x03\x05"), []byte("OD\x03\x01"), 1)} {
		if _, err := decodeRecord(bad); err == nil {
			t.Errorf("%q… is read", bad[:8])
		}
	}
	// Its numbers are decimal text, and nothing else.
	for _, edit := range []func(*record){
		func(r *record) { r.o.status = "Stored" },
		func(r *record) { r.o.expiryDays = MaxRefreshTokenExpiryDays + 1 },
		func(r *record) { r.o.status = "" },
	} {
		c := longestOAuth2()
		edit(&c)
		if _, err := decodeRecord(c.encode()); err == nil {
			t.Error("a malformed version 3 is read")
		}
	}
	if _, err := decodeRecord(bytes.Replace(data, []byte("\x04"+strconv.Itoa(MaxRefreshTokenExpiryDays)), []byte("\x04+365"), 1)); err == nil {
		t.Error("+365 days is read")
	}
}

// TestWriteVersion3Seeds keeps readable version-3 records in the fuzz
// corpus (TestFuzzSeeds wants one), written by this test when missing.
func TestWriteVersion3Seeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeRecord")
	ms := record{typ: OAuth2AuthorizationCode, deployedOn: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), deployedBy: "tester",
		description: "M365 mailbox", user: "ops@contoso.com", secret: []byte("0Xq8Q~abc.DEF_ghi-jkl~mnoPQRstuVWxyz12345")}
	ms.setOAuth(msSettings())
	ms.o.status = Unauthorized
	public := ms
	public.secret = nil
	public.o.status, public.o.authorizedOn = Deployed, time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	refused := ms
	refused.o.status, refused.o.problem = Error, "Microsoft 365 no longer accepts the refresh token"
	badDays := ms.encode()
	badDays = bytes.Replace(badDays, []byte("\x0290"), []byte("\x02-9"), 1)
	for name, data := range map[string][]byte{
		"ok-v3-oauth2-unauthorized": ms.encode(), "ok-v3-oauth2-public-deployed": public.encode(), "ok-v3-oauth2-refused": refused.encode(),
		"bad-v3-oauth2-days": badDays, "bad-v3-oauth2-trailing": append(ms.encode(), 0), "bad-v3-oauth2-short": ms.encode()[:40],
	} {
		path := filepath.Join(dir, name)
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if got, err := os.ReadFile(path); err == nil && string(got) == want {
			continue
		}
		if os.Getenv("CI") != "" {
			t.Errorf("%s is missing or stale: run the test once outside CI to write it", path)
			continue
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// recording is a keyring that notes the size of every item written, as
// Windows would see it (Credential Manager keeps only the data).
type recording struct {
	keyring.Keyring
	mu      sync.Mutex
	largest int
	sets    int
	failAt  int // the Set that fails (counting from 1); 0 for none
}

func (r *recording) Set(it keyring.Item) error {
	r.mu.Lock()
	r.sets++
	n := r.sets
	r.largest = max(r.largest, len(it.Data))
	r.mu.Unlock()
	if r.failAt != 0 && n == r.failAt {
		return errRefusedByTest
	}
	return r.Keyring.Set(it)
}

func randomToken(n int) []byte {
	raw := make([]byte, n)
	_, _ = rand.Read(raw)
	return []byte(base64.RawURLEncoding.EncodeToString(raw)[:n])
}

// TestLargestOAuth2FitsWindows stores the longest OAuth2 entry with the
// longest refresh and access tokens kept, in each backend, and checks that
// no item written is larger than Windows' 2,560 bytes and that everything
// reads back whole.
func TestLargestOAuth2FitsWindows(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		rec := &recording{}
		ts := openTest(t, backend, func(o *Options) {
			o.wrap = func(k keyring.Keyring) keyring.Keyring { rec.Keyring = k; return rec }
		})
		long := longestOAuth2()
		name := uniq(t, ts.Store, "oauth-longest")
		_, err := ts.AddSecrets(Entry{Name: name, Type: OAuth2AuthorizationCode, User: long.user, Description: long.description, OAuth2: long.settings()},
			Secrets{Secret: long.secret})
		if err != nil {
			t.Fatal(err)
		}
		tk := tokens{refresh: randomToken(MaxRefreshTokenBytes), access: randomToken(MaxAccessTokenBytes),
			expiry: time.Now().Add(time.Hour).Truncate(time.Second), obtained: time.Now().Truncate(time.Second)}
		if err := ts.do("store", func() error { return ts.writeTokens(name, &tk) }); err != nil {
			t.Fatal(err)
		}
		t.Logf("largest item: %d bytes, %d items written", rec.largest, rec.sets)
		if rec.largest > MaxItemBytes {
			t.Errorf("an item of %d bytes was written, more than Windows' %d", rec.largest, MaxItemBytes)
		}
		back := readRecord(t, ts.Store, name)
		if back.user != long.user || back.description != long.description || !bytes.Equal(back.secret, long.secret) || back.o.scope != long.o.scope {
			t.Error("the settings did not read back whole")
		}
		var got tokens
		if err := ts.do("read", func() error { var err error; got, err = ts.readTokens(name); return err }); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.refresh, tk.refresh) || !bytes.Equal(got.access, tk.access) || !got.expiry.Equal(tk.expiry) {
			t.Error("the tokens did not read back whole")
		}
		// A refresh token longer than that is refused in a sentence; an
		// access token longer is used but not kept.
		big := tokens{refresh: randomToken(MaxRefreshTokenBytes + 1)}
		err = ts.do("store", func() error { return ts.writeTokens(name, &big) })
		wantProblem(t, err, ErrTooLong)
		huge := tokens{refresh: []byte("r"), access: randomToken(MaxAccessTokenBytes + 1), expiry: time.Now().Add(time.Hour)}
		if err := ts.do("store", func() error { return ts.writeTokens(name, &huge) }); err != nil {
			t.Fatal(err)
		}
		if err := ts.do("read", func() error { var err error; got, err = ts.readTokens(name); return err }); err != nil || len(got.access) != 0 {
			t.Errorf("an access token over the limit was kept: %d bytes, %v", len(got.access), err)
		}
		// Undeploy leaves nothing behind: no settings, tokens or parts.
		if err := ts.Delete(name); err != nil {
			t.Fatal(err)
		}
		keys, _ := ts.ring.Keys()
		for _, k := range keys {
			if strings.Contains(k, name) {
				t.Errorf("left behind: %s", k)
			}
		}
	})
}

// TestSplitItemsAreAtomic: a keyring that fails half-way through writing
// a split value leaves the old value whole; a part that goes missing or is
// changed is noticed, never read as something else.
func TestSplitItemsAreAtomic(t *testing.T) {
	rec := &recording{}
	ts := openTest(t, "file", func(o *Options) {
		o.wrap = func(k keyring.Keyring) keyring.Keyring { rec.Keyring = k; return rec }
	})
	const key = "opsdesk/oauth2-tokens/atomic"
	old := randomToken(10000)
	if err := ts.do("w", func() error { return ts.setItem(key, old, "l", "d") }); err != nil {
		t.Fatal(err)
	}
	for fail := 1; fail <= 4; fail++ { // 9,000 bytes take four items
		rec.mu.Lock()
		rec.sets, rec.failAt = 0, fail
		rec.mu.Unlock()
		err := ts.do("w", func() error { return ts.setItem(key, randomToken(9000), "l", "d") })
		if !errors.Is(err, ErrFailed) || !strings.Contains(err.Error(), errRefusedByTest.Error()) {
			t.Fatalf("fail at %d: %v", fail, err)
		}
		var got []byte
		_ = ts.do("r", func() error { got, err = ts.getItem(key); return err })
		if err != nil || !bytes.Equal(got, old) {
			t.Fatalf("after a failure at write %d the old value is lost: %v", fail, err)
		}
	}
	rec.failAt = 0
	// Damage: a part removed, a part of another generation.
	keys, _ := ts.ring.Keys()
	var part string
	for _, k := range keys {
		if strings.HasPrefix(k, partsOf(key)) {
			part = k
		}
	}
	item, err := ts.ring.Get(part)
	if err != nil {
		t.Fatal(err)
	}
	item.Data[len(item.Data)-1] ^= 1
	if err := ts.ring.Set(item); err != nil {
		t.Fatal(err)
	}
	_ = ts.do("r", func() error { _, err = ts.getItem(key); return nil })
	if !errors.Is(err, errBadChunks) {
		t.Errorf("a changed part: %v", err)
	}
	_ = ts.ring.Remove(part)
	_ = ts.do("r", func() error { _, err = ts.getItem(key); return nil })
	if !errors.Is(err, errBadChunks) {
		t.Errorf("a missing part: %v", err)
	}
	// Removing the value removes every part, stray ones too.
	if err := ts.do("rm", func() error { return ts.removeItem(key) }); err != nil {
		t.Fatal(err)
	}
	keys, _ = ts.ring.Keys()
	for _, k := range keys {
		if strings.Contains(k, "atomic") {
			t.Errorf("left behind: %s", k)
		}
	}
}

// TestOAuth2Entries is the life of an OAuth2 entry without a server: it
// starts Unauthorized, is offered only where OAuth2 is asked for, gives
// no password, and changes of its grant make it Unauthorized again.
func TestOAuth2Entries(t *testing.T) {
	testBackends(t, func(t *testing.T, backend string) {
		ts := openTest(t, backend)
		name, user := uniq(t, ts.Store, "m365"), uniq(t, ts.Store, "gmail")
		if _, err := ts.Add(Entry{Name: user, Type: UserCredentials, User: "u@example.com"}, []byte("pw")); err != nil {
			t.Fatal(err)
		}
		e, err := ts.AddSecrets(Entry{Name: name, Type: OAuth2AuthorizationCode, User: "ops@contoso.com", Description: "M365", OAuth2: ptrTo(msSettings())},
			Secrets{Secret: []byte("client-secret")})
		if err != nil {
			t.Fatal(err)
		}
		if e.Status != Unauthorized || e.OAuth2 == nil || e.OAuth2.SendAs != oauth.BodyParameter || e.OAuth2.PublicClient {
			t.Fatalf("%+v", e)
		}
		got, _ := ts.Entry(name)
		if got.Status != Unauthorized || got.OAuth2.ClientID != msSettings().ClientID || got.User != "ops@contoso.com" {
			t.Fatalf("%+v", got)
		}
		names, _ := ts.NamesOf(OAuth2AuthorizationCode)
		plain, _ := ts.Names()
		if !contains(names, name) || contains(names, user) || contains(plain, name) || !contains(plain, user) {
			t.Errorf("OAuth2 names %v, password names %v", names, plain)
		}
		_, _, err = ts.Lookup(name)
		wantProblem(t, err, ErrWrongType)
		_, err = ts.OAuth2Login(name)
		pe := wantProblem(t, err, ErrUnauthorized)
		if !strings.Contains(pe.Sentence(), "Authorize") || strings.Contains(pe.Sentence(), "--") {
			t.Errorf("%q", pe.Sentence())
		}
		_, err = ts.OAuth2Login(user)
		wantProblem(t, err, ErrWrongType)

		// Settings checked before anything is stored.
		for what, edit := range map[string]func(*OAuth2){
			"http token URL":       func(o *OAuth2) { o.TokenURL = "http://login.example.com/token" },
			"no client ID":         func(o *OAuth2) { o.ClientID = "" },
			"redirect elsewhere":   func(o *OAuth2) { o.RedirectURL = "https://example.com/cb" },
			"Microsoft expiry 1":   func(o *OAuth2) { o.RefreshTokenExpiryDays = 1 },
			"no scope":             func(o *OAuth2) { o.Scope = " " },
			"unknown provider":     func(o *OAuth2) { o.Provider = "Yahoo" },
			"send as header twice": func(o *OAuth2) { o.SendAs = "Header" },
		} {
			o := msSettings()
			edit(&o)
			_, err := ts.AddSecrets(Entry{Name: uniq(t, ts.Store, "bad"), Type: OAuth2AuthorizationCode, User: "ops@contoso.com", OAuth2: &o}, Secrets{})
			if err == nil {
				t.Errorf("%s is accepted", what)
			}
		}
		_, err = ts.AddSecrets(Entry{Name: uniq(t, ts.Store, "bad"), Type: OAuth2AuthorizationCode, User: "ops", OAuth2: ptrTo(msSettings())}, Secrets{})
		wantProblem(t, err, ErrBadText)
		_, err = ts.AddSecrets(Entry{Name: uniq(t, ts.Store, "bad"), Type: OAuth2AuthorizationCode, User: "ops@contoso.com", OAuth2: ptrTo(msSettings())},
			Secrets{Secret: []byte("has a space")})
		wantProblem(t, err, ErrBadText)

		// Pretend it was authorized, then edit: the description and
		// secret keep it Deployed; another scope does not.
		markDeployed(t, ts.Store, name)
		if e, err := ts.Edit(name, Change{Description: ptr("edited"), Secret: []byte("new-secret")}); err != nil || e.Status != Deployed {
			t.Fatalf("%+v %v", e, err)
		}
		o := msSettings()
		o.Scope = oauth.ScopeMicrosoftSMTP + " offline_access"
		e, err = ts.Edit(name, Change{OAuth2: &o})
		if err != nil || e.Status != Unauthorized || e.OAuth2.Scope != o.Scope {
			t.Fatalf("%+v %v", e, err)
		}
		var terr error
		_ = ts.do("r", func() error { _, terr = ts.readTokens(name); return nil })
		if !errors.Is(terr, keyring.ErrKeyNotFound) {
			t.Errorf("the old tokens were kept: %v", terr)
		}
		// A public client: an empty secret.
		e, err = ts.Edit(name, Change{Secret: []byte{}})
		if err != nil || !e.OAuth2.PublicClient {
			t.Fatalf("%+v %v", e, err)
		}
		_, err = ts.Edit(user, Change{OAuth2: &o})
		wantProblem(t, err, ErrWrongType)
	})
}

func ptrTo[T any](v T) *T { return &v }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// markDeployed gives name tokens and Status Deployed, as Authorize does.
func markDeployed(t *testing.T, s *Store, name string) {
	t.Helper()
	err := s.do("mark", func() error {
		r, err := s.read(name)
		if err != nil {
			return err
		}
		defer r.wipe()
		tk := tokens{refresh: []byte("refresh"), access: []byte("access"), expiry: time.Now().Add(time.Hour), obtained: time.Now()}
		if err := s.writeTokens(name, &tk); err != nil {
			return err
		}
		r.o.status, r.o.authorizedOn = Deployed, time.Now()
		return s.write(name, &r)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAuthorizeAndRenewAgainstARealServer: Authorize keeps the tokens and
// deploys the entry; the access token is reused while valid and renewed
// after, a rotated refresh token kept at once; a revoked grant makes the
// entry Error with the reason; denied consent changes nothing.
// addIdPCredential stores an OAuth2 credential for the test provider srv,
// not authorized yet, and returns its name.
func addIdPCredential(t *testing.T, s *Store, srv *oauthtest.Server, base string) string {
	t.Helper()
	name := uniq(t, s, base)
	settings := OAuth2{Provider: oauth.Generic, AuthorizationURL: srv.AuthorizationURL(), TokenURL: srv.TokenURL(),
		RedirectURL: "http://127.0.0.1/opsdesk", ClientID: oauthtest.BasicClient, Scope: oauthtest.MailScope + " offline_access",
		SendAs: oauth.BasicAuthHeader}
	if _, err := s.AddSecrets(Entry{Name: name, Type: OAuth2AuthorizationCode, User: oauthtest.DefaultUser, OAuth2: &settings},
		Secrets{Secret: []byte(oauthtest.ClientSecret)}); err != nil {
		t.Fatal(err)
	}
	return name
}

func TestAuthorizeAndRenewAgainstARealServer(t *testing.T) {
	srv := oauthtest.Start(t, oauthtest.Options{Rotate: true})
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ts := openTest(t, "file", func(o *Options) { o.Now = clock })
	name := addIdPCredential(t, ts.Store, srv, "idp")
	ctx := context.Background()
	// Denied: nothing changes.
	_, err := ts.Authorize(ctx, name, oauth.AuthorizeOptions{Open: srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, false), Timeout: 20 * time.Second})
	if !errors.Is(err, oauth.ErrDenied) {
		t.Fatalf("denied: %v", err)
	}
	if e, _ := ts.Entry(name); e.Status != Unauthorized {
		t.Fatalf("after a denial: %s", e.Status)
	}
	e, err := ts.Authorize(ctx, name, oauth.AuthorizeOptions{Open: srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true), Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != Deployed || e.OAuth2.AuthorizedOn.IsZero() {
		t.Fatalf("%+v", e)
	}
	login, err := ts.OAuth2Login(name)
	if err != nil || login.User != oauthtest.DefaultUser {
		t.Fatal(err)
	}
	first, fresh, err := login.AccessToken(ctx, false)
	if err != nil || fresh {
		t.Fatalf("the token from Authorize: fresh=%v %v", fresh, err)
	}
	if err := srv.CheckToken(ctx, oauthtest.DefaultUser, string(first), oauthtest.MailScope); err != nil {
		t.Fatal(err)
	}
	rtBefore := srv.RefreshTokens()
	advance(2 * time.Hour) // the kept access token has expired
	second, fresh, err := login.AccessToken(ctx, false)
	if err != nil || !fresh || bytes.Equal(first, second) {
		t.Fatalf("after expiry: fresh=%v %v", fresh, err)
	}
	if err := srv.CheckToken(ctx, oauthtest.DefaultUser, string(second), oauthtest.MailScope); err != nil {
		t.Fatal(err)
	}
	// The server rotated the refresh token; the new one was kept: a
	// renewal forced now works, with the new one.
	if rt := srv.RefreshTokens(); len(rt) != 1 || rt[0] == rtBefore[0] {
		t.Fatalf("refresh tokens before %v, after %v", rtBefore, rt)
	}
	if _, fresh, err := login.AccessToken(ctx, true); err != nil || !fresh {
		t.Fatalf("renewed with the rotated token: %v", err)
	}
	// Revoked: the entry says so, and says to authorize again.
	srv.Revoke(oauthtest.DefaultUser)
	_, _, err = login.AccessToken(ctx, true)
	if !errors.Is(err, oauth.ErrRefused) {
		t.Fatalf("revoked: %v", err)
	}
	e, _ = ts.Entry(name)
	if e.Status != Error || !strings.Contains(e.Problem, "refresh token") {
		t.Fatalf("after a refusal: %+v", e)
	}
	_, err = ts.OAuth2Login(name)
	pe := wantProblem(t, err, ErrUnauthorized)
	if !strings.Contains(pe.Sentence(), "Authorize it again") {
		t.Errorf("%q", pe.Sentence())
	}
	// Authorized again, it works again.
	if e, err := ts.Authorize(ctx, name, oauth.AuthorizeOptions{Open: srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)}); err != nil || e.Status != Deployed || e.Problem != "" {
		t.Fatalf("%+v %v", e, err)
	}
}
