package mailsetup

import (
	"slices"
	"strings"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// The table below is our own, written from Thunderbird's ISPDB (repository
// thunderbird/autoconfig, folder ispdb/, read in 2026) and checked against
// the providers' help pages where they could be read. Within a protocol
// the server listed first is the one proposed: the ISPDB's order, except
// Gmail's SMTP, where SAP's tutorial and the tenant's form start with 587.
// The user name is the whole address for every entry: iCloud and WEB.DE
// also take the part before the @, but accept the whole address too.

// The ISPDB's socketTypes: SSL is implicit TLS, STARTTLS is STARTTLS
// Mandatory (the tenant must not fall back to sending the password in
// clear). TestProviderTableIsComplete checks each against its port.
const (
	ssl      = connectivity.Implicit
	starttls = connectivity.STARTTLSMandatory
)

// smtp, imap and pop3 keep the table short.
func smtp(host string, port int, pr connectivity.Protection) Server {
	return Server{Protocol: connectivity.SMTP, Host: host, Port: port, Protection: pr}
}

func imap(host string, port int, pr connectivity.Protection) Server {
	return Server{Protocol: connectivity.IMAP, Host: host, Port: port, Protection: pr}
}

func pop3(host string, port int, pr connectivity.Protection) Server {
	return Server{Protocol: connectivity.POP3, Host: host, Port: port, Protection: pr}
}

// sourced names the table as every server's Source, so that the user sees
// where a value came from beside values found on the network.
func sourced(p Provider) Provider {
	for i := range p.Servers {
		p.Servers[i].Source = "Opsdesk's provider table (" + p.Name + ")"
	}
	return p
}

// What Microsoft 365 and Outlook.com share: an app registration, whose
// Client ID and Client Secret the OAuth2 credential holds, and the
// credential made the way the tenant makes it.
const (
	microsoftAppStep   = "Register an app for Cloud Integration in Microsoft Entra (App registrations), allow it SMTP.Send, IMAP.AccessAsUser.All and POP.AccessAsUser.All, and create a Client Secret for it."
	microsoftOAuthStep = "Create an OAuth2 Authorization Code credential with the provider Microsoft 365, the app's Client ID and Client Secret, and authorize it in the browser with this account."
	microsoftAppURL    = "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade"
)

// Providers is the built-in table of the mail providers our users meet.
var Providers = []Provider{
	sourced(Provider{
		ID:         "gmail",
		Name:       "Gmail / Google Workspace",
		Domains:    []string{"gmail.com", "googlemail.com"},
		MXSuffixes: []string{"google.com", "googlemail.com"},
		Servers: []Server{
			smtp("smtp.gmail.com", 587, starttls), smtp("smtp.gmail.com", 465, ssl),
			imap("imap.gmail.com", 993, ssl),
			pop3("pop.gmail.com", 995, ssl),
		},
		SignIn: SignInAppPassword,
		OAuth:  oauth.Google,
		Help: SignInHelp{
			Summary: "Gmail needs an App Password, not your Google password.",
			Steps: []string{
				"Turn on 2-Step Verification for your Google account, if it is not on yet.",
				"Open the App Passwords page, type a name such as Cloud Integration, and choose Create.",
				"Type the 16 letters Google shows; the spaces between them do not matter.",
				"Google Workspace: your administrator may have to allow App Passwords, or you sign in with OAuth2 instead.",
			},
			URL:         "https://myaccount.google.com/apppasswords",
			SecretLabel: "App Password",
		},
		SecretSpacesIgnored: true,
	}),
	sourced(Provider{
		ID:         "microsoft365",
		Name:       "Microsoft 365",
		Domains:    []string{"onmicrosoft.com"},
		MXSuffixes: []string{"mail.protection.outlook.com"},
		Servers: []Server{
			smtp("smtp.office365.com", 587, starttls),
			imap("outlook.office365.com", 993, ssl),
			pop3("outlook.office365.com", 995, ssl),
		},
		SignIn: SignInOAuth2,
		OAuth:  oauth.Microsoft365,
		Help: SignInHelp{
			Summary: "Microsoft 365 signs in with OAuth2, because at the end of December 2026 Microsoft switches passwords for sending mail (basic authentication) off by default.",
			Steps: []string{
				microsoftAppStep,
				microsoftOAuthStep,
				"To keep using a password for now, your Microsoft 365 administrator must allow Authenticated SMTP (SMTP AUTH) for this mailbox and switch basic authentication for it back on for the organisation (see https://aka.ms/smtp_auth_disabled).",
				"Even then the password stops working when Microsoft removes basic authentication for good, which Microsoft will announce for the second half of 2027.",
			},
			URL:         microsoftAppURL,
			SecretLabel: "Client Secret",
		},
	}),
	sourced(Provider{
		ID:   "outlook",
		Name: "Outlook.com / Hotmail",
		Domains: []string{"outlook.com", "hotmail.com", "live.com", "msn.com", "windowslive.com",
			"outlook.de", "outlook.at", "outlook.be", "outlook.dk", "outlook.es", "outlook.fr", "outlook.it", "outlook.ie",
			"hotmail.de", "hotmail.co.uk", "hotmail.fr", "hotmail.it", "hotmail.es", "hotmail.nl", "hotmail.be", "hotmail.ch",
			"live.de", "live.at", "live.co.uk", "live.fr", "live.it", "live.nl", "live.be", "live.ch"},
		MXSuffixes: []string{"olc.protection.outlook.com"},
		Servers: []Server{
			smtp("smtp-mail.outlook.com", 587, starttls),
			imap("outlook.office365.com", 993, ssl),
			pop3("outlook.office365.com", 995, ssl),
		},
		SignIn: SignInOAuth2,
		OAuth:  oauth.Microsoft365,
		Help: SignInHelp{
			Summary: "Outlook.com takes no passwords from mail programs any more, only OAuth2.",
			Steps: []string{
				microsoftAppStep + " Let it sign in personal Microsoft accounts.",
				microsoftOAuthStep,
				"Type consumers as the directory (tenant): Outlook.com, Hotmail and Live are personal Microsoft accounts.",
			},
			URL:         microsoftAppURL,
			SecretLabel: "Client Secret",
		},
	}),
	sourced(Provider{
		ID:   "yahoo",
		Name: "Yahoo Mail",
		Domains: []string{"yahoo.com", "yahoo.de", "yahoo.co.uk", "yahoo.fr", "yahoo.es", "yahoo.it", "yahoo.se", "yahoo.ca",
			"yahoo.co.in", "yahoo.co.nz", "yahoo.com.au", "yahoo.com.ar", "yahoo.com.br", "yahoo.com.mx",
			"ymail.com", "myyahoo.com", "rocketmail.com"},
		// Yahoo's own MX hosts sit under am0.yahoodns.net; AOL's sit
		// elsewhere under yahoodns.net and are not Yahoo Mail's servers.
		MXSuffixes: []string{"am0.yahoodns.net"},
		Servers: []Server{
			smtp("smtp.mail.yahoo.com", 465, ssl), smtp("smtp.mail.yahoo.com", 587, starttls),
			imap("imap.mail.yahoo.com", 993, ssl),
			pop3("pop.mail.yahoo.com", 995, ssl),
		},
		SignIn: SignInAppPassword,
		Help: SignInHelp{
			Summary: "Yahoo Mail needs an app password, not your Yahoo password.",
			Steps: []string{
				"Open your Yahoo Account Security page.",
				"Under External connections choose Create app password, type a name such as Cloud Integration, and choose Generate password.",
				"Type the password Yahoo shows.",
			},
			URL:         "https://login.yahoo.com/account/security",
			SecretLabel: "App Password",
		},
	}),
	sourced(Provider{
		ID:         "icloud",
		Name:       "iCloud Mail",
		Domains:    []string{"icloud.com", "me.com", "mac.com"},
		MXSuffixes: []string{"mail.icloud.com"}, // iCloud+ custom e-mail domains
		Servers: []Server{
			smtp("smtp.mail.me.com", 587, starttls),
			imap("imap.mail.me.com", 993, ssl),
		},
		SignIn: SignInAppPassword,
		Help: SignInHelp{
			Summary: "iCloud Mail needs an app-specific password, not your Apple Account password.",
			Steps: []string{
				"Two-factor authentication must be on for your Apple Account.",
				"Sign in to your Apple Account page, open Sign-In and Security, then App-Specific Passwords, and create one named Cloud Integration.",
				"Type the password Apple shows, with its hyphens (xxxx-xxxx-xxxx-xxxx).",
				"iCloud Mail offers no POP3: use IMAP to read mail.",
			},
			URL:         "https://account.apple.com/account/manage",
			SecretLabel: "App-Specific Password",
		},
	}),
	sourced(Provider{
		ID:      "gmx",
		Name:    "GMX",
		Domains: []string{"gmx.net", "gmx.de", "gmx.at", "gmx.ch", "gmx.eu", "gmx.biz", "gmx.org", "gmx.info"},
		Servers: []Server{
			smtp("mail.gmx.net", 465, ssl), smtp("mail.gmx.net", 587, starttls),
			imap("imap.gmx.net", 993, ssl), imap("imap.gmx.net", 143, starttls),
			pop3("pop.gmx.net", 995, ssl), pop3("pop.gmx.net", 110, starttls),
		},
		SignIn: SignInPassword,
		Help: SignInHelp{
			Summary: "GMX takes your GMX password, once POP3 and IMAP access is switched on.",
			Steps: []string{
				"Sign in to GMX in the browser, open E-Mail Settings, then POP3 & IMAP, and allow access by POP3 and IMAP.",
				"Type your GMX password (or, with two-factor authentication on, an application-specific password).",
			},
			URL:         "https://hilfe.gmx.net/pop-imap/einschalten.html",
			SecretLabel: "Password",
		},
	}),
	sourced(Provider{
		ID:      "webde",
		Name:    "WEB.DE",
		Domains: []string{"web.de"},
		Servers: []Server{
			smtp("smtp.web.de", 465, ssl), smtp("smtp.web.de", 587, starttls),
			imap("imap.web.de", 993, ssl), imap("imap.web.de", 143, starttls),
			pop3("pop3.web.de", 995, ssl), pop3("pop3.web.de", 110, starttls),
		},
		SignIn: SignInPassword,
		Help: SignInHelp{
			Summary: "WEB.DE takes your WEB.DE password, once POP3 and IMAP access is switched on.",
			Steps: []string{
				"Sign in to WEB.DE in the browser, open E-Mail Settings, then POP3 & IMAP, and allow access by POP3 and IMAP.",
				"Type your WEB.DE password (or, with two-factor authentication on, an application-specific password).",
			},
			URL:         "https://hilfe.web.de/pop-imap/einschalten.html",
			SecretLabel: "Password",
		},
	}),
	sourced(Provider{
		ID:      "t-online",
		Name:    "T-Online",
		Domains: []string{"t-online.de", "magenta.de"},
		Servers: []Server{
			smtp("securesmtp.t-online.de", 465, ssl), smtp("securesmtp.t-online.de", 587, starttls),
			imap("secureimap.t-online.de", 993, ssl),
			pop3("securepop.t-online.de", 995, ssl),
		},
		SignIn: SignInPassword,
		Help: SignInHelp{
			Summary: "T-Online needs its E-Mail-Passwort, which is not the password of your Telekom login.",
			Steps: []string{
				"Sign in to the Telekom E-Mail Center, open Settings, then Passwords, and set up an E-Mail-Passwort.",
				"Type that E-Mail-Passwort; the password of the T-Online website and webmail does not work here.",
			},
			URL:         "https://www.telekom.de/hilfe/apps-dienste/e-mail/programme/passwort-verwalten",
			SecretLabel: "E-Mail-Passwort",
		},
	}),
	sourced(Provider{
		ID:         "ionos",
		Name:       "IONOS",
		Domains:    []string{"ionos.de"},
		MXSuffixes: []string{"ionos.de", "kundenserver.de", "schlund.de"},
		Servers: []Server{
			smtp("smtp.ionos.de", 465, ssl), smtp("smtp.ionos.de", 587, starttls),
			imap("imap.ionos.de", 993, ssl), imap("imap.ionos.de", 143, starttls),
			pop3("pop.ionos.de", 995, ssl), pop3("pop.ionos.de", 110, starttls),
		},
		SignIn: SignInPassword,
		Help: SignInHelp{
			Summary: "IONOS takes the password of the mailbox, as set in the IONOS Control Panel.",
			Steps: []string{
				"Type the password you chose for this e-mail address in the IONOS Control Panel (not the password of your IONOS customer account).",
			},
			URL:         "https://www.ionos.de/hilfe/index.php?id=2490",
			SecretLabel: "Password",
		},
	}),
}

// clone gives the caller a Provider of its own: changing its servers must
// not change the table.
func (p Provider) clone() Provider {
	p.Domains = slices.Clone(p.Domains)
	p.MXSuffixes = slices.Clone(p.MXSuffixes)
	p.Servers = slices.Clone(p.Servers)
	p.Help.Steps = slices.Clone(p.Help.Steps)
	return p
}

// ProviderByID finds an entry by its ID ("gmail") or its Name ("Gmail /
// Google Workspace"), whatever the case, as --provider and a drop-down
// give them.
func ProviderByID(id string) (Provider, bool) {
	id = strings.TrimSpace(id)
	for _, p := range Providers {
		if strings.EqualFold(p.ID, id) || strings.EqualFold(p.Name, id) {
			return p.clone(), true
		}
	}
	return Provider{}, false
}

// ForDomain finds the entry that serves addresses at domain, or at a
// subdomain of one of its domains (Microsoft 365's
// contoso.onmicrosoft.com).
func ForDomain(domain string) (Provider, bool) {
	return find(domain, func(p Provider) []string { return p.Domains })
}

// ForMX finds the entry whose servers an MX host name belongs to:
// example-com.mail.protection.outlook.com → Microsoft 365.
func ForMX(host string) (Provider, bool) {
	return find(host, func(p Provider) []string { return p.MXSuffixes })
}

func find(name string, names func(Provider) []string) (Provider, bool) {
	name = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if name == "" {
		return Provider{}, false
	}
	for _, p := range Providers {
		for _, n := range names(p) {
			if name == n || strings.HasSuffix(name, "."+n) {
				return p.clone(), true
			}
		}
	}
	return Provider{}, false
}

// UsualServers proposes servers by the usual names and ports when nothing
// was found for domain: smtp.DOMAIN:587 with STARTTLS, imap.DOMAIN:993 and
// pop.DOMAIN:995 with implicit TLS. Detect never adds them to what it
// found, so that a guess is never shown as a finding; the window and the
// connect command offer them, marked as the guess they are, when
// Settings.Servers is empty.
func UsualServers(domain string) []Server {
	const guess = "the usual port; check the host with your provider"
	domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	out := []Server{smtp("smtp."+domain, 587, starttls), imap("imap."+domain, 993, ssl), pop3("pop."+domain, 995, ssl)}
	for i := range out {
		out[i].Source = guess
	}
	return out
}
