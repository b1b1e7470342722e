// Command opsdesk opens the desktop app, or with arguments runs a headless
// command (see commands.go) so the same binary can be scripted. Arguments
// that are certificate or keystore files open the app with them instead
// (open_files.go): that is how a file manager's "Open with" calls it.
package main

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/opsdesk/opsdesk"
	_ "github.com/opsdesk/opsdesk/internal/cleanlocale" // before Fyne reads the locale
	"github.com/opsdesk/opsdesk/ui"
)

func main() {
	files, open := filesToOpen(os.Args[1:])
	if len(os.Args) > 1 && !open {
		os.Exit(runCommand(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}

	a := app.NewWithID(opsdesk.AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", opsdesk.Icon()))
	kr := &guiKeyring{}
	home := ui.New(a, ui.Options{OpenOwnKeystore: kr.ownKeystore})
	home.Window().Show()
	kr.useIn(home) // after the window shows: the keyring may take a while
	if open {
		home.OpenFiles(files) // to the Keystore window, as if dropped on it
	}
	a.Run()
}
