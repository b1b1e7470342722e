package mailsetup

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

const (
	testUser     = "me@opsdesk.test"
	testPassword = "Mail-Pa55"
)

// staticToken is an access token that never changes: the mail server
// judges it.
type staticToken string

func (s staticToken) AccessToken(context.Context, bool) ([]byte, bool, error) {
	return []byte(s), true, nil
}

// TestGoBackTo runs real proof tests against loopback servers and reads
// each result with the one rule.
func TestGoBackTo(t *testing.T) {
	chain := mailtest.NewChain(t)
	starttls := mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"PLAIN", "LOGIN"}, User: testUser, Password: testPassword}
	smtpPort := mailtest.SMTP(t, chain, starttls)
	closed := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return port
	}()
	refusing := starttls
	refusing.Gmail, refusing.PasswordRefusal = false, mailtest.MicrosoftBasicAuthDisabled
	refusingPort := mailtest.SMTP(t, chain, refusing)
	tokens := mailtest.Options{STARTTLS: true, Mechs: []string{"XOAUTH2"}, User: testUser,
		CheckToken: func(context.Context, string, string) error { return errors.New("token expired") }}
	tokenPort := mailtest.SMTP(t, chain, tokens)
	busy := mailtest.Raw(t, func(c net.Conn) { _, _ = c.Write([]byte("421 4.3.2 Service not available, try later\r\n")) })
	ssh := mailtest.Raw(t, func(c net.Conn) { _, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n")) })

	type edit func(*Account, *connectivity.Request)
	for _, c := range []struct {
		name  string
		port  int
		edit  edit
		step  Step
		words []string
	}{
		{"proof passed", smtpPort, nil, 0, nil},
		{"nothing listens", closed, nil, StepAddress, []string{"Go back to Address (step 1)", "check the host and port", "nothing answered at mail.opsdesk.test:"}},
		{"SMTPS on a STARTTLS port", smtpPort, func(a *Account, r *connectivity.Request) { r.Protection = connectivity.Implicit },
			StepAddress, []string{"Address (step 1)", "port and protection"}},
		{"not a mail server", ssh, nil, StepAddress, []string{"Address (step 1)", "did not answer as these settings expect"}},
		{"wrong password", smtpPort, func(_ *Account, r *connectivity.Request) { r.Password = []byte("wrong") },
			StepSignIn, []string{"Go back to Sign-in (step 2)", "did not accept the user name and password"}},
		{"passwords switched off", refusingPort, nil, StepSignIn, []string{"Sign-in (step 2)", "sign in with OAuth2", "no longer accepts a password"}},
		{"token refused", tokenPort, func(a *Account, r *connectivity.Request) {
			r.Auth, r.Password, r.OAuth2 = connectivity.AuthOAuth2, nil, staticToken("expired")
		}, StepSignIn, []string{"Sign-in (step 2)", "authorize the OAuth2 credential again"}},
		{"root not trusted", smtpPort, func(_ *Account, r *connectivity.Request) { r.Trusted = nil },
			StepTrust, []string{"Go back to Trust (step 4)", "still not valid", "not among the keystore's trusted certificates"}},
		{"certificate for another name", smtpPort, func(_ *Account, r *connectivity.Request) { r.Host = "smtp.elsewhere.test" },
			StepAddress, []string{"Address (step 1)", "host name the certificate is made for", "not for smtp.elsewhere.test"}},
		{"server busy", busy, nil, StepProof, []string{"Proof (step 5) again in a few minutes", "busy"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := loopbackAccount(connectivity.SMTP, c.port, connectivity.STARTTLSMandatory)
			req := a.Request(true)
			req.User, req.Password, req.Trusted = testUser, []byte(testPassword), chain.Trusted()
			if c.edit != nil {
				c.edit(&a, &req)
			}
			res := connectivity.Run(context.Background(), req)
			step, why := GoBackTo(res)
			if step != c.step {
				t.Fatalf("GoBackTo = %v %q; want %v (result: %s, err %v)", step, why, c.step, res.Verdict().Headline, res.Err)
			}
			if c.step == 0 {
				if why != "" || !res.OK() {
					t.Errorf("a passed proof: %q", why)
				}
				return
			}
			for _, w := range c.words {
				if !strings.Contains(why, w) {
					t.Errorf("%q lacks %q", why, w)
				}
			}
			if strings.Count(why, ". ") > 0 || !strings.HasSuffix(why, ".") || strings.Contains(why, testPassword) {
				t.Errorf("not one sentence, or a secret in it: %q", why)
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		a := loopbackAccount(connectivity.SMTP, smtpPort, connectivity.STARTTLSMandatory)
		step, why := GoBackTo(connectivity.Run(ctx, a.Request(true)))
		if step != StepProof || !strings.Contains(why, "cancelled") {
			t.Errorf("%v %q", step, why)
		}
	})
	if step, why := GoBackTo(nil); step != 0 || why != "" {
		t.Errorf("nil: %v %q", step, why)
	}
}
