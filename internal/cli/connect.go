package cli

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/mailsetup"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
)

// connectCmd is one run of "opsdesk connect": the Connect a Mail Account
// flow of the window, step by step on the terminal.
type connectCmd struct {
	*streams

	address          string
	provider         string
	smtp, imap, pop3 string
	protocol         string
	read             string // "imap" or "pop3": connect for reading mail too
	credential       string
	keystore         string
	yes, asJSON      bool
	connectTo        string

	servers []mailsetup.Server // typed with --smtp, --imap, --pop3

	// out is where the steps are printed: standard output, or with
	// --json standard error, so that standard output is one object.
	out io.Writer
}

func connectCommand(s *streams) *cobra.Command {
	c := &connectCmd{streams: s}
	cmd := &cobra.Command{
		Use:   "connect EMAIL",
		Short: "connect a mail account: find its servers, store its credential, trust its certificates, prove it, hand over to the tenant",
		Long: `Connect a Mail Account, as the window's guided flow does, in six steps
printed as they happen:

  1. Address     the servers for EMAIL: the built-in provider table, DNS SRV
                 records, MX records, the provider's autoconfig; or --smtp,
                 --imap, --pop3 HOST:PORT (smtps://HOST:PORT for SMTPS on
                 another port), which skip detection for that protocol
  2. Sign-in     what the provider needs; the secret from OPSDESK_PASSWORD or
                 a prompt, stored as User Credentials under a new name
                 (gmail_smtp, or gmail_smtp_2 if that is taken; --credential
                 NAME to choose it). An existing credential is never changed:
                 --credential naming one of the same user uses it as it is,
                 without asking for the secret; one of another user or type
                 is refused. Accounts that sign in with OAuth2 (Microsoft 365)
                 need --credential naming an authorized OAuth2 Authorization
                 Code credential.
  3. First Test  without certificate validation and without signing in, to
                 see the server's certificate chain; with --read imap|pop3
                 the reading server's too, each with its own test
  4. Trust       the root and intermediate certificates the tenant needs,
                 each with why; added to --keystore FILE
                 (OPSDESK_KEYSTORE_PASSWORD) or the app's own keystore after
                 a y/N question on the terminal, or at once with --yes
  5. Proof       the test again, validating the certificate and signing in
  6. Hand-over   what to create on the Cloud Integration tenant

SMTP is connected by default (the Mail receiver adapter sends with it);
--read imap or --read pop3 connects the reading server beside it in the
same run, signing in with the same credential, for the Mail sender adapter;
--protocol imap or pop3 connects that one alone.

Exit codes: 0 every proof passed, 1 otherwise (the last line says which step
to go back to), 2 usage error.`,
		Example: `  opsdesk connect me@gmail.com
  OPSDESK_PASSWORD=… opsdesk connect me@example.com --smtp mail.example.com:587 --yes
  opsdesk connect me@gmail.com --read imap
  opsdesk connect ops@contoso.com --credential microsoft365_smtp --protocol imap`,
		Args: exactArgs(1, "one EMAIL address"),
		RunE: func(_ *cobra.Command, args []string) error {
			c.address = strings.TrimSpace(args[0])
			if err := c.check(); err != nil {
				return err
			}
			return c.run()
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&c.provider, "provider", "", "the provider's `ID` from \"opsdesk providers\" (gmail, microsoft365, …), skipping detection")
	fs.StringVar(&c.smtp, "smtp", "", "the SMTP server as `HOST:PORT`, skipping its detection")
	fs.StringVar(&c.imap, "imap", "", "the IMAP server as `HOST:PORT`, skipping its detection")
	fs.StringVar(&c.pop3, "pop3", "", "the POP3 server as `HOST:PORT`, skipping its detection")
	fs.StringVar(&c.protocol, "protocol", "", "the `PROTOCOL` to connect: smtp (the default: sending mail), imap or pop3 (reading mail)")
	fs.StringVar(&c.read, "read", "", "read mail too: connect the `PROTOCOL` imap or pop3 beside SMTP, with the same credential")
	fs.StringVar(&c.credential, "credential", "", "the Credential `NAME`: new, or an existing one of this account's user")
	fs.StringVar(&c.keystore, "keystore", "", "add the certificates to this keystore `FILE` ("+ownkeystore.PasswordEnv+"); created if missing; without it, the app's own keystore")
	fs.BoolVar(&c.yes, "yes", false, "add the proposed certificates without asking")
	fs.BoolVar(&c.asJSON, "json", false, "print the whole flow as one JSON object (the steps go to standard error)")
	// Tests, and odd networks: reach the server at this address while the
	// certificate is still checked for its host name, as opsdesk test does.
	fs.StringVar(&c.connectTo, "connect-to", "", "connect to this `ADDRESS` in place of the server's host")
	_ = fs.MarkHidden("connect-to")
	completeValues(cmd, "protocol", "smtp", "imap", "pop3")
	completeValues(cmd, "read", "imap", "pop3")
	return cmd
}

// check reads the flags that can be judged before anything is tried.
func (c *connectCmd) check() error {
	c.out = c.stdout
	if c.asJSON {
		c.out = c.stderr
	}
	switch strings.ToLower(c.protocol) {
	case "", "smtp", "imap", "pop3":
	default:
		return usagef("--protocol %q is not one of smtp, imap, pop3", c.protocol)
	}
	if err := c.checkRead(); err != nil {
		return err
	}
	if c.credential != "" {
		if err := credentials.CheckName(c.credential); err != nil {
			return flagError(err, map[string]string{credentials.FieldName: "--credential"})
		}
	}
	for _, p := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		if typed := c.typed(p); typed != "" {
			sv, err := mailsetup.ParseServer(p, typed)
			if err != nil {
				return flagError(err, map[string]string{connectivity.FieldHost: "--" + strings.ToLower(string(p))})
			}
			c.servers = append(c.servers, sv)
		}
	}
	if _, _, err := mailsetup.CheckAddress(c.address); err != nil {
		return flagError(err, map[string]string{mailsetup.FieldAddress: "EMAIL"})
	}
	if c.provider != "" {
		if _, ok := mailsetup.ProviderByID(c.provider); !ok {
			return usagef("--provider %q is not one of those \"opsdesk providers\" lists", c.provider)
		}
	}
	return nil
}

// checkRead refuses --read where it contradicts the other flags: a
// protocol that does not read mail, --protocol asking for one protocol
// alone, or a reading server typed for the other reading protocol.
func (c *connectCmd) checkRead() error {
	read := strings.ToLower(c.read)
	switch read {
	case "":
		return nil
	case "imap", "pop3":
	default:
		return usagef("--read %q is not one of imap, pop3", c.read)
	}
	if p := strings.ToLower(c.protocol); p != "" && p != "smtp" {
		return usagef("--read %s connects SMTP and %s, --protocol %s connects %s alone: give one of them", read, strings.ToUpper(read), p, strings.ToUpper(p))
	}
	other := map[string]string{"imap": "pop3", "pop3": "imap"}[read]
	if c.typed(connectivity.Protocol(strings.ToUpper(other))) != "" {
		return usagef("--%s gives a server that --read %s does not use: read with --read %s, or give --%s HOST:PORT", other, read, other, read)
	}
	return nil
}

// readProtocol is the reading protocol asked for with --read, or "".
func (c *connectCmd) readProtocol() connectivity.Protocol {
	return connectivity.Protocol(strings.ToUpper(c.read))
}

// detects says whether step 1 asks detection: not when every server to
// test was typed and no provider named, which leaves nothing to find.
func (c *connectCmd) detects() bool {
	p := c.chosenProtocol()
	if r := c.readProtocol(); r != "" && c.typed(r) == "" {
		return true
	}
	return p == "" || c.typed(p) == "" || c.provider != ""
}

// typed is the server given for p with --smtp, --imap or --pop3.
func (c *connectCmd) typed(p connectivity.Protocol) string {
	return map[connectivity.Protocol]string{connectivity.SMTP: c.smtp, connectivity.IMAP: c.imap, connectivity.POP3: c.pop3}[p]
}

// chosenProtocol is the protocol asked for: --protocol, or the only one
// whose server was given; "" when the settings are to decide (SMTP first,
// mailsetup.DefaultProtocol).
func (c *connectCmd) chosenProtocol() connectivity.Protocol {
	if c.read != "" {
		return connectivity.SMTP // the sending server, beside the reading one
	}
	if c.protocol != "" {
		return connectivity.Protocol(strings.ToUpper(c.protocol))
	}
	var only connectivity.Protocol
	for _, p := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		if c.typed(p) != "" {
			if only != "" {
				return ""
			}
			only = p
		}
	}
	return only
}
