package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// actionsCell is the Actions cell the table itself makes for alias's row.
func actionsCell(t *testing.T, w *keystoreWindow, alias string) *ksCell {
	t.Helper()
	o := w.table.CreateCell()
	w.table.UpdateCell(widget.TableCellID{Row: rowOf(t, w, alias), Col: colActions}, o)
	return o.(*ksCell)
}

// TestRowActionsSayWhatTheyDo: resting the mouse on a row action shows a
// tip that says what it does, or why it cannot be done, and a tap takes
// the tip away.
func TestRowActionsSayWhatTheyDo(t *testing.T) {
	path := tutorialKeystore(t)
	k, err := keystore.Open(path, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "client", Key: keystore.EC256, CommonName: "client.example.com"}); err != nil {
		t.Fatal(err)
	}
	k.Close()
	h, w := openKeystoreWindow(t, path)
	w.tips.delay = 0

	hover := func(b *tipButton) string {
		b.MouseIn(&desktop.MouseEvent{})
		tip := w.tips.shown()
		b.MouseOut()
		if got := w.tips.shown(); got != "" {
			t.Errorf("the tip %q stays after the mouse left", got)
		}
		return tip
	}
	old := actionsCell(t, w, "old")
	for _, c := range []struct {
		b    *tipButton
		want string
	}{
		{old.rename, "Rename: give this entry another alias"},
		{old.update, "Update: replace the certificate with a renewed one"},
		{old.download, "Download: save the certificate as a .cer file"},
		{old.remove, "Delete: remove this entry from the keystore"},
	} {
		if got := hover(c.b); !strings.HasPrefix(got, c.want) {
			t.Errorf("tip %q, want %q", got, c.want)
		}
	}
	client := actionsCell(t, w, "client")
	if got := hover(client.more); !strings.Contains(got, "signing request") {
		t.Errorf("the key pair's menu button says %q", got)
	}
	if got := hover(client.download); !strings.Contains(got, ".p7b") {
		t.Errorf("a key pair's Download says %q", got)
	}
	sap := actionsCell(t, w, "sap_cloudrootca")
	if !sap.remove.Disabled() {
		t.Fatal("SAP's entry can be deleted")
	}
	if got := hover(sap.remove); got != "Delete is not possible: SAP owns this entry." {
		t.Errorf("a disabled Delete says %q", got)
	}
	// A tap takes the tip away at once.
	old.download.MouseIn(&desktop.MouseEvent{})
	saved := ""
	w.save = func(_, name string, _ []byte) { saved = name }
	old.download.Tapped(&fyne.PointEvent{})
	if got := w.tips.shown(); got != "" {
		t.Errorf("the tip %q stays after the tap", got)
	}
	settle(t, h)
	if saved != "old.cer" {
		t.Errorf("the tap on Download saved %q", saved)
	}
}

// TestRowActionsHaveWordsWhenThereIsRoom: in a window wide enough, the
// row actions carry their words beside their icons, and lose them when it
// is narrowed again; the details bar keeps its labelled buttons either way.
func TestRowActionsHaveWordsWhenThereIsRoom(t *testing.T) {
	path := tutorialKeystore(t)
	k, err := keystore.Open(path, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "client", Key: keystore.EC256, CommonName: "client.example.com"}); err != nil {
		t.Fatal(err)
	}
	k.Close()
	_, w := openKeystoreWindow(t, path)
	words := func() string {
		old, client := actionsCell(t, w, "old"), actionsCell(t, w, "client")
		return strings.Join([]string{old.rename.Text, old.update.Text, old.download.Text, old.remove.Text, client.more.Text}, ",")
	}
	w.win.Resize(fyne.NewSize(1240, 760))
	if got := words(); got != ",,,," {
		t.Errorf("in a window too narrow for them the row actions say %q", got)
	}
	w.win.Resize(fyne.NewSize(1900, 900))
	if got := words(); got != "Rename,Update,Download,Delete,Key Pair" {
		t.Errorf("in a 1900-pixel window the row actions say %q", got)
	}
	room := w.table.Size().Width - float32(len(ksColumns)+1)*theme.Padding()
	for _, c := range ksColumns[:colActions] {
		room -= c.width
	}
	if need := actionsCell(t, w, "client").actions.MinSize().Width; need > room {
		t.Errorf("the labelled actions need %v, more than the %v the Actions column has", need, room)
	}
	w.win.Resize(fyne.NewSize(1240, 760))
	if got := words(); got != ",,,," {
		t.Errorf("narrowed again, the row actions say %q", got)
	}

	// The details bar's buttons keep their words, in any width.
	w.table.Select(widget.TableCellID{Row: rowOf(t, w, "client"), Col: 0})
	for _, b := range []*widget.Button{w.rename, w.updateBtn, w.download, w.keyPairBtn, w.remove} {
		if b.Text == "" || !b.Visible() {
			t.Errorf("a details bar button without words: %+v", b.Icon)
		}
	}
}
