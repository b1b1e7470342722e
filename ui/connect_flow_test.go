package ui

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// The App Password as Gmail shows it, and as the server takes it: the
// flow stores it without the spaces.
const (
	appPasswordShown = "abcd efgh ijkl mnop"
	appPasswordTaken = "abcdefghijklmnop"
)

// connectServer starts a loopback SMTP server with STARTTLS that sends
// its leaf and intermediate only, as Gmail does, and accepts mailUser
// with password; the root is in this computer's trust store as the test
// sees it (SSL_CERT_FILE), as GTS Root R1 is in a real one.
func connectServer(t *testing.T, password string) (mailtest.Chain, int) {
	t.Helper()
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN", "LOGIN"}, User: mailUser, Password: password})
	bundle := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(bundle, chain.Root.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", bundle)
	return chain, port
}

// connectHome is the real Home with Security Material on the encrypted
// file keyring and a keystore file open, and the Connect window opened
// from it, reaching servers on loopback.
func connectHome(t *testing.T) (*Home, *credentials.Store, *connectWindow) {
	t.Helper()
	h, store := newSMHome(t)
	openKeystore(t, h, newKeystore(t, nil))
	w := h.showConnect()
	w.connectTo = "127.0.0.1"
	w.timeouts = connectivity.Timeouts{Connect: 3 * time.Second, Reply: 5 * time.Second, Total: 20 * time.Second}
	w.tickEvery = 0
	return h, store, w
}

// primary presses the step's primary button and waits for what it started.
func primary(t *testing.T, h *Home, w *connectWindow, label string) {
	t.Helper()
	if w.primary.Text != label {
		t.Fatalf("step %s: the primary button says %q, want %q", w.step, w.primary.Text, label)
	}
	if w.primary.Disabled() {
		t.Fatalf("step %s: %q is disabled: %s", w.step, label, w.status.Text)
	}
	test.Tap(w.primary)
	settle(t, h)
}

func wantStep(t *testing.T, w *connectWindow, step mailsetup.Step) {
	t.Helper()
	if w.step != step {
		t.Fatalf("at step %s (%s), want %s", w.step, w.status.Text, step)
	}
	want := "Step " + strconv.Itoa(int(step)) + " of 6 · " + step.String()
	if w.header.Text != want {
		t.Errorf("header %q, want %q", w.header.Text, want)
	}
}

// typeServer fills step 1 with an address and a server typed: no search,
// so no DNS.
func typeServer(t *testing.T, w *connectWindow, address string, port int) {
	t.Helper()
	test.Type(w.address.email, address)
	f := w.address.current()
	test.Type(f.host, mailtest.Host)
	f.port.SetText(strconv.Itoa(port))
}

// walkToTrust goes from the address to the Trust step with password.
func walkToTrust(t *testing.T, h *Home, w *connectWindow, port int, password string) {
	t.Helper()
	typeServer(t, w, mailUser, port)
	primary(t, h, w, "Next")
	wantStep(t, w, mailsetup.StepSignIn)
	test.Type(w.signIn.secret, password)
	primary(t, h, w, "Next")
	wantStep(t, w, mailsetup.StepFirstTest)
	primary(t, h, w, "Next")
	wantStep(t, w, mailsetup.StepTrust)
}

// TestConnectFlow walks the whole flow as a user does, against a loopback
// server that sends leaf and intermediate only, with the real keyring and
// a real keystore file: the first test sees the chain unvalidated, Trust
// proposes the root and the intermediate (not the leaf) and adds them,
// the proof passes validating and signing in, and the hand-over has the
// values filled in.
func TestConnectFlow(t *testing.T) {
	start := time.Now()
	chain, port := connectServer(t, appPasswordTaken)
	h, store, w := connectHome(t)
	if !slices.Contains(texts(h.win.Content()), WindowConnect+"…") {
		t.Error("Home has no Connect a Mail Account button above its tiles")
	}

	// 1. Address: a Gmail address, the server typed.
	wantStep(t, w, mailsetup.StepAddress)
	if w.back.Disabled() == false {
		t.Error("Back is enabled at the first step")
	}
	typeServer(t, w, mailUser, port)
	mustContain(t, "Address step", joined(w.address.obj), "Source", mailsetup.SourceTyped)
	primary(t, h, w, "Next")

	// 2. Sign-in: Gmail's help, the App Password, the name proposed.
	wantStep(t, w, mailsetup.StepSignIn)
	mustContain(t, "Sign-in step", joined(w.signIn.obj), "Gmail needs an App Password", "App Password", "myaccount.google.com/apppasswords")
	if w.signIn.user.Text != mailUser || w.signIn.name.Text != "gmail_smtp" {
		t.Errorf("user %q, Credential Name %q proposed", w.signIn.user.Text, w.signIn.name.Text)
	}
	if !w.primary.Disabled() {
		t.Error("Next is enabled without the App Password")
	}
	test.Type(w.signIn.secret, appPasswordShown)
	primary(t, h, w, "Next")
	if user, pw, err := store.Lookup("gmail_smtp"); err != nil || user != mailUser || string(pw) != appPasswordTaken {
		t.Fatalf("stored gmail_smtp: user %q, the App Password stored as typed %v, %v", user, string(pw) == appPasswordShown, err)
	}
	if w.signIn.secret.Text != "" {
		t.Error("the App Password stays in its field after it was stored")
	}

	// 3. First test: reached, certificate Invalid (not checked yet).
	wantStep(t, w, mailsetup.StepFirstTest)
	mustContain(t, "first test", joined(w.firstTest.views[0].resp.box), "STARTTLS: Supported", "Server Certificate: Invalid",
		"Server Certificate Chain", "dn=CN="+mailtest.Host)
	if r := w.firstTest.views[0].result; r == nil || !r.OK() || len(r.Chain) != 2 {
		t.Fatalf("first test: %+v", r)
	}
	primary(t, h, w, "Next")

	// 4. Trust: root and intermediate checked, the leaf not; each says why.
	wantStep(t, w, mailsetup.StepTrust)
	list := w.trust.list
	if list == nil || len(list.items) != 3 {
		t.Fatalf("Trust lists %v", list)
	}
	wantChecked(t, list, map[string]bool{chain.Root.Cert.Subject.CommonName: true, chain.Intermediate.Cert.Subject.CommonName: true, mailtest.Host: false})
	trustText := joined(w.trust.obj)
	mustContain(t, "Trust step", trustText, string(mailsetup.RoleRoot)+": "+chain.Root.Cert.Subject.CommonName,
		string(mailsetup.RoleIntermediate)+": ", string(mailsetup.RoleServer)+": "+mailtest.Host,
		"this computer's trust store", certs.SHA256(chain.Root.Cert), filepath.Base(h.keystore.Model().Path))
	primary(t, h, w, "Add to Keystore")
	got := aliases(h.keystore.Model())
	if len(got) != 2 || len(w.added) != 2 {
		t.Fatalf("keystore after Add to Keystore: %v", got)
	}
	for _, c := range []*x509.Certificate{chain.Root.Cert, chain.Intermediate.Cert} {
		if _, ok := h.keystore.Model().AliasOf(c); !ok {
			t.Errorf("%s is not in the keystore", c.Subject.CommonName)
		}
	}

	// 5. Proof: validating against the keystore and signing in.
	wantStep(t, w, mailsetup.StepProof)
	resp := joined(w.proof.views[0].resp.box)
	if r := w.proof.views[0].result; r == nil || !r.OK() {
		t.Fatalf("proof failed:\n%s", resp)
	}
	mustContain(t, "proof", resp, "Server Certificate: Valid", "Authentication: Successful")
	primary(t, h, w, "Next")

	// 6. Hand-over, field by field.
	wantStep(t, w, mailsetup.StepHandOver)
	ho := w.handOver.ho
	if len(ho.Adapters) != 1 {
		t.Fatalf("hand-over: %+v", ho)
	}
	ad := ho.Adapters[0]
	if ad.CredentialName != "gmail_smtp" || ho.Credential.User != mailUser || ho.Credential.Type != credentials.UserCredentials ||
		ad.Address != mailtest.Host+":"+strconv.Itoa(port) || ad.Protection != string(connectivity.STARTTLSMandatory) ||
		ad.Authentication != string(connectivity.AuthPlain) || ad.Protocol != "SMTP" || len(ho.Entries) != 2 ||
		ho.KeystorePath != h.keystore.Model().Path || !ad.Test.ValidCertificateRequired {
		t.Errorf("hand-over: %+v", ho)
	}
	shown := joined(w.handOver.obj)
	mustContain(t, "hand-over", shown, "gmail_smtp", mailUser, mailtest.Host+":"+strconv.Itoa(port), "STARTTLS Mandatory",
		"Plain User/Password", got[0], got[1])
	if strings.Contains(shown, appPasswordTaken) || strings.Contains(ho.Text(), appPasswordTaken) {
		t.Error("the hand-over shows the App Password")
	}
	// Save Certificates… offers what was trusted, root and intermediate,
	// as the .zip of .cer files the tenant's upload takes one by one.
	if saved := w.handOver.certificates(); !w.handOver.saveCerts.Visible() || len(saved) != 2 || !saved[0].IsCA || !saved[1].IsCA {
		t.Errorf("Save Certificates would save %d certificates (shown: %v)", len(saved), w.handOver.saveCerts.Visible())
	}
	test.Tap(w.handOver.copy)
	if c := h.app.Clipboard().Content(); c != ho.Text() {
		t.Errorf("Copy put %q on the clipboard", c)
	}
	primary(t, h, w, "Done")
	if h.mailWin != nil || slices.Contains(h.app.Driver().AllWindows(), w.win) {
		t.Error("Done left the window open")
	}
	if _, err := store.Entry("gmail_smtp"); err != nil {
		t.Errorf("Done removed the credential: %v", err)
	}
	t.Logf("the whole flow, six steps against loopback servers, took %s", time.Since(start).Round(time.Millisecond))
}

// TestConnectBackKeepsWhatWasTyped goes Back from each step: what was
// typed and found is still there, and going forward again needs no
// retyping.
func TestConnectBackKeepsWhatWasTyped(t *testing.T) {
	_, port := connectServer(t, appPasswordTaken)
	h, _, w := connectHome(t)
	walkToTrust(t, h, w, port, appPasswordShown)
	primary(t, h, w, "Add to Keystore")
	primary(t, h, w, "Next")
	wantStep(t, w, mailsetup.StepHandOver)

	for step := mailsetup.StepProof; step >= mailsetup.StepAddress; step-- {
		test.Tap(w.back)
		settle(t, h)
		wantStep(t, w, step)
	}
	if !w.back.Disabled() {
		t.Error("Back is enabled at the first step")
	}
	f := w.address.current()
	if w.address.email.Text != mailUser || f.host.Text != mailtest.Host || f.port.Text != strconv.Itoa(port) ||
		f.protectionValue() != connectivity.STARTTLSMandatory {
		t.Errorf("Address after Back: %q %q %q %s", w.address.email.Text, f.host.Text, f.port.Text, f.protectionValue())
	}
	primary(t, h, w, "Next")
	if w.signIn.name.Text != "gmail_smtp" || w.signIn.user.Text != mailUser {
		t.Errorf("Sign-in after Back: name %q user %q", w.signIn.name.Text, w.signIn.user.Text)
	}
	mustContain(t, "Sign-in after Back", joined(w.signIn.obj), "Stored in Security Material as gmail_smtp")
	primary(t, h, w, "Next") // the App Password as stored: not typed again
	wantStep(t, w, mailsetup.StepFirstTest)
	primary(t, h, w, "Next")
	if w.trust.list.chosen() != 0 || w.primary.Text != "Next" {
		t.Errorf("Trust after Back offers to add %d certificates again", w.trust.list.chosen())
	}
	primary(t, h, w, "Next")
	if r := w.proof.views[0].result; r == nil || !r.OK() {
		t.Fatal("the proof failed after going back")
	}
	primary(t, h, w, "Next")
	if n := len(w.handOver.ho.Entries); n != 2 {
		t.Errorf("the hand-over lists %d keystore entries after going back, want the 2 already there", n)
	}
}

// TestConnectCancelAfterTrustAsks: Cancel once something was stored and
// added asks; "Back to the Flow" keeps the flow, "Remove Them" takes the
// certificates out of the keystore and the credential out of Security
// Material.
func TestConnectCancelAfterTrustAsks(t *testing.T) {
	_, port := connectServer(t, appPasswordTaken)
	h, store, w := connectHome(t)
	walkToTrust(t, h, w, port, appPasswordShown)
	primary(t, h, w, "Add to Keystore")
	wantStep(t, w, mailsetup.StepProof)
	if n := len(h.keystore.Model().Rows); n != 2 {
		t.Fatalf("%d entries after Add to Keystore", n)
	}

	test.Tap(w.cancel)
	mustContain(t, "Cancel's question", overlayText(w.win), "Keep What Was Added?", "gmail_smtp", "2 certificates",
		"Keep Them", "Remove Them", "Back to the Flow")
	tapOverlayButton(t, w.win, "Back to the Flow")
	if h.mailWin != w || w.closed {
		t.Fatal("Back to the Flow closed the flow")
	}

	test.Tap(w.cancel)
	tapOverlayButton(t, w.win, "Remove Them")
	settle(t, h)
	if n := len(h.keystore.Model().Rows); n != 0 {
		t.Errorf("Remove left %d keystore entries: %v", n, aliases(h.keystore.Model()))
	}
	if _, err := store.Entry("gmail_smtp"); err == nil {
		t.Error("Remove left the credential in Security Material")
	}
	if h.mailWin != nil {
		t.Error("the flow is still open after Remove")
	}
}

// TestConnectCancelKeeps: "Keep Them" leaves both where they are.
func TestConnectCancelKeeps(t *testing.T) {
	_, port := connectServer(t, appPasswordTaken)
	h, store, w := connectHome(t)
	walkToTrust(t, h, w, port, appPasswordShown)
	primary(t, h, w, "Add to Keystore")
	test.Tap(w.cancel)
	tapOverlayButton(t, w.win, "Keep Them")
	settle(t, h)
	if n := len(h.keystore.Model().Rows); n != 2 {
		t.Errorf("Keep left %d keystore entries", n)
	}
	if _, err := store.Entry("gmail_smtp"); err != nil {
		t.Errorf("Keep removed the credential: %v", err)
	}
	if h.mailWin != nil {
		t.Error("the flow is still open after Keep")
	}
}

// TestConnectWrongPasswordGoesBackToSignIn: the proof refused the App
// Password; GoBackTo's sentence says so, its button goes to Sign-in, and
// the right App Password typed there replaces the one this flow stored.
func TestConnectWrongPasswordGoesBackToSignIn(t *testing.T) {
	_, port := connectServer(t, appPasswordTaken)
	h, store, w := connectHome(t)
	walkToTrust(t, h, w, port, "wrong password")
	primary(t, h, w, "Add to Keystore")
	wantStep(t, w, mailsetup.StepProof)
	r := w.proof.views[0].result
	if r == nil || r.OK() {
		t.Fatal("the proof passed with a wrong password")
	}
	step, why := mailsetup.GoBackTo(r)
	if step != mailsetup.StepSignIn || !w.proof.advice.Visible() || w.proof.advice.Text != why {
		t.Errorf("advice %q (visible %v), GoBackTo says %s: %q", w.proof.advice.Text, w.proof.advice.Visible(), step, why)
	}
	if !w.primary.Disabled() {
		t.Error("Next is enabled after a failed proof")
	}
	if w.proof.goBack.Text != "Back to Sign-in" {
		t.Fatalf("the button says %q", w.proof.goBack.Text)
	}
	test.Tap(w.proof.goBack)
	settle(t, h)
	wantStep(t, w, mailsetup.StepSignIn)
	mustContain(t, "Sign-in after the refusal", w.signIn.stored.Text, "The server refused the App Password stored as gmail_smtp")
	if !w.primary.Disabled() {
		t.Error("Next goes on with the App Password the server refused")
	}

	test.Type(w.signIn.secret, appPasswordShown)
	primary(t, h, w, "Next")
	if _, pw, err := store.Lookup("gmail_smtp"); err != nil || string(pw) != appPasswordTaken {
		t.Fatalf("the App Password typed again was not stored: %v", err)
	}
	primary(t, h, w, "Next") // the first test again
	primary(t, h, w, "Next") // Trust: the keystore has them
	wantStep(t, w, mailsetup.StepProof)
	if r := w.proof.views[0].result; r == nil || !r.OK() {
		t.Fatal("the proof failed with the right App Password")
	}
}

// TestConnectNeverOverwritesACredential: the name proposed is free; a
// taken one typed is said to be taken, with the next free one to use,
// and what it holds is left alone.
func TestConnectNeverOverwritesACredential(t *testing.T) {
	_, port := connectServer(t, appPasswordTaken)
	h, store, w := connectHome(t)
	if _, err := store.Add(credentials.Entry{Name: "gmail_smtp", Type: credentials.UserCredentials, User: "other@gmail.com"},
		[]byte("someone else's")); err != nil {
		t.Fatal(err)
	}
	typeServer(t, w, mailUser, port)
	primary(t, h, w, "Next")
	if w.signIn.name.Text != "gmail_smtp_2" {
		t.Errorf("proposed %q, want gmail_smtp_2", w.signIn.name.Text)
	}
	test.Type(w.signIn.secret, appPasswordShown)
	w.signIn.name.SetText("GMAIL_SMTP")
	if !w.primary.Disabled() {
		t.Fatal("Next is enabled with a taken name")
	}
	mustContain(t, "taken name", w.signIn.taken.Text, "is taken", "never overwrites", "gmail_smtp_2")
	if !w.signIn.useNext.Visible() || w.signIn.useOld.Visible() {
		t.Error("the taken name of another user offers to be used as stored, or nothing to use instead")
	}
	test.Tap(w.signIn.useNext)
	if w.signIn.name.Text != "gmail_smtp_2" {
		t.Fatalf("Use … set %q", w.signIn.name.Text)
	}
	primary(t, h, w, "Next")
	wantStep(t, w, mailsetup.StepFirstTest)
	if user, pw, err := store.Lookup("gmail_smtp"); err != nil || user != "other@gmail.com" || string(pw) != "someone else's" {
		t.Errorf("gmail_smtp was changed: %q, %v", user, err)
	}
	if _, pw, err := store.Lookup("gmail_smtp_2"); err != nil || string(pw) != appPasswordTaken {
		t.Errorf("gmail_smtp_2: %v", err)
	}
}
