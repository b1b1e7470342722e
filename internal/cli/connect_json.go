package cli

import (
	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// connectJSON is "connect --json": the whole flow as one object, filled
// as far as the flow got. ok is the exit code's meaning: the proof passed.
type connectJSON struct {
	SchemaVersion int                    `json:"schemaVersion"`
	Address       string                 `json:"address"`
	Provider      string                 `json:"provider,omitempty"` // the table's ID, when the address is a known provider's
	Server        *serverJSON            `json:"server,omitempty"`
	Credential    *connectCredentialJSON `json:"credential,omitempty"`
	Keystore      string                 `json:"keystore,omitempty"` // the keystore file the certificates went to
	FirstTest     *testJSON              `json:"firstTest,omitempty"`
	// ReadServer, ReadFirstTest and ReadProof are the reading server's
	// (--read): Server, FirstTest and Proof stay the sending server's.
	ReadServer    *serverJSON   `json:"readServer,omitempty"`
	ReadFirstTest *testJSON     `json:"readFirstTest,omitempty"`
	ReadProof     *testJSON     `json:"readProof,omitempty"`
	Trust         *trustJSON    `json:"trust,omitempty"`
	Added         []addedJSON   `json:"added"` // what became of each certificate chosen
	Proof         *testJSON     `json:"proof,omitempty"`
	OK            bool          `json:"ok"`
	GoBackTo      *stepJSON     `json:"goBackTo,omitempty"` // after a test that did not pass
	Stopped       *stepJSON     `json:"stopped,omitempty"`  // where the flow stopped before a test, and what to do
	HandOver      *handOverJSON `json:"handOver,omitempty"` // when ok
	Error         string        `json:"error,omitempty"`    // a failure of this computer's (keyring, keystore)
}

type connectCredentialJSON struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	User     string `json:"user"`
	Existing bool   `json:"existing"` // an entry stored before, used as it was
	// Removed: this run stored it, and took it out again after the
	// server refused its password.
	Removed bool `json:"removed,omitempty"`
}

type trustJSON struct {
	Complete bool            `json:"complete"` // the chain ends at a root this computer knows
	Note     string          `json:"note,omitempty"`
	Items    []trustItemJSON `json:"items"` // the server's certificate first
}

type trustItemJSON struct {
	Role             string `json:"role"`
	SubjectDN        string `json:"subjectDN"`
	SHA256           string `json:"sha256"`
	Proposed         bool   `json:"proposed"`
	FromThisComputer bool   `json:"fromThisComputer"` // not sent by the server: this computer's trust store completed the chain
	Why              string `json:"why"`
}

func trustOf(p mailsetup.TrustProposal) *trustJSON {
	out := &trustJSON{Complete: p.Complete, Note: p.Note, Items: []trustItemJSON{}}
	for _, it := range p.Items {
		out.Items = append(out.Items, trustItemJSON{Role: string(it.Role), SubjectDN: certs.JavaDN(it.Cert.RawSubject), SHA256: certs.SHA256(it.Cert),
			Proposed: it.Proposed, FromThisComputer: it.FromThisComputer, Why: it.Why})
	}
	return out
}

type addedJSON struct {
	Alias     string `json:"alias"`
	Outcome   string `json:"outcome"`            // added, duplicate, rejected
	Existing  string `json:"existing,omitempty"` // duplicate: the alias that holds it already
	Reason    string `json:"reason,omitempty"`
	SubjectDN string `json:"subjectDN"`
	SHA256    string `json:"sha256"`
}

func addedOf(results []keystore.Result) []addedJSON {
	out := []addedJSON{}
	for _, r := range results {
		out = append(out, addedJSON{Alias: r.Alias, Outcome: string(r.Outcome), Existing: r.Existing, Reason: r.Reason,
			SubjectDN: certs.JavaDN(r.Cert.RawSubject), SHA256: certs.SHA256(r.Cert)})
	}
	return out
}

type stepJSON struct {
	Step     int    `json:"step"`  // 1 to 6
	Title    string `json:"title"` // Address, Sign-in, First Test, Trust, Proof, Hand-over
	Sentence string `json:"sentence"`
}

func stepOf(s mailsetup.Step, sentence string) *stepJSON {
	return &stepJSON{Step: int(s), Title: s.String(), Sentence: sentence}
}

// handOverJSON is what to do on the tenant: never a secret.
type handOverJSON struct {
	Address    string                 `json:"address"`
	Credential handOverCredentialJSON `json:"credential"`
	Keystore   handOverKeystoreJSON   `json:"keystore"`
	Adapter    handOverAdapterJSON    `json:"adapter"` // the first server's: sending, or the only one
	Test       handOverTestJSON       `json:"test"`
	// ReadAdapter and ReadTest are the reading server's (IMAP or POP3)
	// when the account was connected for sending and reading.
	ReadAdapter *handOverAdapterJSON `json:"readAdapter,omitempty"`
	ReadTest    *handOverTestJSON    `json:"readTest,omitempty"`
	Notes       []string             `json:"notes"`
	Text        string               `json:"text"` // the whole hand-over as the terminal shows it
}

type handOverCredentialJSON struct {
	Type   string      `json:"type"` // User Credentials, OAuth2 Authorization Code
	Name   string      `json:"name"`
	User   string      `json:"user"`
	OAuth2 *oauth2JSON `json:"oauth2,omitempty"`
}

// oauth2JSON are the tenant's OAuth2 Authorization Code fields, without
// the client secret.
type oauth2JSON struct {
	Provider               string `json:"provider"`
	AuthorizationURL       string `json:"authorizationUrl"`
	TokenURL               string `json:"tokenServiceUrl"`
	ClientID               string `json:"clientId"`
	Scope                  string `json:"scope"`
	SendAs                 string `json:"sendAs"`
	RefreshTokenExpiryDays int    `json:"refreshTokenExpiryDays,omitempty"`
}

type handOverKeystoreJSON struct {
	Entries []handOverEntryJSON `json:"entries"` // to add with Add ▾ Certificate
	Upload  string              `json:"upload,omitempty"`
}

type handOverEntryJSON struct {
	Alias     string `json:"alias"`
	SubjectDN string `json:"subjectDN"`
	Role      string `json:"role"`
	SHA256    string `json:"sha256"`
}

type handOverAdapterJSON struct {
	Protocol       string `json:"protocol"`
	Address        string `json:"address"` // host:port
	Protection     string `json:"protection"`
	Authentication string `json:"authentication"`
	CredentialName string `json:"credentialName"`
}

type handOverTestJSON struct {
	Tab                            string `json:"tab"`
	Host                           string `json:"host"`
	Port                           int    `json:"port"`
	Protection                     string `json:"protection"`
	Authentication                 string `json:"authentication"`
	CredentialName                 string `json:"credentialName"`
	ValidServerCertificateRequired bool   `json:"validServerCertificateRequired"`
}

func handOverOf(h mailsetup.HandOver) *handOverJSON {
	c := h.Credential
	out := &handOverJSON{Address: h.Address,
		Credential: handOverCredentialJSON{Type: string(c.Type), Name: c.Name, User: c.User},
		Keystore:   handOverKeystoreJSON{Entries: []handOverEntryJSON{}, Upload: h.KeystorePath},
		Notes:      append([]string{}, h.Notes...), Text: h.Text()}
	for i, ad := range h.Adapters {
		aj, tj := adapterOf(ad)
		if i == 0 {
			out.Adapter, out.Test = aj, tj
		} else {
			out.ReadAdapter, out.ReadTest = &aj, &tj
		}
	}
	if o := c.OAuth2; o != nil {
		out.Credential.OAuth2 = &oauth2JSON{Provider: string(o.Provider), AuthorizationURL: o.AuthorizationURL, TokenURL: o.TokenURL,
			ClientID: o.ClientID, Scope: o.Scope, SendAs: string(o.SendAs), RefreshTokenExpiryDays: o.RefreshTokenExpiryDays}
	}
	for _, e := range h.Entries {
		out.Keystore.Entries = append(out.Keystore.Entries, handOverEntryJSON{Alias: e.Alias, SubjectDN: e.Subject, Role: string(e.Role), SHA256: e.SHA256})
	}
	return out
}

func adapterOf(ad mailsetup.HandOverAdapter) (handOverAdapterJSON, handOverTestJSON) {
	t := ad.Test
	return handOverAdapterJSON{Protocol: ad.Protocol, Address: ad.Address, Protection: ad.Protection,
			Authentication: ad.Authentication, CredentialName: ad.CredentialName},
		handOverTestJSON{Tab: t.Tab, Host: t.Host, Port: t.Port, Protection: t.Protection,
			Authentication: t.Authentication, CredentialName: t.CredentialName, ValidServerCertificateRequired: t.ValidCertificateRequired}
}
