package ui

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
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
