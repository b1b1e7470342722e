package mailsetup

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/problem"
)

// Limits on an autoconfig file, which comes from whoever answers for the
// domain. A real one is a few KiB, a few levels deep, with at most a dozen
// servers: anything far beyond is a mistake or an attack, refused before
// it costs memory or time.
const (
	MaxAutoconfigSize    = 256 << 10
	maxAutoconfigDepth   = 32
	maxAutoconfigServers = 50
	maxAutoconfigText    = 1 << 10 // one element's text: a host name, a port, a user name
)

// ErrAutoconfig is the Kind of the errors about an autoconfig file.
var ErrAutoconfig = errors.New("mailsetup: autoconfig file refused")

// Autoconfig is what an autoconfig file (Thunderbird's clientConfig
// version 1.1) offers for an address.
type Autoconfig struct {
	// Servers are the SMTP, IMAP and POP3 servers, in that order; within
	// a protocol in the file's order, servers without encryption last.
	// Their Source is left for the caller to say where the file was.
	Servers []Server
	// User is the user name of the first server, its placeholders
	// filled in; "" when the file gives none Opsdesk can fill in.
	User string
	// Skipped says, one sentence each, which servers were left out and
	// why (a port that is no number, an unknown socketType, …).
	Skipped []string
}

func badAutoconfig(what, hint, detail string) error {
	return &problem.Error{Kind: ErrAutoconfig, What: "The autoconfig file " + what, Hint: hint, Detail: detail}
}

const autoconfigHint = "Type the servers' settings yourself, or ask your provider for them."

// ParseAutoconfig reads an autoconfig file for address. It refuses a file
// over MaxAutoconfigSize, nested deeper than 32 elements, listing more
// than 50 servers, or that is not XML or not a clientConfig, with an
// *problem.Error of Kind ErrAutoconfig; a server whose values cannot be
// used (a port that is not a number from 1 to 65535, an unknown
// socketType, a host name with spaces) is left out and said in Skipped.
// A file with no server left is refused too.
func ParseAutoconfig(data []byte, address string) (Autoconfig, error) {
	if len(data) > MaxAutoconfigSize {
		return Autoconfig{}, badAutoconfig(fmt.Sprintf("is larger than %d KiB", MaxAutoconfigSize>>10), autoconfigHint, "")
	}
	p := autoconfigParser{address: address}
	if err := p.parse(data); err != nil {
		return Autoconfig{}, err
	}
	var ac Autoconfig
	ac.Skipped = p.skipped
	for _, prot := range mailProtocols {
		// Within a protocol: encrypted servers first, in the file's
		// order; a plain one only as the last resort the file offers.
		for _, plain := range []bool{false, true} {
			for _, s := range p.servers {
				if s.Protocol == prot && (s.Protection == connectivity.Off) == plain {
					if len(ac.Servers) == 0 {
						ac.User = s.user
					}
					ac.Servers = appendNew(ac.Servers, s.Server)
				}
			}
		}
	}
	if len(ac.Servers) == 0 {
		detail := strings.Join(ac.Skipped, "; ")
		return Autoconfig{}, badAutoconfig("lists no SMTP, IMAP or POP3 server Opsdesk can use", autoconfigHint, detail)
	}
	return ac, nil
}

// parsedServer is a server with the user name the file gives for it.
type parsedServer struct {
	Server
	user string
}

// autoconfigParser walks the file's tokens, never building a tree: the
// depth and the number of servers are counted as it goes.
type autoconfigParser struct {
	address string
	servers []parsedServer
	skipped []string
	count   int // servers seen, used or not

	// The server being read, and the text of the element being read.
	cur     *rawServer
	field   string
	text    strings.Builder
	tooLong bool
}

// rawServer is a server element's values as the file spells them.
type rawServer struct {
	element, typ                 string
	hostname, port, socket, user string
}

func (p *autoconfigParser) parse(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	var stack []string
	root := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return badAutoconfig("is not valid XML", autoconfigHint, err.Error())
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if t.Name.Local != "clientConfig" {
					return badAutoconfig("is not an autoconfig file (it starts with <"+printable(t.Name.Local)+">)", autoconfigHint, "")
				}
				root = true
			}
			stack = append(stack, t.Name.Local)
			if len(stack) > maxAutoconfigDepth {
				return badAutoconfig(fmt.Sprintf("is nested deeper than %d levels", maxAutoconfigDepth), autoconfigHint, "")
			}
			if err := p.start(stack, t); err != nil {
				return err
			}
		case xml.EndElement:
			p.end(stack)
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if p.field != "" {
				if p.text.Len()+len(t) > maxAutoconfigText {
					p.tooLong = true
				} else {
					p.text.Write(t)
				}
			}
		}
	}
	switch {
	case !root && len(bytes.TrimSpace(data)) == 0:
		return badAutoconfig("is empty", autoconfigHint, "")
	case !root:
		return badAutoconfig("is not an autoconfig file", autoconfigHint, "")
	}
	return nil
}

// inServer tells where a server's elements are: clientConfig/
// emailProvider/incomingServer or outgoingServer.
func inServer(stack []string) bool {
	return len(stack) == 3 && stack[1] == "emailProvider" && (stack[2] == "incomingServer" || stack[2] == "outgoingServer")
}

func (p *autoconfigParser) start(stack []string, t xml.StartElement) error {
	switch {
	case inServer(stack):
		p.count++
		if p.count > maxAutoconfigServers {
			return badAutoconfig(fmt.Sprintf("lists more than %d servers", maxAutoconfigServers), autoconfigHint, "")
		}
		p.cur = &rawServer{element: t.Name.Local}
		for _, a := range t.Attr {
			if a.Name.Local == "type" {
				p.cur.typ = a.Value
			}
		}
	case p.cur != nil && len(stack) == 4:
		switch t.Name.Local {
		case "hostname", "port", "socketType", "username":
			p.field = t.Name.Local
			p.text.Reset()
			p.tooLong = false
		}
	}
	return nil
}

func (p *autoconfigParser) end(stack []string) {
	switch {
	case p.field != "" && len(stack) == 4:
		if p.cur != nil {
			p.cur.set(p.field, p.text.String(), p.tooLong)
		}
		p.field = ""
	case inServer(stack) && p.cur != nil:
		p.finish(*p.cur)
		p.cur = nil
	}
}

func (r *rawServer) set(field, text string, tooLong bool) {
	text = strings.TrimSpace(text)
	if tooLong {
		text += " …" // a space: no host name, port, socketType or user name has one
	}
	switch field {
	case "hostname":
		r.hostname = text
	case "port":
		r.port = text
	case "socketType":
		r.socket = text
	case "username":
		r.user = text
	}
}

// finish checks a server's values; one that cannot be used is skipped
// with a sentence saying why.
func (p *autoconfigParser) finish(r rawServer) {
	var prot connectivity.Protocol
	switch {
	case r.element == "outgoingServer" && strings.EqualFold(r.typ, "smtp"):
		prot = connectivity.SMTP
	case r.element == "incomingServer" && strings.EqualFold(r.typ, "imap"):
		prot = connectivity.IMAP
	case r.element == "incomingServer" && strings.EqualFold(r.typ, "pop3"):
		prot = connectivity.POP3
	default:
		return // Exchange, JMAP, …: not for the Mail adapter, and no mistake
	}
	article := "A "
	if prot != connectivity.POP3 {
		article = "An " // an SMTP, an IMAP
	}
	skip := func(why string) { p.skipped = append(p.skipped, article+string(prot)+" server "+why) }
	host, ok := p.host(r.hostname)
	switch {
	case r.hostname == "":
		skip("has no host name")
		return
	case !ok:
		skip("has the host name " + strconv.Quote(printable(r.hostname)) + ", which cannot be one")
		return
	}
	port, err := strconv.Atoi(r.port)
	if err != nil || port < 1 || port > 65535 {
		skip("of " + host + " has the port " + strconv.Quote(printable(r.port)) + ", not a number from 1 to 65535")
		return
	}
	var pr connectivity.Protection
	switch strings.ToUpper(r.socket) {
	case "SSL":
		pr = connectivity.Implicit
	case "STARTTLS":
		pr = connectivity.STARTTLSMandatory
	case "PLAIN":
		pr = connectivity.Off
	default:
		skip("of " + host + " has the socketType " + strconv.Quote(printable(r.socket)) + ", which is none of SSL, STARTTLS and plain")
		return
	}
	p.servers = append(p.servers, parsedServer{Server{Protocol: prot, Host: host, Port: port, Protection: pr}, p.user(r.user)})
}

// fill replaces the placeholders of Thunderbird's format.
func (p *autoconfigParser) fill(s string) string {
	local, domain := p.address, ""
	if at := strings.LastIndexByte(p.address, '@'); at >= 0 {
		local, domain = p.address[:at], p.address[at+1:]
	}
	return strings.NewReplacer("%EMAILADDRESS%", p.address, "%EMAILLOCALPART%", local, "%EMAILDOMAIN%", domain).Replace(s)
}

// host fills in a host name and keeps it only if it is one: letters,
// digits, hyphens and dots, or an IP address.
func (p *autoconfigParser) host(s string) (string, bool) {
	h := strings.TrimSuffix(strings.ToLower(p.fill(s)), ".")
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.String(), true
	}
	return h, connectivity.ValidHostName(h) && strings.Contains(h, ".")
}

// user fills in a user name; one with a placeholder left, or that could
// not be a user name, gives "" so that the address is used.
func (p *autoconfigParser) user(s string) string {
	u := p.fill(s)
	if u == "" || strings.Contains(u, "%") || len(u) > maxAddress || !utf8.ValidString(u) || strings.ContainsAny(u, " \t\r\n") {
		return ""
	}
	return u
}

// printable shortens what a file said, for a sentence a user reads.
func printable(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return s
}

// charsetReader lets files declared as ISO-8859-1 (some servers still
// write them) be read; other charsets are refused.
func charsetReader(charset string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return in, nil
	case "iso-8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(io.LimitReader(in, MaxAutoconfigSize+1))
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b)*2)
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("the charset %q is not supported", charset)
}
