package connectivity

import (
	"errors"
	"strings"

	"github.com/opsdesk/opsdesk/core/problem"
)

// ErrIncomplete is the Kind of Request.Check's errors.
var ErrIncomplete = errors.New("connectivity: request incomplete")

// The fields of the Request form, as it labels them: the Field of
// Request.Check's errors, for the form to show them beside the field and
// the command line to name its flag.
const (
	FieldHost       = "Host"
	FieldPort       = "Port"
	FieldCredential = "Credential Name"
	FieldAddresses  = "From"   // SMTP's Check Mail Addresses: From and To
	FieldFolders    = "Folder" // IMAP's List Folders and Check Mailbox Content
	FieldMailbox    = "Check Mailbox Content"
)

// Check says what keeps r from being sent, before anything is tried: the
// rules the Request form and the command line share. It returns nil, or a
// *problem.Error whose Field names the field at fault. The host's spelling
// is NormalizeHost's to judge, when the test runs.
func (r Request) Check() error {
	bad := func(field, what, hint string) error {
		return &problem.Error{Kind: ErrIncomplete, Field: field, What: what, Hint: hint}
	}
	if strings.TrimSpace(r.Host) == "" {
		return bad(FieldHost, "Type the host name of the server", "")
	}
	if err := CheckPort(r.Port); err != nil {
		return err
	}
	switch {
	case r.Auth == AuthOAuth2 && r.Credential == "" && r.OAuth2 == nil:
		return bad(FieldCredential, "Choose a Credential Name of the type OAuth2 Authorization Code",
			"Add one in Security Material and authorize it, if there is none yet.")
	case r.Auth != "" && r.Auth != AuthNone && r.User == "" && r.Credential == "":
		return bad(FieldCredential, "Choose a Credential Name", "")
	case r.Protocol != SMTP && (r.From != "" || r.To != ""):
		return bad(FieldAddresses, "Mail addresses are checked by SMTP tests only", "Leave From and To empty.")
	case (r.From == "") != (r.To == ""):
		return bad(FieldAddresses, "Type both the From and the To address to check", "")
	case r.Protocol != IMAP && (r.ListFolders || r.Mailbox != ""):
		return bad(FieldFolders, "Folders are listed and checked by IMAP tests only", "")
	case r.ListFolders && r.Mailbox != "":
		return bad(FieldFolders, "Choose List Folders or Check Mailbox Content, not both", "")
	case r.Protocol != POP3 && r.CheckMailbox:
		return bad(FieldMailbox, "The mailbox's content is checked by POP3 tests only", "For IMAP, name the folder to check.")
	}
	return nil
}
