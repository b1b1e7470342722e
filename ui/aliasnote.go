package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// normAlias is the alias an entry typed as typed is saved under
// (keystore.NormalizeAlias).
func normAlias(typed string) string {
	a, _ := keystore.NormalizeAlias(typed)
	return a
}

// newAliasNote is the line under an alias field that says, before
// Confirm, how the alias will be saved when keystore.NormalizeAlias
// changes what the user typed: "Will be saved as “peers root ca” (in
// lower case)." Hidden while nothing changes. follow keeps it in step
// with the field; call it from the field's OnChanged.
func newAliasNote() (note *widget.Label, follow func(typed string)) {
	note = widget.NewLabel("")
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.WarningImportance
	note.Hide()
	follow = func(typed string) {
		alias, how := keystore.NormalizeAlias(typed)
		if how == "" || alias == "" {
			note.Hide()
			return
		}
		note.SetText(fmt.Sprintf("Will be saved as “%s” (%s).", alias, how))
		note.Show()
	}
	return note, follow
}
