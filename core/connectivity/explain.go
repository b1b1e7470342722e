package connectivity

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/opsdesk/opsdesk/core/problem"
)

const hintAddChain = "Add the server's certificate chain to the keystore (Add to Keystore), then test again."

// explain turns a failed result into one sentence and one next step. The
// step answers the request it follows: it never names the Protection, the
// port or the Authentication the user already chose, which would send them
// round in a circle. ServerText carries only what the server sent; Go's
// error texts stay in Result.Err, for the technical detail.
func explain(r *Result) *Explanation {
	err := r.Err
	if err == nil {
		for _, c := range r.Checks {
			if !c.OK {
				return explainCheck(r, c)
			}
		}
		return nil
	}
	e := &Explanation{}
	hostPort := fmt.Sprintf("%s:%d", r.Host, r.Port)
	var (
		pe    *problem.Error
		dns   *net.DNSError
		re    *ReplyError
		ce    *CertError
		te    *TLSError
		proto *ProtocolError
	)
	errors.As(err, &proto) // before the switch, whose case for it may match on ErrGarbage first
	switch {
	case errors.As(err, &pe):
		e.What, e.Next = strings.TrimSuffix(pe.Sentence(), " "+pe.Hint), pe.Hint
	case errors.Is(err, context.Canceled):
		e.What, e.Next = "The test was cancelled.", "Press Send to run it again."
	case errors.As(err, &dns):
		e.What = fmt.Sprintf("The server name %s cannot be found.", r.Host)
		e.Next = "Check the spelling of the host (for Gmail: smtp.gmail.com, imap.gmail.com, pop.gmail.com) and that this computer is online."
	case isAny(err, errsRefused):
		e.What = fmt.Sprintf("%s refused the connection: no mail server listens on port %d there, or a firewall said no.", r.Host, r.Port)
		e.Next = portHint(r)
	case isAny(err, errsUnreachable):
		e.What = fmt.Sprintf("There is no network route to %s.", r.Host)
		e.Next = "Check this computer's network connection, VPN or proxy."
	case isTimeout(err) && !r.Reached:
		e.What = fmt.Sprintf("%s did not answer in time.", hostPort)
		e.Next = "Check the host and port; a firewall may be silently dropping the connection."
	case isTimeout(err):
		e.What = "The server stopped answering in the middle of the test."
		e.Next = "Try again; if it keeps happening, the port may belong to another kind of server. " + portHint(r)
	case errors.As(err, &ce):
		e.What = "The server's certificate is not valid: " + ce.Reason + "."
		switch ce.Kind {
		case CertUnknownIssuer, CertSelfSigned:
			e.Next = hintAddChain
		case CertExpired, CertNotYetValid:
			e.Next = "The server must renew its certificate; tell its administrator. (Check also this computer's date and time.)"
		case CertNameMismatch:
			e.Next = "Use the host name the certificate is made for, or ask the administrator for a certificate for this name."
		default:
			e.Next = hintAddChain
		}
	case errors.As(err, &te):
		e.What, e.Next = explainTLS(te, r)
	case errors.As(err, &re):
		e.What, e.Next = explainReply(re, r)
		e.ServerText = re.Reply
		if re.Token != nil {
			// Google's reason comes base64-encoded: show it decoded too.
			e.ServerText += "\n(the challenge decoded: " + re.Token.Raw + ")"
		}
		e.ProposeOAuth2 = r.Auth != AuthOAuth2 && passwordsOff(re)
	case errors.Is(err, errNoTokenSource):
		e.What = "The test has no OAuth2 credential to sign in with."
		e.Next = "Choose an OAuth2 Authorization Code credential as Credential Name."
	case errors.Is(err, errNoOAuthMech):
		e.What = "The server does not offer OAuth2 sign-in (neither XOAUTH2 nor OAUTHBEARER) on this connection."
		e.Next = "Check the host and port of the provider's mail server (Microsoft 365: smtp.office365.com, outlook.office365.com; Gmail: smtp.gmail.com, imap.gmail.com, pop.gmail.com); some servers offer OAuth2 only once the connection is encrypted."
	case errors.Is(err, errMechNotOffered):
		e.What = "The server does not offer the SASL mechanism chosen for this test."
		e.Next = "Let Opsdesk choose the mechanism (Automatic), or choose the one the server offers."
	case errors.Is(err, errNoSTARTTLS):
		e.What = fmt.Sprintf("The server does not offer to switch on encryption (STARTTLS), and Protection is %s.", STARTTLSMandatory)
		e.Next = sentence(toTLS(r) + ", or ask the server's administrator to offer it")
	case errors.Is(err, errNoAUTH) && encrypted(r):
		e.What = "The server offers no way to log in, even on an encrypted connection."
		e.Next = "Check the server's documentation; it may require OAuth2."
		if r.Protocol != POP3 { // POP3 always logs in: its form has no None
			e.Next = "Choose Authentication None, or check the server's documentation; it may require OAuth2."
		}
	case errors.Is(err, errNoAUTH):
		e.What = "The server offers no way to log in on this unencrypted connection."
		e.Next = "Many servers offer login only once the connection is encrypted: " + toTLS(r) + "."
		if r.Protocol != POP3 {
			e.Next += " Otherwise choose Authentication None."
		}
	case errors.Is(err, errNoCRAMMD5):
		e.What = fmt.Sprintf("The server does not offer %s (CRAM-MD5).", AuthEncrypted)
		e.Next = fmt.Sprintf("Choose %s: the connection is encrypted, so the password is protected.", AuthPlain)
		if !encrypted(r) {
			e.Next = fmt.Sprintf("Choose %s and %s, so that encryption protects the password.", AuthPlain, toTLS(r))
		}
	case errors.Is(err, errNoPlainAuth) && strings.Contains(err.Error(), "CRAM-MD5"):
		e.What = fmt.Sprintf("The server does not offer %s; it offers %s (CRAM-MD5).", AuthPlain, AuthEncrypted)
		e.Next = fmt.Sprintf("Choose Authentication %s.", AuthEncrypted)
	case errors.Is(err, errNoPlainAuth):
		e.What = "The server offers no password login that Opsdesk can use."
		e.Next = "Check the server's documentation; it may require OAuth2."
	case errors.Is(err, errLineBreak):
		e.What = "The credential's user or password contains a line break, which cannot be sent to the server."
		e.Next = "Type the credential's password again without the line break (in Security Material: Edit)."
	case errors.Is(err, ErrLineTooLong), errors.Is(err, ErrReplyTooLong), errors.Is(err, ErrGarbage), proto != nil:
		e.What = fmt.Sprintf("The server at %s does not answer like %s server.", hostPort, withArticle(r.Protocol))
		e.Next = portHint(r)
		if proto != nil && readable(proto.Line) {
			e.ServerText = proto.Line // "SSH-2.0-…" tells a supporter what listens there
		}
	case errors.Is(err, io.EOF), isAny(err, errsReset), errors.Is(err, net.ErrClosed):
		e.What = "The server closed the connection unexpectedly."
		e.Next = portHint(r)
	default:
		e.What = "The test failed for a reason Opsdesk cannot put into words."
		e.Next = "Show the technical detail below to the server's administrator."
	}
	return e
}

// withArticle is "an SMTP", "a POP3": how the protocol reads aloud.
func withArticle(p Protocol) string {
	if p == SMTP || p == IMAP {
		return "an " + string(p)
	}
	return "a " + string(p)
}

// readable reports whether a line a server sent is text a person can read
// (and so worth quoting), not binary garbage.
func readable(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if !unicode.IsPrint(c) {
			return false
		}
	}
	return true
}

// authFailed reports whether the failure came while logging in: then the
// server's refusal is about the credential, whatever the command's name.
func authFailed(r *Result) bool {
	c, ok := r.Check("Authentication")
	return ok && !c.OK
}

// isAny reports whether err is one of targets.
func isAny(err error, targets []error) bool {
	return slices.ContainsFunc(targets, func(t error) bool { return errors.Is(err, t) })
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// portHint is the next step when the server does not behave as a server of
// its protocol should: what differs from the usual port and Protection,
// or, when both are the usual ones, the host. Each says in plain words
// what the port expects before naming the Protection that fits it.
func portHint(r *Result) string {
	p := r.Protocol
	if p != SMTP && p != IMAP && p != POP3 {
		return "Check the host and port."
	}
	plain, implicit := DefaultPort(p, STARTTLSMandatory), DefaultPort(p, Implicit)
	label := Implicit.Label(p)
	usual := fmt.Sprintf("This port and Protection are the usual ones for %s, so check the host name, or ask the server's administrator which port and Protection it uses.", p)
	switch {
	case r.Protection == Off && r.Port == plain:
		return fmt.Sprintf("Servers on this port usually expect encryption to be switched on after the greeting: choose Protection %s, or check the host name.", STARTTLSMandatory)
	case r.Protection == Off && r.Port == implicit:
		return fmt.Sprintf("This port expects encryption from the first byte: choose Protection %s.", label)
	case r.Protection == Off:
		return fmt.Sprintf("Check the port and Protection: port %d usually goes with %s, port %d with %s.", plain, STARTTLSMandatory, implicit, label)
	case r.Protection == Implicit && r.Port == implicit, r.Protection != Implicit && r.Port == plain:
		return usual
	case r.Protection == Implicit && r.Port == plain:
		return fmt.Sprintf("This port expects the connection to start unencrypted and switch encryption on after the greeting: choose Protection %s, or keep this Protection and use port %d.", STARTTLSMandatory, implicit)
	case r.Port == implicit:
		return fmt.Sprintf("This port expects encryption from the first byte: choose Protection %s, or keep this Protection and use port %d.", label, plain)
	case r.Protection == Implicit:
		return fmt.Sprintf("Check the port: with this Protection, %s servers listen on port %d.", p, implicit)
	}
	return fmt.Sprintf("Check the port: with this Protection, %s servers usually listen on port %d.", p, plain)
}

// toTLS is the step to a Protection that encrypts a connection which was
// not: from Off, either; from a STARTTLS the server did not offer, the
// Protection that encrypts from the first byte (SMTPS, IMAPS, POP3S) on
// its port. A port is named only when it is not the one chosen.
func toTLS(r *Result) string {
	withPort := func(label string, port int) string {
		if port == r.Port {
			return label
		}
		return fmt.Sprintf("%s (usually port %d)", label, port)
	}
	implicit := withPort(Implicit.Label(r.Protocol), DefaultPort(r.Protocol, Implicit))
	if r.Protection == Off {
		return "set Protection to " + withPort(string(STARTTLSMandatory), DefaultPort(r.Protocol, STARTTLSMandatory)) + " or " + implicit
	}
	return "set Protection to " + implicit + ", which encrypts from the first byte"
}

// encrypted reports whether the connection had TLS when the test failed.
func encrypted(r *Result) bool { return r.TLSVersion != "" }

// sentence capitalises a step that starts a sentence and ends it.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

func explainTLS(te *TLSError, r *Result) (string, string) {
	msg := te.Err.Error()
	var rhe tls.RecordHeaderError
	notTLS := errors.As(te.Err, &rhe) || strings.Contains(msg, "first record does not look like a TLS handshake")
	switch {
	case notTLS && r.Protocol == TLS:
		next := "Check the port: this test needs one where the server encrypts from the first byte"
		if r.Port != 443 {
			next += " (web servers use port 443)"
		}
		return "The server on this port does not encrypt the connection (no TLS).", next + "."
	case notTLS && r.Protection != Implicit:
		// STARTTLS was agreed to, and then the server went on in clear.
		return "The server agreed to switch on encryption (STARTTLS), then went on unencrypted.",
			"Something between this computer and the server, such as a firewall or antivirus that inspects mail, may be in the way; " +
				toTLS(r) + ", or tell the server's administrator."
	case notTLS:
		next := fmt.Sprintf("Choose Protection %s, which switches encryption on after the greeting", STARTTLSMandatory)
		if implicit := DefaultPort(r.Protocol, Implicit); r.Port != implicit {
			next += fmt.Sprintf(", or keep this Protection and use port %d", implicit)
		}
		return fmt.Sprintf("The server on this port starts unencrypted, but Protection %s expects encryption from the first byte.", Implicit.Label(r.Protocol)), next + "."
	case strings.Contains(msg, "protocol version"):
		return "The server only offers an old kind of encryption (TLS 1.0 or 1.1), which is no longer considered safe.",
			"Ask the server's administrator to enable TLS 1.2 or later."
	case strings.Contains(msg, "handshake failure"), strings.Contains(msg, "no cipher suite"), strings.Contains(msg, "insufficient security"):
		return "The server and Opsdesk have no safe encryption method in common: the server only offers old ones.",
			"Ask the server's administrator to enable modern TLS cipher suites."
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "bad certificate"):
		return "The server wants this computer to prove who it is with a client certificate, and got none it accepts.",
			"Choose Authenticate with Client Certificate and a key pair the server trusts."
	}
	return "The encrypted (TLS) connection could not be set up.", "Show the technical detail below to the server's administrator."
}

// explainReply reads what a server's refusal means, with the codes Gmail
// and Microsoft use (RFC 3463 enhanced codes). A refusal while logging in
// is about the credential whatever the command was called: CRAM-MD5's
// answer is a secret shown as ***, which no sentence may quote.
func explainReply(re *ReplyError, r *Result) (string, string) {
	text := strings.ToUpper(re.Text)
	if what, next, ok := explainMicrosoft(re, r); ok {
		return what, next
	}
	if r.Auth == AuthOAuth2 && authFailed(r) {
		return explainTokenRefusal(re, r)
	}
	switch {
	case re.Code == 534 && strings.Contains(text, "5.7.9"):
		return "Google requires an App Password for this account: its normal password is not accepted by mail programs.",
			"In your Google Account, turn on 2-Step Verification, create an App Password (Security → App passwords) and store its 16 letters as the credential's password. \"Less secure apps\" no longer exists."
	case strings.Contains(text, "5.7.139"), strings.Contains(text, "5.7.30"):
		return "The server no longer accepts a password for this account: its administrator switched password sign-in (basic authentication) off.",
			"Create an OAuth2 Authorization Code credential for the mailbox, authorize it, and test with Authentication OAuth2 Authorization Code."
	case re.Code == 530 && encrypted(r):
		return "The server asks for encryption to be switched on (STARTTLS) although the connection is already encrypted.",
			"The server is misconfigured: tell its administrator."
	case re.Code == 530 && r.Protection == Off:
		return "The server requires encryption to be switched on (STARTTLS) before anything else.", sentence(toTLS(r))
	case re.Code == 530:
		return "The server requires encryption to be switched on (STARTTLS) but does not offer it.", sentence(toTLS(r) + ", or tell the server's administrator")
	case re.Code == 454 || re.Code == 421 || strings.Contains(text, "[UNAVAILABLE]"):
		return "The server is temporarily unavailable.", "Try again in a few minutes."
	case authFailed(r), re.Code == 535,
		re.Code == 0 && strings.Contains(text, "AUTHENTICATIONFAILED"):
		return "The server did not accept the user name or password.", credentialHint(r)
	case re.Command == "greeting", strings.HasPrefix(re.Command, "EHLO"), re.Command == "CAPABILITY":
		return "The server answered, but refused to talk with this computer.",
			"Try again in a few minutes; if it keeps refusing, ask the server's administrator whether it accepts connections from your network."
	case strings.HasPrefix(re.Command, "STARTTLS"), re.Command == "STLS":
		return "The server offers to switch on encryption (STARTTLS), but refused to do it.", sentence(toTLS(r) + ", or tell the server's administrator")
	case strings.HasPrefix(re.Command, "STATUS"):
		return "The server could not check the folder.",
			"Check the Folder's name, capitals included; List Folders shows the names the server knows."
	}
	return "The server refused a step of the test.",
		"The server's words below say why; if they do not help, show them and the technical detail to the server's administrator."
}

// credentialHint is the next step after a refused login, for the
// Authentication chosen: Encrypted User/Password can fail with the right
// password when the server cannot check it for this account.
func credentialHint(r *Result) string {
	next := "Check the credential: the user is usually the full e-mail address, and for Gmail with 2-Step Verification the password must be an App Password."
	if r.Auth != AuthEncrypted {
		return next
	}
	next += fmt.Sprintf(" If both are right, the server may be unable to check %s for this account: choose %s", AuthEncrypted, AuthPlain)
	if !encrypted(r) {
		next += " and " + toTLS(r) + ", so that encryption protects the password"
	}
	return next + "."
}

func explainCheck(r *Result, c Check) *Explanation {
	e := &Explanation{}
	switch c.Name {
	case "MAIL FROM":
		e.What = "The server refused the sender address."
		e.Next = "Check the From address; Gmail accepts only the account's own address (or its verified aliases) as sender."
		e.ServerText = c.Note // the server's reply
	case "RCPT TO":
		e.What = "The server refused the recipient address."
		e.Next = "Check the To address for typing mistakes."
		e.ServerText = c.Note
	case "STARTTLS":
		e.What = "The server does not offer to switch on encryption (STARTTLS)."
		e.Next = sentence(toTLS(r))
	default:
		e.What = fmt.Sprintf("%s: %s.", c.Name, c.Value)
		e.Next = "See the detail below."
	}
	return e
}

// passwordsOff reports Microsoft's refusals of a password once basic
// authentication is switched off, which OAuth2 answers.
func passwordsOff(re *ReplyError) bool {
	text := strings.ToUpper(re.Text)
	return strings.Contains(text, "5.7.139") && strings.Contains(text, "BASIC AUTHENTICATION IS DISABLED") ||
		strings.Contains(text, "5.7.30") ||
		strings.Contains(text, "5.7.139") && !strings.Contains(text, "SMTPCLIENTAUTHENTICATION")
}

// explainMicrosoft reads Exchange Online's refusals of a login, for
// passwords and tokens alike.
func explainMicrosoft(re *ReplyError, r *Result) (what, next string, ok bool) {
	text := strings.ToUpper(re.Text)
	switch {
	case strings.Contains(text, "SMTPCLIENTAUTHENTICATION IS DISABLED"):
		return "Microsoft 365 has Authenticated SMTP (SMTP AUTH) switched off for this mailbox or for the whole organisation, so no sign-in works, with a password or with OAuth2.",
			"A Microsoft 365 administrator must switch it on: for the mailbox in the Microsoft 365 admin center (Users → the user → Mail → Manage email apps → Authenticated SMTP), and for the organisation in the Exchange admin center (Settings → Mail flow → clear \"Turn off SMTP AUTH protocol for your organization\"); see https://aka.ms/smtp_auth_disabled.", true
	case passwordsOff(re) && r.Auth != AuthOAuth2:
		what = "Microsoft 365 no longer accepts a password for this mailbox: basic authentication is switched off for it."
		if strings.Contains(text, "5.7.30") {
			what = "Microsoft 365 no longer accepts passwords for sending mail at all: basic authentication has been removed."
		}
		return what, "Create an OAuth2 Authorization Code credential for the mailbox (Provider Microsoft 365), authorize it, and test with Authentication OAuth2 Authorization Code.", true
	case r.Auth == AuthOAuth2 && re.Code == 535 && strings.Contains(text, "5.7.3"):
		return "Microsoft 365 did not accept the access token for this mailbox: it was issued for another account, or without the permission for this protocol.",
			"Check that the User Name is the mailbox's address and the account that signed in when authorizing, and that the Scope holds " + microsoftScope(r.Protocol) + "; then authorize again. The mailbox must also have " + string(r.Protocol) + " switched on (Microsoft 365 admin center → Users → Mail → Manage email apps).", true
	}
	return "", "", false
}

func microsoftScope(p Protocol) string {
	switch p {
	case IMAP:
		return "https://outlook.office.com/IMAP.AccessAsUser.All"
	case POP3:
		return "https://outlook.office.com/POP.AccessAsUser.All"
	}
	return "https://outlook.office.com/SMTP.Send"
}

// explainTokenRefusal is a server's refusal of an OAuth2 access token,
// with Google's decoded reason when it sent one.
func explainTokenRefusal(re *ReplyError, r *Result) (string, string) {
	renewed := ""
	if r.Renewed {
		renewed = " A newly fetched token was refused as well."
	}
	if te := re.Token; te != nil {
		scope := ""
		if te.Scope != "" {
			scope = " It expects a token with the scope " + te.Scope + "."
		}
		switch te.Status {
		case "400":
			return "The server refused the access token for this account: the User Name is not the account the token was issued to." + scope,
				"Set the credential's User Name to the address of the account that signed in when authorizing, or authorize again signing in as the mailbox."
		case "401", "invalid_token":
			return "The server did not accept the access token: it has expired, was revoked, or lacks the mail permission." + scope + renewed,
				"Check the credential's Scope, then authorize it again."
		case "403", "insufficient_scope":
			return "The access token lacks the permission this mail server needs." + scope,
				"Add the mail scope to the credential's Scope, then authorize it again."
		}
	}
	return "The server did not accept the access token for this mailbox." + renewed,
		"Check that the User Name is the account that signed in when authorizing and that the Scope covers " + string(r.Protocol) + ", then authorize the credential again."
}
