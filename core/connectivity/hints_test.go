package connectivity

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/problem"
)

var protections = []Protection{Off, Implicit, STARTTLSMandatory, STARTTLSOptional}

var authUnsuccessful = Check{Name: "Authentication", Value: "Unsuccessful"}

// repeatsChoice returns what in a next step names the Protection, the
// port or the Authentication the request already has, or an
// Authentication the tab does not offer: telling a user to pick what they
// picked sends them round in a circle. "STARTTLS Mandatory" is a fair step
// from STARTTLS Optional, and the other way round.
func repeatsChoice(next string, r *Result) string {
	if m := regexp.MustCompile(fmt.Sprintf(`port %d\b`, r.Port)).FindString(next); m != "" {
		return m
	}
	for _, a := range []Auth{AuthNone, AuthPlain, AuthEncrypted} {
		chosen := a == r.Auth || a == AuthNone && r.Auth == ""
		missing := r.Protocol == TLS || a == AuthNone && r.Protocol == POP3 // POP3 always logs in
		if m := regexp.MustCompile(`(?i)choose (Authentication )?` + regexp.QuoteMeta(string(a))).FindString(next); m != "" && (chosen || missing) {
			return m
		}
	}
	if r.Protocol == TLS { // the TLS tab has no Protection to choose
		return regexp.MustCompile(`Protection|STARTTLS|TLSS`).FindString(next)
	}
	switch r.Protection {
	case Off:
		return regexp.MustCompile(`\bOff\b`).FindString(next)
	case Implicit:
		return regexp.MustCompile(`\b` + Implicit.Label(r.Protocol) + `\b`).FindString(next)
	}
	fair := STARTTLSOptional
	if r.Protection == STARTTLSOptional {
		fair = STARTTLSMandatory
	}
	for _, m := range regexp.MustCompile(`STARTTLS( \w+)?`).FindAllString(next, -1) {
		if m != string(fair) {
			return m
		}
	}
	return ""
}

// jargon returns a word of e that a user meets without a plain sentence
// first: protocol commands, Go's error texts, a hidden secret, or a
// mention of (START)TLS in What that does not say "encrypt" around it.
func jargon(e *Explanation) string {
	text := e.What + " " + e.Next
	for _, w := range []string{"implicit", "handshake", "first record", "plaintext"} {
		if strings.Contains(strings.ToLower(text), w) {
			return w
		}
	}
	for _, w := range []string{"SASL", "EHLO", "CAPA ", "STLS", "LOGINDISABLED", "tls:", "EOF", "***", "x509", "PKIX", "errno",
		"dial tcp", "unexpected reply", "See the server's answer"} {
		if strings.Contains(text, w) {
			return w
		}
	}
	if strings.Contains(e.What, "TLS") && !strings.Contains(e.What, "encrypt") {
		return "TLS"
	}
	return ""
}

// TestHintsNeverRepeatTheChoice walks every line of the hint table for
// every protocol, Protection, port and Authentication the user may have
// chosen: no next step may name the Protection, port or Authentication
// already chosen, none may use jargon without a plain sentence, and "the
// server's words" are only ever a server's reply.
func TestHintsNeverRepeatTheChoice(t *testing.T) {
	noTLS := &TLSError{Err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}}
	failures := []struct {
		name string
		err  error
		fail Check // a failed check line, when err is nil; with err, the Authentication line
	}{
		{"host input", &problem.Error{Source: "x y", Kind: ErrBadHost, What: "contains spaces", Hint: "Type only the server's name."}, Check{}},
		{"cancelled", context.Canceled, Check{}},
		{"unknown name", &NetError{Op: "connect", Err: &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}}, Check{}},
		{"refused", &NetError{Op: "connect", Err: syscall.ECONNREFUSED}, Check{}},
		{"no route", &NetError{Op: "connect", Err: syscall.EHOSTUNREACH}, Check{}},
		{"silent", &NetError{Op: "read", Err: os.ErrDeadlineExceeded}, Check{}},
		{"certificate", &CertError{Reason: "expired", Kind: CertExpired}, Check{}},
		{"no TLS", noTLS, Check{}},
		{"old TLS", &TLSError{Err: errors.New("tls: server selected unsupported protocol version 302")}, Check{}},
		{"no cipher", &TLSError{Err: errors.New("remote error: tls: handshake failure")}, Check{}},
		{"client certificate", &TLSError{Err: errors.New("remote error: tls: certificate required")}, Check{}},
		{"wrong password", &ReplyError{Command: "AUTH PLAIN ***", Code: 535, Text: "5.7.8 Username and Password not accepted.",
			Reply: "535 5.7.8 Username and Password not accepted."}, authUnsuccessful},
		{"wrong password, no code", &ReplyError{Command: "AUTH CRAM-MD5", Text: "-ERR [AUTH] Username and password not accepted.",
			Reply: "-ERR [AUTH] Username and password not accepted."}, authUnsuccessful},
		{"App Password", &ReplyError{Command: "AUTH PLAIN ***", Code: 534, Text: "5.7.9 Application-specific password required."}, authUnsuccessful},
		{"basic auth off", &ReplyError{Command: "AUTH LOGIN", Code: 535, Text: "5.7.139 Authentication unsuccessful, basic authentication is disabled."}, authUnsuccessful},
		{"line break", fmt.Errorf("%w, which POP3 cannot carry", errLineBreak), authUnsuccessful},
		{"no such folder", &ReplyError{Command: `STATUS "Archive" (MESSAGES UNSEEN)`, Text: "NO [NONEXISTENT] no such mailbox"}, Check{}},
		{"refused greeting", &ReplyError{Command: "greeting", Code: 554, Text: "no service"}, Check{}},
		{"STARTTLS refused", &ReplyError{Command: "STARTTLS", Code: 502, Text: "not now"}, Check{}},
		{"STARTTLS first", &ReplyError{Command: "MAIL FROM:<a@b>", Code: 530, Text: "5.7.0 Must issue a STARTTLS command first."}, Check{}},
		{"busy", &ReplyError{Command: "EHLO", Code: 421, Text: "try later"}, Check{}},
		{"refusal", &ReplyError{Command: "NOOP", Code: 502, Text: "no"}, Check{}},
		{"no STARTTLS", errNoSTARTTLS, Check{}},
		{"no AUTH", errNoAUTH, authUnsuccessful},
		{"no CRAM-MD5", errNoCRAMMD5, authUnsuccessful},
		{"no PLAIN", fmt.Errorf("%w (it offers XOAUTH2)", errNoPlainAuth), authUnsuccessful},
		{"only CRAM-MD5", fmt.Errorf("%w (it offers CRAM-MD5)", errNoPlainAuth), authUnsuccessful},
		{"garbage", &ProtocolError{Step: "EHLO", Line: "\x00"}, Check{}},
		{"another server", &ProtocolError{Step: "greeting", Line: "SSH-2.0-OpenSSH_9.6"}, Check{}},
		{"endless line", ErrLineTooLong, Check{}},
		{"closed", &NetError{Op: "read", Err: io.EOF}, Check{}},
		{"STARTTLS check", nil, Check{Name: "STARTTLS", Value: "Not Supported"}},
		{"recipient check", nil, Check{Name: "RCPT TO", Value: "Rejected", Note: "550 5.1.1 no such user"}},
	}
	// possible leaves out states no test reaches: TLS errors without TLS
	// asked for, a missing STARTTLS that was optional, and so on.
	possible := func(p Protocol, name string, pr Protection, auth Auth, encrypted bool) bool {
		if p == TLS && auth != AuthNone {
			return false // the TLS tab has no Authentication
		}
		switch name {
		case "wrong password", "wrong password, no code", "App Password", "basic auth off", "line break", "no AUTH":
			if auth == AuthNone {
				return false
			}
		case "no CRAM-MD5":
			if auth != AuthEncrypted {
				return false
			}
		case "no PLAIN", "only CRAM-MD5":
			if auth != AuthPlain {
				return false
			}
		}
		switch name {
		case "wrong password", "wrong password, no code", "App Password", "basic auth off", "line break", "no such folder", "refused greeting",
			"STARTTLS first", "busy", "refusal", "no AUTH", "no CRAM-MD5", "no PLAIN", "only CRAM-MD5",
			"garbage", "another server", "recipient check", "endless line":
			if p == TLS {
				return false // the TLS tab says nothing after the handshake
			}
		case "no TLS", "old TLS", "no cipher", "client certificate":
			return pr != Off && !encrypted
		case "no STARTTLS", "STARTTLS check":
			return pr == STARTTLSMandatory && !encrypted
		case "STARTTLS refused":
			return p != TLS && (pr == STARTTLSMandatory || pr == STARTTLSOptional) && !encrypted
		}
		return pr != Implicit || encrypted
	}
	for _, p := range []Protocol{SMTP, IMAP, POP3, TLS} {
		for _, pr := range protections {
			if p == TLS && pr != Implicit {
				continue
			}
			ports := []int{DefaultPort(p, STARTTLSMandatory), DefaultPort(p, Implicit), 2525}
			for _, port := range ports {
				for _, encrypted := range []bool{false, true} {
					for _, auth := range []Auth{AuthNone, AuthPlain, AuthEncrypted} {
						for _, f := range failures {
							if !possible(p, f.name, pr, auth, encrypted) {
								continue
							}
							r := &Result{Protocol: p, Protection: pr, Auth: auth, Host: "mail.example.com", Port: port, Reached: true, Greeted: true, Err: f.err}
							if encrypted {
								r.TLSVersion = "TLS 1.3"
							}
							if f.fail.Name != "" {
								r.Checks = []Check{f.fail}
							}
							e := explain(r)
							where := fmt.Sprintf("%s with %s on port %d (TLS %v), %s, %s", p, pr.Label(p), port, encrypted, auth, f.name)
							if e == nil || e.What == "" || e.Next == "" {
								t.Errorf("%s: explanation %+v", where, e)
								continue
							}
							if bad := repeatsChoice(e.Next, r); bad != "" {
								t.Errorf("%s: the next step names %q again: %s", where, bad, e.Next)
							}
							if w := jargon(e); w != "" {
								t.Errorf("%s: %q without a plain sentence: %s / %s", where, w, e.What, e.Next)
							}
							var re *ReplyError
							switch {
							case errors.As(f.err, &re) && e.ServerText != re.Reply,
								f.name == "another server" && e.ServerText != "SSH-2.0-OpenSSH_9.6",
								f.name == "recipient check" && e.ServerText != f.fail.Note,
								re == nil && f.name != "another server" && f.name != "recipient check" && e.ServerText != "":
								t.Errorf("%s: the server's words are %q", where, e.ServerText)
							}
							if strings.Contains(e.What, "did not accept the user name or password") != strings.HasPrefix(f.name, "wrong password") {
								t.Errorf("%s: %s", where, e.What)
							}
						}
					}
				}
			}
		}
	}
}

// serverTalk is what a misbehaving server says where it does talk right;
// TAG stands for the IMAP command's tag.
type serverTalk struct {
	greeting, capabilities, goAhead string
}

var talks = map[Protocol]serverTalk{
	SMTP: {"220 mail.opsdesk.test ESMTP ready", "250-mail.opsdesk.test\r\n250-STARTTLS\r\n250 AUTH PLAIN", "220 go ahead"},
	IMAP: {"* OK ready", "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\nTAG OK done", "TAG OK begin TLS"},
	POP3: {"+OK ready", "+OK\r\nSTLS\r\nSASL PLAIN\r\nUSER\r\n.", "+OK begin TLS"},
}

// Ways a server goes wrong after a good greeting.
const (
	garbageAfterGreeting = "garbage after the greeting"
	garbageForSTARTTLS   = "garbage for STARTTLS"
	clearAfterSTARTTLS   = "no TLS after agreeing to STARTTLS"
)

// misbehave greets as a p server would, then goes wrong as how says.
func misbehave(p Protocol, how string) func(c net.Conn) {
	talk := talks[p]
	return func(c net.Conn) {
		r := bufio.NewReader(c)
		fmt.Fprintf(c, "%s\r\n", talk.greeting)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			f := append(strings.Fields(line), "", "")
			tag, verb := "", strings.ToUpper(f[0])
			if p == IMAP {
				tag, verb = f[0], strings.ToUpper(f[1])
			}
			switch {
			case how == garbageAfterGreeting:
			case verb == "EHLO" || verb == "CAPABILITY" || verb == "CAPA":
				fmt.Fprintf(c, "%s\r\n", strings.ReplaceAll(talk.capabilities, "TAG", tag))
				continue
			case (verb == "STARTTLS" || verb == "STLS") && how == clearAfterSTARTTLS:
				fmt.Fprintf(c, "%s\r\n", strings.ReplaceAll(talk.goAhead, "TAG", tag))
				r.ReadByte() // the client's TLS hello, answered in clear
				fmt.Fprintf(c, "%s\r\n", talk.greeting)
				return
			}
			c.Write([]byte("\x00\xff what?\r\n"))
		}
	}
}

// TestHintsAfterMisbehavingServers: whatever Protection the user chose,
// a server that goes wrong after its greeting gets a next step that does
// not send the user back to that Protection.
func TestHintsAfterMisbehavingServers(t *testing.T) {
	chain := mailtest.NewChain(t)
	type server struct {
		name  string
		proto Protocol
		auth  Auth
		port  func(pr Protection) int
	}
	var servers []server
	for _, p := range []Protocol{SMTP, IMAP, POP3} {
		for _, how := range []string{garbageAfterGreeting, garbageForSTARTTLS, clearAfterSTARTTLS} {
			port := mailtest.Raw(t, misbehave(p, how))
			servers = append(servers, server{string(p) + " " + how, p, AuthPlain, func(Protection) int { return port }})
		}
	}
	// Real servers that offer no login, or no CRAM-MD5, even over TLS.
	for _, c := range []struct {
		name  string
		auth  Auth
		mechs []string
	}{{"no login", AuthPlain, nil}, {"no CRAM-MD5", AuthEncrypted, []string{"PLAIN"}}} {
		implicit := mailtest.SMTP(t, chain, mailtest.Options{Implicit: true, Mechs: c.mechs})
		starttls := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: c.mechs})
		servers = append(servers, server{"SMTP " + c.name, SMTP, c.auth, func(pr Protection) int {
			if pr == Implicit {
				return implicit
			}
			return starttls
		}})
	}
	for _, s := range servers {
		for _, pr := range protections {
			t.Run(s.name+"/"+string(pr), func(t *testing.T) {
				r := Run(context.Background(), Request{Protocol: s.proto, Host: "127.0.0.1", Port: s.port(pr), Protection: pr,
					Auth: s.auth, User: "someone", Password: []byte("secret"),
					Timeouts: Timeouts{Connect: time.Second, Reply: 400 * time.Millisecond, Total: 3 * time.Second}})
				if r.OK() || r.Explanation == nil {
					t.Fatalf("no explanation: %+v %v", r.Checks, r.Err)
				}
				if bad := repeatsChoice(r.Explanation.Next, r); bad != "" {
					t.Errorf("with %s the next step names %q again: %s (%s; %v)", pr.Label(s.proto), bad, r.Explanation.Next, r.Explanation.What, r.Err)
				}
			})
		}
	}
}
