package mailsetup

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/problem"
)

func TestCheckAddress(t *testing.T) {
	for _, tc := range []struct {
		name, in, address, domain string
	}{
		{"plain", "anna@example.com", "anna@example.com", "example.com"},
		{"spaces around it and capitals in the domain", "  Anna.Smith@Example.COM \n", "Anna.Smith@example.com", "example.com"},
		{"pasted with a name", "Anna Smith <anna@example.com>", "anna@example.com", "example.com"},
		{"pasted as a link", "mailto:anna@example.com", "anna@example.com", "example.com"},
		{"a dot after the domain", "anna@example.com.", "anna@example.com", "example.com"},
		{"non-ASCII letters in the domain", "anna@bücher.de", "anna@bücher.de", "xn--bcher-kva.de"},
		{"plus addressing", "anna+cpi@example.com", "anna+cpi@example.com", "example.com"},
	} {
		a, d, err := CheckAddress(tc.in)
		if err != nil || a != tc.address || d != tc.domain {
			t.Errorf("%s: %q gives %q, %q, %v; want %q, %q", tc.name, tc.in, a, d, err, tc.address, tc.domain)
		}
	}
}

// TestBadAddresses: each mistake a user makes gets one sentence saying
// what to type, of Kind ErrAddress, about the address field.
func TestBadAddresses(t *testing.T) {
	for _, tc := range []struct{ name, in, says string }{
		{"nothing typed", "  ", "Type the whole e-mail address, such as anna@example.com."},
		{"only the name", "anna", "has no @"},
		{"stopped at the @", "anna@", `"anna@" ends at the @. Type the whole e-mail address, such as anna@example.com.`},
		{"nothing before the @", "@example.com", "Type the name before the @ too"},
		{"no domain", "anna@localhost", "Type the domain after the @"},
		{"a domain with a space", "anna@exa mple.com", "without spaces"},
		{"a space inside", "an na@example.com", "without spaces"},
		{"two @", "anna@smith@example.com", "more than one @"},
		{"a domain with a slash", "anna@example.com/x", "Type the domain after the @"},
		{"too long", strings.Repeat("a", 250) + "@example.com", "longer than an e-mail address can be"},
		{"too long before the @", strings.Repeat("a", 65) + "@example.com", "more than 64 characters"},
	} {
		_, _, err := CheckAddress(tc.in)
		var pe *problem.Error
		if !errors.As(err, &pe) || !errors.Is(err, ErrAddress) || pe.Field != FieldAddress {
			t.Errorf("%s: %q gives %v, want an address error", tc.name, tc.in, err)
			continue
		}
		if msg := pe.Sentence(); !strings.Contains(msg, tc.says) || strings.Count(msg, ". ") > 1 || strings.Contains(msg, "\n") {
			t.Errorf("%s: %q says %q, want one sentence with %q", tc.name, tc.in, msg, tc.says)
		}
		// Detect refuses them the same way, before any lookup.
		if _, err := (Detector{}).Detect(context.Background(), tc.in, ""); !errors.Is(err, ErrAddress) {
			t.Errorf("%s: Detect gives %v", tc.name, err)
		}
	}
}
