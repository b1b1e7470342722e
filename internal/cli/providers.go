package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

func providersCommand(s *streams) *cobra.Command {
	asJSON := false
	return command(&cobra.Command{Use: "providers",
		Short: "list the mail providers whose settings Opsdesk knows",
		Long: `List the built-in table of mail providers: each one's ID (for connect
--provider), the address domains it serves, its SMTP, IMAP and POP3 servers
with the Protection to choose on the tenant, and how its accounts sign in.

Other domains are looked up when connecting: DNS SRV records, MX records that
name one of these providers, and the provider's autoconfig file.`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			if asJSON {
				return writeJSON(s.stdout, providersOf(mailsetup.Providers))
			}
			return writeProviders(s.stdout, mailsetup.Providers)
		}},
		func(fs *pflag.FlagSet) {
			fs.BoolVar(&asJSON, "json", false, "print JSON (see the JSON section of the README)")
		})
}

// signInWords says how a provider's accounts sign in, as the list shows it.
var signInWords = map[mailsetup.SignIn]string{
	mailsetup.SignInPassword:    "password",
	mailsetup.SignInAppPassword: "app password",
	mailsetup.SignInOAuth2:      "OAuth2",
}

// writeProviders prints one block a provider: its name and ID, then a
// line a field, as "keystore show" prints an entry.
func writeProviders(w io.Writer, list []mailsetup.Provider) error {
	fmt.Fprintf(w, "Mail providers (%d)\n", len(list))
	for _, p := range list {
		fmt.Fprintf(w, "\n%s (%s)\n", p.Name, p.ID)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  Domains:\t%s\n", strings.Join(p.Domains, ", "))
		for _, proto := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
			var servers []string
			for _, sv := range p.Servers {
				if sv.Protocol == proto {
					servers = append(servers, sv.Address()+" "+sv.Protection.Label(proto))
				}
			}
			if len(servers) == 0 {
				servers = []string{"none"}
			}
			fmt.Fprintf(tw, "  %s:\t%s\n", proto, strings.Join(servers, ", "))
		}
		signIn := signInWords[p.SignIn]
		if p.OAuth != "" && p.SignIn == mailsetup.SignInOAuth2 {
			signIn += " (" + string(p.OAuth) + ")"
		}
		fmt.Fprintf(tw, "  Sign-in:\t%s\n  \t%s\n", signIn, p.Help.Summary)
		if p.Help.URL != "" {
			fmt.Fprintf(tw, "  Where:\t%s\n", p.Help.URL)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// providersJSON is "providers --json".
type providersJSON struct {
	SchemaVersion int            `json:"schemaVersion"`
	Providers     []providerJSON `json:"providers"`
}

type providerJSON struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Domains    []string     `json:"domains"`
	MXSuffixes []string     `json:"mxSuffixes"`
	Servers    []serverJSON `json:"servers"`
	SignIn     string       `json:"signIn"`           // password, app-password, oauth2
	OAuth2     string       `json:"oauth2,omitempty"` // the OAuth2 preset: Microsoft 365, Google
	Help       signInJSON   `json:"help"`
	// The provider shows app passwords in groups and ignores the spaces.
	SecretSpacesIgnored bool `json:"secretSpacesIgnored"`
}

// serverJSON is a mail server as the tenant's Mail adapter takes it, and
// where the setting came from: for providers, and for what connect finds.
type serverJSON struct {
	Protocol   string `json:"protocol"` // SMTP, IMAP, POP3
	Host       string `json:"host"`
	Port       int    `json:"port"`
	Address    string `json:"address"`    // host:port, the adapter's Address field
	Protection string `json:"protection"` // as the tenant spells it: SMTPS, STARTTLS Mandatory, …
	Source     string `json:"source"`
}

type signInJSON struct {
	Summary     string   `json:"summary"`
	Steps       []string `json:"steps"`
	URL         string   `json:"url,omitempty"`
	SecretLabel string   `json:"secretLabel"`
}

func serverOf(s mailsetup.Server) serverJSON {
	return serverJSON{Protocol: string(s.Protocol), Host: s.Host, Port: s.Port, Address: s.Address(),
		Protection: s.Protection.Label(s.Protocol), Source: s.Source}
}

func providersOf(list []mailsetup.Provider) providersJSON {
	out := providersJSON{SchemaVersion: schemaVersion, Providers: make([]providerJSON, len(list))}
	for i, p := range list {
		j := providerJSON{ID: p.ID, Name: p.Name, Domains: p.Domains, MXSuffixes: p.MXSuffixes, Servers: []serverJSON{},
			SignIn: string(p.SignIn), OAuth2: string(p.OAuth), SecretSpacesIgnored: p.SecretSpacesIgnored,
			Help: signInJSON{Summary: p.Help.Summary, Steps: p.Help.Steps, URL: p.Help.URL, SecretLabel: p.Help.SecretLabel}}
		if j.MXSuffixes == nil {
			j.MXSuffixes = []string{}
		}
		for _, sv := range p.Servers {
			j.Servers = append(j.Servers, serverOf(sv))
		}
		out.Providers[i] = j
	}
	return out
}
