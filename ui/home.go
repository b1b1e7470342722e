// Package ui builds the Fyne windows. Domain logic lives in core/, which
// never imports Fyne, so everything here is presentation only.
package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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
	// KeystorePath, when set, is opened at start: the Keystore window
	// comes up asking for its password.
	KeystorePath string
	// OpenOwnKeystore, when set, opens the app's own keystore (its
	// password kept in the keyring) in the background at start. Until
	// app/ wires it, the user opens or creates a .jks file instead.
	OpenOwnKeystore func() (*keystore.Keystore, error)
	// Credentials lists deployed User Credentials for the Connectivity
	// Tests' Credential Name. Nil until Security Material exists: the
	// user then types a user and password in its place.
	Credentials CredentialSource
}

// Home is the main window: the "Manage Security" tiles, each opening its
// window or bringing it forward. It owns what the windows share.
type Home struct {
	app      fyne.App
	win      fyne.Window
	opts     Options
	bg       *background
	keystore *KeystoreService

	ksWin   *keystoreWindow
	connWin *connectivityWindow
	smWin   *securityMaterialWindow
	smStore SecurityMaterialStore // nil until the keyring is open

	securityMaterial *tile
	keystoreTile     *tile
	connectivityTile *tile

	// ownOpening: the own keystore is being opened at start; files the app
	// was opened with wait in waiting until it is (OpenFiles).
	ownOpening bool
	waiting    []string
}

// NewHome returns the main window, not shown, so callers (and tests)
// decide when.
func NewHome(a fyne.App) fyne.Window { return New(a, Options{}).Window() }

// New builds the main window and the services its windows share.
func New(a fyne.App, opts Options) *Home {
	bg := &background{}
	h := &Home{app: a, opts: opts, bg: bg, keystore: newKeystoreService(bg)}
	h.win = a.NewWindow("Opsdesk")

	heading := widget.NewLabelWithStyle("Manage Security", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText

	// Security Material's window is being built on core/credentials: its
	// tile stays a disabled placeholder until EnableSecurityMaterial.
	h.securityMaterial = newTile(TileSecurityMaterial, theme.DocumentIcon(), nil)
	h.securityMaterial.setCount("–", "not available yet")
	h.keystoreTile = newTile(TileKeystore, theme.StorageIcon(), func() { h.ShowKeystore() })
	h.connectivityTile = newTile(TileConnectivityTests, theme.MailSendIcon(), func() { h.ShowConnectivity() })
	h.connectivityTile.setCount("4", "tests: TLS, SMTP, IMAP, POP3")

	tiles := container.NewGridWrap(tileSize, h.securityMaterial.obj, h.keystoreTile.obj, h.connectivityTile.obj)
	hint := widget.NewLabel("Drop certificate files here or on the Keystore window to import them.")
	hint.Importance = widget.LowImportance
	h.win.SetContent(container.NewPadded(container.NewVBox(heading, tiles, hint)))
	restoreSize(a, h.win, "home", fyne.NewSize(820, 420))
	h.win.SetMaster()
	h.win.SetMainMenu(h.withQuit(h.menu()))
	h.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { h.ShowKeystore().onDropped(uris) })
	h.win.SetOnClosed(h.onClosed)

	h.keystore.onChange(h.updateKeystoreTile)
	h.updateKeystoreTile()
	switch {
	case opts.KeystorePath != "":
		ks := h.ShowKeystore()
		ks.opener.askPassword(ks.win, opts.KeystorePath, "", func() {})
	case opts.OpenOwnKeystore != nil:
		h.ownOpening = true
		h.keystore.open(opts.OpenOwnKeystore, func(err error) {
			if err != nil {
				// The Keystore window then offers to open a file instead.
				fyne.LogError("open the app's own keystore", err)
			}
			h.ownOpening = false
			if files := h.waiting; files != nil {
				h.waiting = nil
				h.ShowKeystore().onDropped(toURIs(files))
			}
		})
	}
	if s, ok := opts.Credentials.(SecurityMaterialStore); ok {
		h.UseSecurityMaterial(s)
	}
	return h
}

// menu is Home's menu bar: each tile by keyboard, in the tiles' order.
// Fyne adds Quit (Ctrl+Q) to the first menu.
func (h *Home) menu() *fyne.MainMenu {
	tap := func(t *tile) func() {
		return func() {
			if t.enabled && t.button.OnTapped != nil {
				t.button.OnTapped()
			}
		}
	}
	return fyne.NewMainMenu(fyne.NewMenu("Opsdesk",
		menuItem(TileSecurityMaterial, withKey(fyne.Key1), tap(h.securityMaterial)),
		menuItem(TileKeystore, withKey(fyne.Key2), tap(h.keystoreTile)),
		menuItem(TileConnectivityTests, withKey(fyne.Key3), tap(h.connectivityTile)),
	))
}

// withQuit ends m's first menu with Quit and its Ctrl+Q (Fyne would add a
// Quit without a shortcut). It closes Home, whose onClosed remembers the
// window sizes and cancels running tests before the app ends.
func (h *Home) withQuit(m *fyne.MainMenu) *fyne.MainMenu {
	quit := menuItem("Quit", withKey(fyne.KeyQ), h.win.Close)
	quit.IsQuit = true
	first := m.Items[0]
	first.Items = append(first.Items, fyne.NewMenuItemSeparator(), quit)
	return m
}

// RetryOwnKeystore opens the app's own keystore when no keystore is open.
// Its password lives in the keyring, so when the keyring is unlocked after
// start (its password dialog cancelled, then the tile tapped), the
// keystore that could not open then can open now.
func (h *Home) RetryOwnKeystore() {
	if h.opts.OpenOwnKeystore == nil || h.keystore.Model() != nil {
		return
	}
	h.keystore.open(h.opts.OpenOwnKeystore, func(err error) {
		if err != nil {
			fyne.LogError("open the app's own keystore", err)
		}
	})
}

// Window is the main window.
func (h *Home) Window() fyne.Window { return h.win }

// ShowKeystore opens the Keystore window, or brings it forward.
func (h *Home) ShowKeystore() *keystoreWindow {
	if h.ksWin == nil {
		h.ksWin = newKeystoreWindow(h.app, h.keystore, h.bg, h.showHome)
		h.ksWin.win.SetMainMenu(h.withQuit(h.ksWin.menu()))
	}
	h.ksWin.show()
	return h.ksWin
}

// ShowConnectivity opens the Connectivity Tests window, or brings it
// forward.
func (h *Home) ShowConnectivity() *connectivityWindow {
	if h.connWin == nil {
		h.connWin = newConnectivityWindow(h.app, h.keystore, h.bg, h.showHome, h.opts.Credentials)
		h.connWin.win.SetMainMenu(h.withQuit(h.connWin.menu()))
		h.connWin.onResult = h.updateConnectivityTile
		h.connWin.newCredential = h.newCredential
	}
	h.connWin.show()
	return h.connWin
}

// OpenFiles takes files the app was opened with (a file manager's "Open
// with Opsdesk"): they go to the Keystore window as if dropped on it. While
// the own keystore is still opening (the keyring can take seconds), they
// wait for it: handed over at once, certificates met "No Keystore Open"
// and stayed there after the own keystore had opened beneath the dialog
// (seen in the Windows lane, whose Credential Manager under Wine is slow).
func (h *Home) OpenFiles(paths []string) {
	if h.ownOpening {
		h.ShowKeystore()
		h.waiting = append(h.waiting, paths...)
		return
	}
	h.ShowKeystore().onDropped(toURIs(paths))
}

// EnableSecurityMaterial is the hook for the Security Material window:
// it makes the tile open it. Until called, the tile stays disabled.
func (h *Home) EnableSecurityMaterial(open func()) {
	h.securityMaterial.button.OnTapped = open
	h.securityMaterial.setEnabled(open != nil)
	h.securityMaterial.setCount("–", "")
	h.securityMaterial.setAlerts() // a "Tap to unlock" from before no longer applies
}

// SetSecurityMaterialCount shows how many artifacts are deployed.
func (h *Home) SetSecurityMaterialCount(n int) {
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
	saveSizes(h.app, windows)
	h.keystore.close()
}

// tile is one tile of the Home screen: a button for tapping, focus and
// keyboard, with the title, the count and a few words drawn over it.
type tile struct {
	button  *widget.Button
	title   *widget.Label
	count   *widget.RichText // "8 entries": the number large
	alerts  *widget.RichText // "2 expire within 30 days · 1 expired", coloured
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

// setAlerts lists what needs attention, each in its theme colour.
func (t *tile) setAlerts(alerts ...alert) {
	t.alerts.Segments = nil
	for i, a := range alerts {
		text := a.text
		if i < len(alerts)-1 {
			text += " · "
		}
		t.alerts.Segments = append(t.alerts.Segments, &widget.TextSegment{Text: text,
			Style: widget.RichTextStyle{Inline: true, ColorName: a.color}})
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
func breadcrumb(page string, home func()) fyne.CanvasObject {
	return widget.NewRichText(
		&widget.HyperlinkSegment{Text: "Overview", OnTapped: home},
		&widget.TextSegment{Text: " / " + page, Style: widget.RichTextStyleInline},
	)
}
