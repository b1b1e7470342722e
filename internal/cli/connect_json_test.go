package cli

import (
	"bytes"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// TestConnectJSON pins "connect --json" for a flow that passed and one
// whose proof was refused, built from fixed certificates and results.
func TestConnectJSON(t *testing.T) {
	leaf, root := goldenCert(t, "leaf"), goldenCert(t, "root")
	sv := mailsetup.Server{Protocol: connectivity.SMTP, Host: "mail.opsdesk.test", Port: 587, Protection: connectivity.STARTTLSMandatory,
		Source: "Opsdesk's provider table (Gmail)"}
	a := mailsetup.Account{Settings: mailsetup.Settings{Address: "me@opsdesk.test", User: "me@opsdesk.test"}, Server: sv,
		User: "me@opsdesk.test", Credential: "opsdesk_smtp", CredentialType: credentials.UserCredentials}
	result := func(auth connectivity.Auth, checks ...connectivity.Check) *connectivity.Result {
		return &connectivity.Result{Protocol: connectivity.SMTP, Protection: connectivity.STARTTLSMandatory, Auth: auth,
			Host: "mail.opsdesk.test", Port: 587, Address: "192.0.2.1:587", Reached: true, Greeted: true,
			Banner: "Successfully reached host at mail.opsdesk.test:587", Checks: checks, TLSVersion: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256",
			Chain: []*x509.Certificate{leaf}, Phases: []connectivity.Phase{{Name: "connect", Duration: 2 * time.Millisecond}}, Elapsed: 9 * time.Millisecond}
	}
	starttls := connectivity.Check{Name: "STARTTLS", Value: "Supported", OK: true}
	first := result(connectivity.AuthNone, starttls, connectivity.Check{Name: "Server Certificate", Value: "Invalid", OK: true,
		Note: `the issuer "Golden Root" is not among the keystore's trusted certificates`})
	proposal := mailsetup.TrustProposal{Complete: true, Items: []mailsetup.TrustItem{
		{Cert: leaf, Role: mailsetup.RoleServer, Why: "mail.opsdesk.test's own certificate is replaced every few weeks or months."},
		{Cert: root, Role: mailsetup.RoleRoot, Proposed: true, FromThisComputer: true, Why: "Golden Root is the root the tenant must trust: it signed mail.opsdesk.test."},
	}}
	added := []keystore.Result{{Alias: "golden_root", Outcome: keystore.Added, Cert: root}}
	firstJ := testResultOf(a.Request(false), first)
	server := serverOf(sv)
	base := connectJSON{SchemaVersion: schemaVersion, Address: "me@opsdesk.test", Provider: "opsdesk", Server: &server,
		Credential: &connectCredentialJSON{Name: "opsdesk_smtp", Type: "User Credentials", User: "me@opsdesk.test"},
		Keystore:   "/home/me/.config/opsdesk/keystore.jks", FirstTest: &firstJ, Trust: trustOf(proposal), Added: addedOf(added)}

	passed := base
	proof := result(connectivity.AuthPlain, starttls, connectivity.Check{Name: "Server Certificate", Value: "Valid", OK: true},
		connectivity.Check{Name: "Authentication", Value: "Successful", OK: true})
	proofJ := testResultOf(a.Request(true), proof)
	passed.Proof, passed.OK = &proofJ, true
	passed.HandOver = handOverOf(mailsetup.NewHandOver(a, added, passed.Keystore))
	var b bytes.Buffer
	if err := writeJSON(&b, passed); err != nil {
		t.Fatal(err)
	}
	golden(t, "connect-smtp", b.Bytes())

	failed := base
	refused := result(connectivity.AuthPlain, starttls, connectivity.Check{Name: "Server Certificate", Value: "Valid", OK: true},
		connectivity.Check{Name: "Authentication", Value: "Unsuccessful", Note: "Username and Password not accepted."})
	refused.Err = errors.New("535 5.7.8 Username and Password not accepted.")
	refused.Explanation = &connectivity.Explanation{What: "The server did not accept the user name or password.", Next: "Check the credential.",
		ServerText: "535 5.7.8 Username and Password not accepted."}
	refusedJ := testResultOf(a.Request(true), refused)
	failed.Proof = &refusedJ
	step, why := mailsetup.GoBackTo(refused)
	if step != mailsetup.StepSignIn {
		t.Fatalf("GoBackTo = %v", step)
	}
	failed.GoBackTo = stepOf(step, why)
	b.Reset()
	if err := writeJSON(&b, failed); err != nil {
		t.Fatal(err)
	}
	golden(t, "connect-signin-refused", b.Bytes())
}
