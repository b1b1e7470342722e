package connectivity

import (
	"crypto/x509"
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
	What       string
	Next       string
	ServerText string
}

// Result is what the Response panel shows.
type Result struct {
	Protocol   Protocol
	Protection Protection
	Host       string
	Port       int
	Address    string // the address actually reached, "142.250.1.2:587"
	Reached    bool
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
