// Package ui builds the Fyne windows. Domain logic lives in core/, which
// never imports Fyne, so everything here is presentation only.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Tile titles mirror the "Manage Security" section of SAP Cloud Integration's
// Operations View so users coming from there find their way.
const (
	TileSecurityMaterial  = "Security Material"
	TileKeystore          = "Keystore"
	TileConnectivityTests = "Connectivity Tests"
)

// tileSize makes the buttons read as tiles rather than a toolbar.
var tileSize = fyne.NewSize(220, 120)

// NewHome returns the main window. It is not shown, so callers (and tests)
// decide when.
func NewHome(a fyne.App) fyne.Window {
	w := a.NewWindow("Opsdesk")

	heading := widget.NewLabelWithStyle("Manage Security", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText

	tiles := container.NewGridWrap(tileSize,
		newTile(TileSecurityMaterial, theme.DocumentIcon()),
		newTile(TileKeystore, theme.StorageIcon()),
		newTile(TileConnectivityTests, theme.MailSendIcon()),
	)

	note := widget.NewLabel("These open in a later version of Opsdesk.")
	note.Importance = widget.LowImportance

	w.SetContent(container.NewPadded(container.NewVBox(heading, tiles, note)))
	w.Resize(fyne.NewSize(800, 500))
	return w
}

// newTile is disabled until the screen behind it exists, so nothing looks
// clickable that does nothing.
func newTile(title string, icon fyne.Resource) *widget.Button {
	b := widget.NewButtonWithIcon(title, icon, nil)
	b.Disable()
	return b
}
