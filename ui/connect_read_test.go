package ui

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

const readHost = "imap.opsdesk.test"

// sendAndReadServers starts a loopback SMTP server and an IMAP server,
// both with STARTTLS, whose leafs share root and intermediate as Gmail's
// smtp. and imap. servers do; the IMAP server takes imapPassword. The
// root is in this computer's trust store as the test sees it.
func sendAndReadServers(t *testing.T, imapPassword string) (chain mailtest.Chain, smtpPort, imapPort int) {
	t.Helper()
	chain = mailtest.NewChain(t)
	o := mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN", "LOGIN"}, User: mailUser, Password: appPasswordTaken}
	smtpPort = mailtest.SMTP(t, chain, o)
	o.Password = imapPassword
	imapPort = mailtest.IMAP(t, chain.Sibling(t, readHost), o)
	bundle := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(bundle, chain.Root.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", bundle)
	return chain, smtpPort, imapPort
}

// walkSendAndRead fills step 1 for sending and reading (IMAP), both
// servers typed, stores the App Password, and runs the first tests.
func walkSendAndRead(t *testing.T, h *Home, w *connectWindow, smtpPort, imapPort int) {
	t.Helper()
	a := w.address
	if !a.send.Checked || a.read.Checked || a.readWith.Visible() {
		t.Fatalf("by default the flow sends mail only: send %v, read %v", a.send.Checked, a.read.Checked)
	}
	typeServer(t, w, mailUser, smtpPort)
	if w.primary.Text != "Next" {
		t.Fatalf("sending alone, typed: %q", w.primary.Text)
	}
	a.read.SetChecked(true)
	if !a.readWith.Visible() || a.readWith.Selected != string(connectivity.IMAP) || w.primary.Text != "Find Settings" {
		t.Fatalf("Read mail too: IMAP %q shown %v; the primary button %q", a.readWith.Selected, a.readWith.Visible(), w.primary.Text)
	}
	mustContain(t, "Address step", joined(a.obj), "Send mail: SMTP", "Read mail: IMAP")
	f := a.fields[connectivity.IMAP]
	test.Type(f.host, readHost)
	f.port.SetText(strconv.Itoa(imapPort))
	primary(t, h, w, "Next")
	if s, r := w.account.Server, w.account.Read; s.Protocol != connectivity.SMTP || s.Port != smtpPort || r.Protocol != connectivity.IMAP ||
		r.Host != readHost || r.Port != imapPort || r.Protection != connectivity.STARTTLSMandatory {
		t.Fatalf("the account's servers: %+v and %+v", s, r)
	}

	wantStep(t, w, mailsetup.StepSignIn)
	if w.signIn.name.Text != "gmail_mail" {
		t.Errorf("one credential for both: %q proposed", w.signIn.name.Text)
	}
	test.Type(w.signIn.secret, appPasswordShown)
	primary(t, h, w, "Next")
	wantStep(t, w, mailsetup.StepFirstTest)
}

// TestConnectSendAndRead walks the whole flow for an account that sends
// and reads mail: two response views titled with their servers, a trust
// list with the shared root and intermediate once and both leafs
// unchecked, two proofs, and a hand-over with both Mail adapters.
func TestConnectSendAndRead(t *testing.T) {
	chain, smtpPort, imapPort := sendAndReadServers(t, appPasswordTaken)
	h, store, w := connectHome(t)
	walkSendAndRead(t, h, w, smtpPort, imapPort)

	smtpAt, imapAt := mailtest.Host+":"+strconv.Itoa(smtpPort), readHost+":"+strconv.Itoa(imapPort)
	if len(w.firstTest.views) != 2 {
		t.Fatalf("%d response views", len(w.firstTest.views))
	}
	for i, want := range []string{"SMTP " + smtpAt, "IMAP " + imapAt} {
		v := w.firstTest.views[i]
		if v.title.Text != want || !v.title.Visible() {
			t.Errorf("view %d titled %q (shown %v), want %q", i, v.title.Text, v.title.Visible(), want)
		}
		if r := v.result; r == nil || !r.OK() || len(r.Chain) != 2 {
			t.Fatalf("first test of %s: %+v", want, r)
		}
		mustContain(t, want, joined(v.resp.box), "Server Certificate: Invalid", "Server Certificate Chain")
	}
	mustContain(t, "the intro", w.firstTest.intro.Text, "SMTP "+smtpAt+" and IMAP "+imapAt)
	primary(t, h, w, "Next")

	wantStep(t, w, mailsetup.StepTrust)
	list := w.trust.list
	if list == nil || len(list.items) != 4 {
		t.Fatalf("Trust lists %v", list)
	}
	wantChecked(t, list, map[string]bool{chain.Root.Cert.Subject.CommonName: true, chain.Intermediate.Cert.Subject.CommonName: true,
		mailtest.Host: false, readHost: false})
	if first := list.items[0].cert; !first.Equal(chain.Root.Cert) {
		t.Errorf("the list starts with %s, not the root", first.Subject.CommonName)
	}
	primary(t, h, w, "Add to Keystore")
	if got := aliases(h.keystore.Model()); len(got) != 2 {
		t.Fatalf("keystore after Add to Keystore: %v", got)
	}

	wantStep(t, w, mailsetup.StepProof)
	for i, v := range w.proof.views {
		if r := v.result; r == nil || !r.OK() {
			t.Fatalf("proof %d failed:\n%s", i, joined(v.resp.box))
		}
		mustContain(t, v.title.Text, joined(v.resp.box), "Server Certificate: Valid", "Authentication: Successful")
	}
	if w.proof.advice.Visible() {
		t.Errorf("advice after two passed proofs: %q", w.proof.advice.Text)
	}
	primary(t, h, w, "Next")

	wantStep(t, w, mailsetup.StepHandOver)
	ho := w.handOver.ho
	if len(ho.Adapters) != 2 || ho.Adapters[0].Address != smtpAt || ho.Adapters[1].Address != imapAt || ho.Credential.Name != "gmail_mail" ||
		ho.Adapters[1].CredentialName != "gmail_mail" || len(ho.Entries) != 2 {
		t.Fatalf("hand-over: %+v", ho)
	}
	mustContain(t, "hand-over", joined(w.handOver.obj), "Mail adapter (receiver: it sends mail)", "Mail adapter (sender: it reads mail)",
		smtpAt, imapAt, "Connectivity Tests: SMTP tab", "Connectivity Tests: IMAP tab")
	primary(t, h, w, "Done")
	if _, err := store.Entry("gmail_mail"); err != nil {
		t.Errorf("Done removed the credential: %v", err)
	}
}

// TestConnectReadingRefused: the reading server refuses the App Password
// the sending one takes; the proof's advice names the reading server and
// its button goes back to Sign-in.
func TestConnectReadingRefused(t *testing.T) {
	_, smtpPort, imapPort := sendAndReadServers(t, "another-one")
	h, _, w := connectHome(t)
	walkSendAndRead(t, h, w, smtpPort, imapPort)
	primary(t, h, w, "Next")
	primary(t, h, w, "Add to Keystore")
	wantStep(t, w, mailsetup.StepProof)
	if r := w.proof.views[0].result; r == nil || !r.OK() {
		t.Fatal("the SMTP proof should pass")
	}
	if r := w.proof.views[1].result; r == nil || r.OK() {
		t.Fatal("the IMAP proof should fail")
	}
	if !w.proof.advice.Visible() || !strings.Contains(w.proof.advice.Text, "Go back to Sign-in (step 2) for IMAP at "+readHost) ||
		w.proof.goBack.Text != "Back to Sign-in" || !w.primary.Disabled() {
		t.Fatalf("advice %q (shown %v), button %q, Next disabled %v", w.proof.advice.Text, w.proof.advice.Visible(), w.proof.goBack.Text, w.primary.Disabled())
	}
	test.Tap(w.proof.goBack)
	settle(t, h)
	wantStep(t, w, mailsetup.StepSignIn)
}

// wantChecked: the Trust list holds each certificate of want, by common
// name, checked as want says.
func wantChecked(t *testing.T, list *importList, want map[string]bool) {
	t.Helper()
	checked := map[string]bool{}
	for _, it := range list.items {
		checked[it.cert.Subject.CommonName] = it.check.Checked
	}
	for cn, on := range want {
		if v, ok := checked[cn]; !ok || v != on {
			t.Errorf("%s checked %v (listed %v), want %v", cn, v, ok, on)
		}
	}
}

// TestConnectReadTooFindsTheReadingServer: with the sending server typed,
// Read mail too looks up the reading server, and the search keeps the
// host the user typed for sending.
func TestConnectReadTooFindsTheReadingServer(t *testing.T) {
	h, _, w := connectHome(t)
	typeServer(t, w, mailUser, 2525) // a Gmail address: the provider table answers, no network
	a := w.address
	a.read.SetChecked(true)
	primary(t, h, w, "Find Settings")
	if f := a.fields[connectivity.SMTP]; f.host.Text != mailtest.Host || f.port.Text != "2525" {
		t.Errorf("the search replaced the SMTP server typed: %q %q", f.host.Text, f.port.Text)
	}
	if f := a.fields[connectivity.IMAP]; f.host.Text != "imap.gmail.com" || f.port.Text != "993 (IMAPS)" {
		t.Errorf("Gmail's IMAP server: %q %q", f.host.Text, f.port.Text)
	}
	mustContain(t, "the sources", a.parts[connectivity.SMTP].source.Text+"\n"+a.parts[connectivity.IMAP].source.Text,
		mailsetup.SourceTyped, "Gmail")
	a.readWith.SetSelected(string(connectivity.POP3))
	if f := a.fields[connectivity.POP3]; f.host.Text != "pop.gmail.com" || !strings.Contains(joined(a.obj), "Read mail: POP3") {
		t.Errorf("POP3 chosen: %q", f.host.Text)
	}
	a.send.SetChecked(false)
	a.read.SetChecked(false)
	if w.status.Text == "" || !w.primary.Disabled() {
		t.Errorf("nothing chosen, yet: %q, Next disabled %v", w.status.Text, w.primary.Disabled())
	}
	a.send.SetChecked(true)
	primary(t, h, w, "Next")
	if w.account.Read.Protocol != "" || w.account.Server.Port != 2525 {
		t.Errorf("sending alone: %+v, read %+v", w.account.Server, w.account.Read)
	}
}
