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

// repeatsChoice returns what in a next step names the Protection or the
// port the request already has: telling a user to pick what they picked
// sends them round in a circle. "STARTTLS Mandatory" is a fair step from
// STARTTLS Optional, and the other way round.
func repeatsChoice(next string, r *Result) string {
	if m := regexp.MustCompile(fmt.Sprintf(`port %d\b`, r.Port)).FindString(next); m != "" {
		return m
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

// TestHintsNeverRepeatTheChoice walks every line of the hint table for
// every protocol, Protection and port the user may have chosen: no next
// step may name the Protection or port already chosen.
func TestHintsNeverRepeatTheChoice(t *testing.T) {
	noTLS := &TLSError{Err: tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}}
	failures := []struct {
		name string
		err  error
		fail Check // a failed check line, when err is nil
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
		{"wrong password", &ReplyError{Command: "AUTH PLAIN ***", Code: 535, Text: "5.7.8 Username and Password not accepted."}, Check{}},
		{"STARTTLS first", &ReplyError{Command: "MAIL FROM:<a@b>", Code: 530, Text: "5.7.0 Must issue a STARTTLS command first."}, Check{}},
		{"busy", &ReplyError{Command: "EHLO", Code: 421, Text: "try later"}, Check{}},
		{"refusal", &ReplyError{Command: "NOOP", Code: 502, Text: "no"}, Check{}},
		{"no STARTTLS", errNoSTARTTLS, Check{}},
		{"no AUTH", errNoAUTH, Check{}},
		{"no CRAM-MD5", errNoCRAMMD5, Check{}},
		{"no PLAIN", errNoPlainAuth, Check{}},
		{"garbage", &ProtocolError{Step: "EHLO", Line: "\x00"}, Check{}},
		{"endless line", ErrLineTooLong, Check{}},
		{"closed", &NetError{Op: "read", Err: io.EOF}, Check{}},
		{"STARTTLS check", nil, Check{Name: "STARTTLS", Value: "Not Supported"}},
		{"recipient check", nil, Check{Name: "RCPT TO", Value: "Rejected"}},
	}
	// possible leaves out states no test reaches: TLS errors without TLS
	// asked for, a missing STARTTLS that was optional, and so on.
	possible := func(p Protocol, name string, pr Protection, encrypted bool) bool {
		switch name {
		case "wrong password", "STARTTLS first", "busy", "refusal", "no AUTH", "no CRAM-MD5", "no PLAIN", "garbage", "recipient check":
			if p == TLS {
				return false // the TLS tab says nothing after the handshake
			}
		case "no TLS", "old TLS", "no cipher", "client certificate":
			return pr != Off && !encrypted
		case "no STARTTLS", "STARTTLS check":
			return pr == STARTTLSMandatory && !encrypted
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
					for _, f := range failures {
						if !possible(p, f.name, pr, encrypted) {
							continue
						}
						r := &Result{Protocol: p, Protection: pr, Host: "mail.example.com", Port: port, Reached: true, Err: f.err}
						if encrypted {
							r.TLSVersion = "TLS 1.3"
						}
						if f.err == nil {
							r.Checks = []Check{f.fail}
						}
						e := explain(r)
						if e == nil || e.What == "" || e.Next == "" {
							t.Errorf("%s %s port %d, %s: explanation %+v", p, pr, port, f.name, e)
							continue
						}
						if bad := repeatsChoice(e.Next, r); bad != "" {
							t.Errorf("%s with %s on port %d (TLS %v), %s: the next step names %q again: %s",
								p, pr.Label(p), port, encrypted, f.name, bad, e.Next)
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
