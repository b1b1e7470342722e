// Package ui builds the Fyne windows. Domain logic lives in core/, which
// never imports Fyne, so everything here is presentation only.
package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// Tile titles mirror the "Manage Security" section of SAP Cloud Integration's
// Operations View so users coming from there find their way.
const (
	TileSecurityMaterial  = "Security Material"
	TileKeystore          = "Keystore"
	TileConnectivityTests = "Connectivity Tests"
)

// tileSize makes the buttons read as tiles rather than a toolbar.
var tileSize = fyne.NewSize(240, 150)

// Options is what app/ hands the windows.
type Options struct {
	// Keyring, when set, is the operating system's keyring to open at
	// start, in the background: Security Material lives there, and so does
	// the password of the app's own keystore, which opens with it. The
	// encrypted keyring file's password, where that is where secrets are
	// kept, is asked in a dialog on the main window.
	Keyring *credentials.Options
	// Log, when set, is told in one line what became of files the app
	// was opened with or that were dropped: offered for import into which
	// keystore, waiting for one, or not readable and why; and that the
	// app's own keystore was created. app/ prints it on standard error,
	// for a user who started Opsdesk in a terminal and for the test that
	// starts the real app with files.
	Log func(line string)
}

// services are what Home's windows are given: the app's own keystore and
// the deployed credentials. New makes them from Options.Keyring; tests
// hand in their own.
type services struct {
	// openOwnKeystore, when set, opens the app's own keystore in the
	// background at start; without it the user opens or creates a file.
	openOwnKeystore func() (*keystore.Keystore, error)
	// credentials lists deployed User Credentials for the Connectivity
	// Tests' Credential Name; nil until the keyring is open, when the
	// user types a user and password in its place.
	credentials credentialSource
}

// Home is the main window: the "Manage Security" tiles, each opening its
// window or bringing it forward. It owns what the windows share.
type Home struct {
	app      fyne.App
	win      fyne.Window
	opts     Options
	svcs     services
	bg       *background
	keystore *keystoreService

	ksWin   *keystoreWindow
	connWin *connectivityWindow
	mailWin *connectWindow // Connect a Mail Account, while its flow runs
	smWin   *securityMaterialWindow
	smStore securityMaterialStore // nil until the keyring is open

	securityMaterial *tile
	keystoreTile     *tile
	connectivityTile *tile
	hint             *widget.Label // what dropping does, or which files wait
	ownKeystoreErr   error         // why the app's own keystore did not open
}

const dropHint = "Drop certificate files here or on the Keystore window to import them."

// log tells Options.Log, when set.
func (h *Home) log(line string) {
	if h.opts.Log != nil {
		h.opts.Log(line)
	}
}

// New builds the main window, not shown, and the services its windows
// share, and starts opening the keyring and the app's own keystore in the
// background when opts.Keyring is set.
func New(a fyne.App, opts Options) *Home {
	if opts.Keyring == nil {
		return newHome(a, opts, services{})
	}
	k := &keyringOpener{opts: *opts.Keyring}
	var h *Home
	h = newHome(a, opts, services{openOwnKeystore: func() (*keystore.Keystore, error) {
		o, err := k.ownKeystore()
		if err != nil {
			return nil, err
		}
		if o.Created {
			h.log(fmt.Sprintf("created the app's keystore %s; its password is kept in %s", o.Path(), o.Where))
		}
		return o.Keystore, nil
	}})
	h.useKeyring(k)
	return h
}

func newHome(a fyne.App, opts Options, svcs services) *Home {
	bg := &background{}
	h := &Home{app: a, opts: opts, svcs: svcs, bg: bg, keystore: newKeystoreService(bg)}
	h.win = a.NewWindow("Opsdesk")

	heading := widget.NewLabelWithStyle("Manage Security", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText

	// The Security Material tile opens its window once the keyring is
	// open (useSecurityMaterial); until then it says why not.
	h.securityMaterial = newTile(TileSecurityMaterial, theme.DocumentIcon(), nil)
	h.securityMaterial.setCount("–", "not available")
	h.keystoreTile = newTile(TileKeystore, theme.StorageIcon(), func() { h.showKeystore() })
	h.connectivityTile = newTile(TileConnectivityTests, theme.MailSendIcon(), func() { h.showConnectivity() })
	h.connectivityTile.setCount("4", "tests: TLS, SMTP, IMAP, POP3")

	tiles := container.NewGridWrap(tileSize, h.securityMaterial.obj, h.keystoreTile.obj, h.connectivityTile.obj)
	h.hint = newHint(dropHint)
	h.win.SetContent(container.NewPadded(container.NewVBox(h.connectBanner(), heading, tiles, h.hint)))
	restoreSize(a, h.win, "home", fyne.NewSize(820, 420))
	h.win.SetMaster()
	h.win.SetMainMenu(h.menu())
	h.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { h.openURIs(uris) })
	h.win.SetOnClosed(h.onClosed)

	h.keystore.onChange(h.updateKeystoreTile)
	h.updateKeystoreTile()
	if svcs.openOwnKeystore != nil {
		h.keystore.open(svcs.openOwnKeystore, h.ownKeystoreOpened)
	}
	if s, ok := svcs.credentials.(securityMaterialStore); ok {
		h.useSecurityMaterial(s)
	}
	return h
}

// windowOverview is Home in the Window menu, named as the breadcrumbs'
// first link is.
const windowOverview = "Overview"

// menu is Home's menu bar: Quit, and the Window menu every window has.
func (h *Home) menu() *fyne.MainMenu {
	return h.menuFor(fyne.NewMainMenu(fyne.NewMenu("Opsdesk")), windowOverview)
}

// menuFor completes the menu bar m of the window named current: Quit at
// the end of its first menu, then the Window menu.
func (h *Home) menuFor(m *fyne.MainMenu, current string) *fyne.MainMenu {
	m = h.withQuit(m)
	m.Items = append(m.Items, h.windowMenu(current))
	return m
}

// windowMenu reaches every window from every window: Overview (Ctrl+0) and
// the tiles' windows (Ctrl+1–3, in the tiles' order), each opened as its
// tile opens it, so a locked or missing keyring is explained the same way
// and a disabled tile's item does nothing. The window it is in is checked.
func (h *Home) windowMenu(current string) *fyne.Menu {
	tap := func(t *tile) func() {
		return func() {
			if t.enabled && t.button.OnTapped != nil {
				t.button.OnTapped()
			}
		}
	}
	item := func(label string, key fyne.KeyName, action func()) *fyne.MenuItem {
		it := menuItem(label, withKey(key), action)
		it.Checked = label == current
		return it
	}
	return fyne.NewMenu("Window",
		item(windowOverview, fyne.Key0, h.showHome),
		item(TileSecurityMaterial, fyne.Key1, tap(h.securityMaterial)),
		item(TileKeystore, fyne.Key2, tap(h.keystoreTile)),
		item(TileConnectivityTests, fyne.Key3, tap(h.connectivityTile)),
		item(WindowConnect, fyne.Key4, func() { h.showConnect() }),
	)
}

// withQuit ends m's first menu with Quit and its Ctrl+Q (Fyne would add a
// Quit without a shortcut). It closes Home, whose onClosed remembers the
// window sizes and cancels running tests before the app ends.
func (h *Home) withQuit(m *fyne.MainMenu) *fyne.MainMenu {
	quit := menuItem("Quit", withKey(fyne.KeyQ), h.win.Close)
	quit.IsQuit = true
	first := m.Items[0]
	if len(first.Items) > 0 {
		first.Items = append(first.Items, fyne.NewMenuItemSeparator())
	}
	first.Items = append(first.Items, quit)
	return m
}

// retryOwnKeystore opens the app's own keystore when no keystore is open.
// Its password lives in the keyring, so when the keyring is unlocked after
// start (its password dialog cancelled, then the tile tapped), the
// keystore that could not open then can open now.
func (h *Home) retryOwnKeystore() {
	if h.svcs.openOwnKeystore == nil || h.keystore.Model() != nil || h.keystore.isOpening() {
		return
	}
	h.keystore.open(h.svcs.openOwnKeystore, h.ownKeystoreOpened)
}

// ownKeystoreOpened remembers why the app's own keystore did not open, so
// that the Keystore window, asking for another one, can say so.
func (h *Home) ownKeystoreOpened(err error) {
	h.ownKeystoreErr = err
	if err != nil {
		// The Keystore window then offers to open a file instead.
		fyne.LogError("open the app's own keystore", err)
	}
	if h.ksWin != nil {
		h.ksWin.ownProblem = h.ownProblem()
	}
}

// ownProblem is the sentence about the app's own keystore not opening, or
// "" when it did or there is none.
func (h *Home) ownProblem() string {
	if h.ownKeystoreErr == nil {
		return ""
	}
	sentence, _ := explained(h.ownKeystoreErr)
	return "The app's own keystore did not open: " + sentence
}

// Window is the main window.
func (h *Home) Window() fyne.Window { return h.win }

// showKeystore opens the Keystore window, or brings it forward.
func (h *Home) showKeystore() *keystoreWindow {
	if h.ksWin == nil {
		h.ksWin = newKeystoreWindow(h.app, h.keystore, h.bg, h.showHome)
		h.ksWin.log = h.log
		h.ksWin.ownProblem = h.ownProblem()
		h.ksWin.win.SetMainMenu(h.menuFor(h.ksWin.menu(), TileKeystore))
	}
	h.ksWin.show()
	return h.ksWin
}

// showConnectivity opens the Connectivity Tests window, or brings it
// forward.
func (h *Home) showConnectivity() *connectivityWindow {
	if h.connWin == nil {
		h.connWin = newConnectivityWindow(h.app, h.keystore, h.bg, h.showHome, h.svcs.credentials)
		h.connWin.win.SetMainMenu(h.menuFor(h.connWin.menu(), TileConnectivityTests))
		h.connWin.onResult = h.updateConnectivityTile
		h.connWin.newCredential = h.newCredential
	}
	h.connWin.show()
	return h.connWin
}

// OpenFiles takes files the app was opened with (a file manager's "Open
// with Opsdesk"): they go to the Keystore window as if dropped on it.
func (h *Home) OpenFiles(paths []string) { h.openURIs(toURIs(paths)) }

// openURIs offers files to the keystore. While the app's own keystore is
// still opening (at start, off the UI thread; its password may wait for
// the keyring file's dialog, shown on this window), they wait here, Home
// says which, and the Keystore window comes up with them once it is open,
// or once opening failed, when that window asks for another keystore.
func (h *Home) openURIs(uris []fyne.URI) {
	if !h.keystore.isOpening() {
		h.showKeystore().onDropped(uris)
		return
	}
	names := uriNames(uris)
	h.log(fmt.Sprintf("%s: waiting for the keystore to open", strings.Join(names, ", ")))
	h.hint.SetText(fmt.Sprintf("Opening the keystore to import %s…", strings.Join(names, ", ")))
	h.keystore.whenSettled(func() {
		h.hint.SetText(dropHint)
		h.showKeystore().onDropped(uris)
	})
}

// uriNames are the files' base names, as dialogs name them.
func uriNames(uris []fyne.URI) []string {
	out := make([]string, 0, len(uris))
	for _, u := range uris {
		if u != nil {
			out = append(out, filepath.Base(u.Path()))
		}
	}
	return out
}

// enableSecurityMaterial makes the Security Material tile run open when
// tapped: open the window, explain why the keyring is unavailable, or ask
// to unlock it.
func (h *Home) enableSecurityMaterial(open func()) {
	h.securityMaterial.button.OnTapped = open
	h.securityMaterial.setEnabled(open != nil)
	h.securityMaterial.setCount("–", "")
	h.securityMaterial.setAlerts() // a "Tap to unlock" from before no longer applies
}

// setSecurityMaterialCount shows how many artifacts are deployed.
func (h *Home) setSecurityMaterialCount(n int) {
	h.securityMaterial.setCount(fmt.Sprint(n), "deployed")
}

func (h *Home) showHome() {
	h.win.Show()
	h.win.RequestFocus()
}

func (h *Home) updateKeystoreTile() {
	m := h.keystore.Model()
	t := h.keystoreTile
	if m == nil {
		t.setCount("–", "no keystore open")
		t.setAlerts()
		return
	}
	word := "entries"
	if len(m.Rows) == 1 {
		word = "entry"
	}
	t.setCount(fmt.Sprint(len(m.Rows)), word)
	var alerts []alert
	if m.Soon > 0 {
		verb := "expire"
		if m.Soon == 1 {
			verb = "expires"
		}
		alerts = append(alerts, alert{fmt.Sprintf("%d %s within 30 days", m.Soon, verb), theme.ColorNameWarning})
	}
	if m.Expired > 0 {
		alerts = append(alerts, alert{fmt.Sprintf("%d expired", m.Expired), theme.ColorNameError})
	}
	t.setAlerts(alerts...)
}

func (h *Home) updateConnectivityTile(summary string, ok bool) {
	color := theme.ColorNameSuccess
	if !ok {
		color = theme.ColorNameError
	}
	h.connectivityTile.setAlerts(alert{summary, color})
}

// onClosed runs when the app quits: remember window sizes and forget the
// keystore password.
func (h *Home) onClosed() {
	windows := map[string]fyne.Window{"home": h.win}
	if h.ksWin != nil {
		windows["keystore"] = h.ksWin.win
	}
	if h.smWin != nil {
		windows["securitymaterial"] = h.smWin.win
	}
	if h.connWin != nil {
		h.connWin.cancelAll()
		windows["connectivity"] = h.connWin.win
	}
	if h.mailWin != nil {
		h.mailWin.stopAll()
		windows["connect"] = h.mailWin.win
	}
	saveSizes(h.app, windows)
	h.keystore.close()
}

// tile is one tile of the Home screen: a button for tapping, focus and
// keyboard, with the title, the count and a few words drawn over it.
type tile struct {
	button  *widget.Button
	title   *widget.Label
	count   *widget.RichText // "8 entries": the number large
	alerts  *widget.RichText // "2 expire within 30 days", "1 expired": a line each, coloured
	enabled bool
	obj     fyne.CanvasObject
}

func newTile(title string, icon fyne.Resource, tapped func()) *tile {
	t := &tile{button: &widget.Button{OnTapped: tapped}}
	t.title = widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.count = widget.NewRichText()
	t.alerts = widget.NewRichText()
	t.alerts.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewIcon(icon), nil, t.title),
		t.count, t.alerts)
	t.obj = container.NewStack(t.button, body)
	t.setEnabled(tapped != nil)
	return t
}

// setCount shows the tile's number, large, followed by what it counts.
func (t *tile) setCount(count, detail string) {
	color := theme.ColorNameForeground
	if !t.enabled {
		color = theme.ColorNameDisabled
	}
	t.count.Segments = []widget.RichTextSegment{
		&widget.TextSegment{Text: count, Style: widget.RichTextStyle{Inline: true, SizeName: theme.SizeNameHeadingText, ColorName: color}},
		&widget.TextSegment{Text: "  " + detail, Style: widget.RichTextStyle{Inline: true, ColorName: color}},
	}
	t.count.Refresh()
}

// setAlerts lists what needs attention, each in its theme colour and on a
// line of its own: run on in one line, the tile's width broke them between
// a number and its word ("… · 1" above "expired").
func (t *tile) setAlerts(alerts ...alert) {
	t.alerts.Segments = nil
	for _, a := range alerts {
		t.alerts.Segments = append(t.alerts.Segments, &widget.TextSegment{Text: a.text,
			Style: widget.RichTextStyle{ColorName: a.color}})
	}
	t.alerts.Refresh()
}

type alert struct {
	text  string
	color fyne.ThemeColorName
}

// text is what the tile says, for tests and screen readers alike.
func (t *tile) text() string {
	return t.title.Text + "\n" + t.count.String() + "\n" + t.alerts.String()
}

// setEnabled greys the whole tile with its button, so nothing looks
// clickable that does nothing.
func (t *tile) setEnabled(on bool) {
	t.enabled = on
	setEnabled(t.button, on)
	t.title.Importance = widget.MediumImportance
	if !on {
		t.title.Importance = widget.LowImportance
	}
	t.title.Refresh()
}

// breadcrumb is the tenant's "Overview / Page" line; Overview brings the
// Home window forward.
// newHint is a line that says what to do, or what is going on, set apart
// in italics. Not in LowImportance: Fyne draws that in the disabled
// colour, which the light theme makes almost white on white.
func newHint(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.TextStyle.Italic = true
	return l
}

func breadcrumb(page string, home func()) fyne.CanvasObject {
	return widget.NewRichText(
		&widget.HyperlinkSegment{Text: "Overview", OnTapped: home},
		&widget.TextSegment{Text: " / " + page, Style: widget.RichTextStyleInline},
	)
}
