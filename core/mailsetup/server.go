package mailsetup

import (
	"context"
	"errors"
	"strings"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/problem"
)

// SourceTyped is the Source of a server the user typed.
const SourceTyped = "typed by you"

// ErrServer is the Kind of ParseServer's errors.
var ErrServer = errors.New("mailsetup: not a server")

// ParseServer reads a server typed for protocol p: "host:port", "host"
// (the usual port), or with the protocol as scheme: "smtps://host:port"
// asks for the Protection that encrypts from the first byte (SMTPS,
// IMAPS, POP3S) on any port, "smtp://host:port" for STARTTLS Mandatory.
// Without a scheme the port decides, as on the tenant's form: 465, 993
// and 995 go with SMTPS, IMAPS and POP3S, any other with STARTTLS
// Mandatory.
func ParseServer(p connectivity.Protocol, typed string) (Server, error) {
	proto := strings.ToLower(string(p))
	pr, explicit := connectivity.STARTTLSMandatory, false
	if scheme, _, ok := strings.Cut(strings.TrimSpace(typed), "://"); ok {
		switch strings.ToLower(scheme) {
		case proto + "s":
			pr, explicit = connectivity.Implicit, true
		case proto:
			explicit = true
		default:
			return Server{}, &problem.Error{Kind: ErrServer, Field: connectivity.FieldHost, Source: typed, What: "starts with " + scheme + "://, which is not " + proto + ":// or " + proto + "s://",
				Hint: "Type the " + string(p) + " server as host:port, for example " + example(p) + "."}
		}
	}
	host, port, err := connectivity.NormalizeHost(typed, 0)
	if err == nil {
		// Once more on its own result: bytes that are not text come back
		// as a name ("xn--zn7c") that NormalizeHost then refuses, and a
		// test would refuse it too; better now, beside what was typed.
		_, _, err = connectivity.NormalizeHost(host, port)
	}
	if err != nil {
		return Server{}, err
	}
	switch {
	case port == 0:
		port = connectivity.DefaultPort(p, pr)
	case !explicit:
		pr = connectivity.ProtectionForPort(p, port, pr)
	}
	return Server{Protocol: p, Host: host, Port: port, Protection: pr, Source: SourceTyped}, nil
}

func example(p connectivity.Protocol) string {
	switch p {
	case connectivity.IMAP:
		return "imap.gmail.com:993"
	case connectivity.POP3:
		return "pop.gmail.com:995"
	}
	return "smtp.gmail.com:587"
}

// TableSettings are an address's settings from the built-in table alone,
// without any network: for a user who typed the server to test, the
// provider still says how to sign in and how its secret is typed. An
// address of no provider in the table gives Settings without a Provider
// and without Servers.
func TableSettings(address string) (Settings, error) {
	addr, domain, err := CheckAddress(address)
	if err != nil {
		return Settings{}, err
	}
	if p, ok := ForDomain(domain); ok {
		// With a provider ID, Detect looks nothing up.
		return Detector{}.Detect(context.Background(), addr, p.ID)
	}
	return Settings{Address: addr, Domain: domain, User: addr}, nil
}

// DefaultProtocol is the protocol the flow tests when the user does not
// choose one: SMTP, which the tenant's Mail receiver adapter sends with,
// when the settings have it; otherwise the first protocol they have.
func DefaultProtocol(s Settings) connectivity.Protocol {
	for _, p := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		if _, ok := s.Server(p); ok {
			return p
		}
	}
	return connectivity.SMTP
}

// WithServer returns s with sv as the proposed server of its protocol,
// before the ones found: what the user typed wins over what was detected.
func (s Settings) WithServer(sv Server) Settings {
	servers := []Server{sv}
	for _, o := range s.Servers {
		if o.Protocol != sv.Protocol || o.Host != sv.Host || o.Port != sv.Port {
			servers = append(servers, o)
		}
	}
	s.Servers = servers
	return s
}
