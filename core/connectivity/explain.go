package connectivity

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/opsdesk/opsdesk/core/problem"
)

const hintAddChain = "Add the server's certificate chain to the keystore (Add to Keystore), then test again."

// explain turns a failed result into one sentence and one next step.
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
	case errors.Is(err, syscall.ECONNREFUSED):
		e.What = fmt.Sprintf("%s refused the connection: no mail server listens on port %d there, or a firewall said no.", r.Host, r.Port)
		e.Next = portHint(r.Protocol)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.What = fmt.Sprintf("There is no network route to %s.", r.Host)
		e.Next = "Check this computer's network connection, VPN or proxy."
	case isTimeout(err) && !r.Reached:
		e.What = fmt.Sprintf("%s did not answer in time.", hostPort)
		e.Next = "Check the host and port; a firewall may be silently dropping the connection."
	case isTimeout(err):
		e.What = "The server stopped answering in the middle of the test."
		e.Next = "Try again; if it keeps happening, the port may belong to another kind of server. " + portHint(r.Protocol)
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
		e.Next = fmt.Sprintf("Use the implicit-TLS port with Protection %s, or ask the server's administrator to enable STARTTLS.", Implicit.Label(r.Protocol))
	case errors.Is(err, errNoAUTH):
		e.What = "The server offers no way to log in on this connection."
		e.Next = "Many servers offer login only after STARTTLS: set Protection to STARTTLS Mandatory. Otherwise choose Authentication None."
	case errors.Is(err, errNoCRAMMD5):
		e.What = "The server does not offer Encrypted User/Password (CRAM-MD5)."
		e.Next = "Choose Plain User/Password; with STARTTLS or " + Implicit.Label(r.Protocol) + " the password is still protected by TLS."
	case errors.Is(err, errNoPlainAuth):
		e.What = "The server offers no password login that Opsdesk can use."
		e.Next = "Check the server's documentation; it may require OAuth2."
	case errors.Is(err, ErrLineTooLong), errors.Is(err, ErrReplyTooLong), errors.As(err, &proto):
		e.What = fmt.Sprintf("The server at %s does not answer like a %s server.", hostPort, r.Protocol)
		e.Next = portHint(r.Protocol)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, net.ErrClosed):
		e.What = "The server closed the connection unexpectedly."
		e.Next = portHint(r.Protocol)
	default:
		e.What = "The test failed."
		e.Next = "See the technical detail below."
	}
	if errors.As(err, &ne) && e.ServerText == err.Error() {
		e.ServerText = ne.Err.Error()
	}
	return e
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func portHint(p Protocol) string {
	switch p {
	case SMTP:
		return "Check the port and Protection: 587 goes with STARTTLS, 465 with SMTPS."
	case IMAP:
		return "Check the port and Protection: 143 goes with STARTTLS, 993 with IMAPS."
	case POP3:
		return "Check the port and Protection: 110 goes with STARTTLS, 995 with POP3S."
	}
	return "Check the host and port."
}

func explainTLS(te *TLSError, r *Result) (string, string) {
	msg := te.Err.Error()
	var rhe tls.RecordHeaderError
	switch {
	case errors.As(te.Err, &rhe) || strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "The server did not answer with TLS on this port.",
			fmt.Sprintf("On this port choose STARTTLS (or Off); use %s only on the implicit-TLS port.", Implicit.Label(r.Protocol))
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
	case re.Code == 530 && strings.Contains(text, "5.7.0"), re.Code == 530:
		return "The server requires STARTTLS before anything else.",
			portHint(r.Protocol)
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
		e.Next = "Choose Protection " + Implicit.Label(r.Protocol) + " on the implicit-TLS port."
	default:
		e.What = fmt.Sprintf("%s: %s.", c.Name, c.Value)
		e.Next = "See the detail below."
	}
	return e
}
