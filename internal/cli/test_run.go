package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

func itoa(n int) string { return strconv.Itoa(n) }

// check turns the flags into a request, refusing what does not fit:
// the words of the flags here, the rules in connectivity.Request.Check.
func (c *testCmd) check() error {
	r := &c.req
	if c.timeout <= 0 {
		// The request would quietly take 0 or less for the 60 s default,
		// which is not what was typed.
		return usagef("--timeout %s is not a time limit; give one such as 30s", c.timeout)
	}
	implicit := strings.ToLower(string(r.Protocol)) + "s"
	switch strings.ToLower(c.protection) {
	case "":
		r.Protection = connectivity.STARTTLSMandatory
		if r.Protocol == connectivity.TLS {
			r.Protection = connectivity.Implicit
		}
	case "off":
		r.Protection = connectivity.Off
	case implicit:
		r.Protection = connectivity.Implicit
	case "starttls-mandatory":
		r.Protection = connectivity.STARTTLSMandatory
	case "starttls-optional":
		r.Protection = connectivity.STARTTLSOptional
	default:
		return usagef("--protection %q is not one of off, %s, starttls-mandatory, starttls-optional", c.protection, implicit)
	}
	switch strings.ToLower(c.auth) {
	case "":
		r.Auth = connectivity.AuthNone
		if r.User != "" || c.credential != "" {
			r.Auth = connectivity.AuthPlain
		}
	case "none":
		r.Auth = connectivity.AuthNone
	case "plain":
		r.Auth = connectivity.AuthPlain
	case "encrypted":
		r.Auth = connectivity.AuthEncrypted
	case "oauth2":
		r.Auth = connectivity.AuthOAuth2
	default:
		return usagef("--auth %q is not one of none, plain, encrypted, oauth2", c.auth)
	}
	switch strings.ToLower(c.sasl) {
	case "":
	case "xoauth2":
		r.SASL = connectivity.SASLXOAUTH2
	case "oauthbearer":
		r.SASL = connectivity.SASLOAUTHBEARER
	default:
		return usagef("--sasl %q is not one of xoauth2 and oauthbearer", c.sasl)
	}
	if c.sasl != "" && r.Auth != connectivity.AuthOAuth2 && c.auth != "" {
		return usagef("--sasl applies to --auth oauth2 only")
	}
	if r.Auth == connectivity.AuthOAuth2 && r.User != "" {
		return usagef("--user does not apply to --auth oauth2: the mailbox is the credential's (--credential NAME)")
	}
	r.Credential = c.credential
	if err := r.Check(); err != nil {
		return flagError(err, testFlags)
	}
	r.VerifyCertificate = !c.noVerify && r.Protection != connectivity.Off
	r.Timeouts.Total = c.timeout
	return nil
}

// testFlags are the flags of the Request form's fields.
var testFlags = map[string]string{
	connectivity.FieldHost:       "--host",
	connectivity.FieldPort:       "--port",
	connectivity.FieldCredential: "--user or --credential",
	connectivity.FieldAddresses:  "--from and --to",
	connectivity.FieldFolders:    "--list-folders and --mailbox",
	connectivity.FieldMailbox:    "--check-mailbox",
}

// flagError is a rule's refusal as a usage error that names the flag of
// the field at fault: "--port 70000 is not a port number from 1 to 65535",
// "--host: Type the host name of the server".
func flagError(err error, flags map[string]string) error {
	var pe *problem.Error
	if !errors.As(err, &pe) || flags[pe.Field] == "" {
		return err
	}
	if pe.Source != "" {
		return usagef("%s %s %s", flags[pe.Field], pe.Source, pe.What)
	}
	return usagef("%s: %s", flags[pe.Field], pe.What)
}

func (c *testCmd) run() error {
	ks, err := c.openKeystore()
	if err != nil {
		return err
	}
	if ks != nil {
		defer ks.Close()
		c.req.Trusted = connectivity.TrustedFrom(ks.Entries())
		if c.clientCert != "" {
			cert, err := ks.TLSCertificate(c.clientCert, nil)
			if err != nil {
				return err
			}
			c.req.ClientCert = &cert
		}
	}
	if err := c.password(); err != nil {
		return err
	}
	defer clear(c.req.Password)

	// Ctrl-C cancels the test cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res := connectivity.Run(ctx, c.req)

	if c.asJSON {
		if err := writeJSON(c.stdout, testResultOf(c.req, res)); err != nil {
			return err
		}
	} else {
		c.print(res)
	}
	if c.saveChain != "" && len(res.Chain) > 0 {
		zip, err := connectivity.ChainZip(res.Chain)
		if err == nil {
			err = os.WriteFile(c.saveChain, zip, 0o644)
		}
		if err != nil {
			return fmt.Errorf("could not save the chain to %s: %w", c.saveChain, err)
		}
		fmt.Fprintf(c.stderr, "Saved the certificate chain to %s.\n", c.saveChain)
	}
	if c.importChain && len(res.Chain) > 0 {
		results, err := ks.AddCertificates(connectivity.ChainCandidates(ks, res.Chain))
		if err != nil {
			return err
		}
		for _, r := range results {
			switch r.Outcome {
			case keystore.Added:
				fmt.Fprintf(c.stderr, "Added %s to the keystore.\n", r.Alias)
			case keystore.Duplicate:
				fmt.Fprintf(c.stderr, "Already in the keystore as %s.\n", r.Existing)
			default:
				fmt.Fprintf(c.stderr, "Not added: %s\n", r.Reason)
			}
		}
	}
	if !res.OK() {
		return errFailed
	}
	return nil
}

// openKeystore opens the keystore whose trusted certificates the server's
// chain is checked against: --keystore, or else the app's own keystore —
// made on first use only when the test is to write to it or take a key
// from it. Without any keystore, no certificate is trusted.
func (c *testCmd) openKeystore() (*keystore.Keystore, error) {
	if c.keystore != "" {
		pw, err := secret(ownkeystore.PasswordEnv, "Keystore password: ", c.stdin, c.stderr)
		if errors.Is(err, errNoTerminal) {
			return nil, errors.New("no keystore password: set OPSDESK_KEYSTORE_PASSWORD or run in a terminal to be asked")
		}
		if err != nil {
			return nil, err
		}
		defer clear(pw)
		k, err := keystore.Open(c.keystore, pw)
		if err != nil {
			return nil, err
		}
		return forCommand(k, c.stderr), nil
	}
	path, err := ownkeystore.Path()
	if err != nil {
		return nil, err
	}
	if _, statErr := os.Stat(path); statErr != nil && !c.importChain && c.clientCert == "" {
		return nil, nil
	}
	o, err := openOwnKeystore(c.streams)
	if err != nil {
		return nil, err
	}
	return forCommand(o.Keystore, c.stderr), nil
}

// password fills the request's password from the credential or the user.
func (c *testCmd) password() error {
	if c.req.Auth == connectivity.AuthNone {
		return nil
	}
	if c.credential != "" {
		return c.lookupCredential()
	}
	if c.req.Auth == connectivity.AuthOAuth2 {
		return usagef("--auth oauth2 needs --credential NAME, an OAuth2 Authorization Code credential")
	}
	pw, err := secret("OPSDESK_PASSWORD", "Password for "+c.req.User+": ", c.stdin, c.stderr)
	if errors.Is(err, errNoTerminal) {
		return errors.New("no password: set OPSDESK_PASSWORD, run in a terminal to be asked, or use --credential")
	}
	c.req.Password = pw
	return err
}

func (c *testCmd) print(r *connectivity.Result) {
	w := c.stdout
	// The verdict first, by the rule the window's headline follows.
	fmt.Fprintln(w, r.Verdict().Headline)
	banner := r.Banner
	if r.Address != "" && r.Reached {
		banner += " (" + r.Address + ")"
	}
	fmt.Fprintln(w, banner)
	for _, ch := range r.Checks {
		line := ch.Name + ": " + ch.Value
		if ch.Name == "STARTTLS" && r.TLSVersion != "" {
			line += fmt.Sprintf(" (%s, %s)", r.TLSVersion, r.Cipher)
		}
		if ch.Note != "" {
			line += " — " + ch.Note
		}
		fmt.Fprintln(w, line)
	}
	if r.Protection == connectivity.Implicit && r.TLSVersion != "" {
		fmt.Fprintf(w, "TLS: %s, %s\n", r.TLSVersion, r.Cipher)
	}
	for _, f := range r.Folders {
		fmt.Fprintf(w, "  %s\n", f)
	}
	if e := r.Explanation; e != nil {
		fmt.Fprintf(w, "\nWhat happened: %s\nWhat to do: %s\n", e.What, e.Next)
		if e.ProposeOAuth2 {
			fmt.Fprintln(w, "With OAuth2: opsdesk credentials add-oauth2 NAME --provider microsoft365|google …, then authorize NAME, then test with --credential NAME.")
		}
		if e.ServerText != "" {
			fmt.Fprintf(w, "The server's words: %s\n", strings.ReplaceAll(e.ServerText, "\n", "\n  "))
		}
	}
	if len(r.Chain) > 0 {
		fmt.Fprintln(w, "\nServer Certificate Chain")
		for i, cert := range r.Chain {
			for j, l := range connectivity.CertificateLines(cert) {
				prefix := "     "
				if j == 0 {
					prefix = fmt.Sprintf("  [%d]", i)
				}
				fmt.Fprintf(w, "%s %s\n", prefix, l)
			}
		}
	}
	var phases []string
	for _, p := range r.Phases {
		phases = append(phases, fmt.Sprintf("%s %s", p.Name, p.Duration.Round(time.Millisecond)))
	}
	fmt.Fprintf(w, "\nTook %s: %s\n", r.Elapsed.Round(time.Millisecond), strings.Join(phases, ", "))
	if c.showTranscript {
		fmt.Fprintln(w, "\nTranscript")
		for _, l := range r.Transcript {
			dir := "C:"
			if l.FromServer {
				dir = "S:"
			}
			fmt.Fprintf(w, "  %s %s\n", dir, l.Text)
		}
	}
}

// lookupCredential fills the request's user and password from a stored
// User Credentials artifact. The caller clears the password after the test.
func (c *testCmd) lookupCredential() error {
	s, err := openCredentials(c.stdin, c.stderr)
	if err != nil {
		return err
	}
	e, err := s.Entry(c.credential)
	if err != nil {
		return err
	}
	// An OAuth2 credential signs in with OAuth2 unless told otherwise.
	if e.Type == credentials.OAuth2AuthorizationCode && (c.auth == "" || c.req.Auth == connectivity.AuthOAuth2) {
		login, err := s.OAuth2Login(c.credential)
		if err != nil {
			return err
		}
		c.req.Auth, c.req.User, c.req.OAuth2 = connectivity.AuthOAuth2, login.User, login
		return nil
	}
	if c.req.Auth == connectivity.AuthOAuth2 {
		return &problem.Error{Source: c.credential, Kind: credentials.ErrWrongType, What: "is " + string(e.Type) + " security material, not OAuth2 Authorization Code",
			Hint: "Name an OAuth2 Authorization Code credential, or leave out --auth oauth2."}
	}
	if c.sasl != "" {
		return usagef("--sasl applies to OAuth2 credentials only; %s is %s", c.credential, e.Type)
	}
	if e.Type != credentials.UserCredentials {
		return &problem.Error{Source: c.credential, Kind: credentials.ErrWrongType, What: "is " + string(e.Type) + " security material, not User Credentials",
			Hint: "Name a User Credentials artifact with --credential."}
	}
	user, pw, err := s.Lookup(c.credential)
	if err != nil {
		return err
	}
	c.req.User, c.req.Password = user, pw
	return nil
}
