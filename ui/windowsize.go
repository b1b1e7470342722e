package ui

import (
	"encoding/json"

	"fyne.io/fyne/v2"
)

// Window sizes are remembered in the app's preferences: a plaintext file,
// fine for sizes and file paths, never for secrets.
const (
	prefLastKeystore = "keystore.lastPath"
	// prefWindowSizes holds every window's size in one value, written
	// with one Set: Fyne saves the first change at once and defers the
	// changes that follow within 100 ms to a goroutine that an ending app
	// never runs, so sizes written one by one as the app quits were lost
	// but for the first.
	prefWindowSizes = "window.sizes"
)

// windowSizes is prefWindowSizes decoded: width and height by window.
type windowSizes map[string][2]float32

func loadSizes(a fyne.App) windowSizes {
	sizes := windowSizes{}
	if s := a.Preferences().String(prefWindowSizes); s != "" {
		_ = json.Unmarshal([]byte(s), &sizes) // a broken value: the defaults
	}
	return sizes
}

// restoreSize gives w the size it had when last closed, or def, and
// centres it on the screen for its first showing: left to place itself,
// a window opened at the top left corner wherever the desktop does not
// choose (an X server without a window manager, some desktops), every
// window on top of the last. Fyne has no way to read or set a
// window's position, so none is remembered across runs; within one, Fyne
// shows a hidden window again where it was, wherever the user moved it.
func restoreSize(a fyne.App, w fyne.Window, key string, def fyne.Size) {
	defer w.CenterOnScreen() // after Resize: the centre depends on the size
	size := def
	if s, ok := loadSizes(a)[key]; ok {
		// A size saved on a larger screen must not hide the window's
		// buttons off a smaller one; nor may a broken value shrink it
		// to nothing.
		if s[0] >= 400 && s[1] >= 300 && s[0] <= 4000 && s[1] <= 3000 {
			size = fyne.NewSize(s[0], s[1])
		}
	}
	w.Resize(size)
}

// saveSizes remembers the current size of each window, by key, in one
// write.
func saveSizes(a fyne.App, windows map[string]fyne.Window) {
	sizes := loadSizes(a)
	for key, w := range windows {
		if s := w.Canvas().Size(); s.Width >= 1 && s.Height >= 1 {
			sizes[key] = [2]float32{s.Width, s.Height}
		}
	}
	if b, err := json.Marshal(sizes); err == nil {
		a.Preferences().SetString(prefWindowSizes, string(b))
	}
}

// saveSize remembers w's current size under key.
func saveSize(a fyne.App, w fyne.Window, key string) {
	saveSizes(a, map[string]fyne.Window{key: w})
}
