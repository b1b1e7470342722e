package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
)

// localPath is the file a file: URI names, spelt as this operating system
// spells paths. Fyne's URIs use forward slashes everywhere, so on Windows
// a dropped or chosen file came back as "C:/Users/…": shown that way in
// messages, and not the same string as the path a command or "Open with"
// gives for the same file.
func localPath(u fyne.URI) string { return filepath.FromSlash(u.Path()) }

// displayPath is how a file's location is shown: under the home folder as
// "~/…" on Linux and macOS, where users know that spelling, so the part
// that tells files apart is what fits on screen. Windows users know full
// paths, so they get them.
func displayPath(path string) string {
	home, err := os.UserHomeDir()
	if runtime.GOOS == "windows" || err != nil || home == "" || home == "/" {
		return path
	}
	rel, err := filepath.Rel(home, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") || filepath.IsAbs(rel) {
		return path
	}
	if rel == "." {
		return "~"
	}
	return "~/" + rel
}

// prefLastSaveDir is the folder the user last saved a file into.
const prefLastSaveDir = "files.lastSaveDir"

// saveStartDir is where file dialogs start: the folder the user last
// saved into while it exists, else their Documents folder, else their
// home folder. Never a folder they only browsed to in order to import a
// file, nor the app's own data folder beside its keystore: a saved file
// goes where the user will look for it.
func saveStartDir(a fyne.App) string {
	if last := a.Preferences().String(prefLastSaveDir); last != "" && isDir(last) {
		return last
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	if docs := filepath.Join(home, "Documents"); isDir(docs) {
		return docs
	}
	return home
}

// saveStartLister is saveStartDir for a file dialog's SetLocation; nil
// leaves the dialog's own choice.
func saveStartLister(a fyne.App) fyne.ListableURI {
	dir := saveStartDir(a)
	if dir == "" {
		return nil
	}
	l, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		return nil
	}
	return l
}

// rememberSaved makes the folder of a file just saved where the next file
// dialog starts.
func rememberSaved(a fyne.App, path string) {
	a.Preferences().SetString(prefLastSaveDir, filepath.Dir(path))
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// showSaved ends every save with a confirmation naming the file and its
// folder, so the user knows where to find it; more, when not empty, says
// what to do with it.
func showSaved(title, path, more string, parent fyne.Window) {
	text := fmt.Sprintf("Saved %s\nin %s.", filepath.Base(path), displayPath(filepath.Dir(path)))
	if more != "" {
		text += "\n\n" + more
	}
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	showMessage(title, container.New(&minWidthLayout{width: 460}, msg), parent)
}
