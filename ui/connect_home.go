package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// connectBanner is Home's way into Connect a Mail Account, above the
// tiles: the whole tutorial in one flow is where a new user starts.
func (h *Home) connectBanner() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(WindowConnect, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameSubHeadingText
	text := &widget.Label{Text: "From an e-mail address to what to enter in Cloud Integration: Opsdesk finds the servers, " +
		"stores the password, tests, trusts the right certificates and proves it works.", Wrapping: fyne.TextWrapWord}
	btn := &widget.Button{Text: WindowConnect + "…", Icon: theme.MailComposeIcon(), Importance: widget.HighImportance,
		OnTapped: func() { h.showConnect() }}
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNamePrimary), 0x20))
	bg.CornerRadius = theme.InputRadiusSize()
	// The text at a width of its own: a wrapping label measured before
	// the window has one is tall, and made Home open half empty.
	body := container.NewBorder(nil, nil, widget.NewIcon(theme.MailComposeIcon()), container.NewCenter(btn),
		container.NewVBox(title, container.New(&minWidthLayout{width: 420}, text)))
	return container.NewStack(bg, container.NewPadded(body))
}

// showConnect opens Connect a Mail Account, or brings its flow forward.
func (h *Home) showConnect() *connectWindow {
	if h.mailWin == nil {
		w := newConnectWindow(h.app, h.keystore, h.bg, h.showHome, h.smStore)
		w.win.SetMainMenu(h.menuFor(w.menu(), WindowConnect))
		w.onClosed = func() {
			if h.mailWin == w {
				h.mailWin = nil
			}
		}
		w.onStored = func() {
			if h.smWin != nil {
				h.smWin.reload()
			} else if h.smStore != nil {
				h.countSecurityMaterial()
			}
			if h.connWin != nil {
				h.connWin.reloadCredentials(nil)
			}
		}
		h.mailWin = w
	}
	h.mailWin.showWindow()
	return h.mailWin
}
