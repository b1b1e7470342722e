package mailsetup

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
)

var credentialNameCases = []struct {
	name     string
	settings Settings
	protocol connectivity.Protocol
	taken    []string
	want     string
}{
	{"a provider of the table", Settings{Address: "me@gmail.com", Domain: "gmail.com", Provider: gmail}, connectivity.SMTP, nil, "gmail_smtp"},
	{"a domain of its own", Settings{Address: "me@example.com", Domain: "example.com"}, connectivity.IMAP, nil, "example_imap"},
	{"capitals lowered", Settings{Address: "Me@Example.COM", Domain: "Example.COM"}, connectivity.POP3, nil, "example_pop3"},
	{"no Domain: the address's", Settings{Address: "me@mail.example.org"}, connectivity.SMTP, nil, "mail_smtp"},
	{"taken once", Settings{Provider: gmail}, connectivity.SMTP, []string{"gmail_smtp"}, "gmail_smtp_2"},
	{"taken twice", Settings{Provider: gmail}, connectivity.SMTP, []string{"gmail_smtp", "gmail_smtp_2"}, "gmail_smtp_3"},
	{"taken in other capitals", Settings{Provider: gmail}, connectivity.SMTP, []string{"GMAIL_SMTP"}, "gmail_smtp_2"},
	{"other protocols do not count", Settings{Provider: gmail}, connectivity.IMAP, []string{"gmail_smtp"}, "gmail_imap"},
	{"non-ASCII letters", Settings{Address: "anna@müller-bäcker.de", Domain: "müller-bäcker.de"}, connectivity.SMTP, nil, "m_ller-b_cker_smtp"},
	{"nothing usable", Settings{Address: "x@ü.de", Domain: "ü.de"}, connectivity.SMTP, nil, "mail_smtp"},
	{"a long label", Settings{Domain: strings.Repeat("a", 200) + ".de"}, connectivity.SMTP, nil, strings.Repeat("a", 145) + "_smtp"},
}

func TestCredentialName(t *testing.T) {
	for _, c := range credentialNameCases {
		t.Run(c.name, func(t *testing.T) {
			taken := func(n string) bool {
				for _, x := range c.taken {
					if strings.EqualFold(x, n) {
						return true
					}
				}
				return false
			}
			got := CredentialName(c.settings, c.protocol, taken)
			if got != c.want {
				t.Errorf("CredentialName = %q, want %q", got, c.want)
			}
			if err := credentials.CheckName(got); err != nil {
				t.Errorf("%q is refused by the store: %v", got, err)
			}
			if taken(got) {
				t.Errorf("%q is taken", got)
			}
		})
	}
	// A long name made unique stays within the limit.
	long := Settings{Domain: strings.Repeat("b", 200) + ".de"}
	first := CredentialName(long, connectivity.SMTP, nil)
	second := CredentialName(long, connectivity.SMTP, func(n string) bool { return n == first })
	if len(second) > credentials.MaxNameLength || second == first || !strings.HasSuffix(second, "_smtp_2") {
		t.Errorf("long and taken: %q (%d characters)", second, len(second))
	}
}

func FuzzCredentialName(f *testing.F) {
	for _, c := range credentialNameCases {
		f.Add(c.settings.Address, c.settings.Domain, string(c.protocol))
	}
	f.Fuzz(func(t *testing.T, address, domain, protocol string) {
		got := CredentialName(Settings{Address: address, Domain: domain}, connectivity.Protocol(protocol), nil)
		if err := credentials.CheckName(got); err != nil {
			t.Fatalf("%q from %q %q %q: %v", got, address, domain, protocol, err)
		}
	})
}

func TestNormalizeSecret(t *testing.T) {
	other := &Provider{ID: "gmx", SignIn: SignInPassword}
	for _, c := range []struct {
		name     string
		provider *Provider
		in, want string
	}{
		{"App Password as Google shows it", gmail, "abcd efgh ijkl mnop", "abcdefghijklmnop"},
		{"already without spaces", gmail, "abcdefghijklmnop", "abcdefghijklmnop"},
		{"copied with no-break spaces and a tab", gmail, "abcd\u00a0efgh\u00a0ijkl\tmnop", "abcdefghijklmnop"},
		{"spaces around it", gmail, " abcd efgh ijkl mnop ", "abcdefghijklmnop"},
		{"a provider that keeps spaces", other, "pass word with spaces", "pass word with spaces"},
		{"no provider", nil, "  Pa55 word\u00a0", "  Pa55 word\u00a0"},
		{"empty", gmail, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := []byte(c.in)
			got := NormalizeSecret(c.provider, in)
			if string(got) != c.want {
				t.Errorf("NormalizeSecret(%q) = %q, want %q", c.in, got, c.want)
			}
			if !bytes.Equal(in, []byte(c.in)) {
				t.Errorf("the input was changed to %q", in)
			}
			if len(got) > 0 {
				got[0] ^= 0xFF // the caller clears it: it must not be the input
				if !bytes.Equal(in, []byte(c.in)) {
					t.Error("the result shares the input's memory")
				}
			}
		})
	}
}

func TestAccountRequest(t *testing.T) {
	a := loopbackAccount(connectivity.SMTP, 2525, connectivity.STARTTLSMandatory)
	first, proof := a.Request(false), a.Request(true)
	for _, c := range []struct {
		name      string
		got, want connectivity.Request
	}{
		{"first test: no validation, no sign-in", first, connectivity.Request{Protocol: connectivity.SMTP, Host: "mail.opsdesk.test", Port: 2525,
			Protection: connectivity.STARTTLSMandatory, Auth: connectivity.AuthNone, ConnectTo: "127.0.0.1"}},
		{"proof: validation and sign-in", proof, connectivity.Request{Protocol: connectivity.SMTP, Host: "mail.opsdesk.test", Port: 2525,
			Protection: connectivity.STARTTLSMandatory, Auth: connectivity.AuthPlain, Credential: "opsdesk_smtp", ConnectTo: "127.0.0.1",
			VerifyCertificate: true}},
	} {
		if c.got.Protocol != c.want.Protocol || c.got.Host != c.want.Host || c.got.Port != c.want.Port || c.got.Protection != c.want.Protection ||
			c.got.Auth != c.want.Auth || c.got.Credential != c.want.Credential || c.got.ConnectTo != c.want.ConnectTo ||
			c.got.VerifyCertificate != c.want.VerifyCertificate || c.got.User != "" || c.got.Password != nil {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, c.got, c.want)
		}
	}
	a.CredentialType = credentials.OAuth2AuthorizationCode
	if r := a.Request(true); r.Auth != connectivity.AuthOAuth2 || r.Credential != "opsdesk_smtp" {
		t.Errorf("OAuth2 proof: %+v", r)
	}
	if r := a.Request(false); r.Auth != connectivity.AuthNone {
		t.Errorf("OAuth2 first test signs in: %+v", r)
	}
	a.Server.Protection = connectivity.Off
	if r := a.Request(true); r.VerifyCertificate {
		t.Error("Protection Off requires a certificate")
	}
}

func TestParseServer(t *testing.T) {
	for _, c := range []struct {
		p     connectivity.Protocol
		typed string
		want  Server
	}{
		{connectivity.SMTP, "smtp.gmail.com:587", Server{Host: "smtp.gmail.com", Port: 587, Protection: connectivity.STARTTLSMandatory}},
		{connectivity.SMTP, "smtp.gmail.com:465", Server{Host: "smtp.gmail.com", Port: 465, Protection: connectivity.Implicit}},
		{connectivity.SMTP, " SMTP.Gmail.com ", Server{Host: "smtp.gmail.com", Port: 587, Protection: connectivity.STARTTLSMandatory}},
		{connectivity.IMAP, "imap.gmail.com", Server{Host: "imap.gmail.com", Port: 143, Protection: connectivity.STARTTLSMandatory}},
		{connectivity.IMAP, "imaps://imap.gmail.com", Server{Host: "imap.gmail.com", Port: 993, Protection: connectivity.Implicit}},
		{connectivity.IMAP, "imap.gmail.com:993", Server{Host: "imap.gmail.com", Port: 993, Protection: connectivity.Implicit}},
		{connectivity.POP3, "pop3s://mail.example.com:2995", Server{Host: "mail.example.com", Port: 2995, Protection: connectivity.Implicit}},
		{connectivity.POP3, "pop3://mail.example.com:995", Server{Host: "mail.example.com", Port: 995, Protection: connectivity.STARTTLSMandatory}},
		{connectivity.SMTP, "127.0.0.1:2525", Server{Host: "127.0.0.1", Port: 2525, Protection: connectivity.STARTTLSMandatory}},
	} {
		got, err := ParseServer(c.p, c.typed)
		c.want.Protocol, c.want.Source = c.p, SourceTyped
		if err != nil || got != c.want {
			t.Errorf("ParseServer(%s, %q) = %+v, %v; want %+v", c.p, c.typed, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "me@gmail.com", "smtp.gmail.com:99999", "imaps://imap.gmail.com", "http://x", "two words"} {
		if _, err := ParseServer(connectivity.SMTP, bad); err == nil {
			t.Errorf("ParseServer(SMTP, %q) took it", bad)
		}
	}
}

func TestDefaultProtocolAndWithServer(t *testing.T) {
	imap := Server{Protocol: connectivity.IMAP, Host: "imap.example.com", Port: 993, Protection: connectivity.Implicit}
	smtp := Server{Protocol: connectivity.SMTP, Host: "smtp.example.com", Port: 587, Protection: connectivity.STARTTLSMandatory}
	if p := DefaultProtocol(Settings{Servers: []Server{imap, smtp}}); p != connectivity.SMTP {
		t.Errorf("with SMTP found: %s", p)
	}
	if p := DefaultProtocol(Settings{Servers: []Server{imap}}); p != connectivity.IMAP {
		t.Errorf("with IMAP only: %s", p)
	}
	if p := DefaultProtocol(Settings{}); p != connectivity.SMTP {
		t.Errorf("with nothing found: %s", p)
	}
	typed := Server{Protocol: connectivity.SMTP, Host: "other.example.com", Port: 2525, Protection: connectivity.STARTTLSMandatory, Source: SourceTyped}
	s := Settings{Servers: []Server{imap, smtp}}.WithServer(typed)
	if got, _ := s.Server(connectivity.SMTP); got != typed || len(s.Candidates(connectivity.SMTP)) != 2 {
		t.Errorf("the typed server is not proposed first: %+v", s.Servers)
	}
	if got, _ := s.Server(connectivity.IMAP); got != imap {
		t.Errorf("IMAP changed: %+v", got)
	}
}

func FuzzParseServer(f *testing.F) {
	for _, s := range []string{"smtp.gmail.com:587", "smtps://smtp.gmail.com", "[2001:db8::1]:465", "imap://x:0", "müller.de:25", "a://b://c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		for _, p := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
			sv, err := ParseServer(p, typed)
			if err != nil {
				continue
			}
			// What it takes, a test takes as it is.
			host, port, err := connectivity.NormalizeHost(sv.Host, sv.Port)
			if err != nil || host != sv.Host || port != sv.Port || port < 1 || sv.Protocol != p ||
				(sv.Protection != connectivity.Implicit && sv.Protection != connectivity.STARTTLSMandatory) {
				t.Fatalf("ParseServer(%s, %q) = %+v; NormalizeHost: %q %d %v", p, typed, sv, host, port, err)
			}
		}
	})
}

// TestTableSettings: the table alone, with no network at all (this test
// would hang or fail on a lookup: none is made).
func TestTableSettings(t *testing.T) {
	s, err := TableSettings(" Me@GMAIL.com ")
	if err != nil || s.Provider == nil || s.Provider.ID != "gmail" || s.User != s.Address || s.Domain != "gmail.com" {
		t.Fatalf("gmail.com: %+v %v", s, err)
	}
	if sv, ok := s.Server(connectivity.SMTP); !ok || sv.Host != "smtp.gmail.com" || sv.Port != 587 {
		t.Errorf("Gmail's SMTP: %+v", sv)
	}
	if got := CredentialName(s, connectivity.SMTP, nil); got != "gmail_smtp" {
		t.Errorf("CredentialName = %q", got)
	}
	if help := SignInHelpFor(s); help.SecretLabel != "App Password" || !strings.Contains(help.Summary, "App Password") {
		t.Errorf("help %+v", help)
	}
	if n := NormalizeSecret(s.Provider, []byte("abcd efgh ijkl mnop")); string(n) != "abcdefghijklmnop" {
		t.Errorf("Gmail's App Password: %q", n)
	}
	s, err = TableSettings("ops@contoso.onmicrosoft.com")
	if err != nil || s.Provider == nil || s.SignIn() != SignInOAuth2 {
		t.Errorf("Microsoft 365: %+v %v", s, err)
	}
	s, err = TableSettings("anna@example.com")
	if err != nil || s.Provider != nil || len(s.Servers) != 0 || s.Domain != "example.com" {
		t.Errorf("a domain of its own: %+v %v", s, err)
	}
	if help := SignInHelpFor(s); help.SecretLabel != "Password" || help.Summary == "" {
		t.Errorf("help without a provider: %+v", help)
	}
	if _, err := TableSettings("not an address"); !errors.Is(err, ErrAddress) {
		t.Errorf("not an address: %v", err)
	}
}
