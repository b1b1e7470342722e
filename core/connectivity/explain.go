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

	"github.com/opsdesk/opsdesk/core/problem"
)

const hintAddChain = "Add the server's certificate chain to the keystore (Add to Keystore), then test again."

// explain turns a failed result into one sentence and one next step. The
// step answers the request it follows: it never names the Protection or
// the port the user already chose, which would send them round in a circle.
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
	e := &Explanation{ServerText: err.Error()}
	hostPort := fmt.Sprintf("%s:%d", r.Host, r.Port)
	var (
		pe    *problem.Error
		dns   *net.DNSError
		re    *ReplyError
		ce    *CertError
		te    *TLSError
		proto *ProtocolError
		ne    *NetError
	)
	switch {
	case errors.As(err, &pe):
		e.What, e.Next, e.ServerText = strings.TrimSuffix(pe.Sentence(), " "+pe.Hint), pe.Hint, ""
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
		e.ServerText = fmt.Sprintf("%s", strings.TrimSpace(fmt.Sprintf("%d %s", re.Code, re.Text)))
		if re.Code == 0 {
			e.ServerText = re.Text
		}
	case errors.Is(err, errNoSTARTTLS):
		e.What = fmt.Sprintf("The server does not offer STARTTLS, and Protection is %s.", STARTTLSMandatory)
		e.Next = sentence(toTLS(r) + ", or ask the server's administrator to offer it")
	case errors.Is(err, errNoAUTH) && encrypted(r):
		e.What = "The server offers no way to log in, even over TLS."
		e.Next = "Choose Authentication None, or check the server's documentation; it may require OAuth2."
	case errors.Is(err, errNoAUTH):
		e.What = "The server offers no way to log in on this connection."
		e.Next = "Many servers offer login only over TLS: " + toTLS(r) + ". Otherwise choose Authentication None."
	case errors.Is(err, errNoCRAMMD5):
		e.What = "The server does not offer Encrypted User/Password (CRAM-MD5)."
		e.Next = "Choose Plain User/Password: TLS protects the password on this connection."
		if !encrypted(r) {
			e.Next = "Choose Plain User/Password and " + toTLS(r) + ", so that TLS protects the password."
		}
	case errors.Is(err, errNoPlainAuth):
		e.What = "The server offers no password login that Opsdesk can use."
		e.Next = "Check the server's documentation; it may require OAuth2."
	case errors.Is(err, ErrLineTooLong), errors.Is(err, ErrReplyTooLong), errors.Is(err, ErrGarbage), errors.As(err, &proto):
		e.What = fmt.Sprintf("The server at %s does not answer like a %s server.", hostPort, r.Protocol)
		e.Next = portHint(r)
	case errors.Is(err, io.EOF), isAny(err, errsReset), errors.Is(err, net.ErrClosed):
		e.What = "The server closed the connection unexpectedly."
		e.Next = portHint(r)
	default:
		e.What = "The test failed."
		e.Next = "See the technical detail below."
	}
	if errors.As(err, &ne) && e.ServerText == err.Error() {
		e.ServerText = ne.Err.Error()
	}
	return e
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
// or, when both are the usual ones, the host.
func portHint(r *Result) string {
	p := r.Protocol
	if p != SMTP && p != IMAP && p != POP3 {
		return "Check the host and port."
	}
	plain, implicit := DefaultPort(p, STARTTLSMandatory), DefaultPort(p, Implicit)
	label := Implicit.Label(p)
	usual := fmt.Sprintf("This port and Protection are the usual ones for %s, so check the host name, or ask the server's administrator which port and Protection it uses.", p)
	switch {
	case r.Protection == Off:
		return fmt.Sprintf("Check the port and Protection: %d goes with %s, %d with %s.", plain, STARTTLSMandatory, implicit, label)
	case r.Protection == Implicit && r.Port == implicit, r.Protection != Implicit && r.Port == plain:
		return usual
	case r.Protection == Implicit && r.Port == plain:
		return fmt.Sprintf("This port is for STARTTLS: choose %s, or keep this Protection and use port %d.", STARTTLSMandatory, implicit)
	case r.Port == implicit:
		return fmt.Sprintf("This port is for %s: choose %s, or keep this Protection and use port %d.", label, label, plain)
	case r.Protection == Implicit:
		return fmt.Sprintf("Check the port: with this Protection, %s servers listen on port %d.", p, implicit)
	}
	return fmt.Sprintf("Check the port: with this Protection, %s servers usually listen on port %d.", p, plain)
}

// toTLS is the step to a Protection that encrypts a connection which was
// not: from Off, either; from a STARTTLS the server did not offer, the
// implicit-TLS port. A port is named only when it is not the one chosen.
func toTLS(r *Result) string {
	withPort := func(label string, port int) string {
		if port == r.Port {
			return label
		}
		return fmt.Sprintf("%s (port %d)", label, port)
	}
	implicit := withPort(Implicit.Label(r.Protocol), DefaultPort(r.Protocol, Implicit))
	if r.Protection == Off {
		return "set Protection to " + withPort(string(STARTTLSMandatory), DefaultPort(r.Protocol, STARTTLSMandatory)) + " or " + implicit
	}
	return "set Protection to " + implicit
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
	switch {
	case (errors.As(te.Err, &rhe) || strings.Contains(msg, "first record does not look like a TLS handshake")) && r.Protocol == TLS:
		return "The server did not answer with TLS on this port.", "Check the port: the server must speak TLS on it from the first byte."
	case errors.As(te.Err, &rhe) || strings.Contains(msg, "first record does not look like a TLS handshake"):
		if r.Protection != Implicit {
			// STARTTLS was agreed to, and then the server went on in clear.
			return "The server agreed to STARTTLS, then did not start TLS.",
				"Something between this computer and the server, such as a firewall or antivirus that inspects mail, may be in the way; " +
					toTLS(r) + ", or tell the server's administrator."
		}
		next := fmt.Sprintf("On this port choose %s (or Off)", STARTTLSMandatory)
		if implicit := DefaultPort(r.Protocol, Implicit); r.Port != implicit {
			next += fmt.Sprintf(", or keep this Protection and use port %d", implicit)
		}
		return "The server did not answer with TLS on this port.", next + "."
	case strings.Contains(msg, "protocol version"):
		return "The server only speaks an old TLS version (1.0 or 1.1), which is no longer considered safe.",
			"Ask the server's administrator to enable TLS 1.2 or later."
	case strings.Contains(msg, "handshake failure"), strings.Contains(msg, "no cipher suite"), strings.Contains(msg, "insufficient security"):
		return "The server and Opsdesk have no safe encryption method in common: the server only offers old ones.",
			"Ask the server's administrator to enable modern TLS cipher suites."
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "bad certificate"):
		return "The server wants a client certificate that it accepts.",
			"Choose Authenticate with Client Certificate and a key pair the server trusts."
	}
	return "The secure (TLS) connection could not be set up.", "See the technical detail below."
}

// explainReply reads what a server's refusal means, with the codes Gmail
// uses (RFC 3463 enhanced codes).
func explainReply(re *ReplyError, r *Result) (string, string) {
	text := strings.ToUpper(re.Text)
	switch {
	case re.Code == 534 && strings.Contains(text, "5.7.9"):
		return "Google requires an App Password for this account: its normal password is not accepted by mail programs.",
			"In your Google Account, turn on 2-Step Verification, create an App Password (Security → App passwords) and store its 16 letters as the credential's password. \"Less secure apps\" no longer exists."
	case re.Code == 535 && strings.Contains(text, "5.7.8"), re.Code == 535,
		re.Code == 0 && strings.Contains(text, "AUTHENTICATIONFAILED"),
		re.Code == 0 && strings.HasPrefix(re.Command, "PASS"),
		re.Code == 0 && strings.HasPrefix(re.Command, "LOGIN"):
		return "The server did not accept the user name or password.",
			"Check the credential: the user is usually the full e-mail address. For Gmail with 2-Step Verification, the password must be an App Password."
	case re.Code == 530 && encrypted(r):
		return "The server asks for STARTTLS although the connection is already encrypted.",
			"The server is misconfigured: tell its administrator."
	case re.Code == 530 && r.Protection == Off:
		return "The server requires STARTTLS before anything else.", sentence(toTLS(r))
	case re.Code == 530:
		return "The server requires STARTTLS but does not offer it.", sentence(toTLS(r) + ", or tell the server's administrator")
	case re.Code == 454 || re.Code == 421:
		return "The server is temporarily unavailable.", "Try again in a few minutes."
	}
	return fmt.Sprintf("The server refused %s.", re.Command), "See the server's answer below."
}

func explainCheck(r *Result, c Check) *Explanation {
	e := &Explanation{ServerText: c.Note}
	switch c.Name {
	case "MAIL FROM":
		e.What = "The server refused the sender address."
		e.Next = "Check the From address; Gmail accepts only the account's own address (or its verified aliases) as sender."
	case "RCPT TO":
		e.What = "The server refused the recipient address."
		e.Next = "Check the To address for typing mistakes."
	case "STARTTLS":
		e.What = "The server does not offer STARTTLS."
		e.Next = sentence(toTLS(r))
	default:
		e.What = fmt.Sprintf("%s: %s.", c.Name, c.Value)
		e.Next = "See the detail below."
	}
	return e
}
