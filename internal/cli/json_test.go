package cli

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with what the JSON outputs write now")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to write it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed: a --json output is a contract; if the change is meant, raise schemaVersion when a field changes meaning or goes away, and run with -update.\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// goldenCert is a certificate of testdata, fixed so the outputs are.
func goldenCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var goldenTime = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func goldenEntries(t *testing.T) []keystore.Entry {
	leaf, root := goldenCert(t, "leaf"), goldenCert(t, "root")
	return []keystore.Entry{
		{Alias: "client", Type: keystore.KeyPair, LastModified: goldenTime, Chain: []*x509.Certificate{leaf, root}},
		{Alias: "golden_root", Type: keystore.Certificate, LastModified: goldenTime, Chain: []*x509.Certificate{root}},
		{Alias: "sap_cloud_root", Type: keystore.Certificate, LastModified: goldenTime, Chain: []*x509.Certificate{root}, SAPOwned: true},
		{Alias: "broken", Type: keystore.Certificate, LastModified: goldenTime, Chain: []*x509.Certificate{nil},
			ChainErrors: []error{errors.New("x509: malformed certificate")}},
	}
}

func TestKeystoreListJSON(t *testing.T) {
	var b bytes.Buffer
	if err := writeKeystoreList(&b, "/home/me/.config/opsdesk/keystore.jks", goldenEntries(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "keystore-list", b.Bytes())
}

// TestKeystoreListJSONStreams: written entry by entry, the list is what
// encoding the whole structure at once writes, for any number of entries.
func TestKeystoreListJSONStreams(t *testing.T) {
	some := goldenEntries(t)
	for _, n := range []int{0, 1, listChunk, listChunk + 1, 3*listChunk + 7} {
		entries := make([]keystore.Entry, n)
		whole := keystoreListJSON{SchemaVersion: schemaVersion, Keystore: "k.jks", Entries: make([]entryJSON, n)}
		for i := range entries {
			entries[i] = some[i%len(some)]
			var d certs.Description
			if c := entries[i].Certificate(); c != nil {
				d = certs.Describe(c)
			}
			whole.Entries[i] = entryOf(entries[i], d)
		}
		var streamed, encoded bytes.Buffer
		if err := writeKeystoreList(&streamed, "k.jks", entries); err != nil {
			t.Fatal(err)
		}
		if err := writeJSON(&encoded, whole); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(streamed.Bytes(), encoded.Bytes()) {
			t.Fatalf("%d entries: streamed\n%s\nencoded\n%s", n, streamed.String(), encoded.String())
		}
	}
}

func TestKeystoreShowJSON(t *testing.T) {
	e := goldenEntries(t)[0]
	j := entryOf(e, certs.Describe(e.Certificate()))
	for _, c := range e.Chain {
		j.Chain = append(j.Chain, certs.JavaDN(c.RawSubject))
	}
	var b bytes.Buffer
	if err := writeJSON(&b, keystoreShowJSON{SchemaVersion: schemaVersion, Keystore: "my.jks", Entry: j}); err != nil {
		t.Fatal(err)
	}
	golden(t, "keystore-show", b.Bytes())
}

func TestCredentialsListJSON(t *testing.T) {
	list := []credentials.Entry{
		{Name: "gmail_smtp", Type: credentials.UserCredentials, Description: "Gmail alerts", User: "me@gmail.com", Status: "Deployed", DeployedBy: "me", DeployedOn: goldenTime},
		{Name: "sf_api", Type: credentials.SuccessFactors, User: "sfapi", CompanyID: "SFCPART000123", Status: "Deployed", DeployedBy: "me", DeployedOn: goldenTime},
		{Name: "oc.hubspot", Type: credentials.OpenConnectors, Status: "Deployed", DeployedBy: "me", DeployedOn: goldenTime},
		{Name: "api.token", Type: credentials.SecureParameter, Status: "Error", Problem: "the entry cannot be read"},
	}
	var b bytes.Buffer
	if err := writeJSON(&b, credentialsListOf(list)); err != nil {
		t.Fatal(err)
	}
	golden(t, "credentials-list", b.Bytes())
	var empty bytes.Buffer
	if err := writeJSON(&empty, credentialsListOf(nil)); err != nil {
		t.Fatal(err)
	}
	golden(t, "credentials-list-empty", empty.Bytes())
}

func TestTestResultJSON(t *testing.T) {
	leaf, root := goldenCert(t, "leaf"), goldenCert(t, "root")
	res := &connectivity.Result{Protocol: connectivity.SMTP, Protection: connectivity.STARTTLSMandatory, Auth: connectivity.AuthPlain,
		Host: "mail.opsdesk.test", Port: 587, Address: "192.0.2.1:587", Reached: true, Greeted: true,
		Banner: "Successfully reached host at mail.opsdesk.test:587",
		Checks: []connectivity.Check{{Name: "STARTTLS", Value: "Supported", OK: true}, {Name: "Server Certificate", Value: "Valid", OK: true},
			{Name: "Authentication", Value: "Unsuccessful", Note: "the server refused the password"}},
		TLSVersion: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", Chain: []*x509.Certificate{leaf, root},
		Transcript: []connectivity.Line{{FromServer: true, Text: "220 mail.opsdesk.test ESMTP"}, {Text: "EHLO opsdesk", At: 3 * time.Millisecond},
			{Text: "AUTH PLAIN ***", At: 40 * time.Millisecond}, {FromServer: true, Text: "535 5.7.8 Username and Password not accepted.", At: 52 * time.Millisecond}},
		Phases:      []connectivity.Phase{{Name: "connect", Duration: 2 * time.Millisecond}, {Name: "TLS handshake", Duration: 20 * time.Millisecond}},
		Explanation: &connectivity.Explanation{What: "The server did not accept the user name or password.", Next: "Check them.", ServerText: "535 5.7.8 Username and Password not accepted."},
		Err:         errors.New("535 5.7.8 Username and Password not accepted."),
		Elapsed:     55 * time.Millisecond,
	}
	var b bytes.Buffer
	if err := writeJSON(&b, testResultOf(connectivity.Request{Protocol: connectivity.SMTP}, res)); err != nil {
		t.Fatal(err)
	}
	golden(t, "test-smtp", b.Bytes())

	unreached := &connectivity.Result{Protocol: connectivity.POP3, Protection: connectivity.Implicit, Auth: connectivity.AuthNone,
		Host: "pop.opsdesk.test", Port: 995, Banner: "Could not reach pop.opsdesk.test:995", Err: errors.New("dial tcp: connection refused"),
		Explanation: &connectivity.Explanation{What: "Nothing answered on that port.", Next: "Check the port."}}
	b.Reset()
	if err := writeJSON(&b, testResultOf(connectivity.Request{Protocol: connectivity.POP3, CheckMailbox: true}, unreached)); err != nil {
		t.Fatal(err)
	}
	golden(t, "test-pop3-unreached", b.Bytes())
}

// jsonEntries reads the entries of a list --json, checking its version.
func jsonEntries(out string) ([]map[string]any, error) {
	var list struct {
		SchemaVersion int              `json:"schemaVersion"`
		Entries       []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return nil, err
	}
	if list.SchemaVersion != schemaVersion {
		return nil, fmt.Errorf("schemaVersion %d, want %d", list.SchemaVersion, schemaVersion)
	}
	return list.Entries, nil
}
