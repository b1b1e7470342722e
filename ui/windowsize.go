package ui

import "fyne.io/fyne/v2"

// Window sizes are remembered in the app's preferences: a plaintext file,
// fine for sizes and file paths, never for secrets.
const (
	prefLastKeystore = "keystore.lastPath"
)

// restoreSize gives w the size it had when last closed, or def.
func restoreSize(a fyne.App, w fyne.Window, key string, def fyne.Size) {
	p := a.Preferences()
	width := p.FloatWithFallback("window."+key+".width", float64(def.Width))
	height := p.FloatWithFallback("window."+key+".height", float64(def.Height))
	// A size saved on a larger screen must not hide the window's buttons
	// off a smaller one; nor may a broken value shrink it to nothing.
	if width < 400 || height < 300 || width > 4000 || height > 3000 {
		width, height = float64(def.Width), float64(def.Height)
	}
	w.Resize(fyne.NewSize(float32(width), float32(height)))
}

// saveSize remembers w's current size under key.
func saveSize(a fyne.App, w fyne.Window, key string) {
	s := w.Canvas().Size()
	if s.Width < 1 || s.Height < 1 {
		return
	}
	p := a.Preferences()
	p.SetFloat("window."+key+".width", float64(s.Width))
	p.SetFloat("window."+key+".height", float64(s.Height))
}
