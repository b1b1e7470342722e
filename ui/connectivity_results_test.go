package ui

import (
	"fmt"
	"image/color"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

// walkObjects calls fn for o and everything inside it a user can see or
// reach: containers, scrolls, splits, tabs, form items and accordions.
func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			walkObjects(c, fn)
		}
	case *container.Scroll:
		walkObjects(v.Content, fn)
	case *container.Split:
		walkObjects(v.Leading, fn)
		walkObjects(v.Trailing, fn)
	case *container.AppTabs:
		for _, it := range v.Items {
			walkObjects(it.Content, fn)
		}
	case *widget.Form:
		for _, it := range v.Items {
			walkObjects(it.Widget, fn)
		}
	case *widget.Accordion:
		for _, it := range v.Items {
			walkObjects(it.Detail, fn)
		}
	}
}

// responseScroll is the scroll the Response panel of tab sits in.
func responseScroll(t *testing.T, c *connectivityWindow, tab *connTab) *container.Scroll {
	t.Helper()
	var found *container.Scroll
	walkObjects(c.tabs, func(o fyne.CanvasObject) {
		if s, ok := o.(*container.Scroll); ok && s.Content == tab.resp.box {
			found = s
		}
	})
	if found == nil {
		t.Fatal("the Response panel is not in a scroll")
	}
	return found
}

// buttonIn returns the button labelled text inside o, or nil.
func buttonIn(o fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	walkObjects(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

// TestSendClearsTheResultAndShowsProgress: a new Send empties the Response
// at once and says what runs, for how long, with a Cancel beside it; the
// result arrives scrolled to its top, where the verdict is.
func TestSendClearsTheResultAndShowsProgress(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN"}, User: mailUser, Password: mailPassword})
	accepted := make(chan struct{}, 4)
	silent := mailtest.Raw(t, func(c net.Conn) {
		accepted <- struct{}{}
		_, _ = io.Copy(io.Discard, c)
	})
	h := newTestHome(t)
	c := connectivityFor(t, h)
	tab := c.tab(connectivity.SMTP)
	fillSMTP(tab, port, "wrong password")
	tab.verify.SetChecked(false)
	send(t, h, tab)
	scroll := responseScroll(t, c, tab)
	tab.resp.chain.OpenAll()
	tab.resp.technical.OpenAll()
	test.LaidOutObjects(scroll) // as the window lays out the opened sections
	scroll.ScrollToOffset(fyne.NewPos(0, 400))
	if scroll.Offset.Y == 0 {
		t.Fatalf("the first result is too short to scroll: %v in %v", tab.resp.box.MinSize(), scroll.Size())
	}

	tab.port.SetText(strconv.Itoa(silent))
	test.Tap(tab.send)
	resp := joined(tab.resp.box)
	mustContain(t, "while testing", resp, fmt.Sprintf("Testing %s:%d…", mailtest.Host, silent), "Elapsed")
	for _, old := range []string{"Authentication: Unsuccessful", "What happened", "Technical Detail"} {
		if strings.Contains(resp, old) {
			t.Errorf("the previous result is still shown (%q) while the new test runs:\n%s", old, resp)
		}
	}
	if scroll.Offset.Y != 0 {
		t.Errorf("the running test is shown scrolled to %v", scroll.Offset.Y)
	}
	cancel := buttonIn(tab.resp.box, "Cancel")
	if cancel == nil || cancel.Disabled() {
		t.Fatal("no Cancel in the Response panel while the test runs")
	}
	<-accepted // cancelled while waiting for the greeting, not while connecting
	test.Tap(cancel)
	settle(t, h)
	mustContain(t, "cancelled", joined(tab.resp.box), "Test cancelled before it finished", "The test was cancelled.")
	// Cancelled while connecting or while waiting for the greeting (the
	// server's accept can come just before the client's connect returns):
	// either way the server is not blamed.
	got := joined(tab.resp.box)
	if strings.Contains(got, "did not greet as expected") || strings.Contains(got, "Could not reach") {
		t.Error("a test the user cancelled blames the server")
	}

	tab.port.SetText(strconv.Itoa(port))
	send(t, h, tab)
	tab.resp.technical.OpenAll()
	test.LaidOutObjects(scroll) // as the window lays out the opened sections
	scroll.ScrollToOffset(fyne.NewPos(0, 400))
	send(t, h, tab)
	if scroll.Offset.Y != 0 {
		t.Errorf("the result arrived scrolled to %v, with its verdict out of sight", scroll.Offset.Y)
	}
}

// TestElapsedTimeCounts: the running test's line counts the seconds.
func TestElapsedTimeCounts(t *testing.T) {
	silent := silentServer(t)
	h := newTestHome(t)
	c := connectivityFor(t, h)
	tab := c.tab(connectivity.SMTP)
	test.Type(tab.host, mailtest.Host)
	tab.port.SetText(strconv.Itoa(silent))
	test.Tap(tab.send)
	tab.resp.started = tab.resp.started.Add(-4 * time.Second)
	tab.resp.tick()
	mustContain(t, "elapsed", joined(tab.resp.box), "Elapsed: 4 s")
	tab.onCancel()
	settle(t, h)
}

// TestVerdictMatchesTheChecks: the headline's words and colour follow the
// verdict, not whether the host was reached.
func TestVerdictMatchesTheChecks(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN"}, User: mailUser, Password: mailPassword})
	mute := mailtest.Raw(t, func(c net.Conn) { fmt.Fprintf(c, "hello, I am not a mail server\r\n") })
	h := newTestHome(t)
	c := connectivityFor(t, h)
	tab := c.tab(connectivity.SMTP)
	at := func(p int) string { return fmt.Sprintf("%s:%d", mailtest.Host, p) }
	for _, tc := range []struct {
		name, password string
		port           int
		protection     string
		headline       string
		colour         fyne.ThemeColorName
	}{
		{"right password", mailPassword, port, "STARTTLS Mandatory", "Test passed: " + at(port) + " was reached and every check you asked for succeeded.", theme.ColorNameSuccess},
		{"wrong password", "wrong", port, "STARTTLS Mandatory", "Test failed: reached " + at(port) + ", but authentication was unsuccessful.", theme.ColorNameError},
		{"no greeting", mailPassword, mute, "Off", "Test failed: reached " + at(mute) + ", but the server did not greet as expected.", theme.ColorNameError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fillSMTP(tab, tc.port, tc.password)
			tab.protection.SetSelected(tc.protection)
			tab.port.SetText(strconv.Itoa(tc.port))
			tab.verify.SetChecked(false)
			send(t, h, tab)
			if tab.resp.banner.Text != tc.headline {
				t.Errorf("headline %q, want %q", tab.resp.banner.Text, tc.headline)
			}
			if want := theme.Color(tc.colour); !sameColor(tab.resp.bannerBg.StrokeColor, want) {
				t.Errorf("headline drawn in %v, want %s", tab.resp.bannerBg.StrokeColor, tc.colour)
			}
			if got := tab.resp.result.Verdict().Headline; got != tab.resp.banner.Text {
				t.Errorf("the window says %q, the rule %q", tab.resp.banner.Text, got)
			}
		})
	}
}

// TestServersWordsAreTheServers: Go's error texts go under Technical
// Detail, translated above; "The server's words" is what the server sent.
func TestServersWordsAreTheServers(t *testing.T) {
	chain := mailtest.NewChain(t)
	plain := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true}) // no TLS from the first byte
	pop3 := mailtest.POP3(t, chain, mailtest.Options{Mechs: []string{"CRAM-MD5"}, User: mailUser, Password: mailPassword})
	h := newTestHome(t)
	c := connectivityFor(t, h)

	smtp := c.tab(connectivity.SMTP)
	test.Type(smtp.host, mailtest.Host)
	smtp.protection.SetSelected("SMTPS")
	smtp.port.SetText(strconv.Itoa(plain))
	send(t, h, smtp)
	explanation := joined(smtp.resp.explanation)
	mustContain(t, "explanation", explanation, "starts unencrypted", "STARTTLS Mandatory")
	for _, bad := range []string{"The server's words", "tls:", "first record", "handshake"} {
		if strings.Contains(explanation, bad) {
			t.Errorf("the explanation shows %q:\n%s", bad, explanation)
		}
	}
	mustContain(t, "technical detail", joined(smtp.resp.technical), "first record does not look like a TLS handshake")

	// POP3's default Authentication, Encrypted User/Password, with a
	// wrong password.
	p := c.tab(connectivity.POP3)
	test.Type(p.host, mailtest.Host)
	p.protection.SetSelected("Off")
	p.port.SetText(strconv.Itoa(pop3))
	if p.auth.Selected != string(connectivity.AuthEncrypted) {
		t.Fatalf("POP3's default Authentication is %q", p.auth.Selected)
	}
	p.cred.user.SetText(mailUser)
	p.cred.password.SetText("wrong")
	send(t, h, p)
	explanation = joined(p.resp.explanation)
	mustContain(t, "POP3 explanation", explanation, "The server did not accept the user name or password.", "Check the credential",
		"The server's words", mailtest.GmailPOP3BadCredentials)
	if strings.Contains(explanation, "***") || strings.Contains(explanation, "See the server's answer") {
		t.Errorf("POP3 explanation:\n%s", explanation)
	}
}

// TestPortAndProtectionAgreeInTheForm: the Port and Protection a test uses
// are the ones the form shows.
func TestPortAndProtectionAgreeInTheForm(t *testing.T) {
	chain := mailtest.NewChain(t)
	server := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true})
	h := newTestHome(t)
	c := connectivityFor(t, h)
	smtp := c.tab(connectivity.SMTP)
	smtp.port.SetText("465 (SMTPS)")
	if smtp.protection.Selected != "SMTPS" {
		t.Errorf("port 465 keeps Protection %q", smtp.protection.Selected)
	}
	smtp.port.SetText("587 (SMTP /STARTTLS)")
	if smtp.protection.Selected != "STARTTLS Mandatory" {
		t.Errorf("port 587 keeps Protection %q", smtp.protection.Selected)
	}
	smtp.protection.SetSelected("SMTPS")
	if smtp.port.Text != "465 (SMTPS)" {
		t.Errorf("SMTPS proposes port %q", smtp.port.Text)
	}
	smtp.protection.SetSelected("STARTTLS Optional")
	if smtp.port.Text != "587 (SMTP /STARTTLS)" {
		t.Errorf("STARTTLS Optional proposes port %q", smtp.port.Text)
	}
	smtp.port.SetText("2525")
	smtp.protection.SetSelected("SMTPS")
	if smtp.port.Text != "2525" {
		t.Errorf("a port of the user's own became %q", smtp.port.Text)
	}
	// Typed, a port is followed when the user leaves the field: 2525
	// passes through 25 on its way, which must not change Protection.
	c.win.Canvas().Focus(smtp.port)
	smtp.port.SetText("")
	test.Type(smtp.port, "2525")
	if smtp.protection.Selected != "SMTPS" {
		t.Errorf("typing 2525 changed Protection to %q", smtp.protection.Selected)
	}
	smtp.port.SetText("")
	test.Type(smtp.port, "587")
	c.win.Canvas().Focus(smtp.host)
	if smtp.protection.Selected != "STARTTLS Mandatory" {
		t.Errorf("leaving Port at 587 keeps Protection %q", smtp.protection.Selected)
	}
	imap := c.tab(connectivity.IMAP)
	imap.port.SetText("993 (IMAPS)")
	if imap.protection.Selected != "IMAPS" {
		t.Errorf("port 993 keeps Protection %q", imap.protection.Selected)
	}

	// host:port in Host: the port moves to Port when Host is left…
	smtp.protection.SetSelected("STARTTLS Mandatory")
	smtp.host.SetText("")
	c.win.Canvas().Focus(smtp.host)
	test.Type(smtp.host, "smtp.example.com:465")
	c.win.Canvas().Focus(smtp.port)
	if smtp.host.Text != "smtp.example.com" || smtp.port.Text != "465 (SMTPS)" || smtp.protection.Selected != "SMTPS" {
		t.Errorf("Host %q, Port %q, Protection %q", smtp.host.Text, smtp.port.Text, smtp.protection.Selected)
	}
	// …a port that cannot be is refused with a sentence…
	smtp.host.SetText("smtp.example.com:99999")
	if !smtp.send.Disabled() || !strings.Contains(smtp.status.Text, "not a number from 1 to 65535") || !strings.HasSuffix(smtp.status.Text, ".") {
		t.Errorf("Send %v, status %q", !smtp.send.Disabled(), smtp.status.Text)
	}
	// …and on Send the port typed in Host is the one Port shows and the
	// test uses.
	smtp.host.SetText(fmt.Sprintf("%s:%d", mailtest.Host, server))
	smtp.port.SetText("587 (SMTP /STARTTLS)")
	smtp.verify.SetChecked(false)
	send(t, h, smtp)
	if smtp.port.Text != strconv.Itoa(server) || smtp.host.Text != mailtest.Host || smtp.resp.result.Port != server {
		t.Errorf("Port shows %q, Host %q, the test used %d", smtp.port.Text, smtp.host.Text, smtp.resp.result.Port)
	}
}

// TestFormsAreRemembered: each tab's form comes back after a restart,
// never with a password.
func TestFormsAreRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	creds := fakeCredentials{"Gmail": {mailUser, mailPassword}, "Other": {"other@example.com", "other-password"}}
	first := newHome(a, Options{}, services{credentials: creds})
	c := first.showConnectivity()
	settle(t, first)
	smtp := c.tab(connectivity.SMTP)
	test.Type(smtp.host, "smtp.example.com")
	smtp.protection.SetSelected("STARTTLS Optional")
	smtp.port.SetText("2525")
	smtp.auth.SetSelected(string(connectivity.AuthEncrypted))
	smtp.cred.name.SetSelected("Other")
	smtp.verify.SetChecked(false)
	smtp.checkAddrs.SetChecked(true)
	test.Type(smtp.from, "me@example.com")
	test.Type(smtp.to, "you@example.com")
	imap := c.tab(connectivity.IMAP)
	test.Type(imap.host, "imap.example.com")
	imap.imapAction.SetSelected(labelCheckMailbox)
	imap.folder.SetText("Archive")
	pop3 := c.tab(connectivity.POP3)
	test.Type(pop3.host, "pop.example.com")
	pop3.mailbox.SetChecked(true)
	tls := c.tab(connectivity.TLS)
	test.Type(tls.host, "example.com")
	tls.port.SetText("8443")
	first.win.Close()

	second := newHome(a, Options{}, services{credentials: creds})
	c = second.showConnectivity()
	settle(t, second)
	smtp = c.tab(connectivity.SMTP)
	got := fmt.Sprint(smtp.host.Text, "|", smtp.port.Text, "|", smtp.protection.Selected, "|", smtp.auth.Selected, "|", smtp.cred.name.Selected,
		"|", smtp.verify.Checked, "|", smtp.checkAddrs.Checked, "|", smtp.from.Text, "|", smtp.to.Text)
	if want := "smtp.example.com|2525|STARTTLS Optional|Encrypted User/Password|Other|false|true|me@example.com|you@example.com"; got != want {
		t.Errorf("SMTP came back as %s, want %s", got, want)
	}
	imap = c.tab(connectivity.IMAP)
	if imap.host.Text != "imap.example.com" || imap.imapAction.Selected != labelCheckMailbox || imap.folder.Text != "Archive" || imap.folder.Disabled() {
		t.Errorf("IMAP came back as %q %q %q", imap.host.Text, imap.imapAction.Selected, imap.folder.Text)
	}
	if pop3 = c.tab(connectivity.POP3); pop3.host.Text != "pop.example.com" || !pop3.mailbox.Checked {
		t.Errorf("POP3 came back as %q %v", pop3.host.Text, pop3.mailbox.Checked)
	}
	if tls = c.tab(connectivity.TLS); tls.host.Text != "example.com" || tls.port.Text != "8443" {
		t.Errorf("TLS came back as %q %q", tls.host.Text, tls.port.Text)
	}
	if smtp.send.Disabled() {
		t.Errorf("the remembered form cannot be sent: %q", smtp.status.Text)
	}
	second.win.Close()

	// The keyring may open after the window: the remembered Credential
	// Name waits for it, and is not forgotten meanwhile.
	third := New(a, Options{})
	t.Cleanup(func() { third.win.Close() })
	c = third.showConnectivity()
	smtp = c.tab(connectivity.SMTP)
	smtp.cred.user.SetText("typed@example.com") // a change, saved while no keyring is open
	c.setCredentials(creds)
	settle(t, third)
	if smtp.cred.name.Selected != "Other" {
		t.Errorf("after the keyring opened, Credential Name is %q", smtp.cred.name.Selected)
	}
}

// TestTypedPasswordIsNeverRemembered: without Security Material the user
// and password are typed; the user comes back, the password never.
func TestTypedPasswordIsNeverRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	first := New(a, Options{})
	smtp := first.showConnectivity().tab(connectivity.SMTP)
	test.Type(smtp.host, "smtp.example.com")
	smtp.auth.SetSelected(string(connectivity.AuthPlain))
	smtp.cred.user.SetText(mailUser)
	smtp.cred.password.SetText(mailPassword)
	for _, p := range []connectivity.Protocol{connectivity.TLS, connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		if saved := a.Preferences().String(prefConnectivityForm + string(p)); strings.Contains(saved, mailPassword) {
			t.Fatalf("the password is in the preferences: %s", saved)
		}
	}
	first.win.Close()
	second := New(a, Options{})
	t.Cleanup(func() { second.win.Close() })
	smtp = second.showConnectivity().tab(connectivity.SMTP)
	if smtp.cred.user.Text != mailUser || smtp.cred.password.Text != "" {
		t.Errorf("user %q, password %q", smtp.cred.user.Text, smtp.cred.password.Text)
	}
}

// formLabels returns the drawn texts of form's labels called names, from
// one layout: laying a form out again draws new ones.
func formLabels(t *testing.T, form *widget.Form, names ...string) map[string]*canvas.Text {
	t.Helper()
	found := map[string]*canvas.Text{}
	for _, o := range test.LaidOutObjects(form) {
		if l, ok := o.(*canvas.Text); ok && slices.Contains(names, l.Text) {
			found[l.Text] = l
		}
	}
	for _, n := range names {
		if found[n] == nil {
			t.Fatalf("no label %q", n)
		}
	}
	return found
}

// requestForm is the Request form of tab.
func requestForm(t *testing.T, c *connectivityWindow, tab *connTab) *widget.Form {
	t.Helper()
	var found *widget.Form
	walkObjects(c.tabs, func(o fyne.CanvasObject) {
		if f, ok := o.(*widget.Form); ok && found == nil {
			for _, it := range f.Items {
				if it.Widget == tab.host {
					found = f
				}
			}
		}
	})
	if found == nil {
		t.Fatal("no Request form")
	}
	return found
}

// TestLabelsFollowTheirFields: a label beside an enabled field is drawn
// enabled, one beside a disabled field disabled, as the field changes. The
// labels are read as drawn, without laying the form out again, as a
// window on screen does not.
func TestLabelsFollowTheirFields(t *testing.T) {
	h := newTestHome(t)
	c := connectivityFor(t, h)
	fg, dis := theme.Color(theme.ColorNameForeground), theme.Color(theme.ColorNameDisabled)
	imap := c.tab(connectivity.IMAP)
	folder := formLabels(t, requestForm(t, c, imap), "Folder")["Folder"]
	if !sameColor(folder.Color, dis) {
		t.Errorf("Folder drawn in %v beside a disabled field", folder.Color)
	}
	imap.imapAction.SetSelected(labelCheckMailbox)
	if !sameColor(folder.Color, fg) {
		t.Errorf("Folder drawn in %v (disabled) beside its enabled field", folder.Color)
	}
	smtp := c.tab(connectivity.SMTP)
	labels := formLabels(t, requestForm(t, c, smtp), "From", "To", "Location ID")
	smtp.checkAddrs.SetChecked(true)
	smtp.proxy.SetSelected(proxyOnPremise)
	for name, l := range labels {
		if !sameColor(l.Color, fg) {
			t.Errorf("%s drawn disabled beside its enabled field", name)
		}
	}
	smtp.checkAddrs.SetChecked(false)
	if !sameColor(labels["From"].Color, dis) {
		t.Error("From drawn enabled beside its disabled field")
	}
}
