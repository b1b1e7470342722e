package connectivity

import (
	"errors"
	"testing"

	"github.com/opsdesk/opsdesk/core/problem"
)

// TestRequestCheck: what the Request form and the command line both
// refuse before a test is sent, each with the field at fault.
func TestRequestCheck(t *testing.T) {
	ok := Request{Protocol: SMTP, Host: "smtp.gmail.com"}
	for _, tc := range []struct {
		name  string
		edit  func(r *Request)
		field string
	}{
		{"complete", func(*Request) {}, ""},
		{"no host", func(r *Request) { r.Host = "  " }, FieldHost},
		{"port out of range", func(r *Request) { r.Port = 70000 }, FieldPort},
		{"default port", func(r *Request) { r.Port = 0 }, ""},
		{"authentication without a user", func(r *Request) { r.Auth = AuthPlain }, FieldCredential},
		{"authentication with a typed user", func(r *Request) { r.Auth, r.User = AuthPlain, "me" }, ""},
		{"authentication with a credential", func(r *Request) { r.Auth, r.Credential = AuthEncrypted, "gmail" }, ""},
		{"OAuth2 without a credential", func(r *Request) { r.Auth, r.User = AuthOAuth2, "me@example.com" }, FieldCredential},
		{"OAuth2 with a credential", func(r *Request) { r.Auth, r.Credential = AuthOAuth2, "m365" }, ""},
		{"From without To", func(r *Request) { r.From = "a@b" }, FieldAddresses},
		{"From and To", func(r *Request) { r.From, r.To = "a@b", "c@d" }, ""},
		{"addresses on IMAP", func(r *Request) { r.Protocol, r.From, r.To = IMAP, "a@b", "c@d" }, FieldAddresses},
		{"folders on SMTP", func(r *Request) { r.ListFolders = true }, FieldFolders},
		{"list and check", func(r *Request) { r.Protocol, r.ListFolders, r.Mailbox = IMAP, true, "INBOX" }, FieldFolders},
		{"mailbox on IMAP", func(r *Request) { r.Protocol, r.CheckMailbox = IMAP, true }, FieldMailbox},
		{"mailbox on POP3", func(r *Request) { r.Protocol, r.CheckMailbox = POP3, true }, ""},
	} {
		r := ok
		tc.edit(&r)
		err := r.Check()
		var pe *problem.Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.field != "" && (!errors.As(err, &pe) || pe.Field != tc.field):
			t.Errorf("%s: %v, want an error about %s", tc.name, err, tc.field)
		}
	}
}
