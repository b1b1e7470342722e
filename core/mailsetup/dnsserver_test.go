package mailsetup

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"

	"github.com/opsdesk/opsdesk/internal/wine"
)

// dnsServer is a real DNS server on loopback, over UDP and TCP, serving
// the records of a zone given as text: a name without records answers
// NXDOMAIN, a name with records of other types an empty answer.
type dnsServer struct {
	udp, tcp string
	records  []dns.RR
	silent   bool         // read queries, never answer: a DNS server gone away
	queries  atomic.Int64 // every query received, answered or not
}

// startDNS serves zone, one record per line in the master file format
// ("_imaps._tcp.example.com. 60 IN SRV 0 1 993 imap.example.com.").
func startDNS(t *testing.T, zone string, silent bool) *dnsServer {
	t.Helper()
	s := &dnsServer{silent: silent}
	for _, line := range strings.Split(zone, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("zone line %q: %v", line, err)
		}
		s.records = append(s.records, rr)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.tcp = l.Addr().String()
	servers := []*dns.Server{{Listener: l, Handler: s}}
	// Wine cannot open a UDP socket for listening (Go's listener asks
	// WSAIoctl for SIO_UDP_CONNRESET, which Wine refuses with
	// WSAEOPNOTSUPP): there the server speaks TCP only, and the resolver
	// asks over TCP. Real Windows and Linux serve both.
	if !wine.Running() {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		s.udp = pc.LocalAddr().String()
		servers = append(servers, &dns.Server{PacketConn: pc, Handler: s})
	}
	for _, srv := range servers {
		go func() { _ = srv.ActivateAndServe() }()
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return s
}

func (s *dnsServer) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	s.queries.Add(1)
	if s.silent || len(q.Question) != 1 {
		return
	}
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = true
	qn, qt := strings.ToLower(q.Question[0].Name), q.Question[0].Qtype
	exists := false
	for _, rr := range s.records {
		h := rr.Header()
		if strings.ToLower(h.Name) != qn {
			continue
		}
		exists = true
		if h.Rrtype == qt {
			m.Answer = append(m.Answer, rr)
		}
	}
	if !exists {
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

// resolver asks this server only, over UDP or, with overTCP, over TCP
// for every query.
func (s *dnsServer) resolver(overTCP bool) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		if overTCP || strings.HasPrefix(network, "tcp") || s.udp == "" {
			return d.DialContext(ctx, "tcp", s.tcp)
		}
		return d.DialContext(ctx, "udp", s.udp)
	}}
}
