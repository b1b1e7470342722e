package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsdesk/opsdesk/core/credentials"
)

const credentialsUsage = `Usage: opsdesk credentials COMMAND [arguments]

Commands:
  list                        list the Security Material, without secrets [--json]
  add NAME --user U           add User Credentials [--description D]
  add NAME --type successfactors --user U --company-id C
                              add SuccessFactors User Credentials [--description D]
  add NAME --type openconnectors
                              add OpenConnectors User Credentials [--description D]
  add-parameter NAME          add a Secure Parameter [--description D]
  edit NAME                   change an entry [--user U] [--description D] [--company-id C]
                              [--new-password] (the secrets are kept unless
                              --new-password is given)
  undeploy NAME               remove an entry and its secrets from the keyring
                              (the tenant's word; delete NAME does the same)

--type is user-credentials (the default), successfactors or openconnectors.

The password or secure parameter: --password-stdin (all of standard input,
less one final line break), OPSDESK_PASSWORD, or a prompt on the terminal
(asked twice). OpenConnectors' User, Organization and Element are all
secrets, never given as arguments: --password-stdin (three lines: the user
secret, the organization secret, the element token), OPSDESK_USER_SECRET,
OPSDESK_ORGANIZATION_SECRET and OPSDESK_ELEMENT_TOKEN, or prompts.
Secrets are kept in the operating system's keyring, chosen
automatically or by OPSDESK_KEYRING_BACKEND (keychain, wincred,
secret-service, kwallet, file). The encrypted file's own password:
OPSDESK_KEYRING_FILE_PASSWORD, or a prompt.
`

// maxStdinSecret bounds --password-stdin: a secure parameter is at most
// 2,048 bytes, so anything far larger is a mistake (a file piped in).
const maxStdinSecret = 64 << 10

// credCommand is one run of "opsdesk credentials …".
type credCommand struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	asJSON        bool
	user          string
	description   string
	typ           string
	companyID     string
	newPassword   bool
	passwordStdin bool
	set           map[string]bool // the flags given, to tell "--description ''" from none
}

func runCredentials(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, credentialsUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	c := &credCommand{stdin: stdin, stdout: out, stderr: stderr, set: map[string]bool{}}
	sub := args[0]
	fs := flag.NewFlagSet("opsdesk credentials "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&c.asJSON, "json", false, "print JSON")
	fs.StringVar(&c.user, "user", "", "the user of User Credentials")
	fs.StringVar(&c.description, "description", "", "a description")
	fs.StringVar(&c.typ, "type", "", "add: user-credentials, successfactors or openconnectors")
	fs.StringVar(&c.companyID, "company-id", "", "the Company ID of SuccessFactors")
	fs.BoolVar(&c.newPassword, "new-password", false, "edit: replace the secret")
	fs.BoolVar(&c.passwordStdin, "password-stdin", false, "read the secret from standard input")

	pos, err := parseInterspersed(fs, args[1:])
	fs.Visit(func(f *flag.Flag) { c.set[f.Name] = true })
	if err == nil {
		err = c.run(sub, pos)
	}
	out.Flush()
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "opsdesk credentials %s: %s. Run \"opsdesk credentials help\" for usage.\n", sub, ue.msg)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "opsdesk: %s\n", err)
		return exitFail
	}
}

// allow refuses flags that mean nothing for sub.
func (c *credCommand) allow(sub string, names ...string) error {
	ok := map[string]bool{}
	for _, n := range names {
		ok[n] = true
	}
	for n := range c.set {
		if !ok[n] {
			return usageError{fmt.Sprintf("--%s does not apply to %s", n, sub)}
		}
	}
	return nil
}

func (c *credCommand) run(sub string, pos []string) error {
	switch sub {
	case "list":
		if err := wantArgs(pos, 0, "no arguments"); err != nil {
			return err
		}
		if err := c.allow(sub, "json"); err != nil {
			return err
		}
		return c.list()
	case "add", "add-parameter":
		if err := wantArgs(pos, 1, "one NAME"); err != nil {
			return err
		}
		e := credentials.Entry{Name: pos[0], Type: credentials.UserCredentials, User: c.user, Description: c.description}
		if sub == "add" {
			t, err := c.addType()
			if err != nil {
				return err
			}
			e.Type, e.CompanyID = t, c.companyID
		} else {
			if err := c.allow(sub, "description", "password-stdin"); err != nil {
				return err
			}
			e.Type = credentials.SecureParameter
		}
		return c.add(e)
	case "edit":
		if err := wantArgs(pos, 1, "one NAME"); err != nil {
			return err
		}
		if err := c.allow(sub, "user", "description", "company-id", "new-password", "password-stdin"); err != nil {
			return err
		}
		if c.passwordStdin && !c.newPassword {
			return usageError{"--password-stdin needs --new-password"}
		}
		if !c.set["user"] && !c.set["description"] && !c.set["company-id"] && !c.newPassword {
			return usageError{"nothing to change: give --user, --description, --company-id or --new-password"}
		}
		return c.edit(pos[0])
	case "undeploy", "delete":
		if err := wantArgs(pos, 1, "one NAME"); err != nil {
			return err
		}
		if err := c.allow(sub); err != nil {
			return err
		}
		return c.undeploy(sub, pos[0])
	}
	return usageError{fmt.Sprintf("unknown command %q", sub)}
}

// addType checks the flags of add for the --type given.
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
		return "", usageError{fmt.Sprintf("--type %q is not one of user-credentials, successfactors and openconnectors", c.typ)}
	}
	flags := []string{"type", "user", "description", "password-stdin"}
	switch t {
	case credentials.SuccessFactors:
		flags = append(flags, "company-id")
	case credentials.OpenConnectors:
		if c.set["user"] {
			return "", usageError{"--user does not apply to openconnectors: its User is a secret, read like a password, never an argument"}
		}
	}
	sub := "add"
	if c.typ != "" {
		sub += " --type " + strings.ToLower(c.typ)
	}
	if err := c.allow(sub, flags...); err != nil {
		return "", err
	}
	if t != credentials.OpenConnectors && !c.set["user"] {
		return "", usageError{"--user U is required"}
	}
	if t == credentials.SuccessFactors && !c.set["company-id"] {
		return "", usageError{"--company-id C is required for successfactors"}
	}
	return t, nil
}

// open connects to the keyring, asking for the encrypted file's password
// on the terminal when that is where the secrets are kept.
func (c *credCommand) open() (*credentials.Store, error) {
	return openCredentials(c.stdin, c.stderr)
}

// openCredentials is shared with the keystore commands, which keep the
// app's own keystore password in the same keyring.
func openCredentials(stdin io.Reader, stderr io.Writer) (*credentials.Store, error) {
	return credentials.Open(credentials.Options{FilePassword: func(first bool) ([]byte, error) {
		var pw []byte
		var err error
		if first {
			fmt.Fprintln(stderr, "Opsdesk keeps its secrets in an encrypted file in its data folder (no keyring service is in use); choose the file's password.")
			pw, err = newSecret(credentials.FilePasswordEnv, "keyring file password", stdin, stderr)
		} else {
			pw, err = secret(credentials.FilePasswordEnv, "Password of Opsdesk's keyring file: ", stdin, stderr)
		}
		if errors.Is(err, errNoTerminal) {
			return nil, nil // the store says how to give it
		}
		return pw, err
	}})
}

// readSecret takes the password or secure parameter from --password-stdin,
// OPSDESK_PASSWORD or the terminal. The caller zeroes it.
func (c *credCommand) readSecret(t credentials.Type) ([]byte, error) {
	what := "password"
	if t == credentials.SecureParameter {
		what = "secure parameter"
	}
	if c.passwordStdin {
		b, err := io.ReadAll(io.LimitReader(c.stdin, maxStdinSecret+1))
		if err != nil {
			zero(b)
			return nil, fmt.Errorf("could not read the %s from standard input: %w", what, err)
		}
		if len(b) > maxStdinSecret {
			zero(b)
			return nil, fmt.Errorf("standard input holds more than %d KiB, far more than a %s can be; nothing was changed", maxStdinSecret>>10, what)
		}
		n := len(b)
		if n > 0 && b[n-1] == '\n' {
			n--
			if n > 0 && b[n-1] == '\r' {
				n--
			}
		}
		zero(b[n:])
		return b[:n], nil
	}
	pw, err := newSecret("OPSDESK_PASSWORD", what, c.stdin, c.stderr)
	if errors.Is(err, errNoTerminal) {
		return nil, fmt.Errorf("no %s given: use --password-stdin, set OPSDESK_PASSWORD, or run in a terminal to be asked; nothing was changed", what)
	}
	return pw, err
}

// readSecrets reads what t keeps secret: the password or secure
// parameter, or OpenConnectors' three secrets. The caller zeroes them.
func (c *credCommand) readSecrets(t credentials.Type) (credentials.Secrets, error) {
	if t != credentials.OpenConnectors {
		b, err := c.readSecret(t)
		return credentials.Secrets{Secret: b}, err
	}
	if c.passwordStdin {
		return c.readSecretLines()
	}
	var sec credentials.Secrets
	for _, s := range []struct {
		to        *[]byte
		env, what string
	}{
		{&sec.Secret, "OPSDESK_USER_SECRET", "user secret"},
		{&sec.Organization, "OPSDESK_ORGANIZATION_SECRET", "organization secret"},
		{&sec.Element, "OPSDESK_ELEMENT_TOKEN", "element token"},
	} {
		b, err := newSecret(s.env, s.what, c.stdin, c.stderr)
		if errors.Is(err, errNoTerminal) {
			err = fmt.Errorf("no %s given: use --password-stdin, set %s, or run in a terminal to be asked; nothing was changed", s.what, s.env)
		}
		if err != nil {
			zeroSecrets(sec)
			return credentials.Secrets{}, err
		}
		*s.to = b
	}
	return sec, nil
}

// readSecretLines reads OpenConnectors' three secrets from standard input,
// a line each (none of them can hold a line break).
func (c *credCommand) readSecretLines() (credentials.Secrets, error) {
	b, err := io.ReadAll(io.LimitReader(c.stdin, maxStdinSecret+1))
	if err != nil || len(b) > maxStdinSecret {
		zero(b)
		if err == nil {
			err = fmt.Errorf("standard input holds more than %d KiB, far more than three tokens can be; nothing was changed", maxStdinSecret>>10)
		}
		return credentials.Secrets{}, err
	}
	var lines [][]byte
	for rest := b; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		lines = append(lines, bytes.TrimSuffix(line, []byte("\r")))
	}
	if len(lines) != 3 {
		zero(b)
		return credentials.Secrets{}, fmt.Errorf("standard input holds %d lines, not three: the user secret, the organization secret and the element token, a line each; nothing was changed", len(lines))
	}
	// Copies, so that the caller zeroes exactly the secrets.
	sec := credentials.Secrets{Secret: bytes.Clone(lines[0]), Organization: bytes.Clone(lines[1]), Element: bytes.Clone(lines[2])}
	zero(b)
	return sec, nil
}

func zeroSecrets(s credentials.Secrets) {
	zero(s.Secret)
	zero(s.Organization)
	zero(s.Element)
}

// entryJSON is the --json form of an entry: never a secret (of
// OpenConnectors, not even the User).
type credEntryJSON struct {
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Description string    `json:"description"`
	User        string    `json:"user,omitempty"`
	CompanyID   string    `json:"companyId,omitempty"`
	Status      string    `json:"status"`
	DeployedBy  string    `json:"deployedBy"`
	DeployedOn  time.Time `json:"deployedOn"`
	Problem     string    `json:"problem,omitempty"`
}

// deployedOnLayout is how Cloud Integration prints dates: "Jan 22, 2022, 13:00:00".
const deployedOnLayout = "Jan 2, 2006, 15:04:05"

func (c *credCommand) list() error {
	s, err := c.open()
	if err != nil {
		return err
	}
	list, err := s.List()
	if err != nil {
		return err
	}
	if c.asJSON {
		out := make([]credEntryJSON, len(list))
		for i, e := range list {
			out[i] = credEntryJSON{Name: e.Name, Type: string(e.Type), Description: e.Description, User: e.User, CompanyID: e.CompanyID,
				Status: e.Status, DeployedBy: e.DeployedBy, DeployedOn: e.DeployedOn.UTC(), Problem: e.Problem}
		}
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(c.stdout, "Security Material (%d)\n", len(list))
	if len(list) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Name\tType\tStatus\tDeployed By\tDeployed On")
	for _, e := range list {
		on := ""
		if !e.DeployedOn.IsZero() {
			on = e.DeployedOn.Local().Format(deployedOnLayout)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.Type, e.Status, e.DeployedBy, on)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range list {
		if e.Problem != "" {
			fmt.Fprintf(c.stdout, "%s: %s\n", e.Name, e.Problem)
		}
	}
	return nil
}

func (c *credCommand) add(e credentials.Entry) error {
	// Refuse what can be refused before anyone types a secret.
	if err := credentials.CheckName(e.Name); err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	if err := s.CheckNew(e.Name); err != nil {
		return err
	}
	if err := s.Unlock(); err != nil { // the keyring's password first, then the entry's
		return err
	}
	sec, err := c.readSecrets(e.Type)
	if err != nil {
		return err
	}
	defer zeroSecrets(sec)
	added, err := s.AddSecrets(e, sec)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Deployed %s (%s) to %s.\n", added.Name, added.Type, s.Where())
	return nil
}

func (c *credCommand) edit(name string) error {
	if err := credentials.CheckName(name); err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	old, err := s.Entry(name)
	if err != nil {
		return err
	}
	var ch credentials.Change
	if c.set["user"] {
		ch.User = &c.user
	}
	if c.set["description"] {
		ch.Description = &c.description
	}
	if c.set["company-id"] {
		ch.CompanyID = &c.companyID
	}
	if c.newPassword {
		if err := s.Unlock(); err != nil {
			return err
		}
		sec, err := c.readSecrets(old.Type)
		if err != nil {
			return err
		}
		defer zeroSecrets(sec)
		ch.Secret, ch.Organization, ch.Element = sec.Secret, sec.Organization, sec.Element
	}
	e, err := s.Edit(name, ch)
	if err != nil {
		return err
	}
	kept := "kept"
	if c.newPassword {
		kept = "replaced"
	}
	switch e.Type {
	case credentials.SecureParameter:
		fmt.Fprintf(c.stdout, "Changed %s; its secure parameter was %s.\n", e.Name, kept)
	case credentials.OpenConnectors:
		fmt.Fprintf(c.stdout, "Changed %s; its user secret, organization secret and element token were %s.\n", e.Name, kept)
	default:
		fmt.Fprintf(c.stdout, "Changed %s; its password was %s.\n", e.Name, kept)
	}
	return nil
}

// undeploy removes name, as the tenant's Undeploy does and the window's
// Undeploy button; sub is the word the command was given, undeploy or
// delete (kept for scripts written before), which the answer repeats.
func (c *credCommand) undeploy(sub, name string) error {
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
	if sub == "delete" {
		done = "Deleted"
	}
	fmt.Fprintf(c.stdout, "%s %s.\n", done, name)
	return nil
}
