package mailtest

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
)

// GmailPOP3BadCredentials is pop.gmail.com's answer to a wrong password.
const GmailPOP3BadCredentials = "-ERR [AUTH] Username and password not accepted."

// POP3 starts a small POP3 server (RFC 1939 with CAPA, STLS and SASL
// CRAM-MD5) on loopback and returns its port. No POP3 server library is
// at hand, so this one follows the RFCs' examples closely.
func POP3(t testing.TB, chain Chain, o Options) int {
	cert := chain.TLS
	if o.Cert != nil {
		cert = *o.Cert
	}
	l := listen(t)
	port := Port(l)
	if o.Implicit {
		l = tls.NewListener(l, tlsConfig(cert))
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go (&pop3Conn{o: o, cert: cert}).serve(c)
		}
	}()
	return port
}

type pop3Conn struct {
	o      Options
	cert   tls.Certificate
	conn   net.Conn
	r      *bufio.Reader
	isTLS  bool
	user   string
	authed bool
}

func (p *pop3Conn) say(line string) { fmt.Fprintf(p.conn, "%s\r\n", line) }

func (p *pop3Conn) serve(c net.Conn) {
	defer c.Close()
	p.conn, p.r = c, bufio.NewReader(c)
	_, p.isTLS = c.(*tls.Conn)
	p.say("+OK POP3 server ready <1896.697170952@" + Host + ">")
	for {
		line, err := p.r.ReadString('\n')
		if err != nil {
			return
		}
		cmd, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(cmd) {
		case "CAPA":
			p.say("+OK Capability list follows")
			p.say("USER")
			if len(p.o.Mechs) > 0 {
				p.say("SASL " + strings.Join(p.o.Mechs, " "))
			}
			if p.o.STARTTLS && !p.isTLS {
				p.say("STLS")
			}
			p.say(".")
		case "STLS":
			if !p.o.STARTTLS || p.isTLS {
				p.say("-ERR STLS not available")
				continue
			}
			p.say("+OK Begin TLS negotiation")
			tc := tls.Server(c, tlsConfig(p.cert))
			if tc.Handshake() != nil {
				return
			}
			p.conn, p.r, p.isTLS = tc, bufio.NewReader(tc), true
		case "USER":
			p.user = arg
			p.say("+OK")
		case "PASS":
			p.login(p.user, arg)
		case "AUTH":
			if mech := strings.ToUpper(arg); (mech == XOAUTH2 || mech == OAUTHBEARER) && p.o.CheckToken != nil {
				p.tokenAuth(mech)
				continue
			}
			if strings.ToUpper(arg) != "CRAM-MD5" {
				p.say("-ERR mechanism not supported")
				continue
			}
			p.say("+ " + base64.StdEncoding.EncodeToString(challenge()))
			resp, _ := p.r.ReadString('\n')
			dec, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(resp))
			if checkCRAMMD5(challenge(), dec, p.o.User, p.o.Password) != nil {
				p.say(GmailPOP3BadCredentials)
				continue
			}
			p.authed = true
			p.say("+OK Logged in")
		case "STAT":
			if !p.authed {
				p.say("-ERR not logged in")
				continue
			}
			p.say(fmt.Sprintf("+OK %d %d", p.o.Messages, p.o.Messages*320))
		case "QUIT":
			p.say("+OK bye")
			return
		default:
			p.say("-ERR unknown command")
		}
	}
}

func (p *pop3Conn) login(user, pass string) {
	if user != p.o.User || pass != p.o.Password {
		p.say(GmailPOP3BadCredentials)
		return
	}
	p.authed = true
	p.say("+OK Logged in")
}

// tokenAuth is AUTH XOAUTH2 or OAUTHBEARER (RFC 5034), the initial
// response after the first "+".
func (p *pop3Conn) tokenAuth(mech string) {
	ts := &tokenServer{mech: mech, o: p.o, ok: func(string) error { return nil },
		refuse: func() error { return errors.New("-ERR Authentication failure: unknown user name or bad password.") }}
	p.say("+ ")
	for {
		line, err := p.r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "*" {
			p.say("-ERR authentication cancelled")
			return
		}
		resp, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			p.say("-ERR invalid base64")
			return
		}
		challenge, done, err := ts.Next(resp)
		switch {
		case err != nil:
			p.say(err.Error())
			return
		case done:
			p.authed = true
			p.say("+OK Logged in")
			return
		}
		p.say("+ " + base64.StdEncoding.EncodeToString(challenge))
	}
}
