package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/opsdesk/opsdesk/core/credentials"
)

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
			clear(b)
			return nil, fmt.Errorf("could not read the %s from standard input: %w", what, err)
		}
		if len(b) > maxStdinSecret {
			clear(b)
			return nil, fmt.Errorf("standard input holds more than %d KiB, far more than a %s can be; nothing was changed", maxStdinSecret>>10, what)
		}
		n := len(b)
		if n > 0 && b[n-1] == '\n' {
			n--
			if n > 0 && b[n-1] == '\r' {
				n--
			}
		}
		clear(b[n:])
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
			clearSecrets(sec)
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
		clear(b)
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
		clear(b)
		return credentials.Secrets{}, fmt.Errorf("standard input holds %d lines, not three: the user secret, the organization secret and the element token, a line each; nothing was changed", len(lines))
	}
	// Copies, so that the caller zeroes exactly the secrets.
	sec := credentials.Secrets{Secret: bytes.Clone(lines[0]), Organization: bytes.Clone(lines[1]), Element: bytes.Clone(lines[2])}
	clear(b)
	return sec, nil
}

func clearSecrets(s credentials.Secrets) {
	clear(s.Secret)
	clear(s.Organization)
	clear(s.Element)
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
		return writeJSON(c.stdout, credentialsListOf(list))
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
	defer clearSecrets(sec)
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
	if c.set("user") {
		ch.User = &c.user
	}
	if c.set("description") {
		ch.Description = &c.description
	}
	if c.set("company-id") {
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
		defer clearSecrets(sec)
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
