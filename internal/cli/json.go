package cli

// The --json outputs are a contract with scripts: structures of this
// package's own, in camelCase, each with a schemaVersion that changes only
// when a field changes meaning or goes away (new fields may be added
// within a version). Core's Go structs are never serialised, so that
// refactoring core cannot change what a script reads. The README's JSON
// section documents them; testdata/*.golden pins them.

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// schemaVersion is the version of every --json output.
const schemaVersion = 1

// certificateJSON describes a certificate: of an entry, or of a server's
// chain.
type certificateJSON struct {
	SubjectDN          string    `json:"subjectDN"`
	IssuerDN           string    `json:"issuerDN"`
	SerialNumber       string    `json:"serialNumber"`
	ValidFrom          time.Time `json:"validFrom"`
	ValidUntil         time.Time `json:"validUntil"`
	SHA1               string    `json:"sha1"`
	SHA256             string    `json:"sha256"`
	KeyType            string    `json:"keyType"`
	KeySize            int       `json:"keySize"`
	SignatureAlgorithm string    `json:"signatureAlgorithm"`
	SubjectAltNames    []string  `json:"subjectAlternativeNames,omitempty"`
}

func certificateOf(d certs.Description) *certificateJSON {
	return &certificateJSON{SubjectDN: d.SubjectDN, IssuerDN: d.IssuerDN, SerialNumber: d.SerialNumber,
		ValidFrom: d.ValidFrom.UTC(), ValidUntil: d.ValidUntil.UTC(), SHA1: d.SHA1, SHA256: d.SHA256,
		KeyType: d.KeyType, KeySize: d.KeySize, SignatureAlgorithm: d.SignatureAlgorithm, SubjectAltNames: d.SubjectAltNames}
}

// entryJSON is a keystore entry: its certificate's fields beside its own,
// or error when its certificate cannot be read.
type entryJSON struct {
	Alias        string    `json:"alias"`
	Type         string    `json:"type"`
	SAPOwned     bool      `json:"sapOwned"`
	LastModified time.Time `json:"lastModified"`
	*certificateJSON
	Chain []string `json:"chain,omitempty"` // subject DNs, own first: show only
	Error string   `json:"error,omitempty"`
}

func entryOf(e keystore.Entry, d certs.Description) entryJSON {
	j := entryJSON{Alias: e.Alias, Type: string(e.Type), SAPOwned: e.SAPOwned, LastModified: e.LastModified.UTC()}
	if e.Certificate() == nil {
		j.Error = "the certificate cannot be read"
		if len(e.ChainErrors) > 0 && e.ChainErrors[0] != nil {
			j.Error += ": " + e.ChainErrors[0].Error()
		}
		return j
	}
	j.certificateJSON = certificateOf(d)
	return j
}

// keystoreListJSON is "keystore list --json". Its entries are written one
// by one as they are described (writeKeystoreList), so that a keystore of
// 10,000 entries is never held twice over in memory.
type keystoreListJSON struct {
	SchemaVersion int         `json:"schemaVersion"`
	Keystore      string      `json:"keystore"` // its file
	Entries       []entryJSON `json:"entries"`
}

// keystoreShowJSON is "keystore show --json".
type keystoreShowJSON struct {
	SchemaVersion int       `json:"schemaVersion"`
	Keystore      string    `json:"keystore"`
	Entry         entryJSON `json:"entry"`
}

// credentialsListJSON is "credentials list --json": never a secret, and of
// OpenConnectors not even the User.
type credentialsListJSON struct {
	SchemaVersion int                   `json:"schemaVersion"`
	Entries       []credentialEntryJSON `json:"entries"`
}

type credentialEntryJSON struct {
	Name        string    `json:"name"`
	Type        string    `json:"type"`
	Description string    `json:"description"`
	User        string    `json:"user,omitempty"`
	CompanyID   string    `json:"companyId,omitempty"`
	Status      string    `json:"status"`
	DeployedBy  string    `json:"deployedBy"`
	DeployedOn  time.Time `json:"deployedOn"`
	Problem     string    `json:"problem,omitempty"`
}

func credentialsListOf(list []credentials.Entry) credentialsListJSON {
	out := credentialsListJSON{SchemaVersion: schemaVersion, Entries: make([]credentialEntryJSON, len(list))}
	for i, e := range list {
		out.Entries[i] = credentialEntryJSON{Name: e.Name, Type: string(e.Type), Description: e.Description, User: e.User,
			CompanyID: e.CompanyID, Status: e.Status, DeployedBy: e.DeployedBy, DeployedOn: e.DeployedOn.UTC(), Problem: e.Problem}
	}
	return out
}

// testJSON is "test … --json": the whole result, as the window shows it.
type testJSON struct {
	SchemaVersion  int               `json:"schemaVersion"`
	Protocol       string            `json:"protocol"` // SMTP, IMAP, POP3, TLS
	Host           string            `json:"host"`
	Port           int               `json:"port"`
	Address        string            `json:"address,omitempty"`      // the address reached, IP:port
	Protection     string            `json:"protection"`             // as the tenant spells it: SMTPS, STARTTLS Mandatory, …
	Authentication string            `json:"authentication"`         // None, Plain User/Password, Encrypted User/Password, OAuth2 Authorization Code
	Mechanism      string            `json:"mechanism,omitempty"`    // OAuth2's SASL mechanism: XOAUTH2 or OAUTHBEARER
	TokenRenewed   bool              `json:"tokenRenewed,omitempty"` // OAuth2: the kept access token was refused and renewed
	OK             bool              `json:"ok"`                     // every check asked for passed (exit code 0)
	Verdict        string            `json:"verdict"`                // the first line, as printed and shown in the window
	Reached        bool              `json:"reached"`
	Greeted        bool              `json:"greeted"`
	Banner         string            `json:"banner"`
	Checks         []checkJSON       `json:"checks"`
	TLSVersion     string            `json:"tlsVersion,omitempty"`
	Cipher         string            `json:"cipher,omitempty"`
	SentInClear    bool              `json:"sentInClear"` // a password (or its CRAM-MD5 digest) went without TLS, as chosen
	Folders        []string          `json:"folders,omitempty"`
	Mailbox        *mailboxJSON      `json:"mailbox,omitempty"`
	Explanation    *explanationJSON  `json:"explanation,omitempty"`
	Error          string            `json:"error,omitempty"` // the technical detail
	Chain          []certificateJSON `json:"chain"`           // the server's, as it sent it
	ElapsedMS      int64             `json:"elapsedMs"`
	Phases         []phaseJSON       `json:"phases"`
	Transcript     []lineJSON        `json:"transcript"` // secrets shown as ***
}

type checkJSON struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	OK    bool   `json:"ok"`
	Note  string `json:"note,omitempty"`
}

type mailboxJSON struct {
	Messages int   `json:"messages"`
	Unread   int   `json:"unread"` // IMAP
	Bytes    int64 `json:"bytes"`  // POP3
}

type explanationJSON struct {
	What          string `json:"what"`
	Next          string `json:"next"`
	ServerText    string `json:"serverText,omitempty"`
	ProposeOAuth2 bool   `json:"proposeOAuth2,omitempty"` // the server takes no passwords any more: create an OAuth2 credential
}

type phaseJSON struct {
	Name string `json:"name"`
	MS   int64  `json:"ms"`
}

type lineJSON struct {
	From string `json:"from"` // client or server
	Text string `json:"text"`
	AtMS int64  `json:"atMs"`
}

func testResultOf(req connectivity.Request, r *connectivity.Result) testJSON {
	out := testJSON{SchemaVersion: schemaVersion, Protocol: string(r.Protocol), Host: r.Host, Port: r.Port, Address: r.Address,
		Protection: r.Protection.Label(r.Protocol), Authentication: string(r.Auth), Mechanism: r.Mechanism, TokenRenewed: r.Renewed,
		OK: r.OK(), Verdict: r.Verdict().Headline,
		Reached: r.Reached, Greeted: r.Greeted, Banner: r.Banner, Checks: []checkJSON{}, TLSVersion: r.TLSVersion, Cipher: r.Cipher,
		SentInClear: r.SentInClear, Folders: r.Folders, Chain: []certificateJSON{}, ElapsedMS: r.Elapsed.Milliseconds(),
		Phases: []phaseJSON{}, Transcript: []lineJSON{}}
	for _, c := range r.Checks {
		out.Checks = append(out.Checks, checkJSON{Name: c.Name, Value: c.Value, OK: c.OK, Note: c.Note})
	}
	if req.Mailbox != "" || req.CheckMailbox {
		out.Mailbox = &mailboxJSON{Messages: r.Messages, Unread: r.Unread, Bytes: r.MailboxBytes}
	}
	if e := r.Explanation; e != nil {
		out.Explanation = &explanationJSON{What: e.What, Next: e.Next, ServerText: e.ServerText, ProposeOAuth2: e.ProposeOAuth2}
	}
	if r.Err != nil {
		out.Error = r.Err.Error()
	}
	for _, d := range certs.DescribeAll(r.Chain) {
		out.Chain = append(out.Chain, *certificateOf(d))
	}
	for _, p := range r.Phases {
		out.Phases = append(out.Phases, phaseJSON{Name: p.Name, MS: p.Duration.Milliseconds()})
	}
	for _, l := range r.Transcript {
		from := "client"
		if l.FromServer {
			from = "server"
		}
		out.Transcript = append(out.Transcript, lineJSON{From: from, Text: l.Text, AtMS: l.At.Milliseconds()})
	}
	return out
}

// writeJSON writes v indented, as every --json output is.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// listChunk is how many entries are described at once: enough to keep
// every core busy, few enough that memory does not grow with the keystore.
const listChunk = 256

// writeKeystoreList writes "keystore list --json" as writeJSON would write
// a keystoreListJSON, but entry by entry, as they are described.
func writeKeystoreList(w io.Writer, path string, entries []keystore.Entry) error {
	head, err := json.Marshal(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "{\n  \"schemaVersion\": %d,\n  \"keystore\": %s,\n  \"entries\": [", schemaVersion, head)
	// One encoder into one buffer for every entry: encoding 10,000
	// entries then makes little garbage for the collector to let pile up.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("    ", "  ")
	chunk := make([]*x509.Certificate, 0, listChunk)
	for start := 0; start < len(entries); start += listChunk {
		part := entries[start:min(start+listChunk, len(entries))]
		chunk = chunk[:0]
		for _, e := range part {
			chunk = append(chunk, e.Certificate())
		}
		for i, d := range certs.DescribeAll(chunk) {
			buf.Reset()
			if start+i == 0 {
				buf.WriteString("\n    ")
			} else {
				buf.WriteString(",\n    ")
			}
			if err := enc.Encode(entryOf(part[i], d)); err != nil {
				return err
			}
			buf.Truncate(buf.Len() - 1) // Encode's line break: the separator brings its own
			if _, err := w.Write(buf.Bytes()); err != nil {
				return err
			}
		}
	}
	if len(entries) > 0 {
		_, err = io.WriteString(w, "\n  ]\n}\n")
	} else {
		_, err = io.WriteString(w, "]\n}\n")
	}
	return err
}
