package mailsetup

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/problem"
)

// acServer writes one server element of an autoconfig file.
func acServer(element, typ, host, port, socket, user string) string {
	return fmt.Sprintf(`<%s type=%q><hostname>%s</hostname><port>%s</port><socketType>%s</socketType>`+
		`<username>%s</username><authentication>password-cleartext</authentication></%s>`, element, typ, host, port, socket, user, element)
}

func acFile(servers ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<clientConfig version="1.1"><emailProvider id="example.com">` +
		`<domain>example.com</domain><displayName>Example Mail</displayName>` + strings.Join(servers, "\n") + `</emailProvider></clientConfig>`
}

// normalAutoconfig is a file as a provider publishes it: the shape of the
// ISPDB's entries, with Exchange beside the mail protocols, a plain POP3
// server listed first, and the placeholders.
var normalAutoconfig = acFile(
	acServer("incomingServer", "imap", "imap.%EMAILDOMAIN%", "993", "SSL", "%EMAILLOCALPART%"),
	acServer("incomingServer", "pop3", "pop.example.com", "110", "plain", "%EMAILADDRESS%"),
	acServer("incomingServer", "pop3", "pop.example.com", "995", "SSL", "%EMAILADDRESS%"),
	`<incomingServer type="exchange"><hostname>outlook.example.com</hostname><port>443</port><socketType>SSL</socketType></incomingServer>`,
	acServer("outgoingServer", "smtp", "smtp.example.com", "587", "STARTTLS", "%EMAILLOCALPART%"),
	acServer("outgoingServer", "smtp", "smtp.example.com", "465", "SSL", "%EMAILLOCALPART%"),
	`<documentation url="https://example.com/help"><descr lang="en">Help</descr></documentation>`,
)

func describe(servers []Server) string {
	var lines []string
	for _, s := range servers {
		lines = append(lines, string(s.Protocol)+" "+s.Address()+" "+s.Protection.Label(s.Protocol))
	}
	return strings.Join(lines, ", ")
}

func TestParseAutoconfig(t *testing.T) {
	for _, tc := range []struct {
		name, xml, servers, user string
		skipped                  []string
	}{
		{"a provider's file: SMTP first, plain last, placeholders filled, Exchange left out", normalAutoconfig,
			"SMTP smtp.example.com:587 STARTTLS Mandatory, SMTP smtp.example.com:465 SMTPS, IMAP imap.example.com:993 IMAPS, POP3 pop.example.com:995 POP3S, POP3 pop.example.com:110 Off",
			"anna", nil},
		{"a port that is no number is skipped, the rest kept",
			acFile(acServer("outgoingServer", "smtp", "smtp.example.com", "five-eight-seven", "STARTTLS", ""), acServer("incomingServer", "imap", "imap.example.com", " 993 ", "SSL", "")),
			"IMAP imap.example.com:993 IMAPS", "", []string{`An SMTP server of smtp.example.com has the port "five-eight-seven", not a number from 1 to 65535`}},
		{"a port out of range",
			acFile(acServer("outgoingServer", "smtp", "smtp.example.com", "65536", "SSL", ""), acServer("outgoingServer", "smtp", "smtp.example.com", "0", "SSL", ""), acServer("incomingServer", "imap", "imap.example.com", "993", "ssl", "")),
			"IMAP imap.example.com:993 IMAPS", "", []string{"not a number from 1 to 65535", "not a number from 1 to 65535"}},
		{"an unknown socketType",
			acFile(acServer("outgoingServer", "smtp", "smtp.example.com", "587", "TLS-maybe", ""), acServer("incomingServer", "imap", "imap.example.com", "993", "SSL", "")),
			"IMAP imap.example.com:993 IMAPS", "", []string{`socketType "TLS-maybe"`}},
		{"host names with spaces, a scheme, a port or nothing",
			acFile(acServer("outgoingServer", "smtp", "smtp example.com", "587", "STARTTLS", ""),
				acServer("outgoingServer", "smtp", "smtp://smtp.example.com", "587", "STARTTLS", ""),
				acServer("outgoingServer", "smtp", "smtp.example.com:587", "587", "STARTTLS", ""),
				acServer("outgoingServer", "smtp", "", "587", "STARTTLS", ""),
				acServer("outgoingServer", "smtp", "localhost", "587", "STARTTLS", ""),
				acServer("incomingServer", "imap", "192.0.2.10", "993", "SSL", "")),
			"IMAP 192.0.2.10:993 IMAPS", "", []string{"cannot be one", "cannot be one", "cannot be one", "has no host name", "cannot be one"}},
		{"a user name with a placeholder unknown to us gives the address",
			acFile(acServer("outgoingServer", "smtp", "smtp.example.com", "587", "STARTTLS", "%REALNAME%")),
			"SMTP smtp.example.com:587 STARTTLS Mandatory", "", nil},
		{"the same server twice is proposed once",
			acFile(acServer("outgoingServer", "smtp", "smtp.example.com", "587", "STARTTLS", ""), acServer("outgoingServer", "smtp", "SMTP.example.com.", "587", "STARTTLS", "")),
			"SMTP smtp.example.com:587 STARTTLS Mandatory", "", nil},
		{"an ISO-8859-1 file",
			`<?xml version="1.0" encoding="ISO-8859-1"?><clientConfig><emailProvider id="x"><displayName>M` + "\xfc" + `ller</displayName>` +
				acServer("outgoingServer", "smtp", "smtp.example.com", "587", "STARTTLS", "") + `</emailProvider></clientConfig>`,
			"SMTP smtp.example.com:587 STARTTLS Mandatory", "", nil},
		{"servers outside emailProvider are not the provider's",
			`<clientConfig>` + acServer("outgoingServer", "smtp", "evil.example.net", "587", "STARTTLS", "") + `<emailProvider>` +
				acServer("outgoingServer", "smtp", "smtp.example.com", "587", "STARTTLS", "") + `</emailProvider></clientConfig>`,
			"SMTP smtp.example.com:587 STARTTLS Mandatory", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ac, err := ParseAutoconfig([]byte(tc.xml), "anna@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(ac.Servers); got != tc.servers {
				t.Errorf("servers\n got %s\nwant %s", got, tc.servers)
			}
			if ac.User != tc.user {
				t.Errorf("user %q, want %q", ac.User, tc.user)
			}
			if len(ac.Skipped) != len(tc.skipped) {
				t.Fatalf("skipped %q, want %q", ac.Skipped, tc.skipped)
			}
			for i, s := range tc.skipped {
				if !strings.Contains(ac.Skipped[i], s) {
					t.Errorf("skipped %q, want %q", ac.Skipped[i], s)
				}
			}
		})
	}
}

// TestHostileAutoconfig: files that are too big, too deep, too long or
// not autoconfig at all are refused in one sentence, fast.
func TestHostileAutoconfig(t *testing.T) {
	smtp := acServer("outgoingServer", "smtp", "smtp.example.com", "587", "STARTTLS", "")
	for _, tc := range []struct{ name, xml, says string }{
		{"larger than 256 KiB", acFile(smtp) + "<!--" + strings.Repeat("x", MaxAutoconfigSize) + "-->", "is larger than 256 KiB"},
		{"nested 10,000 deep", "<clientConfig>" + strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000) + "</clientConfig>", "nested deeper than 32 levels"},
		{"a thousand servers", acFile(strings.Repeat(smtp, 1000)), "lists more than 50 servers"},
		{"JSON", "{\"smtp\": \"smtp.example.com\"}", "is not an autoconfig file"},
		{"not XML", "<clientConfig><a></b></clientConfig>", "is not valid XML"},
		{"an HTML page", "<html><body>Not found</body></html>", "is not an autoconfig file"},
		{"cut off", acFile(smtp)[:200], "is not valid XML"},
		{"entities of its own", `<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa">]><clientConfig>&a;&a;</clientConfig>`, "is not valid XML"},
		{"empty", "", "is empty"},
		{"a charset no one uses", `<?xml version="1.0" encoding="EBCDIC-US"?><clientConfig/>`, "is not valid XML"},
		{"no servers", acFile(), "lists no SMTP, IMAP or POP3 server"},
		{"only servers it cannot use", acFile(acServer("outgoingServer", "smtp", "smtp.example.com", "x", "SSL", "")), "lists no SMTP, IMAP or POP3 server"},
		{"a host name of 100 KiB", acFile(acServer("outgoingServer", "smtp", strings.Repeat("a", 100<<10), "587", "STARTTLS", "")), "lists no SMTP, IMAP or POP3 server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseAutoconfig([]byte(tc.xml), "anna@example.com")
			var pe *problem.Error
			if !errors.As(err, &pe) || !errors.Is(err, ErrAutoconfig) {
				t.Fatalf("got %v, want a refusal", err)
			}
			if msg := pe.Sentence(); !strings.Contains(msg, tc.says) || len(msg) > 300 {
				t.Errorf("says %q, want %q in one short sentence", msg, tc.says)
			}
		})
	}
}

// FuzzParseAutoconfig: whatever the bytes, the parser ends, refuses with
// its own error or returns only servers that can be used.
func FuzzParseAutoconfig(f *testing.F) {
	f.Add([]byte(normalAutoconfig))
	f.Add([]byte(acFile(acServer("outgoingServer", "smtp", "%EMAILDOMAIN%", "25", "plain", "%EMAILADDRESS%"))))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><clientConfig><emailProvider/></clientConfig>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ac, err := ParseAutoconfig(data, "anna@example.com")
		if err != nil {
			if !errors.Is(err, ErrAutoconfig) {
				t.Fatalf("an error of another kind: %v", err)
			}
			return
		}
		if len(ac.Servers) == 0 || len(ac.Servers) > maxAutoconfigServers {
			t.Fatalf("%d servers", len(ac.Servers))
		}
		for _, s := range ac.Servers {
			_, ipErr := netip.ParseAddr(s.Host)
			switch {
			case s.Port < 1 || s.Port > 65535:
				t.Fatalf("port %d", s.Port)
			case ipErr != nil && !connectivity.ValidHostName(s.Host):
				t.Fatalf("host %q", s.Host)
			case s.Protection != connectivity.Implicit && s.Protection != connectivity.STARTTLSMandatory && s.Protection != connectivity.Off:
				t.Fatalf("protection %q", s.Protection)
			case s.Protocol != connectivity.SMTP && s.Protocol != connectivity.IMAP && s.Protocol != connectivity.POP3:
				t.Fatalf("protocol %q", s.Protocol)
			}
		}
		if strings.ContainsAny(ac.User, " \t\r\n%") {
			t.Fatalf("user %q", ac.User)
		}
	})
}
