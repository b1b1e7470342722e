package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
)

// marked says whether the cell the table draws at (row, col) carries the
// selection's colour, as a user sees it; the table's own create and update
// functions make the cell.
func marked(w *securityMaterialWindow, row, col int) bool { return cellMarked(w.table, row, col) }

func cellMarked(t *widget.Table, row, col int) bool {
	o := t.CreateCell()
	t.UpdateCell(tableCell(row, col), o)
	sel := theme.Color(theme.ColorNameSelection)
	for _, c := range append([]fyne.CanvasObject{o}, test.LaidOutObjects(o)...) {
		if r, ok := c.(*canvas.Rectangle); ok && r.Visible() && r.FillColor == sel {
			return true
		}
	}
	return false
}

// markedRows lists the rows marked in every column, and fails when a row
// is marked in some columns only.
func markedRows(t *testing.T, w *securityMaterialWindow) []string {
	t.Helper()
	var rows []string
	for r := range w.visible {
		n := 0
		for c := range smColumns {
			if marked(w, r, c) {
				n++
			}
		}
		switch n {
		case len(smColumns):
			rows = append(rows, cellText(w, r, 0))
		case 0:
		default:
			t.Errorf("row %d (%s) is marked in %d of %d columns", r, cellText(w, r, 0), n, len(smColumns))
		}
	}
	return rows
}

// checkSelection: Edit and Undeploy are enabled exactly when one row is
// marked, and that row is want ("" for none).
func checkSelection(t *testing.T, w *securityMaterialWindow, when, want string) {
	t.Helper()
	rows := markedRows(t, w)
	got := strings.Join(rows, ",")
	if got != want {
		t.Errorf("%s: rows marked %q, want %q", when, got, want)
	}
	remove := button(w.win.Content(), "Undeploy")
	if remove == nil {
		remove = button(w.win.Content(), "Delete")
	}
	enabled := !w.edit.Disabled()
	if enabled != (want != "") || remove == nil || remove.Disabled() == enabled {
		t.Errorf("%s: Edit enabled %v, Undeploy %v, with %q marked", when, enabled, remove != nil && !remove.Disabled(), got)
	}
}

// tapButton taps the window's button labelled text.
func tapButton(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	b := button(w.Content(), text)
	if b == nil {
		t.Fatalf("no button %q in the window", text)
	}
	test.Tap(b)
}

// button finds the button labelled text in o.
func button(o fyne.CanvasObject, text string) *widget.Button {
	switch v := o.(type) {
	case *widget.Button:
		if v.Text == text {
			return v
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			if b := button(c, text); b != nil {
				return b
			}
		}
	case *container.Scroll:
		return button(v.Content, text)
	}
	return nil
}

func deploy(t *testing.T, h *Home, w *securityMaterialWindow, name string) {
	t.Helper()
	f := w.showCreate(credentials.UserCredentials)
	typeInto(f, name, "", mailUser, mailPassword, mailPassword)
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)
}

// TestSecurityMaterialSelectionIsVisible: Edit and Undeploy act on the row
// marked across every column, and are disabled when none is: after a
// deploy the new entry is that row; a click marks the whole row it is on;
// a search that hides it, or its undeploying, leaves nothing selected.
func TestSecurityMaterialSelectionIsVisible(t *testing.T) {
	h, _ := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	checkSelection(t, w, "empty", "")

	deploy(t, h, w, "gmail_smtp")
	checkSelection(t, w, "after the first deploy", "gmail_smtp")
	deploy(t, h, w, "api_mail")
	checkSelection(t, w, "after the second deploy", "api_mail")

	w.table.Select(tableCell(rowNamed(t, w, "gmail_smtp"), 3)) // a click on Deployed By
	checkSelection(t, w, "after a click", "gmail_smtp")
	if marked(w, rowNamed(t, w, "api_mail"), 0) {
		t.Error("the row selected before is still marked")
	}

	w.search.SetText("api")
	checkSelection(t, w, "searching hides the selected row", "")
	w.search.SetText("")
	checkSelection(t, w, "the search cleared", "")

	w.table.Select(tableCell(rowNamed(t, w, "api_mail"), 0))
	checkSelection(t, w, "clicked again", "api_mail")
	tapButton(t, w.win, "Undeploy")
	tapOverlayButton(t, w.win, "Undeploy")
	settle(t, h)
	checkSelection(t, w, "after undeploying", "")
}

func rowNamed(t *testing.T, w *securityMaterialWindow, name string) int {
	t.Helper()
	for r := range w.visible {
		if cellText(w, r, 0) == name {
			return r
		}
	}
	t.Fatalf("%q is not in the table", name)
	return -1
}

// TestSecurityMaterialEmptySaysWhatToDo: an empty table tells a user what
// to add, and its button opens that form; a search that finds nothing says
// so; with entries, neither shows.
func TestSecurityMaterialEmptySaysWhatToDo(t *testing.T) {
	h, _ := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	window := func() string { return visibleText(w.win.Content()) }
	mustContain(t, "empty window", window(), "No Security Material yet",
		"Add ▾ User Credentials to store a mail account's password", "Add ▾ Secure Parameter")
	add := button(w.win.Content(), "Add User Credentials…")
	if add == nil || !add.Visible() {
		t.Fatal("no Add User Credentials… button in the empty table")
	}
	test.Tap(add)
	mustContain(t, "form", overlayText(w.win), "Create User Credentials")
	tapOverlayButton(t, w.win, "Cancel")

	deploy(t, h, w, "gmail_smtp")
	if got := window(); strings.Contains(got, "No Security Material yet") || strings.Contains(got, "Add ▾ User Credentials") {
		t.Errorf("the empty state shows over an entry:\n%s", got)
	}
	w.search.SetText("outlook")
	mustContain(t, "search", window(), "Nothing matches “outlook”")
	if strings.Contains(window(), "No Security Material yet") {
		t.Error("a search that finds nothing says there is no Security Material")
	}
}

// visibleText is what a user can read in o: texts of visible objects only.
func visibleText(o fyne.CanvasObject) string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		}
	}
	walk(o)
	return strings.Join(out, "\n")
}

// pressEscape delivers Escape as the desktop driver does: to the focused
// widget, or to the canvas when nothing has focus.
func pressEscape(w fyne.Window) {
	ev := &fyne.KeyEvent{Name: fyne.KeyEscape}
	c := w.Canvas()
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else if k := c.OnTypedKey(); k != nil {
		k(ev)
	}
}

// TestEscapeClosesEverySecurityMaterialDialog: the Create and Edit forms
// (with the cursor in a field or not), the Undeploy question, an error,
// and the Add ▾ menu all close on Escape, and closing changes nothing.
func TestEscapeClosesEverySecurityMaterialDialog(t *testing.T) {
	h, s := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	closes := func(what string) {
		t.Helper()
		if w.win.Canvas().Overlays().Top() == nil {
			t.Fatalf("%s: no dialog open", what)
		}
		pressEscape(w.win)
		settle(t, h)
		if top := w.win.Canvas().Overlays().Top(); top != nil {
			t.Errorf("%s: Escape left the dialog open:\n%s", what, overlayText(w.win))
			for top != nil { // on to the next case
				w.win.Canvas().Overlays().Remove(top)
				top = w.win.Canvas().Overlays().Top()
			}
		}
	}

	f := w.showCreate(credentials.UserCredentials)
	test.Type(f.name, "half_typed")
	closes("Create User Credentials, typing the name")
	f = w.showCreate(credentials.SecureParameter)
	w.win.Canvas().Focus(f.secret)
	closes("Create Secure Parameter, in the secret")
	w.showCreate(credentials.UserCredentials)
	w.win.Canvas().Unfocus()
	closes("Create User Credentials, nothing focused")
	if names, _ := s.Names(); len(names) != 0 {
		t.Fatalf("Escape deployed %v", names)
	}

	deploy(t, h, w, "gmail_smtp")
	test.Tap(w.edit)
	closes("Edit User Credentials")
	tapButton(t, w.win, "Undeploy")
	closes("the Undeploy question")
	if names, _ := s.Names(); len(names) != 1 {
		t.Fatalf("Escape on the question undeployed: %v", names)
	}
	showError("Undeploy", errors.New("the keyring refused"), w.win)
	closes("an error")
	w.onAddMenu()
	closes("the Add ▾ menu")
}

// TestSecurityMaterialSaysUndeploy: removing deployed material is called
// Undeploy, the tenant's word, on the toolbar, in the menu and in the
// question; the word Delete appears nowhere in the window.
func TestSecurityMaterialSaysUndeploy(t *testing.T) {
	h, _ := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	deploy(t, h, w, "gmail_smtp")
	if b := button(w.win.Content(), "Undeploy"); b == nil || b.Disabled() {
		t.Fatal("no enabled Undeploy button on the toolbar")
	}
	item := findMenuItem(w.win, "Undeploy…")
	if item == nil || item.Shortcut == nil {
		t.Fatal("no Undeploy… menu item with a shortcut")
	}
	for _, m := range w.win.MainMenu().Items {
		for _, it := range m.Items {
			if strings.Contains(it.Label, "Delete") {
				t.Errorf("menu item %q", it.Label)
			}
		}
	}
	if got := joined(w.win.Content()); strings.Contains(got, "Delete") {
		t.Errorf("the window says Delete:\n%s", got)
	}
	item.Action()
	q := overlayText(w.win)
	mustContain(t, "question", q, "Undeploy Security Material", "Undeploy “gmail_smtp”?", "Undeploy", "Cancel")
	if strings.Contains(q, "Delete") {
		t.Errorf("the question says Delete:\n%s", q)
	}
}
