package credentials

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
)

// Several programs find the same access token expired at once, against a
// provider that rotates refresh tokens and retires the old one (as
// Microsoft does): one renews, the others wait and take its new token.
// Without the lock they all send the same refresh token, the provider
// refuses all but the first, and the credential is marked as needing a
// new authorization.
func TestConcurrentRenewalsOfOneCredentialTakeTurns(t *testing.T) {
	srv := oauthtest.Start(t, oauthtest.Options{Rotate: true})
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := openTest(t, "file", func(o *Options) { o.Now = clock })
	name := addIdPCredential(t, ts.Store, srv, "rotating")
	ctx := context.Background()
	if _, err := ts.Authorize(ctx, name, oauth.AuthorizeOptions{Open: srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true), Timeout: 20 * time.Second}); err != nil {
		t.Fatal(err)
	}
	_, refreshesBefore := srv.Counts()
	mu.Lock()
	now = now.Add(2 * time.Hour) // the kept access token has expired
	mu.Unlock()

	// Each "program" opens the keyring on its own, as separate processes do.
	const programs = 4
	logins := make([]*OAuth2Login, programs)
	for i := range logins {
		l, err := ts.reopen(t).OAuth2Login(name)
		if err != nil {
			t.Fatal(err)
		}
		logins[i] = l
	}
	errs := make([]error, programs)
	tokens := make([][]byte, programs)
	var wg sync.WaitGroup
	for i, l := range logins {
		wg.Go(func() { tokens[i], _, errs[i] = l.AccessToken(ctx, false) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("program %d: %v", i, err)
		}
		if err := srv.CheckToken(ctx, oauthtest.DefaultUser, string(tokens[i]), oauthtest.MailScope); err != nil {
			t.Fatalf("program %d's token: %v", i, err)
		}
	}
	if _, refreshes := srv.Counts(); refreshes-refreshesBefore != 1 {
		t.Fatalf("%d refreshes for %d programs; want 1, the others taking its token", refreshes-refreshesBefore, programs)
	}
	if e, _ := ts.Entry(name); e.Status != Deployed {
		t.Fatalf("after the renewals: %s %s", e.Status, e.Problem)
	}
}
