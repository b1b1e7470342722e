package connectivity

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

const (
	testUser     = "someone@example.com"
	testPassword = "Distinctive-Pa55word!"
)

// mailServers starts a real loopback server of protocol p for each
// Protection, offering every mechanism, for testUser and testPassword.
func mailServers(t *testing.T, p Protocol, chain mailtest.Chain) map[Protection]int {
	start := map[Protocol]func(testing.TB, mailtest.Chain, mailtest.Options) int{
		SMTP: mailtest.SMTP, IMAP: mailtest.IMAP, POP3: mailtest.POP3,
	}[p]
	ports := map[Protection]int{}
	for _, pr := range protections {
		ports[pr] = start(t, chain, mailtest.Options{
			Implicit: pr == Implicit, STARTTLS: pr == STARTTLSMandatory || pr == STARTTLSOptional,
			Mechs: []string{"PLAIN", "LOGIN", "CRAM-MD5"}, User: testUser, Password: testPassword,
		})
	}
	return ports
}

// serverSaid reports whether every line of text is part of a line the
// server sent: "the server's words" must be the server's.
func serverSaid(r *Result, text string) bool {
	for _, want := range strings.Split(text, "\n") {
		found := false
		for _, l := range r.Transcript {
			if l.FromServer && strings.Contains(l.Text, want) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TestWrongPasswordEveryProtocolAuthProtection: a wrong password is
// explained as one, with a next step that fits the form, whatever the
// protocol, Authentication and Protection, against the real servers. With
// POP3's Encrypted User/Password it once read "The server refused ***" and
// "See the server's answer below".
func TestWrongPasswordEveryProtocolAuthProtection(t *testing.T) {
	chain := mailtest.NewChain(t)
	for _, p := range []Protocol{SMTP, IMAP, POP3} {
		ports := mailServers(t, p, chain)
		for _, auth := range []Auth{AuthPlain, AuthEncrypted} {
			for _, pr := range protections {
				t.Run(fmt.Sprintf("%s/%s/%s", p, auth, pr.Label(p)), func(t *testing.T) {
					r := Run(context.Background(), Request{Protocol: p, Host: mailtest.Host, ConnectTo: "127.0.0.1", Port: ports[pr],
						Protection: pr, Auth: auth, User: testUser, Password: []byte("not-the-password"),
						VerifyCertificate: pr != Off, Trusted: chain.Trusted(),
						Timeouts: Timeouts{Connect: 2 * time.Second, Reply: 3 * time.Second, Total: 10 * time.Second}})
					if c, _ := r.Check("Authentication"); c.Value != "Unsuccessful" || r.Explanation == nil {
						t.Fatalf("checks %+v, err %v", r.Checks, r.Err)
					}
					e := r.Explanation
					if e.What != "The server did not accept the user name or password." {
						t.Errorf("What: %q", e.What)
					}
					if !strings.Contains(e.Next, "Check the credential") || strings.Contains(e.What+e.Next, "***") {
						t.Errorf("Next: %q", e.Next)
					}
					if bad := repeatsChoice(e.Next, r); bad != "" {
						t.Errorf("the next step names %q again: %s", bad, e.Next)
					}
					if e.ServerText == "" || !serverSaid(r, e.ServerText) {
						t.Errorf("the server's words %q are not what it sent:\n%v", e.ServerText, r.Transcript)
					}
					if v := r.Verdict(); v.Level != Failed || !strings.Contains(v.Headline, "authentication was unsuccessful") {
						t.Errorf("verdict %+v", v)
					}
				})
			}
		}
	}
}

// TestServerWordsAreOnlyTheServers: what the Response calls "the server's
// words" is a line the server sent, or nothing; Go's error texts (such as
// "tls: first record does not look like a TLS handshake") stay in Err,
// for the technical detail.
func TestServerWordsAreOnlyTheServers(t *testing.T) {
	chain := mailtest.NewChain(t)
	smtpPort := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN"}, User: testUser, Password: testPassword})
	imapPort := mailtest.IMAP(t, chain, mailtest.Options{STARTTLS: true, User: testUser, Password: testPassword})
	plainText := mailtest.Raw(t, func(c net.Conn) { fmt.Fprintf(c, "220 mail ESMTP ready\r\n"); time.Sleep(time.Second) })
	ssh := mailtest.Raw(t, func(c net.Conn) { fmt.Fprintf(c, "SSH-2.0-OpenSSH_9.6\r\n") })
	garbage := mailtest.Raw(t, func(c net.Conn) { c.Write([]byte("\x00\xff\xfe\r\n")) })
	closing := mailtest.Raw(t, func(c net.Conn) {})
	refusing := mailtest.Raw(t, func(c net.Conn) { fmt.Fprintf(c, "554 5.7.1 No service for you\r\n") })
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()

	cases := []struct {
		name      string
		req       Request
		serverish string // a word the server's words must hold; "" when it said nothing useful
	}{
		{"TLS expected, plain text came", Request{Protocol: SMTP, Port: plainText, Protection: Implicit}, ""},
		{"an SSH server", Request{Protocol: SMTP, Port: ssh, Protection: Off}, "SSH-2.0"},
		{"binary garbage", Request{Protocol: SMTP, Port: garbage, Protection: Off}, ""},
		{"closed at once", Request{Protocol: SMTP, Port: closing, Protection: Off}, ""},
		{"connection refused", Request{Protocol: SMTP, Port: closed, Protection: Off}, ""},
		{"refused greeting", Request{Protocol: SMTP, Port: refusing, Protection: Off}, "554 5.7.1 No service for you"},
		{"untrusted certificate", Request{Protocol: SMTP, Port: smtpPort, Protection: STARTTLSMandatory, VerifyCertificate: true}, ""},
		{"rejected recipient", Request{Protocol: SMTP, Port: smtpPort, Protection: STARTTLSMandatory, From: "me@example.com", To: "nobody@example.com"}, "550"},
		{"no such folder", Request{Protocol: IMAP, Port: imapPort, Protection: STARTTLSMandatory, Auth: AuthPlain,
			User: testUser, Password: []byte(testPassword), Mailbox: "Archive"}, "NO"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := c.req
			req.Host, req.ConnectTo = mailtest.Host, "127.0.0.1"
			req.Timeouts = Timeouts{Connect: time.Second, Reply: 500 * time.Millisecond, Total: 3 * time.Second}
			r := Run(context.Background(), req)
			if r.OK() || r.Explanation == nil {
				t.Fatalf("passed: %+v", r.Checks)
			}
			e := r.Explanation
			if c.serverish == "" && e.ServerText != "" || c.serverish != "" && !strings.Contains(e.ServerText, c.serverish) {
				t.Errorf("the server's words: %q", e.ServerText)
			}
			if e.ServerText != "" && !serverSaid(r, e.ServerText) {
				t.Errorf("%q is not what the server sent", e.ServerText)
			}
			for _, goText := range []string{"tls:", "read:", "connect:", "EOF", "dial tcp", "connection refused", "x509"} {
				if strings.Contains(e.What+e.Next+e.ServerText, goText) {
					t.Errorf("Go's words %q in the explanation: %+v", goText, e)
				}
			}
			if r.Err == nil {
				if c.name != "rejected recipient" {
					t.Error("no error for the technical detail")
				}
			}
		})
	}
}

// TestVerdict: one headline, green only when every check the user asked
// for passed; the same rule as OK.
func TestVerdict(t *testing.T) {
	chain := mailtest.NewChain(t)
	smtp := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN"}, User: testUser, Password: testPassword})
	noSTARTTLS := mailtest.SMTP(t, chain, mailtest.Options{Mechs: []string{"PLAIN"}, User: testUser, Password: testPassword})
	mute := mailtest.Raw(t, func(c net.Conn) { fmt.Fprintf(c, "hello, I am not a mail server\r\n") })
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	at := func(port int) string { return fmt.Sprintf("%s:%d", mailtest.Host, port) }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	cases := []struct {
		name  string
		ctx   context.Context
		req   Request
		level Level
		says  string
	}{
		{"all passed", nil, Request{Port: smtp, Protection: STARTTLSMandatory, Auth: AuthPlain, Password: []byte(testPassword), VerifyCertificate: true, Trusted: chain.Trusted()},
			Passed, "Test passed: " + at(smtp) + " was reached and every check you asked for succeeded."},
		{"certificate reported, not required", nil, Request{Port: smtp, Protection: STARTTLSMandatory}, Passed, "Test passed"},
		{"STARTTLS optional and missing", nil, Request{Port: noSTARTTLS, Protection: STARTTLSOptional}, Passed, "Test passed"},
		{"wrong password", nil, Request{Port: smtp, Protection: STARTTLSMandatory, Auth: AuthPlain, Password: []byte("wrong")},
			Failed, "Test failed: reached " + at(smtp) + ", but authentication was unsuccessful."},
		{"certificate required", nil, Request{Port: smtp, Protection: STARTTLSMandatory, VerifyCertificate: true}, Failed, "its certificate is not valid"},
		{"STARTTLS mandatory and missing", nil, Request{Port: noSTARTTLS, Protection: STARTTLSMandatory}, Failed, "does not offer STARTTLS"},
		{"no greeting", nil, Request{Port: mute, Protection: Off}, Failed, "Test failed: reached " + at(mute) + ", but the server did not greet as expected."},
		{"not reached", nil, Request{Port: closed, Protection: Off}, Failed, "Test failed: could not reach " + at(closed) + "."},
		{"cancelled", ctx, Request{Port: smtp, Protection: STARTTLSMandatory}, Cancelled, "Test cancelled"},
		{"bad host", nil, Request{Host: "me@example.com", Port: smtp}, Failed, "Test failed: the Host or Port cannot be used"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := c.req
			req.Protocol, req.ConnectTo, req.User = SMTP, "127.0.0.1", testUser
			if req.Host == "" {
				req.Host = mailtest.Host
			}
			req.Timeouts = Timeouts{Connect: time.Second, Reply: 500 * time.Millisecond, Total: 3 * time.Second}
			if c.ctx == nil {
				c.ctx = context.Background()
			}
			r := Run(c.ctx, req)
			v := r.Verdict()
			if v.Level != c.level || !strings.Contains(v.Headline, c.says) {
				t.Errorf("verdict %+v, want %v %q (checks %+v, err %v)", v, c.level, c.says, r.Checks, r.Err)
			}
			if (v.Level == Passed) != r.OK() {
				t.Errorf("verdict %v but OK() = %v", v.Level, r.OK())
			}
			if v.Level != Passed && strings.Contains(v.Headline, "Success") {
				t.Errorf("a failed test's headline reads as a success: %q", v.Headline)
			}
		})
	}
}

// A test the user cancels before the host answers is not reported as a
// host that could not be reached.
func TestCancelledWhileConnectingIsNotUnreachable(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	port := mailtest.Raw(t, func(c net.Conn) {})
	res := Run(ctx, Request{Protocol: SMTP, Host: mailtest.Host, Port: port, Protection: Off})
	if res.Reached {
		t.Fatal("a test cancelled before it started reached the host")
	}
	if strings.Contains(res.Banner, "Could not reach") || !strings.Contains(res.Banner, "cancelled while connecting") {
		t.Fatalf("banner %q", res.Banner)
	}
}
