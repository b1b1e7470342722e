package connectivity_test

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// leafCert issues a server certificate for names from chain's
// intermediate, shaped by edit.
func leafCert(t *testing.T, chain mailtest.Chain, names []string, edit func(tmpl *pkix.Name, nb, na *time.Time)) *tls.Certificate {
	tmpl := certtest.Template(pkix.Name{CommonName: names[0]})
	tmpl.DNSNames = names
	if edit != nil {
		edit(&tmpl.Subject, &tmpl.NotBefore, &tmpl.NotAfter)
	}
	key := certtest.ECKey(t)
	leaf := certtest.Sign(t, tmpl, key, &chain.Intermediate)
	return &tls.Certificate{Certificate: [][]byte{leaf.Cert.Raw, chain.Intermediate.Cert.Raw}, PrivateKey: key}
}

func TestServerCertificateProblems(t *testing.T) {
	chain := mailtest.NewChain(t)
	selfKey := certtest.ECKey(t)
	selfTmpl := certtest.Template(pkix.Name{CommonName: mailtest.Host})
	selfTmpl.DNSNames = []string{mailtest.Host}
	self := certtest.Sign(t, selfTmpl, selfKey, nil)

	cases := []struct {
		name    string
		cert    *tls.Certificate
		trusted bool
		reason  string
		next    string
	}{
		{"expired", leafCert(t, chain, []string{mailtest.Host}, func(_ *pkix.Name, nb, na *time.Time) {
			*nb, *na = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
		}), true, "expired on", "renew"},
		{"not yet valid", leafCert(t, chain, []string{mailtest.Host}, func(_ *pkix.Name, nb, na *time.Time) {
			*nb = time.Now().Add(24 * time.Hour)
		}), true, "not valid before", "renew"},
		{"wrong name", leafCert(t, chain, []string{"other.example.com"}, nil), true, "is for other.example.com, not for " + mailtest.Host, "host name"},
		{"unknown issuer", nil, false, "is not among the keystore's trusted certificates", "Add to Keystore"},
		{"self-signed", &tls.Certificate{Certificate: [][]byte{self.Cert.Raw}, PrivateKey: selfKey}, true, "self-signed", "Add to Keystore"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Cert: tc.cert, Mechs: allMechs, User: user, Password: password})
			req := request(port, connectivity.STARTTLSMandatory, connectivity.AuthPlain, chain)
			req.Host, req.ConnectTo = mailtest.Host, "127.0.0.1"
			if !tc.trusted {
				req.Trusted = nil
			}
			// Required: stop before the password goes out.
			req.VerifyCertificate = true
			r := connectivity.Run(context.Background(), req)
			c, _ := r.Check("Server Certificate")
			if c.Value != "Invalid" || !strings.Contains(c.Note, tc.reason) {
				t.Fatalf("check %+v, want reason %q", c, tc.reason)
			}
			if strings.Contains(transcript(r), "C: AUTH") {
				t.Fatal("authenticated with an invalid certificate while a valid one was required")
			}
			if r.OK() || r.Explanation == nil || !strings.Contains(r.Explanation.Next, tc.next) {
				t.Fatalf("explanation %+v", r.Explanation)
			}
			if len(r.Chain) == 0 {
				t.Fatal("the chain was not captured")
			}
			// Not required: the test goes on, and says what it saw.
			req.VerifyCertificate = false
			r = connectivity.Run(context.Background(), req)
			if !r.OK() || checkValue(r, "Server Certificate") != "Invalid" || checkValue(r, "Authentication") != "Successful" {
				t.Fatalf("validation off: %+v %v", r.Checks, r.Err)
			}
		})
	}
}

// TestTutorial follows SAP's tutorial: a first test with validation off
// captures the chain, the chain goes into the keystore, and a second test
// with validation on then reports the certificate valid.
func TestTutorial(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"LOGIN", "PLAIN"}, User: user, Password: password})
	req := request(port, connectivity.STARTTLSMandatory, connectivity.AuthPlain, chain)
	req.Host, req.ConnectTo, req.Trusted = mailtest.Host, "127.0.0.1", nil

	first := connectivity.Run(context.Background(), req)
	if !first.OK() || checkValue(first, "Server Certificate") != "Invalid" || len(first.Chain) != 2 {
		t.Fatalf("first run: %+v", first.Checks)
	}

	ks, err := keystore.Create(filepath.Join(t.TempDir(), "keystore.jks"), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	var cands []keystore.Candidate
	for _, c := range first.Chain {
		cands = append(cands, keystore.Candidate{Cert: c})
	}
	// The server sends leaf and intermediate; the tenant's keystore must
	// hold an anchor: the intermediate serves as one, as in the tutorial.
	if _, err := ks.AddCertificates(cands); err != nil {
		t.Fatal(err)
	}
	req.Trusted = connectivity.TrustedFrom(ks.Entries())
	req.VerifyCertificate = true
	second := connectivity.Run(context.Background(), req)
	if !second.OK() || checkValue(second, "Server Certificate") != "Valid" || checkValue(second, "Authentication") != "Successful" {
		t.Fatalf("second run: %+v %+v", second.Checks, second.Explanation)
	}
}
