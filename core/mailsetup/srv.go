package mailsetup

import (
	"cmp"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// srvService is one DNS SRV name of RFC 6186 (and RFC 8314's
// _submissions), the protocol it offers and the protection its name
// promises.
type srvService struct {
	name       string
	protocol   connectivity.Protocol
	protection connectivity.Protection
}

// srvServices in the order their servers are proposed within a protocol:
// SMTP's submission port first, as the tenant's form offers it; for
// reading mail implicit TLS first, as RFC 8314 §5.1 asks.
var srvServices = []srvService{
	{"_submission._tcp", connectivity.SMTP, connectivity.STARTTLSMandatory},
	{"_submissions._tcp", connectivity.SMTP, connectivity.Implicit},
	{"_imaps._tcp", connectivity.IMAP, connectivity.Implicit},
	{"_imap._tcp", connectivity.IMAP, connectivity.STARTTLSMandatory},
	{"_pop3s._tcp", connectivity.POP3, connectivity.Implicit},
	{"_pop3._tcp", connectivity.POP3, connectivity.STARTTLSMandatory},
}

func (d Detector) resolver() *net.Resolver {
	if d.Resolver != nil {
		return d.Resolver
	}
	return net.DefaultResolver
}

// fqdn ends name with a dot, so that the resolver asks for it as it is and
// never tries it under this computer's search domains.
func fqdn(name string) string { return name + "." }

// notFound tells a name without records (NXDOMAIN, or no records of the
// type asked) from a DNS server that failed or did not answer.
func notFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

type srvAnswer struct {
	records []*net.SRV
	err     error
}

// srv asks for every SRV name at once. Go's resolver shuffles records of
// equal priority by weight at random; they are put back in one order here
// (priority, then the heavier first, then by name) so that the same DNS
// answers always give the same proposal.
func (d Detector) srv(ctx context.Context, domain string, each time.Duration) found {
	answers := make([]srvAnswer, len(srvServices))
	var wg sync.WaitGroup
	for i, svc := range srvServices {
		wg.Go(func() {
			lctx, cancel := context.WithTimeout(ctx, each)
			defer cancel()
			_, recs, err := d.resolver().LookupSRV(lctx, "", "", fqdn(svc.name+"."+domain))
			answers[i] = srvAnswer{recs, err}
		})
	}
	wg.Wait()

	var f found
	offered := map[connectivity.Protocol]bool{}
	declined := map[connectivity.Protocol]string{}
	failed := false
	for i, svc := range srvServices {
		a := answers[i]
		if a.err != nil && len(a.records) == 0 {
			failed = failed || !notFound(a.err)
			continue
		}
		name := svc.name + "." + domain
		recs := slices.Clone(a.records)
		slices.SortStableFunc(recs, func(x, y *net.SRV) int {
			return cmp.Or(cmp.Compare(x.Priority, y.Priority), cmp.Compare(y.Weight, x.Weight),
				cmp.Compare(x.Target, y.Target), cmp.Compare(x.Port, y.Port))
		})
		for _, r := range recs {
			target := strings.ToLower(strings.TrimSuffix(r.Target, "."))
			switch {
			case target == "":
				// RFC 2782: a target of "." says the service is
				// decidedly not offered at this domain.
				if _, ok := declined[svc.protocol]; !ok {
					declined[svc.protocol] = name
				}
			case r.Port == 0 || !connectivity.ValidHostName(target):
				f.tried = append(f.tried, "The DNS record "+name+" names a server Opsdesk cannot use ("+target+")")
			default:
				offered[svc.protocol] = true
				f.servers = appendNew(f.servers, Server{Protocol: svc.protocol, Host: target, Port: int(r.Port),
					Protection: connectivity.ProtectionForPort(svc.protocol, int(r.Port), svc.protection),
					Source:     "DNS record " + name})
			}
		}
	}
	for _, p := range mailProtocols {
		if name, ok := declined[p]; ok && !offered[p] {
			f.refused = append(f.refused, p)
			f.tried = append(f.tried, domain+" says in DNS that it offers no "+string(p)+" (record "+name+")")
		}
	}
	if len(f.servers) == 0 && len(f.refused) == 0 {
		if failed {
			f.tried = append(f.tried, "The DNS server did not answer for the SRV records of "+domain)
		} else {
			f.tried = append(f.tried, "No DNS SRV records (RFC 6186) for "+domain)
		}
	}
	return f
}

// mx maps the domain's MX records to a provider of the table: a domain
// of one's own whose mail Google or Microsoft receives is served by their
// mail servers too.
func (d Detector) mx(ctx context.Context, domain string, each time.Duration) found {
	lctx, cancel := context.WithTimeout(ctx, each)
	defer cancel()
	recs, err := d.resolver().LookupMX(lctx, fqdn(domain))
	var f found
	if len(recs) == 0 {
		switch {
		case err == nil || notFound(err):
			f.tried = append(f.tried, "No MX records for "+domain)
		default:
			f.tried = append(f.tried, "The DNS server did not answer for the MX records of "+domain)
		}
		return f
	}
	recs = slices.Clone(recs)
	slices.SortStableFunc(recs, func(x, y *net.MX) int {
		return cmp.Or(cmp.Compare(x.Pref, y.Pref), cmp.Compare(strings.ToLower(x.Host), strings.ToLower(y.Host)))
	})
	var hosts []string
	for _, r := range recs {
		host := strings.ToLower(strings.TrimSuffix(r.Host, "."))
		if host == "" {
			// RFC 7505's null MX: the domain receives no mail at all.
			f.tried = append(f.tried, domain+" receives no mail: its MX record says so")
			return f
		}
		if p, ok := ForMX(host); ok {
			source := "MX records of " + domain + ": " + p.Name
			for i := range p.Servers {
				p.Servers[i].Source = source
			}
			f.provider, f.servers = &p, p.Servers
			return f
		}
		if len(hosts) < 3 { // enough for the user to recognise them
			hosts = append(hosts, host)
		}
	}
	f.tried = append(f.tried, "The MX records of "+domain+" ("+strings.Join(hosts, ", ")+") name no provider Opsdesk knows")
	return f
}

// appendNew appends s unless a server of the same protocol, host, port
// and protection is there already (two SRV records, or an autoconfig file
// listing one server twice).
func appendNew(servers []Server, s Server) []Server {
	for _, o := range servers {
		if o.Protocol == s.Protocol && o.Host == s.Host && o.Port == s.Port && o.Protection == s.Protection {
			return servers
		}
	}
	return append(servers, s)
}
