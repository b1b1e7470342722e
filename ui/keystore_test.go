package ui

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// tutorialKeystore holds what a tenant's keystore typically does: a
// server certificate, a root, one expired, one expiring soon, and an
// SAP-owned entry (written with keystore-go, since Opsdesk refuses to
// create SAP's aliases).
func tutorialKeystore(t *testing.T) string {
	now := time.Now()
	path := newKeystore(t, map[string]*x509.Certificate{
		"smtp.gmail.com": certValid(t, "smtp.gmail.com", now.Add(-time.Hour), now.AddDate(0, 3, 0)),
		"gts_root_r1":    certValid(t, "GTS Root R1", now.Add(-time.Hour), now.AddDate(10, 0, 0)),
		"old":            certValid(t, "Old Server", now.AddDate(-2, 0, 0), now.AddDate(0, 0, -3)),
		"soon":           certValid(t, "Soon Server", now.Add(-time.Hour), now.AddDate(0, 0, 12)),
	})
	lib := jks.New(jks.WithOrderedAliases())
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := lib.Load(f, []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	sap := certValid(t, "SAP Cloud Root CA", now.Add(-time.Hour), now.AddDate(5, 0, 0))
	if err := lib.SetTrustedCertificateEntry("sap_cloudrootca", jks.TrustedCertificateEntry{CreationTime: now,
		Certificate: jks.Certificate{Type: "X.509", Content: sap.Raw}}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := lib.Store(&b, []byte(testPassword)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func openKeystoreWindow(t *testing.T, path string) (*Home, *keystoreWindow) {
	h := newTestHome(t)
	w := h.showKeystore()
	openKeystore(t, h, path)
	return h, w
}

func rowOf(t *testing.T, w *keystoreWindow, alias string) int {
	t.Helper()
	for i, idx := range w.visible {
		if w.model.Rows[idx].Entry.Alias == alias {
			return i
		}
	}
	t.Fatalf("%q is not in the table", alias)
	return -1
}

func cellAt(w *keystoreWindow, row, col int) *ksCell {
	c := newKSCell().(*ksCell)
	w.updateCell(widget.TableCellID{Row: row, Col: col}, c)
	return c
}

func TestKeystoreWindowListsFiltersAndColours(t *testing.T) {
	_, w := openKeystoreWindow(t, tutorialKeystore(t))

	if w.header.Text != "Entries (5)" {
		t.Fatalf("header %q", w.header.Text)
	}
	if w.filter.PlaceHolder != "Filter by Alias or DN" {
		t.Errorf("filter placeholder %q", w.filter.PlaceHolder)
	}
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"gmail", []string{"smtp.gmail.com"}},
		{"CN=GTS root", []string{"gts_root_r1"}}, // a DN, in another case
		{"O=Opsdesk Test", []string{"gts_root_r1", "old", "sap_cloudrootca", "smtp.gmail.com", "soon"}},
		{"  SOON ", []string{"soon"}},
		{"nothing like this", nil},
		{"", []string{"gts_root_r1", "old", "sap_cloudrootca", "smtp.gmail.com", "soon"}},
	} {
		test.Type(w.filter, "x") // typing fires OnChanged, as a user does
		w.filter.SetText(tc.query)
		var got []string
		for i := range w.visible {
			got = append(got, cellAt(w, i, 0).label.Text)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("filter %q: %v, want %v", tc.query, got, tc.want)
		}
		if want := "Entries (" + strconv.Itoa(len(tc.want)) + ")"; w.header.Text != want {
			t.Errorf("filter %q: header %q, want %q", tc.query, w.header.Text, want)
		}
	}

	for alias, imp := range map[string]widget.Importance{
		"old": widget.DangerImportance, "soon": widget.WarningImportance, "smtp.gmail.com": widget.MediumImportance,
	} {
		if got := cellAt(w, rowOf(t, w, alias), 2).label.Importance; got != imp {
			t.Errorf("Valid Until of %s has importance %v, want %v", alias, got, imp)
		}
	}
	sap := cellAt(w, rowOf(t, w, "sap_cloudrootca"), 0)
	if !sap.lock.Visible() {
		t.Error("no lock on the SAP-owned entry")
	}
	if cellAt(w, rowOf(t, w, "old"), 0).lock.Visible() {
		t.Error("a lock on the tenant's own entry")
	}
	// Scrolling reuses cells: a cell that showed a lock must give its
	// room back to the next alias.
	sap.Resize(fyne.NewSize(200, 40))
	w.updateCell(widget.TableCellID{Row: rowOf(t, w, "sap_cloudrootca"), Col: 0}, sap)
	if sap.label.Position().X == 0 {
		t.Error("the alias is drawn over the lock")
	}
	w.updateCell(widget.TableCellID{Row: rowOf(t, w, "old"), Col: 0}, sap)
	if sap.lock.Visible() || sap.label.Position().X != 0 {
		t.Errorf("a reused cell keeps the lock's room: x=%v", sap.label.Position().X)
	}
	actions := cellAt(w, rowOf(t, w, "sap_cloudrootca"), colActions)
	if !actions.rename.Disabled() || !actions.remove.Disabled() || actions.download.Disabled() {
		t.Error("an SAP-owned entry must be downloadable but neither renamed nor deleted")
	}
	if got := cellAt(w, rowOf(t, w, "old"), 1).label.Text; got != "Certificate" {
		t.Errorf("Type %q", got)
	}

	w.table.Select(widget.TableCellID{Row: rowOf(t, w, "sap_cloudrootca"), Col: 0})
	details := joined(w.details)
	sum := certs.SHA256(w.model.Rows[w.model.byAlias["sap_cloudrootca"]].Entry.Certificate())
	mustContain(t, "details", details, "Owner", "SAP", "Fingerprint (SHA-256)", sum, "Subject DN", "CN=SAP Cloud Root CA, O=Opsdesk Test",
		"Serial Number", "Signature Algorithm", "SHA256withECDSA", "Valid From", "Key Type", "EC", "Certificate Chain")
	if !w.rename.Disabled() || !w.remove.Disabled() {
		t.Error("the details view offers to change an SAP-owned entry")
	}
}

func TestRenameAndDeleteAskFirst(t *testing.T) {
	h, w := openKeystoreWindow(t, tutorialKeystore(t))

	w.onRename("old")
	entry := overlayEntry(t, w)
	entry.SetText("sap_mine")
	if err := entry.Validate(); err == nil || !strings.Contains(err.Error(), "belongs to SAP") {
		t.Errorf("renaming to an SAP alias is not explained: %v", err)
	}
	entry.SetText("Old-Server")
	tapOverlayButton(t, w.win, "Rename")
	settle(t, h)
	if got := aliases(w.model); !slices.Contains(got, "old-server") || slices.Contains(got, "old") {
		t.Fatalf("after rename: %v", got)
	}
	if w.selected != "old-server" {
		t.Errorf("details show %q after the rename", w.selected)
	}

	w.onDelete("old-server")
	mustContain(t, "delete confirmation", overlayText(w.win), "Delete the certificate “old-server”?", "backup")
	tapOverlayButton(t, w.win, "Cancel")
	settle(t, h)
	if !w.model.Has("old-server") {
		t.Fatal("Cancel deleted the entry")
	}
	w.onDelete("old-server")
	tapOverlayButton(t, w.win, "Delete")
	settle(t, h)
	if w.model.Has("old-server") || w.header.Text != "Entries (4)" {
		t.Fatalf("after delete: %v, %s", aliases(w.model), w.header.Text)
	}
	if h.keystoreTile.count.String() != "4  entries" {
		t.Errorf("the Home tile still counts %s", h.keystoreTile.count.String())
	}
}

// overlayEntry finds the first text entry on w's topmost dialog.
func overlayEntry(t *testing.T, w *keystoreWindow) *widget.Entry {
	t.Helper()
	for _, o := range test.LaidOutObjects(w.win.Canvas().Overlays().Top()) {
		if e, ok := plain(o).(*widget.Entry); ok {
			return e
		}
	}
	t.Fatal("no entry on the dialog")
	return nil
}

func TestAddCertificatePreviewsAndSuggestsAlias(t *testing.T) {
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	dir := t.TempDir()
	cert := certValid(t, "imap.example.com", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
	good := filepath.Join(dir, "imap.cer")
	writePEM(t, good, cert)
	bad := filepath.Join(dir, "notes.txt")
	os.WriteFile(bad, []byte("just some notes\n"), 0o600)

	d := w.onAddCertificate()
	if !d.confirm.Disabled() {
		t.Error("Confirm is enabled before a certificate was chosen")
	}
	d.load(bad)
	settle(t, h)
	mustContain(t, "status", d.status.Text, "notes.txt", "not a certificate")
	if !d.confirm.Disabled() {
		t.Error("Confirm is enabled for a file without a certificate")
	}
	d.load(good)
	settle(t, h)
	if d.alias.Text != "imap.example.com" {
		t.Errorf("suggested alias %q", d.alias.Text)
	}
	mustContain(t, "preview", joined(d.preview), "CN=imap.example.com", "SHA-256", certs.SHA256(cert), "Validity")
	test.Tap(d.confirm)
	settle(t, h)
	if !w.model.Has("imap.example.com") || w.selected != "imap.example.com" {
		t.Fatalf("not added: %v", aliases(w.model))
	}
}

func TestAddKeystoreShowsTheSummary(t *testing.T) {
	now := time.Now()
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	src := newKeystore(t, map[string]*x509.Certificate{
		"new-one": certValid(t, "New One", now.Add(-time.Hour), now.AddDate(1, 0, 0)),
		"soon":    certValid(t, "Renewed Soon", now.Add(-time.Hour), now.AddDate(2, 0, 0)),
	})
	d := w.onAddKeystore(src)
	d.password.SetText(testPassword)
	tapOverlayButton(t, w.win, "Confirm")
	settle(t, h)
	summary := overlayText(w.win)
	mustContain(t, "summary", summary, "1 added, 1 preserved", "Added (1)", "new-one", "Preserved (1)", "soon: An entry with this alias already exists")
	if !w.model.Has("new-one") {
		t.Fatal("the merged entry is not listed")
	}

	d = w.onAddKeystore(src)
	d.password.SetText(testPassword)
	d.overwrite.SetChecked(true)
	tapOverlayButton(t, w.win, "Confirm")
	settle(t, h)
	mustContain(t, "summary", overlayText(w.win), "2 overwritten", "Overwritten (2)", "new-one", "soon")

	d = w.onAddKeystore(src)
	d.password.SetText(testPassword)
	d.mode.SetSelected(modeReplace)
	if !d.overwrite.Disabled() {
		t.Error("Overwrite is offered with Replace")
	}
	tapOverlayButton(t, w.win, "Confirm")
	settle(t, h)
	mustContain(t, "replace summary", overlayText(w.win), "Removed (3)", "old", "Preserved (1)", "sap_cloudrootca: SAP owns this entry.",
		"Added (2)", "saved as the backup keystore-")
	if got := aliases(w.model); !slices.Equal(got, []string{"new-one", "sap_cloudrootca", "soon"}) {
		t.Errorf("after Replace: %v", got)
	}

	d = w.onAddKeystore(src)
	d.password.SetText("wrong-password")
	tapOverlayButton(t, w.win, "Confirm")
	settle(t, h)
	mustContain(t, "error", overlayText(w.win), "keystore.jks\" cannot be opened: the password is wrong. Type it again.")
}

func TestBackUpListAndRestore(t *testing.T) {
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	w.onBackUp()
	settle(t, h)
	mustContain(t, "back up", overlayText(w.win), "backed up as keystore-")

	w.onDelete("old")
	tapOverlayButton(t, w.win, "Delete")
	settle(t, h)
	w.onBackups()
	settle(t, h)
	mustContain(t, "backups", overlayText(w.win), "keystore-", "Restore")
	tapOverlayButton(t, w.win, "Restore")
	tapOverlayButton(t, w.win, "Restore")
	settle(t, h)
	mustContain(t, "restore", overlayText(w.win), "Restored keystore-")
	if !w.model.Has("old") {
		t.Fatal("the restored entry is missing")
	}
}

func TestDownloadForUploadAndNeverOverTheKeystore(t *testing.T) {
	path := tutorialKeystore(t)
	h, w := openKeystoreWindow(t, path)
	w.onDownloadForUpload()
	settle(t, h)
	mustContain(t, "download dialog", overlayText(w.win), "Password", "Repeat Password",
		`"sap_cloudrootca" is an SAP-owned alias; Cloud Integration will reject that entry.`, "Save As…")
	tapOverlayButton(t, w.win, "Cancel")

	out := filepath.Join(t.TempDir(), "upload.jks")
	w.exportForUpload(out, []byte("upload-pw"))
	settle(t, h)
	mustContain(t, "saved", overlayText(w.win), "Saved upload.jks", "sap_cloudrootca", "SAP-owned")
	k, err := keystore.Open(out, []byte("upload-pw"))
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Entries()) != 5 {
		t.Errorf("copy has %d entries", len(k.Entries()))
	}
	k.Close()

	// A save dialog pointed at the keystore itself has emptied it by the
	// time Opsdesk hears of it: the content must come back.
	before, _ := os.ReadFile(path)
	os.WriteFile(path, nil, 0o600)
	var err2 error
	h.bg.run(func() func() { err2 = h.keystore.protect(path); return nil })
	settle(t, h)
	after, _ := os.ReadFile(path)
	if err2 != errSaveOverKeystore || !bytes.Equal(before, after) {
		t.Fatalf("protect: %v, restored=%v", err2, bytes.Equal(before, after))
	}
}

func TestOpenWithAWrongPasswordAsksAgain(t *testing.T) {
	h := newTestHome(t)
	w := h.showKeystore()
	path := tutorialKeystore(t)
	opened := false
	w.opener.askPassword(w.win, path, "", func() { opened = true })
	test.Type(overlayEntry(t, w), "not-it")
	tapOverlayButton(t, w.win, "Open")
	settle(t, h)
	mustContain(t, "second try", overlayText(w.win), "the password is wrong", "Type it again")
	entry := overlayEntry(t, w)
	test.Type(entry, testPassword)
	tapOverlayButton(t, w.win, "Open")
	settle(t, h)
	if !opened || w.model == nil || len(w.model.Rows) != 5 {
		t.Fatal("the keystore did not open with the right password")
	}
	if got := h.app.Preferences().String(prefLastKeystore); got != path {
		t.Errorf("last keystore remembered as %q", got)
	}
}

func TestReadOnlyKeystoreOffersNoChanges(t *testing.T) {
	h := newTestHome(t)
	w := h.showKeystore()
	path := tutorialKeystore(t)
	h.keystore.open(func() (*keystore.Keystore, error) { return keystore.OpenReadOnly(path) }, func(error) {})
	settle(t, h)
	if !w.readOnly.Visible() || !w.addBtn.Disabled() || !w.upload.Disabled() {
		t.Error("a read-only keystore still offers changes")
	}
	actions := cellAt(w, rowOf(t, w, "old"), colActions)
	if !actions.rename.Disabled() || !actions.remove.Disabled() {
		t.Error("row actions allow changing a read-only keystore")
	}
}

func TestCreateKeystoreAfterTheSaveDialog(t *testing.T) {
	h := newTestHome(t)
	w := h.showKeystore()
	path := filepath.Join(t.TempDir(), "mine.jks")
	os.WriteFile(path, nil, 0o600) // what Fyne's save dialog leaves
	created := false
	w.opener.askNewPassword(w.win, path, func() { created = true })
	var entries []*widget.Entry
	for _, o := range test.LaidOutObjects(w.win.Canvas().Overlays().Top()) {
		if e, ok := plain(o).(*widget.Entry); ok {
			entries = append(entries, e)
		}
	}
	test.Type(entries[0], "secret1")
	test.Type(entries[1], "secret2")
	if err := entries[1].Validate(); err == nil {
		t.Error("two different passwords are accepted")
	}
	entries[1].SetText("secret1")
	tapOverlayButton(t, w.win, "Create")
	settle(t, h)
	if !created || w.model == nil || w.model.Path != path || len(w.model.Rows) != 0 {
		t.Fatal("the new keystore is not open")
	}
	if k, err := keystore.Open(path, []byte("secret1")); err != nil {
		t.Fatalf("the new file is no keystore: %v", err)
	} else {
		k.Close()
	}
}

// TestKeystoreByKeyboard: the menu bar's items (Ctrl shortcuts that work
// while the filter has focus) act on the selected entry as its buttons do,
// and refuse what the buttons refuse.
func TestKeystoreByKeyboard(t *testing.T) {
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	item := func(label string) *fyne.MenuItem {
		t.Helper()
		it := findMenuItem(w.win, label)
		if it == nil {
			t.Fatalf("no menu item %q", label)
		}
		return it
	}
	item("Delete…").Action() // nothing selected: nothing to delete
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("Delete… without a selection opened %s", overlayText(w.win))
	}
	item("Filter by Alias or DN").Action()
	if w.win.Canvas().Focused() != w.filter {
		t.Fatal("Ctrl+F did not focus the filter")
	}
	test.Type(w.filter, "old")
	w.table.Select(widget.TableCellID{Row: rowOf(t, w, "old"), Col: 0})
	item("Rename…").Action()
	overlayEntry(t, w).SetText("older")
	tapOverlayButton(t, w.win, "Rename")
	settle(t, h)
	if !w.model.Has("older") || w.selected != "older" {
		t.Fatalf("Rename… from the menu: %v, selected %q", aliases(w.model), w.selected)
	}
	item("Delete…").Action()
	tapOverlayButton(t, w.win, "Delete")
	settle(t, h)
	if w.model.Has("older") {
		t.Error("Delete… from the menu left the entry")
	}
	item("Add Certificate…").Action()
	mustContain(t, "dialog", overlayText(w.win), "Browse…")
	tapOverlayButton(t, w.win, "Cancel")

	// A read-only keystore: the menu changes nothing, as the buttons don't.
	path := tutorialKeystore(t)
	h.keystore.open(func() (*keystore.Keystore, error) { return keystore.OpenReadOnly(path) }, func(error) {})
	settle(t, h)
	w.filter.SetText("")
	item("Add Certificate…").Action()
	w.table.Select(widget.TableCellID{Row: rowOf(t, w, "old"), Col: 0})
	item("Delete…").Action()
	if w.win.Canvas().Overlays().Top() != nil {
		t.Errorf("a read-only keystore offered %s", overlayText(w.win))
	}
}
