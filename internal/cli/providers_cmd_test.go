package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// TestProvidersCommand: "opsdesk providers" lists every provider of the
// table with its ID, domains, servers with the tenant's Protection, and
// how to sign in.
func TestProvidersCommand(t *testing.T) {
	code, out, errs := run("providers")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{
		"Mail providers (" + itoa(len(mailsetup.Providers)) + ")\n",
		"\nGmail / Google Workspace (gmail)\n  Domains:  gmail.com, googlemail.com\n",
		"  SMTP:     smtp.gmail.com:587 STARTTLS Mandatory, smtp.gmail.com:465 SMTPS\n",
		"  IMAP:     imap.gmail.com:993 IMAPS\n",
		"  Sign-in:  app password\n            Gmail needs an App Password, not your Google password.\n  Where:    https://myaccount.google.com/apppasswords\n",
		"  Sign-in:  OAuth2 (Microsoft 365)\n            Microsoft 365 signs in with OAuth2, because",
		"\niCloud Mail (icloud)\n",
		"  POP3:     none\n",
		"  POP3:     pop.gmx.net:995 POP3S, pop.gmx.net:110 STARTTLS Mandatory\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the list lacks %q:\n%s", want, out)
		}
	}
	for _, p := range mailsetup.Providers {
		if !strings.Contains(out, "("+p.ID+")\n") {
			t.Errorf("%s is not listed", p.ID)
		}
	}
}

// TestProvidersJSON: the table as scripts read it, pinned by a golden
// file (the table is data: a change to it shows there).
func TestProvidersJSON(t *testing.T) {
	code, out, errs := run("providers", "--json")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var got providersJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.SchemaVersion != schemaVersion || len(got.Providers) != len(mailsetup.Providers) || got.Providers[0].Servers[0].Address != "smtp.gmail.com:587" {
		t.Fatalf("%+v", got)
	}
	golden(t, "providers", []byte(out))
}

func TestProvidersUsage(t *testing.T) {
	for _, args := range [][]string{{"providers", "gmail"}, {"providers", "--cn", "x"}} {
		code, out, errs := run(args...)
		if code != 2 || out != "" || strings.Count(errs, "\n") != 1 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, out, errs)
		}
	}
}
