package credentials

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
)

// BenchmarkSMTPTest times one SMTP connectivity test (connect, STARTTLS,
// chain check, login, QUIT) on one loopback server, three ways: with a
// password from the keyring, with an OAuth2 access token kept in the
// keyring, and with one renewed at the authorization server first (a
// refresh, the rotated refresh token written back). The mail server asks
// the authorization server about every token (introspection), as a
// resource server does; that round trip is part of both OAuth2 timings.
//
//	bash scripts/with-secret-service.sh go test ./core/credentials -run '^$' -bench SMTPTest
func BenchmarkSMTPTest(b *testing.B) {
	for _, backend := range []string{"file", "secret-service"} {
		b.Run(backend, func(b *testing.B) {
			if backend == "secret-service" && !secretServiceHere() {
				b.Skip("no Secret Service: run inside scripts/with-secret-service.sh")
			}
			benchSMTP(b, backend)
		})
	}
}

func benchSMTP(b *testing.B, backend string) {
	p := newOAuthPath(b, backend, "PLAIN", "XOAUTH2")
	b.Setenv(FilePasswordEnv, testFilePassword)
	b.Setenv(BackendEnv, "")
	s, err := Open(Options{Home: b.TempDir(), Backend: backend, Timeout: 20 * time.Second, User: "bench", Now: p.clock})
	if err != nil {
		b.Fatal(err)
	}
	p.store = s
	pw, oa := "bench-password-"+randomName(), "bench-oauth-"+randomName()
	b.Cleanup(func() { _ = s.Delete(pw); _ = s.Delete(oa) })
	if _, err := s.Add(Entry{Name: pw, Type: UserCredentials, User: oauthtest.DefaultUser}, []byte("the-mailbox-password")); err != nil {
		b.Fatal(err)
	}
	if _, err := s.AddSecrets(Entry{Name: oa, Type: OAuth2AuthorizationCode, User: oauthtest.DefaultUser, OAuth2: p.settings()},
		Secrets{Secret: []byte(oauthtest.ClientSecret)}); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Authorize(context.Background(), oa, oauth.AuthorizeOptions{Open: p.srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)}); err != nil {
		b.Fatal(err)
	}
	base := connectivity.Request{Protocol: connectivity.SMTP, Host: mailtest.Host, ConnectTo: "127.0.0.1", Port: p.ports[connectivity.SMTP],
		Protection: connectivity.STARTTLSMandatory, VerifyCertificate: true, Trusted: p.chain.Trusted()}
	run := func(b *testing.B, req connectivity.Request) {
		if r := connectivity.Run(context.Background(), req); !r.OK() {
			b.Fatalf("%+v %v", r.Checks, r.Err)
		}
	}
	b.Run("password", func(b *testing.B) {
		for b.Loop() {
			user, secret, err := s.Lookup(pw)
			if err != nil {
				b.Fatal(err)
			}
			req := base
			req.Auth, req.User, req.Password = connectivity.AuthPlain, user, secret
			run(b, req)
			clear(secret)
		}
	})
	oauthTest := func(b *testing.B, expire bool) {
		for b.Loop() {
			if expire {
				b.StopTimer()
				p.advance(2 * time.Hour)
				b.StartTimer()
			}
			login, err := s.OAuth2Login(oa)
			if err != nil {
				b.Fatal(err)
			}
			req := base
			req.Auth, req.User, req.OAuth2 = connectivity.AuthOAuth2, login.User, login
			run(b, req)
		}
	}
	b.Run("oauth2-kept-token", func(b *testing.B) { oauthTest(b, false) })
	b.Run("oauth2-with-refresh", func(b *testing.B) { oauthTest(b, true) })
}

func randomName() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func secretServiceHere() bool { return os.Getenv("OPSDESK_TEST_SECRET_SERVICE") == "1" }
