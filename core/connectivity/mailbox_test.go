package connectivity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

type startServer func(testing.TB, mailtest.Chain, mailtest.Options) int

var mailboxProtocols = map[connectivity.Protocol]startServer{
	connectivity.IMAP: mailtest.IMAP,
	connectivity.POP3: mailtest.POP3,
}

func mailboxRequest(p connectivity.Protocol, port int, pr connectivity.Protection, auth connectivity.Auth, chain mailtest.Chain) connectivity.Request {
	req := request(port, pr, auth, chain)
	req.Protocol = p
	req.Host, req.ConnectTo = mailtest.Host, "127.0.0.1"
	req.VerifyCertificate = pr != connectivity.Off
	if p == connectivity.IMAP {
		req.Mailbox = "INBOX"
	} else {
		req.CheckMailbox = true
	}
	return req
}

func TestMailboxProtocolsEveryProtectionAndAuthentication(t *testing.T) {
	chain := mailtest.NewChain(t)
	for proto, start := range mailboxProtocols {
		opts := mailtest.Options{Mechs: []string{"PLAIN", "CRAM-MD5"}, User: user, Password: password, Messages: 5, Unread: 2}
		servers := map[connectivity.Protection]int{}
		servers[connectivity.Off] = start(t, chain, opts)
		implicit := opts
		implicit.Implicit = true
		servers[connectivity.Implicit] = start(t, chain, implicit)
		starttls := opts
		starttls.STARTTLS = true
		servers[connectivity.STARTTLSMandatory] = start(t, chain, starttls)
		servers[connectivity.STARTTLSOptional] = servers[connectivity.STARTTLSMandatory]

		for pr, port := range servers {
			for _, auth := range []connectivity.Auth{connectivity.AuthPlain, connectivity.AuthEncrypted} {
				t.Run(fmt.Sprintf("%s/%s/%s", proto, pr, auth), func(t *testing.T) {
					r := connectivity.Run(context.Background(), mailboxRequest(proto, port, pr, auth, chain))
					if !r.OK() {
						t.Fatalf("%s %+v %v %+v\n%s", r.Banner, r.Checks, r.Err, r.Explanation, transcript(r))
					}
					if checkValue(r, "Authentication") != "Successful" || r.Messages != 5 {
						t.Errorf("checks %+v, messages %d", r.Checks, r.Messages)
					}
					if proto == connectivity.IMAP && r.Unread != 2 {
						t.Errorf("unread %d", r.Unread)
					}
					if (pr != connectivity.Off) != (checkValue(r, "Server Certificate") == "Valid") {
						t.Errorf("Server Certificate: %q", checkValue(r, "Server Certificate"))
					}
					if r.SentInClear != (pr == connectivity.Off) {
						t.Errorf("SentInClear %v", r.SentInClear)
					}
					assertNoSecret(t, r)
				})
			}
		}
	}
}

// TestClearTextSaysWhatWasSent: without TLS, PLAIN, LOGIN and USER/PASS
// send the password itself, CRAM-MD5 only a digest of it; the Encryption
// line says which, for every protocol.
func TestClearTextSaysWhatWasSent(t *testing.T) {
	chain := mailtest.NewChain(t)
	servers := map[connectivity.Protocol]startServer{connectivity.SMTP: mailtest.SMTP, connectivity.IMAP: mailtest.IMAP, connectivity.POP3: mailtest.POP3}
	for proto, start := range servers {
		port := start(t, chain, mailtest.Options{Mechs: []string{"PLAIN", "CRAM-MD5"}, User: user, Password: password})
		for auth, want := range map[connectivity.Auth]string{
			connectivity.AuthPlain:     "the password was sent unencrypted",
			connectivity.AuthEncrypted: "the password's digest was sent unencrypted",
		} {
			t.Run(fmt.Sprintf("%s/%s", proto, auth), func(t *testing.T) {
				req := request(port, connectivity.Off, auth, chain)
				req.Protocol = proto
				r := connectivity.Run(context.Background(), req)
				c, _ := r.Check("Encryption")
				if !r.OK() || !r.SentInClear || !strings.HasPrefix(c.Note, want+",") {
					t.Fatalf("Encryption: %q (OK %v, sent in clear %v, %v)", c.Note, r.OK(), r.SentInClear, r.Err)
				}
			})
		}
	}
}

func TestMailboxProtocolFailures(t *testing.T) {
	chain := mailtest.NewChain(t)
	for proto, start := range mailboxProtocols {
		t.Run(string(proto), func(t *testing.T) {
			port := start(t, chain, mailtest.Options{Mechs: []string{"PLAIN"}, User: user, Password: password})
			wrong := mailboxRequest(proto, port, connectivity.Off, connectivity.AuthPlain, chain)
			wrong.Password = []byte("nope")
			r := connectivity.Run(context.Background(), wrong)
			if checkValue(r, "Authentication") != "Unsuccessful" || r.Explanation == nil || !strings.Contains(r.Explanation.What, "did not accept the user name or password") {
				t.Fatalf("wrong password: %+v %+v\n%s", r.Checks, r.Explanation, transcript(r))
			}
			r = connectivity.Run(context.Background(), mailboxRequest(proto, port, connectivity.STARTTLSMandatory, connectivity.AuthPlain, chain))
			if r.OK() || !strings.Contains(r.Explanation.What, "does not offer to switch on encryption (STARTTLS)") || strings.Contains(transcript(r), "***") {
				t.Fatalf("no STARTTLS: %+v\n%s", r.Explanation, transcript(r))
			}
			r = connectivity.Run(context.Background(), mailboxRequest(proto, port, connectivity.Off, connectivity.AuthEncrypted, chain))
			if r.OK() || !strings.Contains(r.Explanation.What, "CRAM-MD5") {
				t.Fatalf("no CRAM-MD5: %+v", r.Explanation)
			}
		})
	}
}

func TestIMAPListFolders(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.IMAP(t, chain, mailtest.Options{STARTTLS: true, User: user, Password: password, Folders: []string{"Archive", "Sent Items", `Odd "quoted"`}})
	req := mailboxRequest(connectivity.IMAP, port, connectivity.STARTTLSMandatory, connectivity.AuthPlain, chain)
	req.Mailbox, req.ListFolders = "", true
	r := connectivity.Run(context.Background(), req)
	if !r.OK() {
		t.Fatalf("%+v %v\n%s", r.Checks, r.Err, transcript(r))
	}
	got := strings.Join(r.Folders, "|")
	for _, want := range []string{"INBOX", "Archive", "Sent Items", `Odd "quoted"`} {
		if !strings.Contains(got, want) {
			t.Errorf("folders %q lack %q", got, want)
		}
	}
}

func TestTLSTab(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{Implicit: true})
	req := connectivity.Request{Protocol: connectivity.TLS, Host: mailtest.Host, ConnectTo: "127.0.0.1", Port: port, VerifyCertificate: true, Trusted: chain.Trusted()}
	r := connectivity.Run(context.Background(), req)
	if !r.OK() || checkValue(r, "Server Certificate") != "Valid" || r.TLSVersion != "TLS 1.3" || len(r.Chain) != 2 {
		t.Fatalf("%+v %s %v", r.Checks, r.TLSVersion, r.Err)
	}
	req.Trusted = nil
	r = connectivity.Run(context.Background(), req)
	if r.OK() || !strings.Contains(r.Explanation.Next, "Add to Keystore") {
		t.Fatalf("untrusted: %+v", r.Explanation)
	}
}
