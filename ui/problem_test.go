package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/problem"
)

func TestErrorsAreSentencesWithTheDetailOneClickAway(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(800, 600))

	showError("Add Keystore", &problem.Error{Source: "partner.p12", What: "is damaged and cannot be read",
		Hint: "Export the PKCS#12 file again.", Detail: "pkcs12: error reading P12 data: asn1: structure error"}, w)
	got := overlayText(w)
	mustContain(t, "problem dialog", got, `"partner.p12" is damaged and cannot be read. Export the PKCS#12 file again.`, "Technical Detail")
	var fold *widget.Accordion
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if a, ok := o.(*widget.Accordion); ok {
			fold = a
		}
	}
	if fold == nil || fold.Items[0].Open || !strings.Contains(joined(fold.Items[0].Detail), "asn1: structure error") {
		t.Error("the technical detail is not kept one click away")
	}
	tapOverlayButton(t, w, "Close")

	showError("Back Up", fmt.Errorf("write backup: %w", errors.New("no space left on device")), w)
	mustContain(t, "plain error", overlayText(w), "Try again", "Technical Detail")
}

func TestWindowsRememberTheirSize(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("x")
	restoreSize(a, w, "k", fyne.NewSize(900, 600))
	if s := w.Canvas().Size(); s.Width != 900 || s.Height != 600 {
		t.Fatalf("default size %v", s)
	}
	w.Resize(fyne.NewSize(1000, 700))
	saveSize(a, w, "k")
	w2 := a.NewWindow("y")
	restoreSize(a, w2, "k", fyne.NewSize(900, 600))
	if s := w2.Canvas().Size(); s.Width != 1000 || s.Height != 700 {
		t.Errorf("restored size %v", s)
	}
	// Several windows in one write, each keeping its own size. One write
	// matters: the real app saves the first change at once and loses
	// the ones that follow within 100 ms when it is ending.
	w2.Resize(fyne.NewSize(1100, 800))
	writes := 0
	a.Preferences().AddChangeListener(func() { writes++ })
	saveSizes(a, map[string]fyne.Window{"k": w, "other": w2, "third": a.NewWindow("t")})
	if writes != 1 {
		t.Errorf("saving three sizes made %d preference changes, want 1", writes)
	}
	w3 := a.NewWindow("z")
	restoreSize(a, w3, "other", fyne.NewSize(900, 600))
	if s := w3.Canvas().Size(); s.Width != 1100 || s.Height != 800 {
		t.Errorf("restored other %v", s)
	}
	restoreSize(a, w3, "k", fyne.NewSize(900, 600))
	if s := w3.Canvas().Size(); s.Width != 1000 || s.Height != 700 {
		t.Errorf("restored k %v", s)
	}
	for _, broken := range []string{`{"k":[5,5]}`, `{"k":[99999,700]}`, `not json`} { // a tiny screen, a huge one, damage
		a.Preferences().SetString(prefWindowSizes, broken)
		restoreSize(a, w3, "k", fyne.NewSize(900, 600))
		if s := w3.Canvas().Size(); s.Width != 900 || s.Height != 600 {
			t.Errorf("%s restored %v", broken, s)
		}
	}
}

// fakeCredentials stands in for Security Material's deployed credentials.
type fakeCredentials map[string][2]string

func (f fakeCredentials) Names() ([]string, error) {
	var out []string
	for n := range f {
		out = append(out, n)
	}
	return out, nil
}

func (f fakeCredentials) Lookup(name string) (string, []byte, error) {
	c, ok := f[name]
	if !ok {
		return "", nil, &problem.Error{What: "No credential named " + name}
	}
	return c[0], []byte(c[1]), nil
}

// TestCredentialNameDropDown is the hook Security Material plugs into:
// with a credentialSource, Credential Name is a drop-down of its names.
func TestCredentialNameDropDown(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN"}, User: mailUser, Password: mailPassword})
	a := test.NewTempApp(t)
	h := newHome(a, Options{}, services{credentials: fakeCredentials{"Gmail": {mailUser, mailPassword}}})
	defer h.win.Close()
	c := connectivityFor(t, h)
	settle(t, h) // the names are fetched in the background
	tab := c.tab(connectivity.SMTP)
	if tab.cred.name == nil || len(tab.cred.name.Options) != 1 {
		t.Fatal("no drop-down of deployed credentials")
	}
	test.Type(tab.host, mailtest.Host)
	tab.port.SetText(strconv.Itoa(port))
	tab.auth.SetSelected("Plain User/Password")
	tab.verify.SetChecked(false)
	if !tab.send.Disabled() || tab.status.Text != "Choose a Credential Name." {
		t.Errorf("Send without a credential chosen: %q", tab.status.Text)
	}
	tab.cred.name.SetSelected("Gmail")
	mustContain(t, "response", send(t, h, tab), "Authentication: Successful")
}
