package ui

import (
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

const (
	mailUser     = "someone@gmail.com"
	mailPassword = "abcd efgh ijkl mnop" // an App Password's shape
)

// connectivityFor opens the Connectivity Tests window so that every test
// reaches its server on loopback while checking the certificate for the
// name typed, mailtest.Host.
func connectivityFor(t *testing.T, h *Home) *connectivityWindow {
	c := h.showConnectivity()
	c.connectTo = "127.0.0.1"
	c.timeouts = connectivity.Timeouts{Connect: 3 * time.Second, Reply: 5 * time.Second, Total: 20 * time.Second}
	// No clock: the test driver runs fyne.Do on the ticking goroutine,
	// beside the test's own; TestElapsedTimeCounts ticks by hand.
	c.tickEvery = 0
	return c
}

// fillSMTP fills the SMTP tab as the tutorial's table says.
func fillSMTP(tab *connTab, port int, password string) {
	tab.host.SetText("")
	test.Type(tab.host, mailtest.Host)
	tab.port.SetText(strconv.Itoa(port))
	tab.protection.SetSelected("STARTTLS Mandatory")
	tab.auth.SetSelected("Plain User/Password")
	tab.cred.user.SetText(mailUser)
	tab.cred.password.SetText(password)
}

func send(t *testing.T, h *Home, tab *connTab) string {
	t.Helper()
	if tab.send.Disabled() {
		t.Fatalf("Send is disabled: %q", tab.status.Text)
	}
	test.Tap(tab.send)
	settle(t, h)
	return joined(tab.resp.box)
}

// TestTutorial follows SAP's Gmail tutorial through the real windows,
// against a loopback server that answers as smtp.gmail.com does.
func TestTutorial(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"LOGIN", "PLAIN"}, User: mailUser, Password: mailPassword})
	h := newTestHome(t)
	c := connectivityFor(t, h)
	if c.tabs.Selected().Text != "SMTP" {
		t.Errorf("the window opens on %s, not SMTP", c.tabs.Selected().Text)
	}
	tab := c.tab(connectivity.SMTP)
	if !tab.verify.Checked || tab.verify.Text != "Valid Server Certificate Required" {
		t.Error("Valid Server Certificate Required is not checked by default")
	}
	fillSMTP(tab, port, mailPassword)

	// Step 2.1: validation off, to fetch the chain.
	tab.verify.SetChecked(false)
	resp := send(t, h, tab)
	mustContain(t, "first response", resp,
		fmt.Sprintf("Successfully reached host at %s:%d", mailtest.Host, port),
		"STARTTLS: Supported", "Authentication: Successful", "Server Certificate: Invalid",
		"Server Certificate Chain", "dn=CN="+mailtest.Host, "issuerDN=CN=Opsdesk Test CA 1O1", "validUntil=", "serialNumber=0x")
	if tab.resp.download.Icon == nil || tab.resp.addToKS.Text != "Add to Keystore" {
		t.Error("the chain has no download icon or no Add to Keystore")
	}
	mustContain(t, "Home tile", h.connectivityTile.text(), "Last test: SMTP "+mailtest.Host, "passed")

	// Steps 2.3-2.7: the chain into the keystore.
	openKeystore(t, h, newKeystore(t, nil))
	test.Tap(tab.resp.addToKS)
	d := importDialogOn(c.win)
	if d == nil || len(d.items) != 2 {
		t.Fatal("Add to Keystore lists no chain")
	}
	mustContain(t, "Add to Keystore", overlayText(c.win), "Add to Keystore", mailtest.Host, "opsdesk_test_ca_1o1",
		certs.SHA256(chain.Leaf.Cert), certs.SHA256(chain.Intermediate.Cert))
	test.Tap(d.confirm)
	settle(t, h)
	mustContain(t, "summary", overlayText(c.win), "Added (2)")
	if got := aliases(h.keystore.Model()); len(got) != 2 {
		t.Fatalf("keystore after Add to Keystore: %v", got)
	}
	if ks := h.showKeystore(); ks.header.Text != "Entries (2)" {
		t.Errorf("the Keystore window shows %q", ks.header.Text)
	}

	// The second run: validation on, checked against the keystore.
	tab.verify.SetChecked(true)
	resp = send(t, h, tab)
	mustContain(t, "second response", resp, "Server Certificate: Valid", "Authentication: Successful")
	if tab.resp.result == nil || !tab.resp.result.OK() {
		t.Fatalf("second run failed:\n%s", resp)
	}
}

func TestWrongPasswordIsExplained(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"PLAIN"}, User: mailUser, Password: mailPassword})
	h := newTestHome(t)
	tab := connectivityFor(t, h).tab(connectivity.SMTP)
	fillSMTP(tab, port, "my-normal-password")
	tab.verify.SetChecked(false)
	resp := send(t, h, tab)
	mustContain(t, "response", resp, "Authentication: Unsuccessful",
		"What happened", "The server did not accept the user name or password.",
		"What to do", "App Password",
		"The server's words", "535 Username and Password not accepted", "5.7.8",
		"Technical Detail")
	if tab.cred.password.Text != "my-normal-password" {
		t.Error("the form lost the password the user typed") // they correct it, not retype everything
	}
}

// silentServer accepts connections and never says a word.
func silentServer(t *testing.T) int {
	return mailtest.Raw(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

func TestCancelStopsARunningTest(t *testing.T) {
	port := silentServer(t)
	h := newTestHome(t)
	tab := connectivityFor(t, h).tab(connectivity.SMTP)
	test.Type(tab.host, mailtest.Host)
	tab.port.SetText(strconv.Itoa(port))
	test.Tap(tab.send)
	// The worker waits for the silent server: the UI shows it is busy.
	if !tab.activity.Visible() || tab.cancel.Disabled() || !tab.send.Disabled() {
		t.Fatal("no activity indicator or no Cancel while the test runs")
	}
	mustContain(t, "status", tab.status.Text, "Testing "+mailtest.Host)
	test.Tap(tab.cancel)
	settle(t, h)
	mustContain(t, "response", joined(tab.resp.box), "The test was cancelled.", "Press Send to run it again.")
	if tab.activity.Visible() || !tab.cancel.Disabled() || tab.send.Disabled() {
		t.Error("the form did not come back after cancelling")
	}
}

// TestKeyboardRunsATest drives a test from the menu bar's items, whose
// shortcuts the desktop driver runs even while a text field has focus.
func TestKeyboardRunsATest(t *testing.T) {
	port := silentServer(t)
	h := newTestHome(t)
	c := connectivityFor(t, h)
	item := func(label, key string) *fyne.MenuItem {
		t.Helper()
		it := findMenuItem(c.win, label)
		if it == nil {
			t.Fatalf("no menu item %q", label)
		}
		mod := fyne.KeyModifierShortcutDefault
		if label == "IMAP" || label == "SMTP" { // the tabs: Alt, since Ctrl+1–3 open the windows
			mod = fyne.KeyModifierAlt
		}
		if sc, ok := it.Shortcut.(*desktop.CustomShortcut); !ok || string(sc.KeyName) != key || sc.Modifier != mod {
			t.Fatalf("%s: shortcut %#v, want %v+%s", label, it.Shortcut, mod, key)
		}
		return it
	}
	item("IMAP", "3").Action()
	imap := c.tab(connectivity.IMAP)
	if c.tabs.Selected().Text != "IMAP" || c.win.Canvas().Focused() != imap.host {
		t.Fatalf("Alt+3 shows %q with focus on %T", c.tabs.Selected().Text, c.win.Canvas().Focused())
	}
	item("SMTP", "2").Action()
	smtp := c.tab(connectivity.SMTP)
	test.Type(c.win.Canvas().Focused(), mailtest.Host) // into Host, which has focus
	smtp.port.SetText(strconv.Itoa(port))
	item("Send", "Return").Action()
	if !smtp.activity.Visible() || smtp.cancel.Disabled() {
		t.Fatalf("Ctrl+Enter did not start the test: %q", smtp.status.Text)
	}
	item("Cancel", ".").Action()
	settle(t, h)
	mustContain(t, "response", joined(smtp.resp.box), "The test was cancelled.")
	item("Close Window", "W").Action()
	if !slices.Contains(h.app.Driver().AllWindows(), c.win) {
		t.Error("Close Window destroyed the window: it must hide, to come back as it was")
	}
}

func TestFormFollowsTheTenantsRules(t *testing.T) {
	h := newTestHome(t)
	c := connectivityFor(t, h)
	smtp := c.tab(connectivity.SMTP)
	if !smtp.send.Disabled() || smtp.status.Text != "Type the host name of the server." {
		t.Errorf("Send enabled without a host: %q", smtp.status.Text)
	}
	if got := portOptions[connectivity.SMTP]; got[0] != "587 (SMTP /STARTTLS)" || got[1] != "465 (SMTPS)" {
		t.Errorf("SMTP ports %v", got)
	}
	if got := smtp.protection.Options; fmt.Sprint(got) != "[Off SMTPS STARTTLS Mandatory STARTTLS Optional]" {
		t.Errorf("SMTP protection %v", got)
	}
	if got := smtp.auth.Options; fmt.Sprint(got) != "[None Encrypted User/Password Plain User/Password OAuth2 Authorization Code]" {
		t.Errorf("SMTP authentication %v", got)
	}
	smtp.protection.SetSelected("SMTPS")
	if smtp.port.Text != "465 (SMTPS)" {
		t.Errorf("SMTPS keeps port %q", smtp.port.Text)
	}
	smtp.protection.SetSelected("Off")
	if !smtp.verify.Disabled() || smtp.port.Text != "587 (SMTP /STARTTLS)" {
		t.Error("with Protection Off the certificate check must be disabled and the port back to 587")
	}
	test.Type(smtp.host, "smtp.gmail.com")
	smtp.port.SetText("70000")
	if !smtp.send.Disabled() {
		t.Error("Send enabled with port 70000")
	}
	smtp.port.SetText("2525")
	smtp.auth.SetSelected("Plain User/Password")
	if !smtp.send.Disabled() || smtp.cred.user.Disabled() {
		t.Errorf("authentication without a user: %q", smtp.status.Text)
	}
	smtp.auth.SetSelected("None")
	if !smtp.cred.user.Disabled() || smtp.send.Disabled() {
		t.Error("Credential Name should be disabled without authentication")
	}
	smtp.checkAddrs.SetChecked(true)
	if smtp.from.Disabled() || !smtp.send.Disabled() {
		t.Error("Check Mail Addresses needs From and To")
	}

	imap := c.tab(connectivity.IMAP)
	if !imap.folder.Disabled() {
		t.Error("Folder is enabled without Check Mailbox Content")
	}
	imap.imapAction.SetSelected(labelCheckMailbox)
	if imap.folder.Disabled() || imap.folder.Text != "INBOX" {
		t.Error("Check Mailbox Content has no Folder")
	}
	pop3 := c.tab(connectivity.POP3)
	if fmt.Sprint(pop3.auth.Options) != "[Encrypted User/Password Plain User/Password OAuth2 Authorization Code]" {
		t.Errorf("POP3 must log in: %v", pop3.auth.Options)
	}
	if fmt.Sprint(portOptions[connectivity.POP3]) != "[110 (POP3/STARTTLS) 995 (POP3S)]" {
		t.Errorf("POP3 ports %v", portOptions[connectivity.POP3])
	}
	tls := c.tab(connectivity.TLS)
	if tls.protection != nil || tls.port.Text != "443" || !tls.clientAlias.Disabled() {
		t.Error("the TLS tab has Host, Port 443 and a client certificate alias only when asked")
	}
}

func TestProxyTypeAndClearTextWarning(t *testing.T) {
	h := newTestHome(t)
	c := connectivityFor(t, h)
	smtp := c.tab(connectivity.SMTP)
	test.Type(smtp.host, "smtp.gmail.com")
	if fmt.Sprint(smtp.proxy.Options) != "[Internet On-Premise]" || smtp.proxy.Selected != "Internet" || !smtp.location.Disabled() {
		t.Fatalf("Proxy Type %v %q, Location ID enabled: %v", smtp.proxy.Options, smtp.proxy.Selected, !smtp.location.Disabled())
	}
	if smtp.send.Disabled() {
		t.Fatalf("Send disabled with a host and Internet: %q", smtp.status.Text)
	}
	smtp.proxy.SetSelected("On-Premise")
	if !smtp.send.Disabled() || smtp.location.Disabled() || !strings.Contains(smtp.status.Text, "Cloud Connector") {
		t.Errorf("On-Premise must enable Location ID and explain why Send waits: %q", smtp.status.Text)
	}
	smtp.proxy.SetSelected("Internet")

	if smtp.clearText.Visible() {
		t.Error("warning shown with STARTTLS Mandatory and no authentication")
	}
	smtp.auth.SetSelected("Plain User/Password")
	smtp.protection.SetSelected("Off")
	if !smtp.clearText.Visible() || !strings.Contains(smtp.clearText.Text, "password travels unencrypted") {
		t.Errorf("Protection Off with a password: %q", smtp.clearText.Text)
	}
	smtp.protection.SetSelected("STARTTLS Optional")
	if !smtp.clearText.Visible() || !strings.Contains(smtp.clearText.Text, "does not offer STARTTLS") {
		t.Errorf("STARTTLS Optional with a password: %q", smtp.clearText.Text)
	}
	smtp.protection.SetSelected("SMTPS")
	if smtp.clearText.Visible() {
		t.Errorf("warning stays with SMTPS: %q", smtp.clearText.Text)
	}
}

func TestMailboxTabs(t *testing.T) {
	chain := mailtest.NewChain(t)
	opts := mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN"}, User: mailUser, Password: mailPassword, Messages: 7, Unread: 3, Folders: []string{"Sent"}}
	imapPort, pop3Port := mailtest.IMAP(t, chain, opts), mailtest.POP3(t, chain, opts)
	h := newTestHome(t)
	c := connectivityFor(t, h)

	for _, tc := range []struct {
		proto connectivity.Protocol
		port  int
		set   func(tab *connTab)
		want  []string
	}{
		{connectivity.IMAP, imapPort, func(tab *connTab) { tab.imapAction.SetSelected(labelListFolders) }, []string{"Folders: INBOX, Sent"}},
		{connectivity.IMAP, imapPort, func(tab *connTab) { tab.imapAction.SetSelected(labelCheckMailbox) }, []string{"7 messages, 3 unread"}},
		{connectivity.POP3, pop3Port, func(tab *connTab) { tab.mailbox.SetChecked(true) }, []string{"7 messages"}},
	} {
		tab := c.tab(tc.proto)
		tab.host.SetText(mailtest.Host)
		tab.port.SetText(strconv.Itoa(tc.port))
		tab.auth.SetSelected("Plain User/Password")
		tab.cred.user.SetText(mailUser)
		tab.cred.password.SetText(mailPassword)
		tab.verify.SetChecked(false)
		tc.set(tab)
		resp := send(t, h, tab)
		mustContain(t, string(tc.proto), resp, append([]string{"Successfully reached host", "Authentication: Successful"}, tc.want...)...)
	}
}

func TestAddToKeystoreWithoutKeystoreAsksForOne(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true})
	h := newTestHome(t)
	c := connectivityFor(t, h)
	tab := c.tab(connectivity.SMTP)
	test.Type(tab.host, mailtest.Host)
	tab.port.SetText(strconv.Itoa(port))
	tab.verify.SetChecked(false)
	send(t, h, tab)
	test.Tap(tab.resp.addToKS)
	mustContain(t, "dialog", overlayText(c.win), "No Keystore Open", "Create Keystore…")
	if importDialogOn(c.win) != nil {
		t.Error("an import dialog without a keystore to import into")
	}
}
