package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// connectivityWindow is "Overview / Test Connectivity": a tab per protocol
// (TLS, SMTP, IMAP, POP3), each with the tenant's Request form, Send and
// Cancel, and its Response.
type connectivityWindow struct {
	app    fyne.App
	win    fyne.Window
	svc    *keystoreService
	bg     *background
	opener *keystoreOpener
	home   func()
	creds  credentialSource

	tabs    *container.AppTabs
	byProto map[connectivity.Protocol]*connTab

	// connectTo, when set, is the address every test connects to while
	// certificates are still checked for the host typed: tests reach a
	// server whose certificate is for mailtest.Host on loopback with it.
	connectTo string
	timeouts  connectivity.Timeouts
	// tickEvery is how often a running test's elapsed time is updated;
	// 0 stops the clock (tests update it themselves).
	tickEvery time.Duration
	// newCredential, when set, opens the Create User Credentials form on
	// parent and calls done with the name deployed.
	newCredential func(parent fyne.Window, typ credentials.Type, done func(name string))
	// onResult gets a few words about each finished test, for the tile.
	onResult func(summary string, ok bool)
}

func newConnectivityWindow(a fyne.App, svc *keystoreService, bg *background, home func(), creds credentialSource) *connectivityWindow {
	w := &connectivityWindow{app: a, svc: svc, bg: bg, home: home, creds: creds, tickEvery: time.Second,
		opener: &keystoreOpener{app: a, svc: svc}, byProto: map[connectivity.Protocol]*connTab{}}
	w.win = a.NewWindow("Connectivity Tests – Opsdesk")
	w.tabs = container.NewAppTabs()
	for _, p := range []connectivity.Protocol{connectivity.TLS, connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		t := newConnTab(w, p)
		w.byProto[p] = t
		w.tabs.Append(container.NewTabItem(string(p), t.content()))
	}
	w.tabs.SelectIndex(1) // SMTP: where the Gmail tutorial starts
	w.win.SetContent(container.NewPadded(container.NewBorder(breadcrumb("Test Connectivity", home), nil, nil, nil, w.tabs)))
	restoreSize(a, w.win, "connectivity", fyne.NewSize(1240, 760))
	w.win.SetCloseIntercept(w.hide)
	svc.onChange(w.onKeystoreChanged)
	w.onKeystoreChanged()
	return w
}

// menu is the window's menu bar: Send and Cancel for the tab in front, and
// a shortcut per tab, so a test can be run without the mouse. The tabs take
// Alt+1–4 (Option on macOS), because Ctrl+1–3 open the windows in every
// window, and Cmd+Shift+3 and 4 are macOS's screenshot keys.
func (w *connectivityWindow) menu() *fyne.MainMenu {
	current := func() *connTab { return w.byProto[connectivity.Protocol(w.tabs.Selected().Text)] }
	test := fyne.NewMenu("Test",
		menuItem("Send", withKey(fyne.KeyReturn), func() { current().onSend() }),
		menuItem("Cancel", withKey(fyne.KeyPeriod), func() { current().onCancel() }),
		fyne.NewMenuItemSeparator(),
	)
	for i, p := range []connectivity.Protocol{connectivity.TLS, connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		test.Items = append(test.Items, menuItem(string(p), withAltKey(fyne.KeyName(rune('1'+i))), func() {
			w.tabs.SelectIndex(i)
			w.win.Canvas().Focus(w.byProto[p].host)
		}))
	}
	test.Items = append(test.Items, fyne.NewMenuItemSeparator(), closeItem(w.hide))
	return fyne.NewMainMenu(test)
}

// hide is closing the window: it keeps its tests and comes back as it was.
func (w *connectivityWindow) hide() {
	saveSize(w.app, w.win, "connectivity")
	w.win.Hide()
}

// tab returns the tab of protocol p.
func (w *connectivityWindow) tab(p connectivity.Protocol) *connTab { return w.byProto[p] }

func (w *connectivityWindow) show() {
	w.reloadCredentials(nil)
	w.win.Show()
	w.win.RequestFocus()
}

// onKeystoreChanged offers the keystore's key pairs to the TLS tab.
func (w *connectivityWindow) onKeystoreChanged() {
	if t := w.byProto[connectivity.TLS]; t != nil && t.clientAlias != nil {
		t.clientAlias.SetOptions(w.svc.keyPairs())
		t.selectWantedAlias()
	}
}

// cancelAll stops every running test: the app is quitting.
func (w *connectivityWindow) cancelAll() {
	for _, t := range w.byProto {
		if t.stop != nil {
			t.stop()
		}
	}
}

// onSend runs the tab's test off the UI thread. The Response panel is
// cleared at once and says what runs, for how long, with Cancel, until
// the result is shown.
func (t *connTab) onSend() {
	if t.stop != nil {
		return
	}
	// The port the test uses is the one Port shows, with the Protection
	// it asks for, as leaving the fields would have set them.
	t.takePortFromHost()
	t.followPort()
	if t.validate() != "" {
		return
	}
	req := t.request()
	req.Trusted = t.w.svc.trusted()
	var fill func(*connectivity.Request) error
	if t.cred != nil && req.Auth != connectivity.AuthNone {
		fill = t.cred.capture()
	}
	clientAlias := ""
	if t.clientCert != nil && t.clientCert.Checked {
		clientAlias = t.clientAlias.Selected
	}
	ctx, stop := context.WithCancel(context.Background())
	t.stop = stop
	target := fmt.Sprintf("%s:%d", req.Host, req.Port)
	t.setRunning(true, "Testing "+target+"…")
	t.resp.start(target, req.Timeouts.WithDefaults().Total)
	svc := t.w.svc
	t.w.bg.run(func() func() {
		defer stop()
		err := prepare(&req, fill, clientAlias, svc)
		if err != nil {
			clear(req.Password)
			return func() {
				t.setRunning(false, "")
				t.resp.clear()
				showError("Send", err, t.w.win)
			}
		}
		res := connectivity.Run(ctx, req)
		clear(req.Password)
		return func() {
			t.setRunning(false, "")
			t.resp.show(res)
			if t.w.onResult != nil {
				t.w.onResult(summary(res), res.OK())
			}
		}
	})
}

// prepare fills in what a worker must fetch: the credential (from the
// keyring, later) and the client certificate's key from the keystore.
func prepare(req *connectivity.Request, fill func(*connectivity.Request) error, clientAlias string, svc *keystoreService) error {
	if fill != nil {
		if err := fill(req); err != nil {
			return err
		}
	}
	if clientAlias == "" {
		return nil
	}
	return svc.use(func(k *keystore.Keystore) error {
		cert, err := k.TLSCertificate(clientAlias, nil)
		if err == nil {
			req.ClientCert = &cert
		}
		return err
	})
}

func (t *connTab) onCancel() {
	stop := t.stop
	if stop == nil {
		return
	}
	// The form first, then the cancel: the result may come back at once.
	t.cancel.Disable()
	t.status.SetText("Cancelling…")
	t.resp.cancelling()
	stop()
}

// setRunning switches between a running test and a form ready to send.
func (t *connTab) setRunning(on bool, status string) {
	t.status.SetText(status)
	if on {
		t.send.Disable()
		t.cancel.Enable()
		t.activity.Show()
		t.activity.Start()
		t.stopClock = t.startClock()
		return
	}
	t.stop = nil
	if t.stopClock != nil {
		t.stopClock()
		t.stopClock = nil
	}
	t.activity.Stop()
	t.activity.Hide()
	t.cancel.Disable()
	t.validate()
}

// startClock updates the running test's elapsed time every tickEvery on
// the UI thread, until the returned function is called.
func (t *connTab) startClock() (stop func()) {
	return startTicker(t.w.tickEvery, func() {
		if t.stop != nil { // not yet shown: the result has not come
			t.resp.tick()
		}
	})
}

// startTicker runs tick on the UI thread every every, until the returned
// function is called; every <= 0 never ticks (tests tick by hand: the
// test driver runs fyne.Do on the ticking goroutine, beside the test's).
func startTicker(every time.Duration, tick func()) (stop func()) {
	if every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		tk := time.NewTicker(every)
		defer tk.Stop()
		for {
			select {
			case <-done:
				return
			case <-tk.C:
				fyne.Do(tick)
			}
		}
	}()
	return sync.OnceFunc(func() { close(done) })
}

// summary is the Home tile's line about the last test, by the verdict's
// rule.
func summary(r *connectivity.Result) string {
	verdict := map[connectivity.Level]string{connectivity.Passed: "passed", connectivity.Failed: "failed",
		connectivity.Cancelled: "cancelled"}[r.Verdict().Level]
	return fmt.Sprintf("Last test: %s %s:%d %s", r.Protocol, r.Host, r.Port, verdict)
}

// onAddToKeystore lists the chain's certificates, each with its suggested
// alias and fingerprint, and adds the checked ones to the shared keystore.
func (w *connectivityWindow) onAddToKeystore(r *connectivity.Result) {
	w.opener.ensure(w.win, "The server's certificates go into a keystore.", func() {
		d := newImportDialog("Add to Keystore", chainBatch(r), w.svc.Model(), w.win, func(cands []keystore.Candidate) {
			addCertificates(w.svc, "Add to Keystore", cands, w.win)
		})
		d.show()
	}, nil)
}

// onSaveChain saves the chain as the tenant's download icon does: a .zip
// of .cer files, named after each certificate's CN.
func (w *connectivityWindow) onSaveChain(r *connectivity.Result) { saveChain(w.win, w.svc, r) }

// saveChain saves a result's chain as a .zip of .cer files, from parent.
func saveChain(parent fyne.Window, svc *keystoreService, r *connectivity.Result) {
	data, err := connectivity.ChainZip(r.Chain)
	if err != nil {
		showError("Download", err, parent)
		return
	}
	saveBytes(parent, svc, "Download", "certificates.zip", data)
}

// reloadCredentials fills every tab's Credential Name drop-down again,
// then runs then (if any) on the UI thread.
func (w *connectivityWindow) reloadCredentials(then func()) {
	var fields []*credentialField
	for _, t := range w.byProto {
		if t.cred != nil {
			fields = append(fields, t.cred)
		}
	}
	reloadCredentials(w.creds, fields, w.bg, then)
}

// setCredentials switches Credential Name to the drop-down of src's
// credentials once the keyring is open.
func (w *connectivityWindow) setCredentials(src credentialSource) {
	w.creds = src
	for _, t := range w.byProto {
		if t.cred != nil {
			t.cred.setSource(src)
			t.validate()
		}
	}
	w.reloadCredentials(nil)
}

// onNewCredential is New… beside Credential Name: the Create User
// Credentials form, and the new credential chosen once deployed.
func (w *connectivityWindow) onNewCredential(c *credentialField) {
	if w.newCredential == nil {
		return
	}
	typ := credentials.UserCredentials
	if c.oauth {
		typ = credentials.OAuth2AuthorizationCode
	}
	w.newCredential(w.win, typ, func(name string) {
		w.reloadCredentials(func() {
			if c.name != nil {
				c.name.SetSelected(name)
			}
		})
	})
}

// onProposeOAuth2 answers a password refused because the server takes
// passwords no more: the OAuth2 form, then the tab switched to OAuth2 with
// the new credential chosen (to be authorized in Security Material).
func (w *connectivityWindow) onProposeOAuth2(t *connTab) {
	if w.newCredential == nil || t.auth == nil {
		return
	}
	w.newCredential(w.win, credentials.OAuth2AuthorizationCode, func(name string) {
		t.auth.SetSelected(string(connectivity.AuthOAuth2))
		w.reloadCredentials(func() {
			if t.cred.name != nil {
				t.cred.name.SetSelected(name)
			}
		})
	})
}
