// Command opsdesk opens the desktop app, or with arguments runs a headless
// command (internal/cli) so the same binary can be scripted. Arguments
// that are files open the app with them instead (open_files.go): that is
// how a file manager's "Open with" calls it.
package main

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/opsdesk/opsdesk"
	"github.com/opsdesk/opsdesk/core/credentials"
	_ "github.com/opsdesk/opsdesk/internal/cleanlocale" // before Fyne reads the locale
	"github.com/opsdesk/opsdesk/internal/cli"
	"github.com/opsdesk/opsdesk/ui"
)

func main() {
	files, missing := filesToOpen(os.Args[1:])
	switch {
	case len(missing) > 0:
		fmt.Fprintln(os.Stderr, notFound(missing))
		os.Exit(cli.ExitFail)
	case len(os.Args) > 1 && len(files) == 0:
		os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}

	a := app.NewWithID(opsdesk.AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", opsdesk.Icon()))
	home := ui.New(a, ui.Options{Keyring: &credentials.Options{}, Log: logLine})
	home.Window().Show()
	if len(files) > 0 {
		// To the Keystore window, as if dropped on it, once the app's own
		// keystore has opened.
		home.OpenFiles(files)
	}
	a.Run()
}

// logLine is ui.Options.Log: what became of files given or dropped, on
// standard error. It names files and says why they are unreadable, never
// a secret.
func logLine(line string) { fmt.Fprintln(os.Stderr, "opsdesk: "+line) }
