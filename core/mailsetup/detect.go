package mailsetup

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/problem"
)

// Detector finds an address's settings. The zero value asks this
// computer's resolver and the internet; tests point Resolver at a DNS
// server on loopback and AutoconfigURLs at an HTTP server on loopback.
type Detector struct {
	Resolver *net.Resolver // nil: the system's
	HTTP     *http.Client  // nil: a client with short timeouts
	// AutoconfigURLs lists where a domain's autoconfig XML is looked
	// for; nil: https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=…
	// and https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml.
	AutoconfigURLs func(domain, address string) []string
	// Timeout bounds the whole detection; 0: 10 seconds.
	Timeout time.Duration
}

// DefaultDetectTimeout bounds a detection whose Detector sets no Timeout.
const DefaultDetectTimeout = 10 * time.Second

// maxLookup bounds one DNS lookup or one autoconfig download, so that a
// server that never answers one of them leaves time for the others.
const maxLookup = 4 * time.Second

var (
	// ErrAddress is the Kind of the errors about the address typed.
	ErrAddress = errors.New("mailsetup: not an e-mail address")
	// ErrProvider is the Kind of the error for a provider the table
	// does not have.
	ErrProvider = errors.New("mailsetup: no such provider")
)

// FieldProvider is the Field of the error for an unknown provider.
const FieldProvider = "Provider"

// Detect finds the settings for address: the built-in table first (no
// network), then DNS SRV records (RFC 6186), the domain's MX records
// mapped to a provider of the table, and the provider's autoconfig XML.
// providerID, when set, picks a table entry and skips detection. The error
// is for an address or provider ID that cannot be used; when nothing is
// found, Settings has no Servers and Tried says what was looked at (offer
// UsualServers then: Detect never mixes that guess into what it found).
//
// The network sources are asked at the same time, each lookup bounded and
// the whole bounded by Timeout, and merged in the order above, whatever
// order they answer in: an earlier source wins for a protocol, a later one
// fills only the protocols still missing.
func (d Detector) Detect(ctx context.Context, address, providerID string) (Settings, error) {
	addr, domain, err := CheckAddress(address)
	if err != nil {
		return Settings{}, err
	}
	s := Settings{Address: addr, Domain: domain, User: addr}
	if strings.TrimSpace(providerID) != "" {
		p, ok := ProviderByID(providerID)
		if !ok {
			return Settings{}, &problem.Error{Source: providerID, Kind: ErrProvider, Field: FieldProvider,
				What: "is not a provider Opsdesk knows", Hint: "Choose one of " + providerIDs() + ", or leave the provider out to find the settings."}
		}
		return s.withProvider(p, p.Servers), nil
	}
	if p, ok := ForDomain(domain); ok {
		return s.withProvider(p, p.Servers), nil
	}

	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultDetectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	each := min(timeout, maxLookup)

	// Autoconfig starts with the DNS lookups, and is called off once they
	// have found every protocol or a provider: it would add nothing.
	acCtx, acCancel := context.WithCancel(ctx)
	defer acCancel()
	var ac found
	var acDone sync.WaitGroup
	acDone.Go(func() { ac = d.autoconfig(acCtx, domain, addr, each) })

	var srv, mx found
	var dnsDone sync.WaitGroup
	dnsDone.Go(func() { srv = d.srv(ctx, domain, each) })
	dnsDone.Go(func() { mx = d.mx(ctx, domain, each) })
	dnsDone.Wait()

	var m merger
	m.add(&s, srv)
	m.add(&s, mx)
	if s.Provider != nil || m.complete() {
		acCancel()
		acDone.Wait()
	} else {
		acDone.Wait()
		m.add(&s, ac)
	}
	return s, nil
}

// withProvider is s with a table entry's sign-in and the servers given.
func (s Settings) withProvider(p Provider, servers []Server) Settings {
	s.Provider = &p
	s.Servers = servers
	return s
}

func providerIDs() string {
	ids := make([]string, len(Providers))
	for i, p := range Providers {
		ids[i] = p.ID
	}
	return strings.Join(ids, ", ")
}

// found is what one source gave.
type found struct {
	servers  []Server
	provider *Provider // MX records that name a provider of the table
	user     string    // an autoconfig file's user name, filled in
	// refused are protocols the domain says it does not offer (an SRV
	// target of "."): no later source proposes them.
	refused []connectivity.Protocol
	tried   []string
}

// merger adds sources in order: the first to give a protocol keeps it.
type merger struct {
	have map[connectivity.Protocol]bool
}

var mailProtocols = []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3}

func (m *merger) add(s *Settings, f found) {
	if m.have == nil {
		m.have = map[connectivity.Protocol]bool{}
	}
	s.Tried = append(s.Tried, f.tried...)
	if f.provider != nil && s.Provider == nil {
		s.Provider = f.provider
	}
	used := false
	for _, p := range mailProtocols {
		if m.have[p] {
			continue
		}
		for _, sv := range f.servers {
			if sv.Protocol == p {
				s.Servers = append(s.Servers, sv)
				used = true
			}
		}
	}
	for _, sv := range s.Servers {
		m.have[sv.Protocol] = true
	}
	for _, p := range f.refused {
		m.have[p] = true
	}
	if used && f.user != "" && s.User == s.Address {
		s.User = f.user
	}
	sortServers(s.Servers)
}

func (m *merger) complete() bool {
	for _, p := range mailProtocols {
		if !m.have[p] {
			return false
		}
	}
	return true
}

// sortServers puts SMTP, IMAP and POP3 in that order, keeping each
// protocol's own order.
func sortServers(servers []Server) {
	slices.SortStableFunc(servers, func(a, b Server) int {
		return slices.Index(mailProtocols, a.Protocol) - slices.Index(mailProtocols, b.Protocol)
	})
}
