package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opsdesk/opsdesk/core/credentials"
)

// maxStdinSecret bounds --password-stdin: a secure parameter is at most
// 2,048 bytes, so anything far larger is a mistake (a file piped in).
const maxStdinSecret = 64 << 10

// credCommand is one run of "opsdesk credentials …".
type credCommand struct {
	*streams

	asJSON        bool
	user          string
	description   string
	typ           string
	companyID     string
	newPassword   bool
	passwordStdin bool
	set           func(flag string) bool // given, to tell "--description ''" from none
}

func credentialsCommand(s *streams) *cobra.Command {
	c := &credCommand{streams: s}
	g := group(s, &cobra.Command{
		Use:   "credentials",
		Short: "keep user credentials and secure parameters in the keyring",
		Long: `Keep User Credentials and Secure Parameters in the operating system's keyring.

The password or secure parameter: --password-stdin (all of standard input,
less one final line break), OPSDESK_PASSWORD, or a prompt on the terminal
(asked twice). OpenConnectors' User, Organization and Element are all
secrets, never given as arguments: --password-stdin (three lines: the user
secret, the organization secret, the element token), OPSDESK_USER_SECRET,
OPSDESK_ORGANIZATION_SECRET and OPSDESK_ELEMENT_TOKEN, or prompts.
Secrets are kept in the operating system's keyring, chosen automatically or
by OPSDESK_KEYRING_BACKEND (keychain, wincred, secret-service, kwallet,
file). The encrypted file's own password: OPSDESK_KEYRING_FILE_PASSWORD, or
a prompt.`,
	})
	run := func(fn func(args []string) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, args []string) error {
			c.set = cmd.Flags().Changed
			return fn(args)
		}
	}
	description := func(fs *pflag.FlagSet) { fs.StringVar(&c.description, "description", "", "a description") }
	stdin := func(fs *pflag.FlagSet) {
		fs.BoolVar(&c.passwordStdin, "password-stdin", false, "read the secret from standard input")
	}
	user := func(fs *pflag.FlagSet) {
		fs.StringVar(&c.user, "user", "", "the `USER` of User Credentials or SuccessFactors")
	}
	companyID := func(fs *pflag.FlagSet) {
		fs.StringVar(&c.companyID, "company-id", "", "the SuccessFactors Company `ID`")
	}
	undeploy := command(&cobra.Command{Use: "undeploy NAME", Aliases: []string{"delete"},
		Short: "remove an entry and its secrets from the keyring (the tenant's word; delete NAME does the same)",
		Args:  exactArgs(1, "one NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.undeploy(cmd.CalledAs(), args[0])
		}})
	g.AddCommand(
		command(&cobra.Command{Use: "list", Short: "list the Security Material, without secrets", Args: noArgs,
			RunE: run(func([]string) error { return c.list() })},
			func(fs *pflag.FlagSet) {
				fs.BoolVar(&c.asJSON, "json", false, "print JSON (see the JSON section of the README)")
			}),
		addCommand(command(&cobra.Command{Use: "add NAME", Short: "add User Credentials (--type: user-credentials, successfactors or openconnectors)",
			Args: exactArgs(1, "one NAME"),
			RunE: run(func(args []string) error {
				t, err := c.addType()
				if err != nil {
					return err
				}
				return c.add(credentials.Entry{Name: args[0], Type: t, User: c.user, Description: c.description, CompanyID: c.companyID})
			})},
			user, description, stdin, companyID,
			func(fs *pflag.FlagSet) {
				fs.StringVar(&c.typ, "type", "", "the `TYPE`: user-credentials (the default), successfactors or openconnectors")
			})),
		command(&cobra.Command{Use: "add-parameter NAME", Short: "add a Secure Parameter", Args: exactArgs(1, "one NAME"),
			RunE: run(func(args []string) error {
				return c.add(credentials.Entry{Name: args[0], Type: credentials.SecureParameter, Description: c.description})
			})},
			description, stdin),
		command(&cobra.Command{Use: "edit NAME", Short: "change an entry; its secrets are kept unless --new-password is given",
			Args: exactArgs(1, "one NAME"),
			RunE: run(func(args []string) error {
				if c.passwordStdin && !c.newPassword {
					return usagef("--password-stdin needs --new-password")
				}
				if !c.set("user") && !c.set("description") && !c.set("company-id") && !c.newPassword {
					return usagef("nothing to change: give --user, --description, --company-id or --new-password")
				}
				return c.edit(args[0])
			})},
			user, description, companyID, stdin,
			func(fs *pflag.FlagSet) { fs.BoolVar(&c.newPassword, "new-password", false, "replace the secrets") }),
		undeploy,
	)
	g.AddCommand(oauth2Commands(c)...)
	return g
}

// addCommand offers --type's values to the shell's completion.
func addCommand(c *cobra.Command) *cobra.Command {
	completeValues(c, "type", "user-credentials", "successfactors", "openconnectors")
	return c
}

// addType checks the flags of add for the --type given: each type takes
// only the fields it has.
func (c *credCommand) addType() (credentials.Type, error) {
	var t credentials.Type
	switch strings.ToLower(c.typ) {
	case "", "user-credentials", "usercredentials":
		t = credentials.UserCredentials
	case "successfactors":
		t = credentials.SuccessFactors
	case "openconnectors":
		t = credentials.OpenConnectors
	default:
		return "", usagef("--type %q is not one of user-credentials, successfactors and openconnectors", c.typ)
	}
	sub := "add"
	if c.typ != "" {
		sub += " --type " + strings.ToLower(c.typ)
	}
	switch {
	case t == credentials.OpenConnectors && c.set("user"):
		return "", usagef("--user does not apply to openconnectors: its User is a secret, read like a password, never an argument")
	case t != credentials.SuccessFactors && c.set("company-id"):
		return "", usagef("--company-id does not apply to %s", sub)
	case t != credentials.OpenConnectors && !c.set("user"):
		return "", usagef("--user U is required")
	case t == credentials.SuccessFactors && !c.set("company-id"):
		return "", usagef("--company-id C is required for successfactors")
	}
	return t, nil
}

// open connects to the keyring, asking for the encrypted file's password
// on the terminal when that is where the secrets are kept.
func (c *credCommand) open() (*credentials.Store, error) {
	return openCredentials(c.stdin, c.stderr)
}

// undeploy removes name, as the tenant's Undeploy does and the window's
// Undeploy button; calledAs is the word the command was given, undeploy
// or delete (kept for scripts written before), which the answer repeats.
func (c *credCommand) undeploy(calledAs, name string) error {
	if err := credentials.CheckName(name); err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	if err := s.Delete(name); err != nil {
		return err
	}
	done := "Undeployed"
	if calledAs == "delete" {
		done = "Deleted"
	}
	fmt.Fprintf(c.stdout, "%s %s.\n", done, name)
	return nil
}
