package connectivity_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

const (
	user     = "someone@example.com"
	password = "Distinctive-Pa55word!"
)

var allMechs = []string{"PLAIN", "LOGIN", "CRAM-MD5"}

func request(port int, pr connectivity.Protection, auth connectivity.Auth, chain mailtest.Chain) connectivity.Request {
	return connectivity.Request{
		Protocol: connectivity.SMTP, Host: "127.0.0.1", Port: port, Protection: pr, Auth: auth,
		User: user, Password: []byte(password), Trusted: chain.Trusted(),
		Timeouts: connectivity.Timeouts{Connect: 2 * time.Second, Reply: 3 * time.Second, Total: 10 * time.Second},
	}
}

// assertNoSecret checks that the password shows nowhere in what the result
// keeps: transcript, checks, explanation, error.
func assertNoSecret(t *testing.T, r *connectivity.Result) {
	t.Helper()
	var all strings.Builder
	for _, l := range r.Transcript {
		all.WriteString(l.Text + "\n")
	}
	for _, c := range r.Checks {
		all.WriteString(c.Note + "\n")
	}
	if r.Explanation != nil {
		all.WriteString(r.Explanation.ServerText + r.Explanation.What + r.Explanation.Next)
	}
	if r.Err != nil {
		all.WriteString(r.Err.Error())
	}
	for _, secret := range []string{password, base64.StdEncoding.EncodeToString([]byte(password)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password))} {
		if strings.Contains(all.String(), secret) {
			t.Fatalf("the password leaked into the result:\n%s", all.String())
		}
	}
}

func checkValue(r *connectivity.Result, name string) string {
	c, ok := r.Check(name)
	if !ok {
		return ""
	}
	return c.Value
}

func TestSMTPEveryProtectionAndAuthentication(t *testing.T) {
	chain := mailtest.NewChain(t)
	servers := map[connectivity.Protection]int{
		connectivity.Off:               mailtest.SMTP(t, chain, mailtest.Options{Mechs: allMechs, User: user, Password: password}),
		connectivity.Implicit:          mailtest.SMTP(t, chain, mailtest.Options{Implicit: true, Mechs: allMechs, User: user, Password: password}),
		connectivity.STARTTLSMandatory: mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: allMechs, User: user, Password: password}),
		connectivity.STARTTLSOptional:  mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: allMechs, User: user, Password: password}),
	}
	for pr, port := range servers {
		for _, auth := range []connectivity.Auth{connectivity.AuthNone, connectivity.AuthPlain, connectivity.AuthEncrypted} {
			t.Run(fmt.Sprintf("%s/%s", pr, auth), func(t *testing.T) {
				req := request(port, pr, auth, chain)
				req.VerifyCertificate = pr != connectivity.Off
				req.Host = mailtest.Host + ":" + fmt.Sprint(port) // the name the certificate is for…
				r := runAt(t, req)                                // …reached on loopback
				if !r.OK() {
					t.Fatalf("not OK: %s %+v %v %+v", r.Banner, r.Checks, r.Err, r.Explanation)
				}
				if want := fmt.Sprintf("Successfully reached host at %s:%d", mailtest.Host, port); r.Banner != want {
					t.Errorf("banner %q", r.Banner)
				}
				tlsUsed := pr != connectivity.Off
				if tlsUsed != (len(r.Chain) == 2) {
					t.Errorf("chain of %d certificates", len(r.Chain))
				}
				if tlsUsed && checkValue(r, "Server Certificate") != "Valid" {
					t.Errorf("Server Certificate: %q", checkValue(r, "Server Certificate"))
				}
				if strings.HasPrefix(string(pr), "STARTTLS") && checkValue(r, "STARTTLS") != "Supported" {
					t.Errorf("STARTTLS: %q", checkValue(r, "STARTTLS"))
				}
				if auth != connectivity.AuthNone && checkValue(r, "Authentication") != "Successful" {
					t.Errorf("Authentication: %q", checkValue(r, "Authentication"))
				}
				if r.SentInClear != (auth != connectivity.AuthNone && !tlsUsed) {
					t.Errorf("SentInClear = %v", r.SentInClear)
				}
				assertNoSecret(t, r)
			})
		}
	}
}

// runAt runs req against 127.0.0.1 while checking certificates for the
// host typed in req.Host.
func runAt(t *testing.T, req connectivity.Request) *connectivity.Result {
	t.Helper()
	req.ConnectTo = "127.0.0.1"
	return connectivity.Run(context.Background(), req)
}

func TestSMTPLoginFallbackAndCRAMMissing(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"LOGIN"}, User: user, Password: password})
	req := request(port, connectivity.STARTTLSMandatory, connectivity.AuthPlain, chain)
	r := connectivity.Run(context.Background(), req)
	if checkValue(r, "Authentication") != "Successful" || !strings.Contains(transcript(r), "AUTH LOGIN") {
		t.Fatalf("LOGIN fallback: %+v\n%s", r.Checks, transcript(r))
	}
	assertNoSecret(t, r)
	req.Auth = connectivity.AuthEncrypted
	r = connectivity.Run(context.Background(), req)
	if r.OK() || !strings.Contains(r.Explanation.What, "CRAM-MD5") {
		t.Fatalf("CRAM-MD5 missing: %+v", r.Explanation)
	}
}

func transcript(r *connectivity.Result) string {
	var b strings.Builder
	for _, l := range r.Transcript {
		if l.FromServer {
			b.WriteString("S: ")
		} else {
			b.WriteString("C: ")
		}
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

func TestSMTPGmailReplies(t *testing.T) {
	chain := mailtest.NewChain(t)
	gmail := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"LOGIN", "PLAIN", "XOAUTH2"}, User: user, Password: password})
	appPw := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, AppPasswordRequired: true, Mechs: []string{"PLAIN"}, User: user, Password: password})

	wrong := request(gmail, connectivity.STARTTLSMandatory, connectivity.AuthPlain, chain)
	wrong.Password = []byte("not-the-password")
	r := connectivity.Run(context.Background(), wrong)
	if checkValue(r, "Authentication") != "Unsuccessful" || r.Explanation == nil ||
		!strings.Contains(r.Explanation.What, "did not accept the user name or password") ||
		!strings.Contains(r.Explanation.ServerText, "535") || !strings.Contains(r.Explanation.ServerText, "5.7.8") {
		t.Fatalf("wrong password: %+v %+v", r.Checks, r.Explanation)
	}

	r = connectivity.Run(context.Background(), request(appPw, connectivity.STARTTLSMandatory, connectivity.AuthPlain, chain))
	if r.Explanation == nil || !strings.Contains(r.Explanation.What, "App Password") ||
		!strings.Contains(r.Explanation.Next, "2-Step Verification") || !strings.Contains(r.Explanation.ServerText, "5.7.9") {
		t.Fatalf("app password: %+v", r.Explanation)
	}

	// Talking to Gmail in clear: 530 5.7.0 before STARTTLS.
	clear := request(gmail, connectivity.Off, connectivity.AuthNone, chain)
	clear.From, clear.To = user, user
	r = connectivity.Run(context.Background(), clear)
	if r.Explanation == nil || !strings.Contains(r.Explanation.What, "requires encryption to be switched on (STARTTLS)") || !strings.Contains(r.Explanation.ServerText, "530") {
		t.Fatalf("530: %+v", r.Explanation)
	}
	// Gmail offers no AUTH before STARTTLS.
	r = connectivity.Run(context.Background(), request(gmail, connectivity.Off, connectivity.AuthPlain, chain))
	if r.Explanation == nil || !strings.Contains(r.Explanation.Next, "STARTTLS Mandatory") || r.SentInClear {
		t.Fatalf("no AUTH in clear: %+v sentInClear=%v", r.Explanation, r.SentInClear)
	}
}

func TestSMTPWithoutSTARTTLS(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{Mechs: allMechs, User: user, Password: password})
	r := connectivity.Run(context.Background(), request(port, connectivity.STARTTLSMandatory, connectivity.AuthPlain, chain))
	if checkValue(r, "STARTTLS") != "Not Supported" || r.OK() || !strings.Contains(r.Explanation.What, "does not offer to switch on encryption (STARTTLS)") {
		t.Fatalf("mandatory: %+v %+v", r.Checks, r.Explanation)
	}
	if strings.Contains(transcript(r), "C: AUTH") {
		t.Fatal("authenticated although STARTTLS was mandatory and missing")
	}
	// Optional: goes on in clear, and says so.
	r = connectivity.Run(context.Background(), request(port, connectivity.STARTTLSOptional, connectivity.AuthPlain, chain))
	if !r.OK() || !r.SentInClear || checkValue(r, "Encryption") != "None" {
		t.Fatalf("optional: %+v", r.Checks)
	}
}

func TestSMTPMailAddresses(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true})
	req := request(port, connectivity.STARTTLSMandatory, connectivity.AuthNone, chain)
	req.From, req.To = "me@example.com", "you@example.com"
	r := connectivity.Run(context.Background(), req)
	if !r.OK() || checkValue(r, "MAIL FROM") != "Accepted" || checkValue(r, "RCPT TO") != "Accepted" {
		t.Fatalf("%+v", r.Checks)
	}
	tr := transcript(r)
	if !strings.Contains(tr, "C: RSET") || strings.Contains(tr, "DATA") {
		t.Fatalf("a mail transaction must end with RSET and never DATA:\n%s", tr)
	}
	req.To = "nobody@example.com"
	r = connectivity.Run(context.Background(), req)
	if r.OK() || checkValue(r, "RCPT TO") != "Rejected" || !strings.Contains(r.Explanation.What, "recipient") {
		t.Fatalf("%+v %+v", r.Checks, r.Explanation)
	}
}
