package mailsetup

import (
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// TestProviderTableIsComplete: every entry can be used as it is by the
// window, the command and the tenant: named, with domains, an SMTP and an
// IMAP server (and POP3 where the provider has it), ports that match their
// protection, and help for the sign-in.
func TestProviderTableIsComplete(t *testing.T) {
	noPOP3 := map[string]bool{"icloud": true} // iCloud Mail offers no POP3
	ids := map[string]bool{}
	domains := map[string]string{}
	suffixes := map[string]string{}
	for _, p := range Providers {
		if p.ID == "" || p.Name == "" || strings.ContainsAny(p.ID, " \t") || p.ID != strings.ToLower(p.ID) {
			t.Errorf("%q / %q: needs a lowercase ID without spaces and a Name", p.ID, p.Name)
		}
		if ids[p.ID] {
			t.Errorf("%s: the ID is taken twice", p.ID)
		}
		ids[p.ID] = true
		if len(p.Domains) == 0 {
			t.Errorf("%s: no domains", p.ID)
		}
		for _, d := range p.Domains {
			if other, ok := domains[d]; ok {
				t.Errorf("%s: domain %s is %s's too", p.ID, d, other)
			}
			if d != strings.ToLower(d) || !connectivity.ValidHostName(d) {
				t.Errorf("%s: domain %q is not a lowercase domain", p.ID, d)
			}
			domains[d] = p.ID
		}
		for _, s := range p.MXSuffixes {
			if other, ok := suffixes[s]; ok {
				t.Errorf("%s: MX suffix %s is %s's too", p.ID, s, other)
			}
			suffixes[s] = p.ID
		}
		count := map[connectivity.Protocol]int{}
		for _, s := range p.Servers {
			count[s.Protocol]++
			if !connectivity.ValidHostName(s.Host) || s.Host != strings.ToLower(s.Host) {
				t.Errorf("%s: %s host %q is no lowercase host name", p.ID, s.Protocol, s.Host)
			}
			if s.Protection != connectivity.Implicit && s.Protection != connectivity.STARTTLSMandatory {
				t.Errorf("%s: %s %s has protection %q; the table proposes only implicit TLS and STARTTLS Mandatory", p.ID, s.Protocol, s.Address(), s.Protection)
			}
			if got := connectivity.ProtectionForPort(s.Protocol, s.Port, s.Protection); got != s.Protection || connectivity.DefaultPort(s.Protocol, s.Protection) != s.Port {
				t.Errorf("%s: %s %s with %s: the port does not match the protection (%s)", p.ID, s.Protocol, s.Address(), s.Protection.Label(s.Protocol), got)
			}
			if want := "Opsdesk's provider table (" + p.Name + ")"; s.Source != want {
				t.Errorf("%s: %s %s says its source is %q, want %q", p.ID, s.Protocol, s.Address(), s.Source, want)
			}
		}
		if count[connectivity.SMTP] == 0 || count[connectivity.IMAP] == 0 || (count[connectivity.POP3] == 0) != noPOP3[p.ID] {
			t.Errorf("%s: servers per protocol %v", p.ID, count)
		}
		if p.Servers[0].Protocol != connectivity.SMTP {
			t.Errorf("%s: the first server should be SMTP, the protocol tested by default", p.ID)
		}
		h := p.Help
		if h.Summary == "" || h.SecretLabel == "" || len(h.Steps) == 0 || !strings.HasSuffix(h.Summary, ".") || strings.Count(h.Summary, ". ") > 0 {
			t.Errorf("%s: help needs one sentence of Summary, Steps and a SecretLabel: %+v", p.ID, h)
		}
		if h.URL != "" && !strings.HasPrefix(h.URL, "https://") {
			t.Errorf("%s: help URL %q is not https", p.ID, h.URL)
		}
		switch p.SignIn {
		case SignInOAuth2:
			if p.OAuth == "" {
				t.Errorf("%s signs in with OAuth2 but names no OAuth2 preset", p.ID)
			}
		case SignInPassword, SignInAppPassword:
		default:
			t.Errorf("%s: unknown sign-in %q", p.ID, p.SignIn)
		}
	}
	for _, id := range []string{"gmail", "microsoft365", "outlook", "yahoo", "icloud", "gmx", "webde", "t-online", "ionos"} {
		if !ids[id] {
			t.Errorf("the table lacks %s", id)
		}
	}
}

// TestProviderFacts pins what the flow relies on, one provider at a time.
func TestProviderFacts(t *testing.T) {
	g, _ := ProviderByID("gmail")
	if g.SignIn != SignInAppPassword || g.OAuth != "Google" || !g.SecretSpacesIgnored || g.Help.URL != "https://myaccount.google.com/apppasswords" {
		t.Errorf("Gmail: %+v", g)
	}
	if s := g.Servers[0]; s.Address() != "smtp.gmail.com:587" || s.Protection != connectivity.STARTTLSMandatory {
		t.Errorf("Gmail proposes %s %s first; the tutorial uses smtp.gmail.com:587 with STARTTLS", s.Address(), s.Protection)
	}
	for _, id := range []string{"microsoft365", "outlook"} {
		m, _ := ProviderByID(id)
		if m.SignIn != SignInOAuth2 || m.OAuth != "Microsoft 365" {
			t.Errorf("%s: sign-in %s with %q", id, m.SignIn, m.OAuth)
		}
	}
	m, _ := ProviderByID("microsoft365")
	help := m.Help.Summary + " " + strings.Join(m.Help.Steps, " ")
	for _, says := range []string{"December 2026", "basic authentication", "administrator", "SMTP AUTH"} {
		if !strings.Contains(help, says) {
			t.Errorf("Microsoft 365's help does not say %q: %s", says, help)
		}
	}
	for _, id := range []string{"gmx", "webde"} {
		p, _ := ProviderByID(id)
		if p.SignIn != SignInPassword || !strings.Contains(strings.Join(p.Help.Steps, " "), "POP3 & IMAP") {
			t.Errorf("%s must say that POP3 & IMAP access has to be switched on: %+v", id, p.Help)
		}
	}
	if p, _ := ProviderByID("t-online"); p.Help.SecretLabel != "E-Mail-Passwort" {
		t.Errorf("T-Online asks for %q", p.Help.SecretLabel)
	}
}

func TestProviderLookups(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		lookup         func(string) (Provider, bool)
	}{
		{"by ID", "gmail", "gmail", ProviderByID},
		{"by ID in capitals", " ICLOUD ", "icloud", ProviderByID},
		{"by name", "microsoft 365", "microsoft365", ProviderByID},
		{"unknown ID", "aol", "", ProviderByID},
		{"address domain", "GMail.com.", "gmail", ForDomain},
		{"Microsoft 365's initial domain", "contoso.onmicrosoft.com", "microsoft365", ForDomain},
		{"a domain of one's own", "example.com", "", ForDomain},
		{"a domain that only ends like one", "notgmail.com", "", ForDomain},
		{"Google Workspace MX", "aspmx.l.google.com.", "gmail", ForMX},
		{"Google's new MX", "smtp.google.com", "gmail", ForMX},
		{"Microsoft 365 MX", "example-com.mail.protection.outlook.com", "microsoft365", ForMX},
		{"Outlook.com MX", "eur.olc.protection.outlook.com", "outlook", ForMX},
		{"Yahoo MX", "mta5.am0.yahoodns.net", "yahoo", ForMX},
		{"AOL's MX is not Yahoo Mail's", "mx-aol.mail.gm0.yahoodns.net", "", ForMX},
		{"IONOS MX", "mx00.ionos.de", "ionos", ForMX},
		{"unknown MX", "mx.example.net", "", ForMX},
		{"empty", "", "", ForMX},
	} {
		p, ok := tc.lookup(tc.in)
		if ok != (tc.want != "") || p.ID != tc.want {
			t.Errorf("%s: %q gives %q (%v), want %q", tc.name, tc.in, p.ID, ok, tc.want)
		}
	}
}

// TestProvidersAreCopies: what a lookup returns is the caller's to edit;
// the table stays as it is.
func TestProvidersAreCopies(t *testing.T) {
	p, _ := ProviderByID("gmail")
	p.Servers[0].Host = "changed.example"
	p.Domains[0] = "changed.example"
	p.Help.Steps[0] = "changed"
	again, _ := ForDomain("gmail.com")
	if again.Servers[0].Host != "smtp.gmail.com" || again.Domains[0] != "gmail.com" || again.Help.Steps[0] == "changed" {
		t.Fatalf("editing a looked-up provider changed the table: %+v", again)
	}
}

func TestUsualServers(t *testing.T) {
	got := UsualServers("Example.COM.")
	want := []string{"SMTP smtp.example.com:587 STARTTLS Mandatory", "IMAP imap.example.com:993 IMAPS", "POP3 pop.example.com:995 POP3S"}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i, s := range got {
		if line := string(s.Protocol) + " " + s.Address() + " " + s.Protection.Label(s.Protocol); line != want[i] || s.Source != "the usual port; check the host with your provider" {
			t.Errorf("%s (%s), want %s", line, s.Source, want[i])
		}
	}
}
