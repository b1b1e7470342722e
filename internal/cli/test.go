package cli

import (
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// testCmd is one run of "opsdesk test …".
type testCmd struct {
	*streams

	req                    connectivity.Request
	protection, auth, sasl string
	credential, keystore   string
	saveChain, clientCert  string
	importChain, noVerify  bool
	asJSON, showTranscript bool
	timeout                time.Duration
}

func testCommand(s *streams) *cobra.Command {
	g := group(s, &cobra.Command{
		Use:   "test",
		Short: "run a connectivity test: smtp, imap, pop3, tls",
		Long: `Run a Connectivity Test, as the tenant's Connectivity Tests page does.

The first line is the verdict the window shows; then the tenant's lines,
and when something failed, what happened and what to do. The password comes
from OPSDESK_PASSWORD or a prompt, or from a stored credential
(--credential NAME).

Exit codes: 0 every requested check passed, 1 otherwise, 2 usage error.`,
	})
	for _, p := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3, connectivity.TLS} {
		g.AddCommand(protocolCommand(s, p))
	}
	return g
}

// protocolCommand is "opsdesk test smtp" and its kin: the flags every test
// takes, and those of p's own tab.
func protocolCommand(s *streams, p connectivity.Protocol) *cobra.Command {
	c := &testCmd{streams: s}
	c.req.Protocol = p
	name := strings.ToLower(string(p))
	cmd := &cobra.Command{
		Use: name + " --host HOST",
		Short: "test " + string(p) + " " + map[connectivity.Protocol]string{connectivity.SMTP: "(sending mail)",
			connectivity.IMAP: "(reading mail)", connectivity.POP3: "(reading mail)", connectivity.TLS: "(any TLS server)"}[p],
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if err := c.check(); err != nil {
				return err
			}
			return c.run()
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&c.req.Host, "host", "", "the server's `HOST` name (required)")
	fs.IntVar(&c.req.Port, "port", 0, "the port; default "+defaultPorts(p))
	fs.BoolVar(&c.noVerify, "no-verify", false, "do not require a valid server certificate (the tutorial's first run)")
	fs.StringVar(&c.keystore, "keystore", "", "check the certificate against this keystore `FILE` (OPSDESK_KEYSTORE_PASSWORD); without it, the app's own keystore")
	fs.StringVar(&c.saveChain, "save-chain", "", "save the server's certificate chain as a ZIP of .cer files to `FILE`")
	fs.BoolVar(&c.importChain, "import-chain", false, "add the server's certificate chain to the keystore")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "the whole test's time limit")
	fs.BoolVar(&c.asJSON, "json", false, "print the whole result as JSON (see the JSON section of the README)")
	fs.BoolVar(&c.showTranscript, "transcript", false, "print the conversation (secrets shown as ***)")
	// Tests, and odd networks: reach HOST at this address while the
	// certificate is still checked for HOST, as curl's --connect-to.
	fs.StringVar(&c.req.ConnectTo, "connect-to", "", "connect to this `ADDRESS` in place of HOST")
	_ = fs.MarkHidden("connect-to")
	if p != connectivity.TLS {
		mailFlags(c, fs)
		completeValues(cmd, "protection", "off", name+"s", "starttls-mandatory", "starttls-optional")
		completeValues(cmd, "auth", "none", "plain", "encrypted", "oauth2")
		completeValues(cmd, "sasl", "xoauth2", "oauthbearer")
	}
	switch p {
	case connectivity.SMTP:
		fs.StringVar(&c.req.From, "from", "", "check this sender `ADDRESS` (MAIL FROM, then RSET; no mail is sent); with --to")
		fs.StringVar(&c.req.To, "to", "", "check this recipient `ADDRESS` (RCPT TO); with --from")
	case connectivity.IMAP:
		fs.BoolVar(&c.req.ListFolders, "list-folders", false, "list the folders")
		fs.StringVar(&c.req.Mailbox, "mailbox", "", "check the content of this `FOLDER`, such as INBOX")
	case connectivity.POP3:
		fs.BoolVar(&c.req.CheckMailbox, "check-mailbox", false, "check the mailbox's content (STAT)")
	case connectivity.TLS:
		fs.StringVar(&c.clientCert, "client-cert", "", "authenticate with the key pair `ALIAS` of the keystore")
	}
	return cmd
}

// mailFlags are the flags of the mail tabs: Protection, Authentication and
// Credential Name.
func mailFlags(c *testCmd, fs *pflag.FlagSet) {
	implicit := strings.ToLower(string(c.req.Protocol)) + "s"
	fs.StringVar(&c.protection, "protection", "", "`MODE`: off, "+implicit+", starttls-mandatory (the default) or starttls-optional")
	fs.StringVar(&c.auth, "auth", "", "`MODE`: none, plain, encrypted (CRAM-MD5) or oauth2; default with --credential its type's, with --user plain, else none")
	fs.StringVar(&c.req.User, "user", "", "the `USER`; the password comes from OPSDESK_PASSWORD or a prompt")
	fs.StringVar(&c.credential, "credential", "", "a stored User Credentials or OAuth2 Authorization Code credential's `NAME`")
	fs.StringVar(&c.sasl, "sasl", "", "with --auth oauth2: force the SASL `MECHANISM`, xoauth2 or oauthbearer (default: what the server offers, XOAUTH2 first)")
}

// defaultPorts are the ports a test of p reaches without --port.
func defaultPorts(p connectivity.Protocol) string {
	plain, implicit := connectivity.DefaultPort(p, connectivity.STARTTLSMandatory), connectivity.DefaultPort(p, connectivity.Implicit)
	if plain == implicit {
		return itoa(plain)
	}
	return itoa(plain) + ", or " + itoa(implicit) + " with --protection " + strings.ToLower(string(p)) + "s"
}
