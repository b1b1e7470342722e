package connectivity_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// TestPortAndProtectionAgree: picking a port picks its Protection, picking
// a Protection proposes its port, a port the user typed for a server of
// their own stays, and the two rules never undo each other.
func TestPortAndProtectionAgree(t *testing.T) {
	const (
		off, implicit = connectivity.Off, connectivity.Implicit
		mandatory     = connectivity.STARTTLSMandatory
		optional      = connectivity.STARTTLSOptional
	)
	smtp, imap, pop3 := connectivity.SMTP, connectivity.IMAP, connectivity.POP3
	for _, c := range []struct {
		p       connectivity.Protocol
		port    int
		current connectivity.Protection
		want    connectivity.Protection
	}{
		{smtp, 465, mandatory, implicit}, {smtp, 465, off, implicit}, {smtp, 587, implicit, mandatory}, {smtp, 25, implicit, mandatory},
		{smtp, 587, optional, optional}, {smtp, 587, off, off}, {smtp, 2525, implicit, implicit}, {smtp, 2525, off, off},
		{imap, 993, mandatory, implicit}, {imap, 143, implicit, mandatory}, {pop3, 995, optional, implicit}, {pop3, 110, implicit, mandatory},
	} {
		if got := connectivity.ProtectionForPort(c.p, c.port, c.current); got != c.want {
			t.Errorf("%s port %d with %s: %s, want %s", c.p, c.port, c.current, got, c.want)
		}
	}
	for _, c := range []struct {
		p       connectivity.Protocol
		pr      connectivity.Protection
		current int
		want    int
	}{
		{smtp, implicit, 587, 465}, {smtp, implicit, 25, 465}, {smtp, mandatory, 465, 587}, {smtp, off, 465, 587},
		{smtp, mandatory, 25, 25}, {smtp, optional, 587, 587}, {smtp, implicit, 2525, 2525}, {smtp, mandatory, 0, 587},
		{imap, implicit, 143, 993}, {imap, optional, 993, 143}, {pop3, implicit, 110, 995}, {pop3, mandatory, 995, 110},
	} {
		if got := connectivity.PortForProtection(c.p, c.pr, c.current); got != c.want {
			t.Errorf("%s %s from port %d: %d, want %d", c.p, c.pr, c.current, got, c.want)
		}
	}
	for _, p := range []connectivity.Protocol{smtp, imap, pop3} {
		for _, pr := range []connectivity.Protection{off, implicit, mandatory, optional} {
			for _, port := range []int{0, 25, 110, 143, 465, 587, 993, 995, 2525} {
				proposed := connectivity.PortForProtection(p, pr, port)
				if back := connectivity.ProtectionForPort(p, proposed, pr); back != pr {
					t.Errorf("%s: %s proposes port %d, which asks for %s", p, pr, proposed, back)
				}
			}
		}
	}
}

// TestSplitHostPort: a port typed into Host comes out for the Port field,
// the host as typed without it; what cannot be used is refused.
func TestSplitHostPort(t *testing.T) {
	for in, want := range map[string]struct {
		host string
		port int
	}{
		"smtp.gmail.com":              {"smtp.gmail.com", 0},
		" smtp.gmail.com:465 ":        {"smtp.gmail.com", 465},
		"smtps://smtp.gmail.com:465/": {"smtp.gmail.com", 465},
		"[2001:db8::1]:993":           {"2001:db8::1", 993},
		"2001:db8::1":                 {"2001:db8::1", 0},
		"Mail.Bücher.example:110":     {"Mail.Bücher.example", 110},
	} {
		h, p, err := connectivity.SplitHostPort(in)
		if err != nil || h != want.host || p != want.port {
			t.Errorf("%q: %q %d %v", in, h, p, err)
		}
	}
	for _, in := range []string{"smtp.gmail.com:99999", "smtp.gmail.com:abc", "me@gmail.com:465", ""} {
		if _, _, err := connectivity.SplitHostPort(in); !errors.Is(err, connectivity.ErrBadHost) || !strings.HasSuffix(err.Error(), ".") {
			t.Errorf("%q: %v", in, err)
		}
	}
	// Two different ports: the one used would not be the one the other
	// field shows.
	if _, _, err := connectivity.NormalizeHost("smtp.gmail.com:465", 587); !errors.Is(err, connectivity.ErrBadHost) || !strings.Contains(err.Error(), "465") {
		t.Errorf("two ports: %v", err)
	}
	if _, port, err := connectivity.NormalizeHost("smtp.gmail.com:465", 465); err != nil || port != 465 {
		t.Errorf("the same port twice: %d %v", port, err)
	}
}
