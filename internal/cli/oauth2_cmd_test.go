package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
)

// TestOAuth2FromTheCommandLine is issue 15's path through the commands,
// against a real authorization server and a mail server that checks each
// token with it: add-oauth2, authorize --no-browser (the test plays the
// person who opens the printed address and signs in), test smtp with the
// credential (XOAUTH2, then OAUTHBEARER forced), list --json, and a
// revoked grant explained.
func TestOAuth2FromTheCommandLine(t *testing.T) {
	srv := oauthtest.Start(t, oauthtest.Options{Rotate: true})
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"XOAUTH2", "OAUTHBEARER"}, User: oauthtest.DefaultUser,
		CheckToken: func(ctx context.Context, user, token string) error {
			return srv.CheckToken(ctx, user, token, oauthtest.MailScope)
		}})
	noSecret := func(t *testing.T, out string) {
		t.Helper()
		if strings.Contains(out, oauthtest.ClientSecret) || strings.Contains(out, oauthtest.DefaultPassword) {
			t.Fatalf("a secret was printed:\n%s", out)
		}
	}
	credBackends(t, func(t *testing.T, home string) {
		name := credName(t, "idp")
		t.Setenv("OPSDESK_CLIENT_SECRET", oauthtest.ClientSecret)
		code, out, errs := credRun(t, "", "add-oauth2", name, "--provider", "generic",
			"--authorization-url", srv.AuthorizationURL(), "--token-url", srv.TokenURL(),
			"--scope", oauthtest.MailScope+" offline_access", "--user", oauthtest.DefaultUser,
			"--client-id", oauthtest.BodyClient, "--redirect-url", "http://127.0.0.1/opsdesk")
		noSecret(t, out+errs)
		if code != 0 || !strings.Contains(out, "status Unauthorized") || !strings.Contains(out, "authorize "+name) {
			t.Fatalf("add-oauth2: exit %d\n%s\n%s", code, out, errs)
		}

		// A test before Authorize says what to do.
		smtp := []string{"test", "smtp", "--host", mailtest.Host, "--connect-to", "127.0.0.1", "--port", strconv.Itoa(port), "--no-verify", "--credential", name}
		code, _, errs = run(smtp...)
		if code != 1 || !strings.Contains(errs, "has not been authorized yet") {
			t.Fatalf("before authorize: exit %d: %s", code, errs)
		}

		// authorize --no-browser prints the address; the "person" opens it.
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		var out2 bytes.Buffer
		go func() {
			done <- Run([]string{"credentials", "authorize", name, "--no-browser", "--timeout", "30s"}, strings.NewReader(""), &out2, pw)
			pw.Close()
		}()
		var stderr strings.Builder
		signed := make(chan error, 1)
		go func() {
			sc := bufio.NewScanner(pr)
			for sc.Scan() {
				line := sc.Text()
				stderr.WriteString(line + "\n")
				if strings.HasPrefix(line, srv.AuthorizationURL()) {
					go func() {
						_, err := srv.SignIn(line, oauthtest.DefaultUser, oauthtest.DefaultPassword, true)
						signed <- err
					}()
				}
			}
		}()
		select {
		case code = <-done:
		case <-time.After(40 * time.Second):
			t.Fatal("authorize did not return")
		}
		if err := <-signed; err != nil {
			t.Fatalf("signing in: %v", err)
		}
		noSecret(t, out2.String()+stderr.String())
		if code != 0 || !strings.Contains(out2.String(), "Authorized "+name+": status Deployed") {
			t.Fatalf("authorize: exit %d\n%s\n%s", code, out2.String(), stderr.String())
		}

		code, out, errs = run(smtp...)
		if code != 0 || !strings.Contains(out, "Authentication: Successful (XOAUTH2)") {
			t.Fatalf("test with the credential: exit %d\n%s\n%s", code, out, errs)
		}
		code, out, _ = run(append(smtp, "--sasl", "oauthbearer", "--json")...)
		var res struct {
			Authentication, Mechanism string
			OK                        bool
		}
		if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Mechanism != "OAUTHBEARER" || !res.OK ||
			res.Authentication != "OAuth2 Authorization Code" {
			t.Fatalf("--sasl oauthbearer --json: exit %d %v %+v\n%s", code, err, res, out)
		}
		if code, _, errs = run(append(smtp, "--sasl", "digest")...); code != 2 || !strings.Contains(errs, "--sasl") {
			t.Errorf("--sasl digest: exit %d %s", code, errs)
		}

		code, out, _ = credRun(t, "", "list", "--json")
		if code != 0 || !strings.Contains(out, `"type": "OAuth2 Authorization Code"`) || !strings.Contains(out, `"status": "Deployed"`) {
			t.Errorf("list --json:\n%s", out)
		}

		// The grant revoked at the provider: the test explains it.
		srv.Revoke(oauthtest.DefaultUser)
		srv.ExpireAccessTokens()
		code, out, errs = run(smtp...)
		if code != 1 || !strings.Contains(out+errs, "uthorize") {
			t.Errorf("after revoking: exit %d\n%s\n%s", code, out, errs)
		}
		noSecret(t, out+errs)
	})
}
