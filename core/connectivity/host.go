package connectivity

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/opsdesk/opsdesk/core/problem"
)

// ErrBadHost is the kind of every host input error.
var ErrBadHost = errors.New("connectivity: not a host name")

// ErrBadPort is the kind of a port no server can listen on.
var ErrBadPort = errors.New("connectivity: not a port")

// CheckPort refuses a port outside 1–65535; 0 stands for the protocol's
// usual port. The rule lives here so that the form, the command line and
// Run all hold the same one.
func CheckPort(port int) error {
	if port < 0 || port > 65535 {
		return &problem.Error{Source: strconv.Itoa(port), Kind: ErrBadPort, Field: FieldPort, What: "is not a port number from 1 to 65535",
			Hint: "Type the port the server listens on, for example 587 for SMTP with STARTTLS."}
	}
	return nil
}

func badHost(input, what, hint string) error {
	return &problem.Error{Source: input, Kind: ErrBadHost, Field: FieldHost, What: what, Hint: hint}
}

// NormalizeHost reads a host as users type it — with spaces around it,
// with a port ("smtp.gmail.com:587"), with a scheme ("smtp://…"), as an IPv6
// literal, or with non-ASCII letters — and returns the host in the form a
// resolver and a certificate check want (IDNA A-labels), and the port
// (port when none was typed). A port out of range is refused as CheckPort
// does.
func NormalizeHost(input string, port int) (string, int, error) {
	if err := CheckPort(port); err != nil {
		return "", 0, err
	}
	s := trimHost(input)
	switch {
	case s == "":
		return "", 0, badHost(input, "is not a host name", "Type the server's name, for example smtp.gmail.com.")
	case strings.Contains(s, "@"):
		return "", 0, badHost(input, "looks like an e-mail address, not a server name", "Type the mail server's name, for example smtp.gmail.com, and put the address in the credential.")
	case strings.ContainsAny(s, " \t"):
		return "", 0, badHost(input, "contains spaces", "Type only the server's name, for example smtp.gmail.com.")
	}
	host := s
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, badHost(input, fmt.Sprintf("has the port %q, which is not a number from 1 to 65535", p), "Type the port in the Port field.")
		}
		if port != 0 && n != port {
			// Two ports: using either would not be what the other field says.
			return "", 0, badHost(input, fmt.Sprintf("names port %d, but the port chosen is %d", n, port), "Type the port only in the Port field.")
		}
		host, port = h, n
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1]
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.String(), port, nil
	}
	if strings.Count(host, ":") > 0 {
		return "", 0, badHost(input, "is neither a host name nor an IP address", "Type a name such as smtp.gmail.com, or an address such as 192.0.2.10.")
	}
	ascii, err := idna.Lookup.ToASCII(strings.TrimSuffix(host, "."))
	if err != nil || !validHostName(ascii) {
		return "", 0, badHost(input, "cannot be a host name", "Use letters, digits, hyphens and dots, for example smtp.gmail.com.")
	}
	return strings.ToLower(ascii), port, nil
}

// trimHost takes away what users paste around a host: spaces, a scheme
// ("smtps://") and a path.
func trimHost(input string) string {
	s := strings.TrimSpace(input)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return s
}

// SplitHostPort separates a port typed into a Host field
// ("smtp.gmail.com:465", "smtps://[2001:db8::1]:465/") so that a form can
// show it in its Port field, the one the test uses. host is the input as
// typed, less spaces, scheme, path and port; port is 0 when none was
// typed. Input NormalizeHost refuses is refused with its sentence.
func SplitHostPort(input string) (host string, port int, err error) {
	if _, port, err = NormalizeHost(input, 0); err != nil {
		return "", 0, err
	}
	host = trimHost(input)
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h, port, nil
	}
	return host, 0, nil
}

// plainPorts are the ports servers of p listen on unencrypted, to switch
// encryption on with STARTTLS (or not at all), the usual one first.
func plainPorts(p Protocol) []int {
	switch p {
	case SMTP:
		return []int{587, 25}
	case IMAP:
		return []int{143}
	case POP3:
		return []int{110}
	}
	return nil
}

func isPlainPort(p Protocol, port int) bool {
	for _, n := range plainPorts(p) {
		if n == port {
			return true
		}
	}
	return false
}

// ProtectionForPort is the Protection that goes with a port just chosen:
// the port of SMTPS, IMAPS or POP3S asks for that Protection, a port for
// unencrypted starts asks to leave it (for STARTTLS Mandatory), and any
// other port keeps the Protection the user has. The form and
// PortForProtection follow the same table, so neither undoes the other.
func ProtectionForPort(p Protocol, port int, current Protection) Protection {
	switch {
	case p == TLS:
		return current
	case port == DefaultPort(p, Implicit):
		return Implicit
	case current == Implicit && isPlainPort(p, port):
		return STARTTLSMandatory
	}
	return current
}

// PortForProtection proposes the port for a Protection just chosen: its
// usual port when the current port is the usual port of another
// Protection (or none, 0), and the current port when it fits the
// Protection or is one the user typed for a server of their own.
func PortForProtection(p Protocol, pr Protection, current int) int {
	implicit := DefaultPort(p, Implicit)
	switch {
	case p == TLS:
		return current
	case current != 0 && current != implicit && !isPlainPort(p, current):
		return current // the user's own port
	case pr == Implicit:
		return implicit
	case isPlainPort(p, current):
		return current // 25 stays 25 with STARTTLS or Off
	}
	return DefaultPort(p, pr)
}

// ValidHostName tells whether h (in A-labels, as NormalizeHost returns
// it) is a DNS name: labels of letters, digits, hyphens and underscores.
// Detection checks the names that DNS and autoconfig files give with it.
func ValidHostName(h string) bool { return validHostName(h) }

func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
