package ui

import (
	"slices"
	"testing"
)

// markedAliases lists the Keystore table's rows marked as selected, and
// fails when a row is marked in some columns only.
func markedAliases(t *testing.T, w *keystoreWindow) []string {
	t.Helper()
	var out []string
	for r := range w.visible {
		alias := w.model.Rows[w.visible[r]].Entry.Alias
		n := 0
		for c := range ksColumns {
			if cellMarked(w.table, r, c) {
				n++
			}
		}
		switch n {
		case len(ksColumns):
			out = append(out, alias)
		case 0:
		default:
			t.Errorf("row %d (%s) is marked in %d of %d columns", r, alias, n, len(ksColumns))
		}
	}
	return out
}

// TestKeystoreTableMarksTheWholeRow: a click on any cell marks its whole
// row, Actions included, as the entry whose details show below; the row
// marked before is not any more; the mark follows its entry through a
// filter, and an entry opened from elsewhere (a rename) is marked too.
func TestKeystoreTableMarksTheWholeRow(t *testing.T) {
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	check := func(when string, want ...string) {
		t.Helper()
		if got := markedAliases(t, w); !slices.Equal(got, want) {
			t.Errorf("%s: rows marked %v, want %v", when, got, want)
		}
	}
	check("nothing selected")

	w.table.Select(tableCell(rowOf(t, w, "soon"), 3)) // a click on Last Modified At
	check("after a click", "soon")
	if w.selected != "soon" {
		t.Errorf("the details show %q", w.selected)
	}
	w.table.Select(tableCell(rowOf(t, w, "old"), colActions))
	check("after a click on another row's Actions", "old")

	w.filter.SetText("o") // old, soon, gts_root_r1, smtp.gmail.com…: another row number
	check("filtered", "old")
	w.filter.SetText("soon")
	check("filtered it out")
	w.filter.SetText("")
	check("filter cleared", "old")

	w.onRename("old")
	w.win.Canvas().Focused().(interface{ SetText(string) }).SetText("older")
	typeKey(w.win, "Return")
	settle(t, h)
	check("after renaming it", "older")
}
