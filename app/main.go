// Command opsdesk opens the desktop app, or with arguments runs a headless
// command (see commands.go) so the same binary can be scripted.
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
	if len(os.Args) > 1 {
		os.Exit(runCommand(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}

	a := app.NewWithID(opsdesk.AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", opsdesk.Icon()))
	ui.NewHome(a).ShowAndRun()
}
