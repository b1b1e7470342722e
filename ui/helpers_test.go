package ui

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
	_ "github.com/opsdesk/opsdesk/internal/cleanlocale" // no locale warning under LANG=C
)

const testPassword = "changeit"

// newTestHome builds the real Home on a headless test app.
func newTestHome(t *testing.T) *Home {
	t.Helper()
	a := test.NewTempApp(t)
	h := New(a, Options{})
	t.Cleanup(func() {
		if slices.Contains(a.Driver().AllWindows(), h.win) { // a test may have quit already
			h.win.Close()
		}
	})
	return h
}

// settle waits until every background job has shown its result: in tests
// fyne.Do runs at once on the worker, so this is when the widgets hold it.
func settle(t *testing.T, h *Home) {
	t.Helper()
	if !h.bg.wait(20 * time.Second) {
		t.Fatal("background work did not finish within 20s")
	}
}

// openKeystore opens path with the test password in the shared service.
func openKeystore(t *testing.T, h *Home, path string) {
	t.Helper()
	var openErr error
	h.keystore.open(func() (*keystore.Keystore, error) { return keystore.Open(path, []byte(testPassword)) },
		func(err error) { openErr = err })
	settle(t, h)
	if openErr != nil {
		t.Fatalf("open %s: %v", path, openErr)
	}
}

// newKeystore creates a keystore in a temporary folder holding certs
// under the given aliases.
func newKeystore(t testing.TB, entries map[string]*x509.Certificate) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keystore.jks")
	k, err := keystore.Create(path, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	var cands []keystore.Candidate
	for alias, c := range entries {
		cands = append(cands, keystore.Candidate{Cert: c, Alias: alias})
	}
	if len(cands) > 0 {
		res, err := k.AddCertificates(cands)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Outcome != keystore.Added {
				t.Fatalf("%s: %s %s", r.Alias, r.Outcome, r.Reason)
			}
		}
	}
	return path
}

// certValid makes a CA certificate named cn valid from notBefore to
// notAfter.
func certValid(t testing.TB, cn string, notBefore, notAfter time.Time) *x509.Certificate {
	tmpl := certtest.Template(pkix.Name{CommonName: cn, Organization: []string{"Opsdesk Test"}})
	tmpl.NotBefore, tmpl.NotAfter = notBefore, notAfter
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	return certtest.Sign(t, tmpl, certtest.ECKey(t), nil).Cert
}

// texts collects every text a user can read in o, walking containers,
// scrolls, splits, forms, accordions (open or not) and tabs.
func texts(o fyne.CanvasObject) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := plain(o).(type) {
		case nil:
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(v.Content)
		case *container.Split:
			walk(v.Leading)
			walk(v.Trailing)
		case *container.AppTabs:
			for _, it := range v.Items {
				out = append(out, it.Text)
				walk(it.Content)
			}
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *widget.Hyperlink:
			out = append(out, v.Text)
		case *widget.RichText:
			out = append(out, v.String())
		case *widget.Check:
			out = append(out, v.Text)
		case *widget.Form:
			for _, it := range v.Items {
				out = append(out, it.Text)
				walk(it.Widget)
			}
		case *widget.Accordion:
			for _, it := range v.Items {
				out = append(out, it.Title)
				walk(it.Detail)
			}
		case fyne.Widget:
			// Dialogs and other composite widgets: what they render.
			for _, c := range test.LaidOutObjects(v) {
				if c != o {
					switch plain(c).(type) {
					case *widget.Label, *widget.Button, *widget.Check:
						walk(c)
					}
				}
			}
		}
	}
	walk(o)
	return out
}

func joined(o fyne.CanvasObject) string { return strings.Join(texts(o), "\n") }

// plain is o as the widget it extends: keyButton, keyEntry and keyCheck
// are a Button, an Entry and a Check with the dialog keys.
func plain(o fyne.CanvasObject) fyne.CanvasObject {
	switch v := o.(type) {
	case *keyButton:
		return &v.Button
	case *keyEntry:
		return &v.Entry
	case *keyCheck:
		return &v.Check
	}
	return o
}

// overlayText is what the topmost dialog of w says.
func overlayText(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var out []string
	for _, o := range test.LaidOutObjects(top) {
		switch v := plain(o).(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *widget.Check:
			out = append(out, v.Text)
		case *widget.Entry:
			out = append(out, v.Text)
		case *widget.RadioGroup:
			out = append(out, v.Options...)
		case *widget.Form:
			for _, it := range v.Items {
				out = append(out, it.Text, it.HintText)
			}
		case *widget.Accordion:
			out = append(out, texts(v)...)
		}
	}
	return strings.Join(out, "\n")
}

// tapOverlayButton taps the button labelled text on w's topmost dialog.
func tapOverlayButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog open to tap %q on", text)
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := plain(o).(*widget.Button); ok && b.Text == text {
			if b.Disabled() {
				t.Fatalf("%q is disabled", text)
			}
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no button %q on the dialog:\n%s", text, overlayText(w))
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s does not say %q:\n%s", what, want, got)
		}
	}
}

func aliases(m *ksModel) []string {
	var out []string
	for _, r := range m.Rows {
		out = append(out, r.Entry.Alias)
	}
	return out
}

// problemShown is what the credential form says is wrong: beside the field
// at fault, or on the line below the form.
func (f *credentialForm) problemShown() string {
	s := f.why.Text
	for _, it := range f.items {
		s += it.HintText
	}
	return s
}
