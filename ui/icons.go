package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// lockSVG is Material Design's "lock" icon (Apache 2.0, the set Fyne's own
// icons come from): Fyne has no lock, and the Keystore page marks
// SAP-owned entries with one.
const lockSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#000000" d="M18 8h-1V6c0-2.76-2.24-5-5-5S7 3.24 7 6v2H6c-1.1 0-2 .9-2 2v10c0 1.1.9 2 2 2h12c1.1 0 2-.9 2-2V10c0-1.1-.9-2-2-2zm-6 9c-1.1 0-2-.9-2-2s.9-2 2-2 2 .9 2 2-.9 2-2 2zm3.1-9H8.9V6c0-1.71 1.39-3.1 3.1-3.1 1.71 0 3.1 1.39 3.1 3.1v2z"/></svg>`

// lockIcon follows the theme's foreground colour, light or dark.
var lockIcon fyne.Resource = theme.NewThemedResource(fyne.NewStaticResource("lock.svg", []byte(lockSVG)))
