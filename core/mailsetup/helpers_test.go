package mailsetup

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
)

// gmail is a provider of the shape the table gives: App Passwords shown
// in groups of four letters. Built here so that these tests do not hang
// on the table's entries, which another file keeps.
var gmail = &Provider{ID: "gmail", Name: "Gmail / Google Workspace", Domains: []string{"gmail.com"},
	SignIn: SignInAppPassword, SecretSpacesIgnored: true,
	Help: SignInHelp{Summary: "Gmail needs an App Password, not your Google password.", SecretLabel: "App Password"}}

// trustStore makes this computer's trust store, as CompleteChain and the
// connectivity test read it, the roots given: SSL_CERT_FILE names it.
func trustStore(t *testing.T, roots ...certtest.Issued) {
	t.Helper()
	var pem []byte
	for _, r := range roots {
		pem = append(pem, r.PEM()...)
	}
	f := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(f, pem, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", f)
}

// loopbackAccount is an account on a mailtest server of protocol p on port.
func loopbackAccount(p connectivity.Protocol, port int, pr connectivity.Protection) Account {
	return Account{
		Settings:   Settings{Address: "me@opsdesk.test", Domain: "opsdesk.test", User: "me@opsdesk.test"},
		Server:     Server{Protocol: p, Host: mailtest.Host, Port: port, Protection: pr, Source: SourceTyped},
		User:       "me@opsdesk.test",
		Credential: "opsdesk_" + strings.ToLower(string(p)),
		ConnectTo:  "127.0.0.1",
	}
}

func sent(c mailtest.Chain) []*x509.Certificate {
	return []*x509.Certificate{c.Leaf.Cert, c.Intermediate.Cert}
}

// keyrings runs fn against the encrypted file and, inside
// scripts/with-secret-service.sh (make test), the real Secret Service.
func keyrings(t *testing.T, fn func(t *testing.T, store *credentials.Store)) {
	for _, backend := range []string{"file", "secret-service"} {
		t.Run(backend, func(t *testing.T) {
			if backend == "secret-service" {
				switch {
				case runtime.GOOS != "linux":
					t.Skip("skipped: the Secret Service is Linux's")
				case os.Getenv("OPSDESK_TEST_SECRET_SERVICE") != "1" && os.Getenv("CI") != "":
					t.Fatal("no Secret Service: CI must run the tests through scripts/with-secret-service.sh (make test does)")
				case os.Getenv("OPSDESK_TEST_SECRET_SERVICE") != "1":
					t.Skip("skipped: the Secret Service tests run only inside scripts/with-secret-service.sh (make test), so that they never touch your own keyring")
				}
			}
			t.Setenv(credentials.FilePasswordEnv, "file-keyring-pass")
			store, err := credentials.Open(credentials.Options{Home: t.TempDir(), Backend: backend})
			if err != nil {
				t.Fatal(err)
			}
			fn(t, store)
		})
	}
}
