package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// oauth2Flags are the settings of "credentials add-oauth2", the tenant's
// fields of an OAuth2 Authorization Code credential.
type oauth2Flags struct {
	provider, tenantID, authURL, tokenURL, scope string
	user, clientID, redirectURL, sendAs          string
	expiryDays                                   int
	public                                       bool
}

// oauth2Commands are add-oauth2 and authorize, in the credentials group.
func oauth2Commands(c *credCommand) []*cobra.Command {
	var o oauth2Flags
	var noBrowser bool
	var timeout time.Duration
	add := command(&cobra.Command{Use: "add-oauth2 NAME --provider microsoft365|google|generic",
		Short: "add an OAuth2 Authorization Code credential (Microsoft 365, Google, or any provider)",
		Long: `Add an OAuth2 Authorization Code credential, as the tenant's Security
Material has it; then authorize it (opsdesk credentials authorize NAME).

The provider fills the URLs and scope (Microsoft 365 with --tenant-id, the
directory ID or a domain of it); flags override. The client secret comes
from OPSDESK_CLIENT_SECRET or a prompt on the terminal; --public, or
OPSDESK_CLIENT_SECRET set but empty, means a public client (PKCE alone).
The app registration needs both redirect URLs: Opsdesk's loopback one
(--redirect-url, default http://127.0.0.1 on any free port) and the
tenant's https://<tenant host>` + oauth.TenantRedirectSuffix + `.`,
		Args: exactArgs(1, "one NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c.set = cmd.Flags().Changed
			return c.addOAuth2(args[0], o)
		}},
		func(fs *pflag.FlagSet) {
			fs.StringVar(&o.provider, "provider", "", "`PROVIDER`: microsoft365, google or generic (required)")
			fs.StringVar(&o.tenantID, "tenant-id", "", "Microsoft 365's directory (tenant) `ID` or one of its domains")
			fs.StringVar(&o.authURL, "authorization-url", "", "the Authorization `URL` (default: the provider's)")
			fs.StringVar(&o.tokenURL, "token-url", "", "the Token Service `URL` (default: the provider's)")
			fs.StringVar(&o.scope, "scope", "", "the `SCOPES`, separated by spaces (default: the provider's mail scopes)")
			fs.StringVar(&o.user, "user", "", "the `MAILBOX` to sign in as (required)")
			fs.StringVar(&o.clientID, "client-id", "", "the app registration's client `ID` (required)")
			fs.StringVar(&o.redirectURL, "redirect-url", "", "Opsdesk's loopback redirect `URL` (default http://127.0.0.1, any free port)")
			fs.StringVar(&o.sendAs, "send-as", "body", "how the client credentials go to the token service: `body` or basic")
			fs.IntVar(&o.expiryDays, "refresh-token-expiry", -1, "the Refresh Token Expiry in `DAYS` (default: the provider's)")
			fs.BoolVar(&o.public, "public", false, "a public client: no client secret, PKCE alone")
			fs.StringVar(&c.description, "description", "", "a description")
		})
	completeValues(add, "provider", "microsoft365", "google", "generic")
	completeValues(add, "send-as", "body", "basic")
	authorize := command(&cobra.Command{Use: "authorize NAME",
		Short: "sign in to an OAuth2 Authorization Code credential's provider in the browser, and keep its refresh token",
		Args:  exactArgs(1, "one NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if timeout <= 0 {
				return usagef("--timeout must be longer than 0s")
			}
			return c.authorize(args[0], noBrowser, timeout)
		}},
		func(fs *pflag.FlagSet) {
			fs.BoolVar(&noBrowser, "no-browser", false, "print the sign-in address on standard error instead of opening a browser")
			fs.DurationVar(&timeout, "timeout", oauth.DefaultTimeout, "how long to wait for the browser")
		})
	return []*cobra.Command{add, authorize}
}

// providerOf reads --provider.
func providerOf(s string) (oauth.Provider, error) {
	switch strings.ToLower(strings.ReplaceAll(s, " ", "")) {
	case "microsoft365", "m365", "microsoft":
		return oauth.Microsoft365, nil
	case "google", "gmail":
		return oauth.Google, nil
	case "generic":
		return oauth.Generic, nil
	case "":
		return "", usagef("--provider is required: microsoft365, google or generic")
	}
	return "", usagef("--provider %q is not one of microsoft365, google and generic", s)
}

func (c *credCommand) addOAuth2(name string, o oauth2Flags) error {
	p, err := providerOf(o.provider)
	if err != nil {
		return err
	}
	if o.tenantID != "" && p != oauth.Microsoft365 {
		return usagef("--tenant-id applies to --provider microsoft365 only")
	}
	var sendAs oauth.SendAs
	switch strings.ToLower(o.sendAs) {
	case "body", "":
		sendAs = oauth.BodyParameter
	case "basic":
		sendAs = oauth.BasicAuthHeader
	default:
		return usagef("--send-as %q is not one of body and basic", o.sendAs)
	}
	preset := oauth.PresetFor(p, o.tenantID)
	settings := credentials.OAuth2{Provider: p, AuthorizationURL: preset.AuthorizationURL, TokenURL: preset.TokenURL,
		Scope: preset.Scope, RefreshTokenExpiryDays: preset.RefreshTokenExpiryDays, SendAs: sendAs,
		RedirectURL: o.redirectURL, ClientID: o.clientID}
	for _, f := range []struct {
		flag string
		to   *string
		v    string
	}{{"authorization-url", &settings.AuthorizationURL, o.authURL}, {"token-url", &settings.TokenURL, o.tokenURL}, {"scope", &settings.Scope, o.scope}} {
		if c.set(f.flag) {
			*f.to = f.v
		}
	}
	if o.expiryDays >= 0 {
		settings.RefreshTokenExpiryDays = o.expiryDays
	}
	if err := credentials.CheckOAuth2(o.user, settings); err != nil {
		return err
	}
	s, err := c.open()
	if err != nil {
		return err
	}
	if err := s.CheckNew(name); err != nil {
		return err
	}
	var secret []byte
	if !o.public {
		if secret, err = clientSecret(c.streams); err != nil {
			return err
		}
		defer clear(secret)
		if err := credentials.CheckClientSecret(secret); err != nil {
			return err
		}
	}
	added, err := s.AddSecrets(credentials.Entry{Name: name, Type: credentials.OAuth2AuthorizationCode, Description: c.description,
		User: o.user, OAuth2: &settings}, credentials.Secrets{Secret: secret})
	if err != nil {
		return err
	}
	kind := "with its client secret"
	if len(secret) == 0 {
		kind = "as a public client (PKCE alone)"
	}
	fmt.Fprintf(c.stdout, "Deployed %s (%s) %s to %s; status %s.\n", added.Name, added.Type, kind, s.Where(), added.Status)
	fmt.Fprintf(c.stdout, "Next: opsdesk credentials authorize %s\n", added.Name)
	return nil
}

// clientSecret is OPSDESK_CLIENT_SECRET or a prompt; set but empty means
// a public client.
func clientSecret(s *streams) ([]byte, error) {
	b, err := secret("OPSDESK_CLIENT_SECRET", "Client secret (empty for a public client): ", s.stdin, s.stderr)
	if errors.Is(err, errNoTerminal) {
		return nil, errors.New("no client secret: set OPSDESK_CLIENT_SECRET (empty for a public client), use --public, or run in a terminal to be asked; nothing was changed")
	}
	return b, err
}

// authorize runs the authorization code flow for name: the browser, or
// with noBrowser the address on standard error, for a person to open.
func (c *credCommand) authorize(name string, noBrowser bool, timeout time.Duration) error {
	s, err := c.open()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	open := func(url string) error {
		if noBrowser || openBrowser(url) != nil {
			fmt.Fprintf(c.stderr, "Open this address in a browser and sign in as the credential's mailbox:\n%s\n", url)
			return nil
		}
		fmt.Fprintln(c.stderr, "Your browser shows the sign-in page: sign in as the credential's mailbox and allow access.")
		return nil
	}
	fmt.Fprintf(c.stderr, "Waiting up to %s for the browser…\n", timeout)
	e, err := s.Authorize(ctx, name, oauth.AuthorizeOptions{Open: open, Timeout: timeout})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Authorized %s: status %s; connectivity tests can use it now (--auth oauth2 --credential %s).\n", e.Name, e.Status, e.Name)
	return nil
}

// openBrowser opens url in the system's browser.
func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case "darwin":
		cmd = exec.Command("open", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	return cmd.Start()
}
