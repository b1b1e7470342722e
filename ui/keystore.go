package ui

import (
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// The Keystore table's columns, as the tenant's Keystore page has them.
var ksColumns = []column{
	{"Alias", 180}, {"Type", 86}, {"Valid Until", 166}, {"Last Modified At", 166},
	{"Subject DN", 220}, {"Issuer DN", 170}, {"Actions", 208},
}

const colActions = 6

// keystoreWindow is "Overview / Manage Keystore": the entries of the open
// keystore in a table that draws only the rows on screen, a filter over a
// precomputed index, the tenant's toolbar and row actions, and a details
// view of the selected entry.
type keystoreWindow struct {
	app    fyne.App
	win    fyne.Window
	svc    *keystoreService
	bg     *background
	opener *keystoreOpener
	home   func()

	empty, main *fyne.Container
	path        *widget.Label
	readOnly    *widget.Label
	header      *widget.Label
	filter      *widget.Entry
	table       *widget.Table
	details     *fyne.Container
	detailTitle *widget.Label
	rename      *widget.Button
	updateBtn   *widget.Button
	download    *widget.Button
	remove      *widget.Button
	keyPairBtn  *widget.Button // the key pair's own downloads, for Key Pair entries
	createBtn   *widget.Button
	addBtn      *widget.Button
	backUp      *widget.Button
	upload      *widget.Button
	lastOpen    *widget.Button

	model    *ksModel // what the table shows
	visible  []int    // indexes into model.Rows that pass the filter
	selected string   // alias shown in the details view

	tips *tipLayer // the row actions' tips
	// actionsLabelled: the Actions column is wide enough for the row
	// actions' words beside their icons.
	actionsLabelled bool

	waiting     []fyne.URI // files that found no keystore open (keepWaiting)
	waitingBox  *fyne.Container
	waitingText *widget.Label
	log         func(line string) // Options.Log
	ownProblem  string            // why the app's own keystore did not open, if it did not

	// save asks where to save a downloaded file and writes it; tests
	// replace it to catch the file instead of a save dialog.
	save func(title, fileName string, data []byte)
}

func newKeystoreWindow(a fyne.App, svc *keystoreService, bg *background, home func()) *keystoreWindow {
	w := &keystoreWindow{app: a, svc: svc, bg: bg, home: home, opener: &keystoreOpener{app: a, svc: svc}, log: func(string) {}, tips: newTipLayer()}
	w.win = a.NewWindow("Keystore – Opsdesk")
	w.save = func(title, fileName string, data []byte) {
		saveBytes(w.win, w.svc, title, fileName, data)
	}
	w.buildUI()
	restoreSize(a, w.win, "keystore", fyne.NewSize(1240, 760))
	w.win.SetCloseIntercept(w.hide)
	w.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { w.onDropped(uris) })
	svc.onChange(w.onKeystoreChanged)
	w.onKeystoreChanged()
	return w
}

// hide is closing the window: it comes back as it was.
func (w *keystoreWindow) hide() {
	saveSize(w.app, w.win, "keystore")
	w.win.Hide()
}

// menu is the window's menu bar: the toolbar's and the selected entry's
// actions by keyboard. Each item does what its button does, and nothing
// while no keystore is open or the button is disabled or hidden
// (read-only, SAP's entry, nothing selected), so the rules live in one
// place.
func (w *keystoreWindow) menu() *fyne.MainMenu {
	when := func(b **widget.Button, action func()) func() {
		return func() {
			if w.model != nil && !(*b).Disabled() && (*b).Visible() {
				action()
			}
		}
	}
	keystoreMenu := fyne.NewMenu("Keystore",
		menuItem("Open Another…", withKey(fyne.KeyO), w.onOpenAnother),
		fyne.NewMenuItemSeparator(),
		menuItem("Create Key Pair…", withKey(fyne.KeyK), when(&w.createBtn, func() { w.onCreateKeyPair() })),
		menuItem("Add Certificate…", withKey(fyne.KeyI), when(&w.addBtn, func() { w.onAddCertificate() })),
		menuItem("Add Key Pair…", withShiftKey(fyne.KeyK), when(&w.addBtn, func() { w.onAddKeyPair() })),
		menuItem("Add Keystore…", withShiftKey(fyne.KeyI), when(&w.addBtn, func() { w.onAddKeystore("") })),
		fyne.NewMenuItemSeparator(),
		menuItem("Back Up", withKey(fyne.KeyB), when(&w.backUp, w.onBackUp)),
		menuItem("Backups…", nil, when(&w.backUp, w.onBackups)),
		menuItem("Download for Upload…", withKey(fyne.KeyS), when(&w.upload, w.onDownloadForUpload)),
		fyne.NewMenuItemSeparator(),
		menuItem("Filter by Alias or DN", withKey(fyne.KeyF), func() { w.win.Canvas().Focus(w.filter) }),
		menuItem("Refresh", withKey(fyne.KeyR), w.onRefresh),
		fyne.NewMenuItemSeparator(),
		closeItem(w.hide),
	)
	entryMenu := fyne.NewMenu("Entry",
		menuItem("Rename…", withKey(fyne.KeyE), when(&w.rename, func() { w.onRename(w.selected) })),
		menuItem("Update…", withKey(fyne.KeyU), when(&w.updateBtn, func() { w.onUpdate(w.selected) })),
		menuItem("Download…", withKey(fyne.KeyD), when(&w.download, func() { w.onDownload(w.selected) })),
		menuItem("Delete…", withKey(fyne.KeyDelete), when(&w.remove, func() { w.onDelete(w.selected) })),
	)
	return fyne.NewMainMenu(keystoreMenu, entryMenu)
}

func (w *keystoreWindow) buildUI() {
	w.filter = widget.NewEntry()
	w.filter.SetPlaceHolder("Filter by Alias or DN")
	w.filter.OnChanged = w.onFilter
	w.header = heading("Entries (0)")
	w.header.SizeName = theme.SizeNameSubHeadingText

	w.createBtn = &widget.Button{Text: "Create", Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, OnTapped: w.onCreateMenu}
	w.addBtn = &widget.Button{Text: "Add", Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, OnTapped: w.onAddMenu}
	w.backUp = &widget.Button{Text: "Back Up", OnTapped: w.onBackUp}
	backups := &widget.Button{Text: "Backups", Icon: theme.HistoryIcon(), OnTapped: w.onBackups}
	w.upload = &widget.Button{Text: "Download", Icon: theme.DownloadIcon(), OnTapped: w.onDownloadForUpload}
	refresh := &widget.Button{Text: "Refresh", Icon: theme.ViewRefreshIcon(), OnTapped: w.onRefresh}
	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(w.header, layout.NewSpacer()),
		container.NewHBox(w.createBtn, w.addBtn, w.backUp, backups, w.upload, refresh),
		container.New(&minWidthLayout{width: 260}, w.filter))

	w.path = widget.NewLabel("")
	w.path.Truncation = fyne.TextTruncateEllipsis
	w.readOnly = widget.NewLabel("Opened without its password: read-only, and its integrity is not verified. Open it with its password to change it.")
	w.readOnly.Importance = widget.WarningImportance
	w.readOnly.Wrapping = fyne.TextWrapWord
	other := &widget.Button{Text: "Open Another…", Icon: theme.FolderOpenIcon(), OnTapped: w.onOpenAnother}
	pathRow := container.NewBorder(nil, nil, widget.NewIcon(theme.StorageIcon()), other, w.path)

	w.table = headedTable(ksColumns, func() int { return len(w.visible) }, newKSCell, w.updateCell)
	selectRows(w.table, func() int { return len(w.visible) }, func(row int) {
		w.showDetails(w.model.Rows[w.visible[row]].Entry.Alias)
	})

	w.detailTitle = heading("Select an entry to see its details.")
	w.rename = &widget.Button{Text: "Rename", Icon: theme.DocumentCreateIcon(), OnTapped: func() { w.onRename(w.selected) }}
	w.updateBtn = &widget.Button{Text: actionUpdate, Icon: theme.UploadIcon(), OnTapped: func() { w.onUpdate(w.selected) }}
	w.download = &widget.Button{Text: "Download", Icon: theme.DownloadIcon(), OnTapped: func() { w.onDownload(w.selected) }}
	w.remove = &widget.Button{Text: "Delete", Icon: theme.DeleteIcon(), Importance: widget.DangerImportance, OnTapped: func() { w.onDelete(w.selected) }}
	w.keyPairBtn = &widget.Button{Text: "Key Pair", Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText}
	w.keyPairBtn.OnTapped = func() { w.showKeyPairMenu(w.selected, w.keyPairBtn) }
	w.details = container.NewVBox()
	detailBar := container.NewBorder(nil, nil, nil, container.NewHBox(w.rename, w.updateBtn, w.download, w.keyPairBtn, w.remove), w.detailTitle)
	detailPane := container.NewBorder(detailBar, nil, nil, nil, container.NewVScroll(w.details))

	split := container.NewVSplit(fillLastColumn(w.table, ksColumns, w.onActionsWidth), detailPane)
	split.Offset = 0.62
	top := container.NewVBox(breadcrumb("Manage Keystore", w.home), pathRow, w.readOnly, toolbar)
	w.main = container.NewBorder(top, nil, nil, nil, split)
	w.empty = w.emptyState()
	w.win.SetContent(w.tips.over(container.NewPadded(container.NewStack(w.empty, w.main))))
	w.showDetails("")
}

// onActionsWidth labels the row actions when the Actions column, which
// takes the width the other columns leave, has the room for their words.
func (w *keystoreWindow) onActionsWidth(width float32) {
	if labelled := width >= labelledActionsWidth(); labelled != w.actionsLabelled {
		w.actionsLabelled = labelled
		w.table.Refresh()
	}
}

// emptyState is what the window shows before a keystore is open.
func (w *keystoreWindow) emptyState() *fyne.Container {
	title := heading("No keystore is open")
	title.SizeName = theme.SizeNameSubHeadingText
	text := widget.NewLabel("Open a Java keystore (.jks), such as the one Cloud Integration's Keystore page downloads, " +
		"or create a new one. You can also drop certificate files on this window.")
	text.Wrapping = fyne.TextWrapWord
	open := &widget.Button{Text: "Open Keystore…", Icon: theme.FolderOpenIcon(), Importance: widget.HighImportance,
		OnTapped: func() { w.opener.browse(w.win, func() {}) }}
	create := &widget.Button{Text: "Create Keystore…", Icon: theme.ContentAddIcon(),
		OnTapped: func() { w.opener.create(w.win, func() {}) }}
	w.lastOpen = &widget.Button{OnTapped: func() {
		w.opener.askPassword(w.win, w.app.Preferences().String(prefLastKeystore), "", func() {})
	}}
	w.waitingText = widget.NewLabel("")
	w.waitingText.Wrapping = fyne.TextWrapWord
	w.waitingText.Importance = widget.WarningImportance
	forget := &widget.Button{Text: "Forget These Files", Icon: theme.CancelIcon(), OnTapped: func() {
		w.waiting = nil
		w.showWaiting()
	}}
	w.waitingBox = container.NewVBox(w.waitingText, container.NewHBox(forget))
	w.waitingBox.Hide()
	box := container.NewVBox(breadcrumb("Manage Keystore", w.home), title, text,
		container.NewHBox(open, create, w.lastOpen), w.waitingBox)
	return container.NewVBox(container.New(&minWidthLayout{width: 560}, box))
}

// show brings the window forward.
func (w *keystoreWindow) show() {
	w.win.Show()
	w.win.RequestFocus()
}

// onKeystoreChanged shows the latest snapshot: after opening, after every
// change made here or from the Connectivity Tests window.
func (w *keystoreWindow) onKeystoreChanged() {
	w.model = w.svc.Model()
	if w.model == nil {
		w.main.Hide()
		w.empty.Show()
		last := w.app.Preferences().String(prefLastKeystore)
		if _, err := os.Stat(last); last != "" && err == nil {
			w.lastOpen.SetText("Open " + filepath.Base(last) + "…")
			w.lastOpen.Show()
		} else {
			w.lastOpen.Hide()
		}
		return
	}
	w.empty.Hide()
	w.main.Show()
	w.path.SetText(displayPath(w.model.Path))
	if why := w.model.readOnlyWhy(); why != "" {
		w.readOnly.SetText("Read-only: " + why + ".")
		w.readOnly.Show()
	} else {
		w.readOnly.Hide()
	}
	for _, b := range []*widget.Button{w.createBtn, w.addBtn, w.rename, w.updateBtn, w.remove} {
		setEnabled(b, !w.model.ReadOnly)
	}
	setEnabled(w.upload, w.model.keysUsable())
	setEnabled(w.backUp, !w.model.PKCS12) // Opsdesk never changes it: nothing to undo
	w.onFilter(w.filter.Text)
	w.showDetails(w.selected)
	w.offerWaiting()
}

// onFilter narrows the table as the user types. It scans a lower-case
// index built with the snapshot, so it costs a few milliseconds even for
// 10,000 entries, and the table redraws only the rows on screen.
func (w *keystoreWindow) onFilter(query string) {
	if w.model == nil {
		return
	}
	w.visible = w.model.filter(query, w.visible)
	w.header.SetText(fmt.Sprintf("Entries (%d)", len(w.visible)))
	w.table.Refresh()
}

// showDetails fills the details view with the entry named alias, and
// marks its row.
func (w *keystoreWindow) showDetails(alias string) {
	before := w.selected
	defer func() {
		if w.selected != before {
			w.table.Refresh()
		}
	}()
	w.details.RemoveAll()
	i, ok := 0, false
	if w.model != nil && alias != "" {
		i, ok = w.model.byAlias[alias]
	}
	if !ok {
		w.selected = ""
		w.detailTitle.SetText("Select an entry to see its details.")
		for _, b := range []*widget.Button{w.rename, w.updateBtn, w.download, w.keyPairBtn, w.remove} {
			b.Hide()
		}
		return
	}
	r := w.model.Rows[i]
	w.selected = alias
	title := "Details of " + alias
	if r.Entry.SAPOwned {
		title += " (SAP owns this entry: it cannot be renamed or deleted)"
	}
	w.detailTitle.SetText(title)
	w.rename.Show()
	w.updateBtn.Show()
	w.download.Show()
	w.remove.Show()
	if r.Entry.Type == keystore.KeyPair {
		w.keyPairBtn.Show()
	} else {
		w.keyPairBtn.Hide()
	}
	editable := !w.model.ReadOnly && !r.Entry.SAPOwned
	setEnabled(w.rename, editable)
	setEnabled(w.updateBtn, editable)
	setEnabled(w.remove, editable)
	w.details.Add(entryDetails(r))
}

func (w *keystoreWindow) onOpenAnother() {
	w.opener.browse(w.win, func() { w.filter.SetText("") })
}

func setEnabled(b fyne.Disableable, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
