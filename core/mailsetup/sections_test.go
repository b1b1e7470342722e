package mailsetup

import (
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
)

// TestSectionsSayWhatTextSays: every heading, value, paragraph and list
// item of the sections is in the plain text, in the same order, so a
// window laying the sections out shows what Copy puts on the clipboard.
func TestSectionsSayWhatTextSays(t *testing.T) {
	a := Account{
		Settings: Settings{Address: "ops@gmail.com", User: "ops@gmail.com"},
		Server: Server{Protocol: connectivity.SMTP, Host: "smtp.gmail.com", Port: 587,
			Protection: connectivity.STARTTLSMandatory},
		User: "ops@gmail.com", Credential: "gmail_smtp", CredentialType: credentials.UserCredentials,
	}
	h := NewHandOver(a, nil, "/home/ops/keystore.jks")
	text := h.Text()
	secs := h.Sections()
	if len(secs) < 4 || !strings.HasPrefix(secs[0].Heading, "Hand-over to Cloud Integration") {
		t.Fatalf("sections: %+v", secs)
	}
	rest := text
	next := func(s string) {
		t.Helper()
		i := strings.Index(rest, s)
		if i < 0 {
			t.Fatalf("%q is not in the text, or not in this order:\n%s", s, text)
		}
		rest = rest[i+len(s):]
	}
	for _, s := range secs {
		if s.Heading != "" {
			next(s.Heading)
		}
		for _, f := range s.Fields {
			next(f.Label + ": " + f.Value)
		}
		if s.Text != "" {
			next(s.Text)
		}
		for _, l := range s.List {
			next(l)
		}
	}
}
