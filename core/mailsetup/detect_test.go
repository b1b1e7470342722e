package mailsetup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/problem"
)

// listed describes servers with where each came from, one a line.
func listed(servers []Server) string {
	var lines []string
	for _, s := range servers {
		lines = append(lines, string(s.Protocol)+" "+s.Address()+" "+s.Protection.Label(s.Protocol)+" ← "+s.Source)
	}
	return strings.Join(lines, "\n")
}

// serve answers every request with status and body.
func serve(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

const googleMX = `example.com. 60 IN MX 5 alt1.aspmx.l.google.com.
example.com. 60 IN MX 1 aspmx.l.google.com.`

const submissionSRV = `_submission._tcp.example.com. 60 IN SRV 0 1 587 smtp.example.com.`

// TestDetect: what detection finds for an address, from which source,
// against a real DNS server and a real web server on loopback.
func TestDetect(t *testing.T) {
	gmail := listed(mustProvider(t, "gmail").Servers)
	for _, tc := range []struct {
		name              string
		address, provider string
		zone              string
		silentDNS         bool
		overTCP           bool
		autoconfig        http.HandlerFunc // nil: 404
		timeout           time.Duration
		want              string // listed(Servers), AC standing for the web server
		wantProvider      string
		wantUser          string   // "": the address
		tried             []string // each in Tried, in this order
		noNetwork         bool     // no DNS query and no web request at all
		within            time.Duration
	}{
		{name: "an address at a provider of the table, without a single DNS query", address: "anna@gmail.com",
			zone: googleMX, want: gmail, wantProvider: "gmail", noNetwork: true},
		{name: "a provider chosen by name, without a single DNS query", address: "anna@example.com", provider: "microsoft 365",
			zone: googleMX, want: listed(mustProvider(t, "microsoft365").Servers), wantProvider: "microsoft365", noNetwork: true},
		{name: "SRV records only, in order of priority, a declined POP3 left out", address: "anna@example.com",
			zone: `_submission._tcp.example.com. 60 IN SRV 10 1 587 backup.example.com.
_submission._tcp.example.com. 60 IN SRV 0 1 587 Mail.Example.com.
_imaps._tcp.example.com. 60 IN SRV 0 1 993 mail.example.com.
_imap._tcp.example.com. 60 IN SRV 0 1 143 mail.example.com.
_pop3s._tcp.example.com. 60 IN SRV 0 0 0 .
example.com. 60 IN MX 10 mx.example.net.`,
			autoconfig: serve(200, normalAutoconfig),
			want: `SMTP mail.example.com:587 STARTTLS Mandatory ← DNS record _submission._tcp.example.com
SMTP backup.example.com:587 STARTTLS Mandatory ← DNS record _submission._tcp.example.com
IMAP mail.example.com:993 IMAPS ← DNS record _imaps._tcp.example.com
IMAP mail.example.com:143 STARTTLS Mandatory ← DNS record _imap._tcp.example.com`,
			tried: []string{"example.com says in DNS that it offers no POP3 (record _pop3s._tcp.example.com)",
				"The MX records of example.com (mx.example.net) name no provider Opsdesk knows"}},
		{name: "SRV records over TCP", address: "anna@example.com", overTCP: true,
			zone: `_submissions._tcp.example.com. 60 IN SRV 0 1 465 mail.example.com.
_pop3._tcp.example.com. 60 IN SRV 0 1 110 mail.example.com.`,
			want: `SMTP mail.example.com:465 SMTPS ← DNS record _submissions._tcp.example.com
POP3 mail.example.com:110 STARTTLS Mandatory ← DNS record _pop3._tcp.example.com`,
			tried: []string{"No MX records for example.com", "No autoconfig file at AC/mail/config-v1.1.xml (the server answered 404 Not Found)"}},
		{name: "a domain whose MX is under google.com: Google Workspace", address: "anna@example.com", zone: googleMX,
			want:         strings.ReplaceAll(gmail, "Opsdesk's provider table (Gmail / Google Workspace)", "MX records of example.com: Gmail / Google Workspace"),
			wantProvider: "gmail", tried: []string{"No DNS SRV records (RFC 6186) for example.com"}},
		{name: "a domain whose MX is under mail.protection.outlook.com: Microsoft 365", address: "anna@example.com",
			zone: `example.com. 60 IN MX 0 example-com.mail.protection.outlook.com.`,
			want: `SMTP smtp.office365.com:587 STARTTLS Mandatory ← MX records of example.com: Microsoft 365
IMAP outlook.office365.com:993 IMAPS ← MX records of example.com: Microsoft 365
POP3 outlook.office365.com:995 POP3S ← MX records of example.com: Microsoft 365`,
			wantProvider: "microsoft365"},
		{name: "SRV first, the MX provider fills the rest and tells how to sign in", address: "anna@example.com",
			zone: submissionSRV + "\n" + googleMX,
			want: `SMTP smtp.example.com:587 STARTTLS Mandatory ← DNS record _submission._tcp.example.com
IMAP imap.gmail.com:993 IMAPS ← MX records of example.com: Gmail / Google Workspace
POP3 pop.gmail.com:995 POP3S ← MX records of example.com: Gmail / Google Workspace`,
			wantProvider: "gmail"},
		{name: "the autoconfig file only", address: "anna@example.com", autoconfig: serve(200, normalAutoconfig),
			want: `SMTP smtp.example.com:587 STARTTLS Mandatory ← autoconfig file at AC/mail/config-v1.1.xml
SMTP smtp.example.com:465 SMTPS ← autoconfig file at AC/mail/config-v1.1.xml
IMAP imap.example.com:993 IMAPS ← autoconfig file at AC/mail/config-v1.1.xml
POP3 pop.example.com:995 POP3S ← autoconfig file at AC/mail/config-v1.1.xml
POP3 pop.example.com:110 Off ← autoconfig file at AC/mail/config-v1.1.xml`,
			wantUser: "anna", tried: []string{"No DNS SRV records (RFC 6186) for example.com", "No MX records for example.com"}},
		{name: "SRV for SMTP, the autoconfig file fills IMAP and POP3", address: "anna@example.com", zone: submissionSRV,
			autoconfig: serve(200, normalAutoconfig),
			want: `SMTP smtp.example.com:587 STARTTLS Mandatory ← DNS record _submission._tcp.example.com
IMAP imap.example.com:993 IMAPS ← autoconfig file at AC/mail/config-v1.1.xml
POP3 pop.example.com:995 POP3S ← autoconfig file at AC/mail/config-v1.1.xml
POP3 pop.example.com:110 Off ← autoconfig file at AC/mail/config-v1.1.xml`,
			wantUser: "anna"},
		{name: "nothing found: Tried says what was looked at", address: "anna@example.com",
			zone: `example.com. 60 IN A 192.0.2.1`,
			tried: []string{"No DNS SRV records (RFC 6186) for example.com", "No MX records for example.com",
				"No autoconfig file at AC/mail/config-v1.1.xml (the server answered 404 Not Found)"}},
		{name: "a domain that says it receives no mail (null MX)", address: "anna@example.com",
			zone:  `example.com. 60 IN MX 0 .`,
			tried: []string{"No DNS SRV records", "example.com receives no mail: its MX record says so", "No autoconfig file"}},
		{name: "a DNS server that never answers: bounded by Timeout", address: "anna@example.com", silentDNS: true, timeout: time.Second,
			tried: []string{"The DNS server did not answer for the SRV records of example.com",
				"The DNS server did not answer for the MX records of example.com"}, within: 2 * time.Second},
		{name: "a web server that never answers: bounded by Timeout", address: "anna@example.com", timeout: time.Second,
			autoconfig: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			tried:      []string{"No DNS SRV records", "No MX records", "did not answer in time"}, within: 2 * time.Second},
		{name: "a web server that sends a little and then nothing: bounded by Timeout", address: "anna@example.com", timeout: time.Second,
			autoconfig: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte("<clientConfig>"))
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
			tried: []string{"No DNS SRV records", "No MX records", "did not answer in time"}, within: 2 * time.Second},
		{name: "an autoconfig file announced as larger than 256 KiB is not read", address: "anna@example.com",
			autoconfig: func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", "300000000")
				_, _ = w.Write([]byte(normalAutoconfig))
			},
			tried: []string{"No DNS SRV records", "No MX records", "The autoconfig file at AC/mail/config-v1.1.xml is larger than 256 KiB, and was not read"}},
		{name: "an autoconfig file larger than 256 KiB sent without its length is cut off", address: "anna@example.com",
			autoconfig: func(w http.ResponseWriter, _ *http.Request) {
				for range 40 {
					_, _ = w.Write([]byte("<!--" + strings.Repeat("x", 8<<10) + "-->"))
					w.(http.Flusher).Flush()
				}
			},
			tried: []string{"No DNS SRV records", "No MX records", "The autoconfig file at AC/mail/config-v1.1.xml is larger than 256 KiB"}},
		{name: "a deeply nested autoconfig file is refused", address: "anna@example.com",
			autoconfig: serve(200, "<clientConfig>"+strings.Repeat("<x>", 5000)+strings.Repeat("</x>", 5000)+"</clientConfig>"),
			tried:      []string{"No DNS SRV records", "No MX records", "The autoconfig file at AC/mail/config-v1.1.xml is nested deeper than 32 levels"}},
		{name: "an autoconfig file of wrong types only is refused", address: "anna@example.com",
			autoconfig: serve(200, acFile(acServer("outgoingServer", "smtp", "smtp example.com", "x", "maybe", ""))),
			tried:      []string{"No DNS SRV records", "No MX records", "The autoconfig file at AC/mail/config-v1.1.xml lists no SMTP, IMAP or POP3 server Opsdesk can use"}},
		{name: "a redirect to another domain is not followed", address: "anna@example.com",
			autoconfig: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://autoconfig.example.net/mail/config-v1.1.xml", http.StatusFound)
			},
			tried: []string{"No DNS SRV records", "No MX records", "sent Opsdesk on elsewhere for the autoconfig file, which it does not follow"}},
		{name: "a redirect on the same server is followed", address: "anna@example.com",
			autoconfig: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/new/config-v1.1.xml" {
					http.Redirect(w, r, "/new/config-v1.1.xml", http.StatusMovedPermanently)
					return
				}
				_, _ = w.Write([]byte(acFile(acServer("outgoingServer", "smtp", "smtp.%EMAILDOMAIN%", "587", "STARTTLS", "%EMAILADDRESS%"))))
			},
			want:  "SMTP smtp.example.com:587 STARTTLS Mandatory ← autoconfig file at AC/mail/config-v1.1.xml",
			tried: []string{"No DNS SRV records", "No MX records"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dnsSrv := startDNS(t, tc.zone, tc.silentDNS)
			var hits atomic.Int64
			handler := tc.autoconfig
			if handler == nil {
				handler = http.NotFound
			}
			web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				handler(w, r)
			}))
			defer web.Close()
			d := Detector{Resolver: dnsSrv.resolver(tc.overTCP), Timeout: tc.timeout, HTTP: web.Client(),
				AutoconfigURLs: func(domain, address string) []string {
					return []string{web.URL + "/mail/config-v1.1.xml?emailaddress=" + address}
				}}
			start := time.Now()
			s, err := d.Detect(context.Background(), tc.address, tc.provider)
			elapsed := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			ac := strings.TrimPrefix(web.URL, "http://")
			got := strings.ReplaceAll(listed(s.Servers), ac, "AC")
			if got != tc.want {
				t.Errorf("servers\n got:\n%s\nwant:\n%s", got, tc.want)
			}
			gotProvider := ""
			if s.Provider != nil {
				gotProvider = s.Provider.ID
			}
			if gotProvider != tc.wantProvider {
				t.Errorf("provider %q, want %q", gotProvider, tc.wantProvider)
			}
			wantUser := tc.wantUser
			if wantUser == "" {
				wantUser = s.Address
			}
			if s.User != wantUser || s.Address != tc.address || s.Domain != "example.com" && s.Domain != "gmail.com" {
				t.Errorf("address %q, domain %q, user %q; want user %q", s.Address, s.Domain, s.User, wantUser)
			}
			tried := strings.ReplaceAll(strings.Join(s.Tried, "\n"), ac, "AC")
			at := 0
			for _, want := range tc.tried {
				i := strings.Index(tried[at:], want)
				if i < 0 {
					t.Errorf("Tried lacks %q (in order):\n%s", want, tried)
					break
				}
				at += i + len(want)
			}
			if len(tc.tried) == 0 && len(s.Servers) == 0 {
				t.Error("nothing found, and Tried is empty")
			}
			if tc.noNetwork && (dnsSrv.queries.Load() != 0 || hits.Load() != 0) {
				t.Errorf("%d DNS queries and %d web requests; the table needs none", dnsSrv.queries.Load(), hits.Load())
			}
			if !tc.noNetwork && dnsSrv.queries.Load() == 0 {
				t.Error("no DNS query reached the server")
			}
			if tc.within > 0 && elapsed > tc.within {
				t.Errorf("took %v, want at most %v", elapsed, tc.within)
			}
		})
	}
}

func mustProvider(t *testing.T, id string) Provider {
	t.Helper()
	p, ok := ProviderByID(id)
	if !ok {
		t.Fatalf("no provider %s", id)
	}
	return p
}

// TestDetectIsDeterministic: Go's resolver shuffles SRV records of equal
// priority by weight, and the lookups answer in any order; the proposal is
// the same every time all the same.
func TestDetectIsDeterministic(t *testing.T) {
	var zone strings.Builder
	for i, w := range []int{10, 60, 30, 0, 30} {
		fmt.Fprintf(&zone, "_submission._tcp.example.com. 60 IN SRV 5 %d 587 smtp%d.example.com.\n", w, i)
		fmt.Fprintf(&zone, "_imaps._tcp.example.com. 60 IN SRV 5 %d 993 imap%d.example.com.\n", w, i)
	}
	dnsSrv := startDNS(t, zone.String()+googleMX, false)
	d := Detector{Resolver: dnsSrv.resolver(false), AutoconfigURLs: func(string, string) []string { return nil }}
	first := ""
	for i := range 20 {
		s, err := d.Detect(context.Background(), "anna@example.com", "")
		if err != nil {
			t.Fatal(err)
		}
		got := listed(s.Servers)
		if i == 0 {
			first = got
			if !strings.HasPrefix(got, "SMTP smtp1.example.com:587") || !strings.Contains(got, "POP3 pop.gmail.com:995") {
				t.Fatalf("heaviest first, then the MX provider's POP3:\n%s", got)
			}
		} else if got != first {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i, got, first)
		}
	}
}

func TestDetectUnknownProvider(t *testing.T) {
	_, err := (Detector{}).Detect(context.Background(), "anna@example.com", "aol")
	var pe *problem.Error
	if !errors.As(err, &pe) || !errors.Is(err, ErrProvider) || pe.Field != FieldProvider || !strings.Contains(pe.Hint, "gmail, microsoft365") {
		t.Fatalf("got %v", err)
	}
}

// TestDetectOverHTTPS: the default addresses are https ones, and a file
// served over TLS is read.
func TestDetectOverHTTPS(t *testing.T) {
	urls := (Detector{}).autoconfigURLs("example.com", "anna+x@example.com")
	want := []string{"https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=anna%2Bx%40example.com",
		"https://example.com/.well-known/autoconfig/mail/config-v1.1.xml"}
	if !slices.Equal(urls, want) {
		t.Errorf("default URLs %q", urls)
	}
	web := httptest.NewTLSServer(serve(200, normalAutoconfig))
	defer web.Close()
	dnsSrv := startDNS(t, "", false)
	d := Detector{Resolver: dnsSrv.resolver(false), HTTP: web.Client(), AutoconfigURLs: func(domain, address string) []string {
		// The first one is not there; the second one is.
		return []string{"https://127.0.0.1:1/mail/config-v1.1.xml", web.URL + "/.well-known/autoconfig/mail/config-v1.1.xml"}
	}}
	s, err := d.Detect(context.Background(), "anna@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Servers) != 5 || !strings.HasSuffix(s.Servers[0].Source, "/.well-known/autoconfig/mail/config-v1.1.xml") {
		t.Fatalf("%s\n%q", listed(s.Servers), s.Tried)
	}
	if slices.ContainsFunc(s.Tried, func(l string) bool { return strings.Contains(l, "127.0.0.1:1") }) {
		t.Errorf("a source that failed while another answered is no news: %q", s.Tried)
	}
}
