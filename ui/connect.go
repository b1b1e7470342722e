package ui

import (
	"fmt"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/mailsetup"
	"github.com/opsdesk/opsdesk/core/problem"
)

// WindowConnect is the window's name in the Window menu and on Home.
const WindowConnect = "Connect a Mail Account"

// connectStep is one step of Connect a Mail Account: its content, and
// what Next (the primary button) does there.
type connectStep interface {
	content() fyne.CanvasObject
	// enter runs when the step is shown; forward when it was reached by
	// Next, not by Back or a "go back" button.
	enter(forward bool)
	// problem says why the primary button waits, "" when it does not.
	problem() string
	// primary is the primary button's label: "Next", "Add to Keystore"…
	primary() string
	// next is the primary action; it calls w.advance when the step is
	// done, perhaps after work in the background.
	next()
	// busy reports work under way (a test, a search, the keyring):
	// Back and the primary button wait for it.
	busy() bool
	// stop cancels that work.
	stop()
}

// connectWindow is "Overview / Connect a Mail Account": SAP's Gmail
// tutorial as one guided flow of six steps, from an e-mail address to what
// to enter in Cloud Integration. The rules are core/mailsetup's; the
// window gathers input, runs each step's work in the background, and
// shows it. Each step keeps what was typed when the user goes Back.
type connectWindow struct {
	app    fyne.App
	win    fyne.Window
	svc    *keystoreService
	bg     *background
	opener *keystoreOpener
	home   func()
	// store is Security Material, where the secret goes; nil until the
	// keyring is open.
	store securityMaterialStore
	// detector finds an address's settings; tests point it at loopback.
	detector mailsetup.Detector
	// connectTo, when set, is dialled in place of each server's host
	// (connectivity.Request.ConnectTo): tests reach mailtest.Host with it.
	connectTo string
	timeouts  connectivity.Timeouts
	tickEvery time.Duration // the elapsed time's clock; 0 in tests
	// openURL opens the OAuth2 sign-in page: the system browser.
	openURL func(u *url.URL) error
	// onClosed runs once the flow has ended (Done, or Cancel).
	onClosed func()
	// onStored runs after Security Material changed, for Home's tile
	// and the other windows' lists.
	onStored func()

	step     mailsetup.Step
	steps    map[mailsetup.Step]connectStep
	header   *widget.Label
	progress *widget.RichText
	body     *fyne.Container
	status   *widget.Label
	back     *widget.Button
	primary  *widget.Button
	cancel   *widget.Button
	stopKeys func()
	closed   bool

	// What the flow chose and did: for the next steps, Cancel and the
	// hand-over.
	account mailsetup.Account
	// storedCred is the credential this flow stored ("" while none);
	// stores counts how often it stored one, so that a refused sign-in
	// is known to be the secret stored last.
	storedCred string
	stores     int
	// added are the keystore entries this flow added; trusted are those
	// and the ones the keystore had already, for the hand-over.
	added, trusted []keystore.Result
	// firstResults are the first test's, one per server of the account.
	firstResults []*connectivity.Result
	// proposal is the Trust step's, made from firstResults' chains in the
	// first test's worker: completing the chain reads this computer's
	// trust store from disk.
	proposal mailsetup.TrustProposal

	address   *addressStep
	signIn    *signInStep
	firstTest *testStep
	trust     *trustStep
	proof     *testStep
	handOver  *handOverStep
}

func newConnectWindow(a fyne.App, svc *keystoreService, bg *background, home func(), store securityMaterialStore) *connectWindow {
	w := &connectWindow{app: a, svc: svc, bg: bg, home: home, store: store, tickEvery: time.Second, openURL: a.OpenURL,
		opener: &keystoreOpener{app: a, svc: svc}}
	w.win = a.NewWindow(WindowConnect + " – Opsdesk")
	w.address = newAddressStep(w)
	w.signIn = newSignInStep(w)
	w.firstTest = newTestStep(w, false)
	w.trust = newTrustStep(w)
	w.proof = newTestStep(w, true)
	w.handOver = newHandOverStep(w)
	w.steps = map[mailsetup.Step]connectStep{
		mailsetup.StepAddress: w.address, mailsetup.StepSignIn: w.signIn, mailsetup.StepFirstTest: w.firstTest,
		mailsetup.StepTrust: w.trust, mailsetup.StepProof: w.proof, mailsetup.StepHandOver: w.handOver,
	}

	w.header = heading("")
	w.header.SizeName = theme.SizeNameSubHeadingText
	w.progress = widget.NewRichText()
	w.body = container.NewStack()
	// What the primary button waits for: guidance more than an error,
	// so in the text's own colour.
	w.status = &widget.Label{Wrapping: fyne.TextWrapWord}
	w.back = &widget.Button{Text: "Back", Icon: theme.NavigateBackIcon(), OnTapped: w.onBack}
	w.primary = &widget.Button{Text: "Next", Icon: theme.NavigateNextIcon(), IconPlacement: widget.ButtonIconTrailingText,
		Importance: widget.HighImportance, OnTapped: w.onPrimary}
	w.cancel = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: w.onCancel}
	buttons := container.NewBorder(nil, nil, w.cancel, container.NewHBox(w.back, w.primary))
	top := container.NewVBox(breadcrumb(WindowConnect, home), w.header, w.progress, widget.NewSeparator())
	bottom := container.NewVBox(widget.NewSeparator(), w.status, buttons)
	w.win.SetContent(container.NewPadded(container.NewBorder(top, bottom, nil, nil, w.body)))
	restoreSize(a, w.win, "connect", fyne.NewSize(1000, 860))
	w.win.SetCloseIntercept(w.onCancel)
	// Enter is the primary button and Escape is Cancel, from every field,
	// as in a dialog; a dialog over the window takes them first.
	w.stopKeys = windowKeys(w.win.Canvas(), func() {
		if !w.primary.Disabled() {
			w.onPrimary()
		}
	}, w.onCancel)
	w.show(mailsetup.StepAddress, true)
	return w
}

// menu is the window's menu bar: the flow's buttons by keyboard.
func (w *connectWindow) menu() *fyne.MainMenu {
	return fyne.NewMainMenu(fyne.NewMenu("Connect",
		menuItem("Back", withAltKey(fyne.KeyLeft), func() {
			if !w.back.Disabled() {
				w.onBack()
			}
		}),
		fyne.NewMenuItemSeparator(),
		closeItem(w.onCancel),
	))
}

// setStore hands over Security Material once the keyring is open.
func (w *connectWindow) setStore(s securityMaterialStore) {
	w.store = s
	w.signIn.enter(false)
	w.refresh()
}

func (w *connectWindow) showWindow() {
	w.win.Show()
	w.win.RequestFocus()
}

// show makes step the current one.
//
// Work a step starts in the background is started last, after the window
// shows the step as it is then: its result may come back at once, and
// (in tests, whose driver runs fyne.Do on the worker) must not meet the
// UI thread still changing widgets. So enter refreshes the window itself,
// before it starts work, and nothing here follows it.
func (w *connectWindow) show(step mailsetup.Step, forward bool) {
	w.step = step
	s := w.steps[step]
	w.body.Objects = []fyne.CanvasObject{s.content()}
	w.body.Refresh()
	w.refresh()
	s.enter(forward)
}

// advance goes to the step after the current one.
func (w *connectWindow) advance() {
	if w.step < mailsetup.StepHandOver {
		w.show(w.step+1, true)
	}
}

// goBackTo shows an earlier step, as it was left.
func (w *connectWindow) goBackTo(step mailsetup.Step) {
	w.steps[w.step].stop()
	w.show(step, false)
}

// refresh shows the step's header and buttons as its state asks.
func (w *connectWindow) refresh() {
	if w.closed || w.primary == nil { // closed, or still being built
		return
	}
	w.header.SetText(fmt.Sprintf("Step %d of %d · %s", w.step, mailsetup.StepHandOver, w.step))
	w.progress.Segments = nil
	for st := mailsetup.StepAddress; st <= mailsetup.StepHandOver; st++ {
		style := widget.RichTextStyle{Inline: true, ColorName: theme.ColorNameForeground}
		switch {
		case st == w.step:
			style.TextStyle.Bold = true
			style.ColorName = theme.ColorNamePrimary
		case st > w.step:
			style.ColorName = theme.ColorNamePlaceHolder
		}
		text := fmt.Sprintf("%d %s", st, st)
		if st < mailsetup.StepHandOver {
			text += "   ›   "
		}
		w.progress.Segments = append(w.progress.Segments, &widget.TextSegment{Text: text, Style: style})
	}
	w.progress.Refresh()
	s := w.steps[w.step]
	why := s.problem()
	w.status.SetText(why)
	if why == "" {
		w.status.Hide()
	} else {
		w.status.Show()
	}
	w.primary.SetText(s.primary())
	setEnabled(w.primary, why == "" && !s.busy())
	setEnabled(w.back, w.step > mailsetup.StepAddress && !s.busy())
}

func (w *connectWindow) onPrimary() {
	s := w.steps[w.step]
	if s.busy() || s.problem() != "" {
		return
	}
	s.next() // it refreshes the window, before any work it starts (see show)
}

func (w *connectWindow) onBack() {
	if w.step > mailsetup.StepAddress {
		w.goBackTo(w.step - 1)
	}
}

// errNoSecurityMaterial: a test that signs in needs the credential.
var errNoSecurityMaterial = &problem.Error{What: "Security Material is not open, so the credential cannot be read",
	Hint: "Open it with its tile on Home, then test again."}

// credStore is Security Material as core's flow takes it; nil until the
// keyring is open.
func (w *connectWindow) credStore() *credentials.Store {
	s, _ := w.store.(*credentials.Store)
	return s
}

// changedSecurityMaterial tells Home that a credential was stored or
// removed.
func (w *connectWindow) changedSecurityMaterial() {
	if w.onStored != nil {
		w.onStored()
	}
}

// stepIntro is the sentence that opens a step: what it does, in words.
func stepIntro(text string) *widget.Label {
	return &widget.Label{Text: text, Wrapping: fyne.TextWrapWord}
}

// spacer keeps a row's buttons to their size at its start.
func leftRow(objs ...fyne.CanvasObject) *fyne.Container {
	return container.NewHBox(append(objs, layout.NewSpacer())...)
}
