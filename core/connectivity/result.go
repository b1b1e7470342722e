package connectivity

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// Check is one of the response's check lines, "STARTTLS: Supported".
type Check struct {
	Name  string // "STARTTLS", "Server Certificate", "Authentication", …
	Value string // "Supported", "Valid", "Successful", …
	OK    bool
	Note  string // why, when not OK: "expired on 2024-01-02"
}

// Line is one line of the conversation, secrets replaced by ***.
type Line struct {
	FromServer bool
	Text       string
	At         time.Duration // since the test started
}

// Phase is how long one step took.
type Phase struct {
	Name     string // "connect", "greeting", "STARTTLS", "TLS handshake", …
	Duration time.Duration
}

// Explanation turns what a server or network said into one sentence and one
// next step for a person, with the server's own words kept beside them.
type Explanation struct {
	What string
	Next string
	// ServerText is what the server itself sent, its reply lines as they
	// came, or "" when the server said nothing that explains the failure:
	// our own sentences and Go's error texts are never put here (they are
	// in Result.Err, for the technical detail).
	ServerText string
	// ProposeOAuth2 is set when the server no longer takes passwords for
	// the account (Microsoft's basic authentication switched off): the
	// window offers to create an OAuth2 Authorization Code credential.
	ProposeOAuth2 bool
}

// Result is what the Response panel shows.
type Result struct {
	Protocol   Protocol
	Protection Protection
	Auth       Auth // what the explanation's advice must fit
	Host       string
	Port       int
	Address    string // the address actually reached, "142.250.1.2:587"
	Reached    bool
	// Greeted is set when the server greeted as a server of Protocol
	// does (for TLS: completed the handshake).
	Greeted    bool
	Banner     string // "Successfully reached host at smtp.gmail.com:587", or the failure
	Checks     []Check
	TLSVersion string // "TLS 1.3"
	Cipher     string
	// Chain is the server's certificate chain exactly as the server sent
	// it, captured even when validation fails.
	Chain []*x509.Certificate
	// SentInClear is set when a password, or with CRAM-MD5 its digest,
	// went over a connection without TLS because the user chose so.
	SentInClear bool
	// Mechanism is the SASL mechanism of an OAuth2 login: XOAUTH2 or
	// OAUTHBEARER.
	Mechanism string
	// Renewed is set when the access token kept was refused and a new
	// one was fetched for a second try.
	Renewed bool

	Folders      []string // IMAP List Folders
	Messages     int      // IMAP or POP3 mailbox content
	Unread       int      // IMAP
	MailboxBytes int64    // POP3 STAT

	Transcript  []Line
	Phases      []Phase
	Explanation *Explanation // set when something failed
	Err         error        // the underlying error, for the technical detail
	Elapsed     time.Duration
}

// OK reports whether every requested check passed.
func (r *Result) OK() bool {
	if !r.Reached || r.Err != nil {
		return false
	}
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return true
}

// Level is how a test ended, as the colour of its verdict shows it.
type Level int

const (
	Passed    Level = iota // every check the user asked for passed: green
	Failed                 // red
	Cancelled              // the user stopped it: neither
)

// Verdict is a test's outcome in one line: the Response panel's headline,
// in the colour of its Level, and the first line "opsdesk test" prints.
// One rule for both, so that the window and the command line never
// disagree about a test.
type Verdict struct {
	Level    Level
	Headline string
}

// Verdict reads the result into its headline. It is Passed exactly when
// OK is true: a host that was reached but refused the password, or that
// did not greet as its protocol does, is a failed test.
func (r *Result) Verdict() Verdict {
	at := fmt.Sprintf("%s:%d", r.Host, r.Port)
	failed := func(why string) Verdict { return Verdict{Failed, "Test failed: " + why} }
	switch {
	case r.OK():
		return Verdict{Passed, fmt.Sprintf("Test passed: %s was reached and every check you asked for succeeded.", at)}
	case errors.Is(r.Err, context.Canceled):
		return Verdict{Cancelled, fmt.Sprintf("Test cancelled before it finished (%s).", at)}
	case r.Host == "":
		return failed("the Host or Port cannot be used, so nothing was tried.")
	case !r.Reached:
		return failed(fmt.Sprintf("could not reach %s.", at))
	case !r.Greeted:
		return failed(fmt.Sprintf("reached %s, but the server did not greet as expected.", at))
	}
	for _, c := range r.Checks {
		if !c.OK {
			return failed(fmt.Sprintf("reached %s, but %s.", at, failedCheck(c)))
		}
	}
	return failed(fmt.Sprintf("reached %s, but the test could not be completed.", at))
}

// failedCheck says in a few words what a failed check line means.
func failedCheck(c Check) string {
	switch c.Name {
	case "Authentication":
		return "authentication was unsuccessful"
	case "Server Certificate":
		return "its certificate is not valid"
	case "STARTTLS":
		return "it does not offer STARTTLS"
	case "MAIL FROM":
		return "it refused the sender address"
	case "RCPT TO":
		return "it refused the recipient address"
	}
	return fmt.Sprintf("the check %s was %s", c.Name, c.Value)
}

// Check returns the check line named name, if there is one.
func (r *Result) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

func (r *Result) add(c Check) { r.Checks = append(r.Checks, c) }
