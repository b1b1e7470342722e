package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// securityMaterialStore is what the Security Material window needs of
// core/credentials; *credentials.Store satisfies it.
type securityMaterialStore interface {
	credentialSource
	List() ([]credentials.Entry, error)
	Add(e credentials.Entry, secret []byte) (credentials.Entry, error)
	AddSecrets(e credentials.Entry, sec credentials.Secrets) (credentials.Entry, error) // OpenConnectors' three
	Edit(name string, c credentials.Change) (credentials.Entry, error)
	Delete(name string) error // what the window calls Undeploy, as the tenant does
	// Authorize gets an OAuth2 Authorization Code entry's token through
	// the browser (credentials.Store.Authorize).
	Authorize(ctx context.Context, name string, opt oauth.AuthorizeOptions) (credentials.Entry, error)
}

var _ securityMaterialStore = (*credentials.Store)(nil)

// smColumns are the tenant's columns, in its order. Type is as wide as
// its longest name, "OAuth2 Authorization Code", which an ellipsis would
// cut before it says which kind it is; Name and Deployed By give the room.
var smColumns = []column{{"Name", 240}, {"Type", 210}, {"Status", 110}, {"Deployed By", 130}, {"Deployed On", 170}}

// securityMaterialWindow is "Overview / Manage Security Material": the
// deployed User Credentials and Secure Parameters, with Add ▾, Edit and
// Undeploy (the tenant's word for removing deployed material). The entries
// come from the keyring in the background.
type securityMaterialWindow struct {
	app     fyne.App
	win     fyne.Window
	store   securityMaterialStore
	bg      *background
	home    func()
	onCount func(n int) // the Home tile's number
	// onChange runs after every change, so the Credential Name drop-downs
	// follow.
	onChange func()

	entries []credentials.Entry
	visible []int // indexes into entries that match the search
	// selected names the entry Edit and Undeploy act on: its row is
	// marked in every column, and with none marked they are disabled.
	selected string

	header                    *widget.Label
	search                    *widget.Entry
	table                     *widget.Table
	empty                     *fyne.Container // over the table when it has no rows: what to do
	emptyTitle, emptyHint     *widget.Label
	emptyAdd                  *widget.Button
	status                    *widget.Label
	add, edit, undeploy, refr *widget.Button
	authorize                 *widget.Button
	note                      string // said on the status line once the list is read again
	// openURL opens the sign-in page of Authorize: the system browser
	// (fyne's OpenURL); tests sign in headlessly instead.
	openURL func(u *url.URL) error
}

func newSecurityMaterialWindow(a fyne.App, store securityMaterialStore, bg *background, home func()) *securityMaterialWindow {
	w := &securityMaterialWindow{app: a, store: store, bg: bg, home: home, openURL: a.OpenURL}
	w.win = a.NewWindow("Security Material – Opsdesk")
	w.buildUI()
	restoreSize(a, w.win, "securitymaterial", fyne.NewSize(1000, 600))
	w.win.SetCloseIntercept(w.hide)
	return w
}

// hide is closing the window: it comes back as it was.
func (w *securityMaterialWindow) hide() {
	saveSize(w.app, w.win, "securitymaterial")
	w.win.Hide()
}

// menu is the window's menu bar: the toolbar's actions by keyboard. Edit
// and Delete act on the selected row, as the buttons do.
func (w *securityMaterialWindow) menu() *fyne.MainMenu {
	return fyne.NewMainMenu(fyne.NewMenu("Security Material",
		menuItem("Add "+string(credentials.UserCredentials)+"…", withKey(fyne.KeyN), func() { w.showCreate(credentials.UserCredentials) }),
		menuItem("Add "+string(credentials.SecureParameter)+"…", withShiftKey(fyne.KeyN), func() { w.showCreate(credentials.SecureParameter) }),
		fyne.NewMenuItem("Add "+string(credentials.OAuth2AuthorizationCode)+"…", func() { w.showCreate(credentials.OAuth2AuthorizationCode) }),
		menuItem("Edit…", withKey(fyne.KeyE), w.onEdit),
		fyne.NewMenuItem("Authorize…", w.onAuthorize),
		menuItem("Undeploy…", withKey(fyne.KeyDelete), w.onUndeploy),
		fyne.NewMenuItemSeparator(),
		menuItem("Search", withKey(fyne.KeyF), func() { w.win.Canvas().Focus(w.search) }),
		menuItem("Refresh", withKey(fyne.KeyR), w.reload),
		fyne.NewMenuItemSeparator(),
		closeItem(w.hide),
	))
}

func (w *securityMaterialWindow) buildUI() {
	w.header = heading("Security Material (0)")
	w.header.SizeName = theme.SizeNameSubHeadingText
	w.search = widget.NewEntry()
	w.search.SetPlaceHolder("Search")
	w.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	w.search.OnChanged = func(string) { w.applyFilter() }

	w.add = &widget.Button{Text: "Add", Icon: theme.MenuDropDownIcon(), IconPlacement: widget.ButtonIconTrailingText, OnTapped: w.onAddMenu}
	w.edit = &widget.Button{Text: "Edit", Icon: theme.DocumentCreateIcon(), OnTapped: w.onEdit}
	w.undeploy = &widget.Button{Text: "Undeploy", Icon: theme.DeleteIcon(), OnTapped: w.onUndeploy}
	w.authorize = &widget.Button{Text: "Authorize", Icon: theme.LoginIcon(), OnTapped: w.onAuthorize}
	w.refr = &widget.Button{Text: "Refresh", Icon: theme.ViewRefreshIcon(), OnTapped: w.reload}
	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(w.header, layout.NewSpacer()),
		container.NewHBox(w.add, w.authorize, w.edit, w.undeploy, w.refr),
		container.New(&minWidthLayout{width: 220}, w.search))

	w.table = headedTable(smColumns, func() int { return len(w.visible) }, newSMCell, w.updateCell)
	selectRows(w.table, func() int { return len(w.visible) }, func(row int) {
		w.selectName(w.entries[w.visible[row]].Name)
	})
	w.status = widget.NewLabel("") // what is going on, or what cannot be read
	w.status.Wrapping = fyne.TextWrapWord

	top := container.NewVBox(breadcrumb("Manage Security Material", w.home), toolbar)
	w.win.SetContent(container.NewPadded(container.NewBorder(top, w.status, nil, nil,
		container.NewStack(fillLastColumn(w.table, smColumns, nil), w.emptyState()))))
	w.updateButtons()
}

func (w *securityMaterialWindow) show() {
	w.win.Show()
	w.win.RequestFocus()
	w.reload()
}

// reload lists the entries again from the keyring, in the background.
func (w *securityMaterialWindow) reload() {
	w.setStatus("Reading the Security Material…", widget.MediumImportance)
	store := w.store
	w.bg.run(func() func() {
		entries, err := store.List()
		return func() {
			if err != nil {
				why, _ := explained(err)
				w.setStatus(why, widget.DangerImportance)
				fyne.LogError("list security material", err)
				return
			}
			w.setEntries(entries)
		}
	})
}

func (w *securityMaterialWindow) setEntries(entries []credentials.Entry) {
	w.entries = entries
	w.setStatus(w.note, widget.MediumImportance) // what the last action came to, if anything
	w.note = ""
	for _, e := range entries {
		switch {
		case e.Status == credentials.Error && e.Type == credentials.OAuth2AuthorizationCode:
			w.setStatus(fmt.Sprintf("%q must be authorized again: %s.", e.Name, strings.TrimSuffix(e.Problem, ".")), widget.DangerImportance)
		case e.Status == credentials.Error:
			w.setStatus(fmt.Sprintf("%q cannot be read: %s", e.Name, e.Problem), widget.DangerImportance)
		}
	}
	w.header.SetText(fmt.Sprintf("Security Material (%d)", len(entries)))
	if w.onCount != nil {
		w.onCount(len(entries))
	}
	w.applyFilter()
	for row, i := range w.visible {
		if w.entries[i].Name == w.selected { // one just deployed: in view
			w.table.ScrollTo(widget.TableCellID{Row: row, Col: 0})
		}
	}
}

// setStatus says text under the table, in the colour of imp.
func (w *securityMaterialWindow) setStatus(text string, imp widget.Importance) {
	w.status.Importance = imp
	w.status.SetText(text)
}

// applyFilter shows the entries whose name, type, description or user
// holds the search text, ignoring capitals.
func (w *securityMaterialWindow) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(w.search.Text))
	w.visible = w.visible[:0]
	found := false
	for i, e := range w.entries {
		hay := strings.ToLower(strings.Join([]string{e.Name, string(e.Type), e.Description, e.User}, "\n"))
		if q == "" || strings.Contains(hay, q) {
			w.visible = append(w.visible, i)
			if e.Name == w.selected {
				found = true
			}
		}
	}
	if !found {
		w.selected = "" // a hidden row is not visibly selected: nothing is
	}
	w.table.Refresh()
	w.updateButtons()
	w.updateEmpty()
}

func (w *securityMaterialWindow) updateButtons() {
	setEnabled(w.edit, w.selected != "")
	setEnabled(w.undeploy, w.selected != "")
	e, ok := w.selectedEntry()
	setEnabled(w.authorize, ok && e.Type == credentials.OAuth2AuthorizationCode)
}

func (w *securityMaterialWindow) selectedEntry() (credentials.Entry, bool) {
	for _, e := range w.entries {
		if e.Name == w.selected && w.selected != "" {
			return e, true
		}
	}
	return credentials.Entry{}, false
}

// onAuthorize is Authorize: the selected OAuth2 entry's sign-in in the
// system browser, waited for off the UI thread with Cancel.
func (w *securityMaterialWindow) onAuthorize() {
	e, ok := w.selectedEntry()
	if !ok || e.Type != credentials.OAuth2AuthorizationCode {
		return
	}
	a := &authorizer{win: w.win, store: w.store, bg: w.bg, open: w.openURL, done: func(stored credentials.Entry, err error) {
		switch {
		case errors.Is(err, context.Canceled):
			w.note = fmt.Sprintf("Authorizing %q was cancelled; it is as it was.", e.Name)
		case err != nil:
			showError("Authorize", err, w.win)
		default:
			w.note = fmt.Sprintf("%q is authorized: connectivity tests can use it now.", stored.Name)
		}
		w.onStored(credentials.Entry{Name: e.Name})
	}}
	a.start(e)
}

func (w *securityMaterialWindow) names() []string {
	out := make([]string, len(w.entries))
	for i, e := range w.entries {
		out[i] = e.Name
	}
	return out
}

// onAddMenu is Add ▾: the kinds of Security Material Opsdesk keeps.
func (w *securityMaterialWindow) onAddMenu() {
	menu := fyne.NewMenu("",
		fyne.NewMenuItem(string(credentials.UserCredentials), func() { w.showCreate(credentials.UserCredentials) }),
		fyne.NewMenuItem(string(credentials.OAuth2AuthorizationCode), func() { w.showCreate(credentials.OAuth2AuthorizationCode) }),
		fyne.NewMenuItem(string(credentials.SecureParameter), func() { w.showCreate(credentials.SecureParameter) }))
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(w.add).AddXY(0, w.add.Size().Height)
	widget.ShowPopUpMenuAtPosition(menu, w.win.Canvas(), pos)
}

// showCreate opens the Create form for typ on this window.
func (w *securityMaterialWindow) showCreate(typ credentials.Type) *credentialForm {
	if typ == credentials.OAuth2AuthorizationCode {
		showOAuth2Form(w.win, w.store, w.bg, nil, w.names(), w.onStored)
		return nil
	}
	return showCredentialForm(w.win, w.store, w.bg, typ, nil, w.names(), w.onStored)
}

func (w *securityMaterialWindow) onEdit() {
	for _, e := range w.entries {
		if e.Name == w.selected {
			if e.Status == credentials.Error {
				showInformation("Edit", fmt.Sprintf("%q cannot be read, so it cannot be edited. Undeploy it and add it again.", e.Name), w.win)
				return
			}
			e := e
			if e.Type == credentials.OAuth2AuthorizationCode {
				showOAuth2Form(w.win, w.store, w.bg, &e, nil, w.onStored)
				return
			}
			showCredentialForm(w.win, w.store, w.bg, e.Type, &e, nil, w.onStored)
			return
		}
	}
}

func (w *securityMaterialWindow) onStored(e credentials.Entry) {
	w.selected = e.Name // marked, and scrolled to, once the list is read again
	w.reload()
	if w.onChange != nil {
		w.onChange()
	}
}

// onUndeploy asks first: an undeployed password cannot be brought back.
// Undeploy is the tenant's word for removing deployed Security Material.
func (w *securityMaterialWindow) onUndeploy() {
	name := w.selected
	if name == "" {
		return
	}
	what := "secret"
	for _, e := range w.entries {
		if e.Name == name {
			what = secretWord(e.Type)
		}
	}
	askConfirm(w.win, "Undeploy Security Material",
		fmt.Sprintf("Undeploy “%s”? Its %s is removed from this computer's keyring and cannot be brought back; tests that use it will ask for another.", name, what),
		"Undeploy", widget.DangerImportance, func(ok bool) {
			if ok {
				w.remove(name)
			}
		})
}

// secretWord names what an entry of type t keeps secret.
func secretWord(t credentials.Type) string {
	switch t {
	case credentials.SecureParameter:
		return "secure parameter"
	case credentials.OpenConnectors:
		return "user secret, organization secret and element token"
	case credentials.OAuth2AuthorizationCode:
		return "client secret and tokens"
	}
	return "password"
}

func (w *securityMaterialWindow) remove(name string) {
	store := w.store
	w.bg.run(func() func() {
		err := store.Delete(name)
		return func() {
			if err != nil {
				showError("Undeploy", err, w.win)
				return
			}
			w.selected = ""
			w.reload()
			if w.onChange != nil {
				w.onChange()
			}
		}
	})
}

// useSecurityMaterial hands Home the opened keyring: the Security Material
// tile opens its window and shows the count, and the Connectivity Tests'
// Credential Name becomes the drop-down of its User Credentials.
func (h *Home) useSecurityMaterial(s securityMaterialStore) {
	h.smStore = s
	h.svcs.credentials = s
	h.enableSecurityMaterial(func() { h.showSecurityMaterial() })
	if h.connWin != nil {
		h.connWin.setCredentials(s)
	}
	if h.mailWin != nil {
		h.mailWin.setStore(s)
	}
	h.countSecurityMaterial()
}

// countSecurityMaterial updates the tile's number from the keyring.
func (h *Home) countSecurityMaterial() {
	s := h.smStore
	h.bg.run(func() func() {
		entries, err := s.List()
		return func() {
			if err != nil {
				h.securityMaterialUnreadable(err)
				return
			}
			h.setSecurityMaterialCount(len(entries))
		}
	})
}

// securityMaterialUnavailable says on the tile why the keyring could not be
// opened; tapping it shows the whole explanation. The rest of the app works
// without it.
func (h *Home) securityMaterialUnavailable(err error) {
	h.enableSecurityMaterial(func() { showError("Security Material", err, h.win) })
	h.securityMaterialUnreadable(err)
}

// securityMaterialLocked says on the tile that the keyring is locked: its
// password was not given. Tapping the tile calls retry, on the UI thread,
// which asks again in the background and then calls one of
// useSecurityMaterial, securityMaterialLocked or securityMaterialUnavailable.
func (h *Home) securityMaterialLocked(retry func()) {
	h.enableSecurityMaterial(func() {
		h.securityMaterial.setEnabled(false) // one question at a time
		h.securityMaterial.setCount("–", "unlocking…")
		h.securityMaterial.setAlerts()
		retry()
	})
	h.securityMaterial.setCount("–", "locked")
	h.securityMaterial.setAlerts(alert{"Tap to unlock.", theme.ColorNameWarning})
}

func (h *Home) securityMaterialUnreadable(err error) {
	fyne.LogError("security material", err)
	h.securityMaterial.setCount("–", "keyring unavailable")
	h.securityMaterial.setAlerts(alert{"Tap to see why.", theme.ColorNameError})
}

// showSecurityMaterial opens the Security Material window, or brings it
// forward; nil until the keyring is open.
func (h *Home) showSecurityMaterial() *securityMaterialWindow {
	if h.smStore == nil {
		return nil
	}
	if h.smWin == nil {
		h.smWin = newSecurityMaterialWindow(h.app, h.smStore, h.bg, h.showHome)
		h.smWin.win.SetMainMenu(h.menuFor(h.smWin.menu(), TileSecurityMaterial))
		h.smWin.onCount = h.setSecurityMaterialCount
		h.smWin.onChange = func() {
			if h.connWin != nil {
				h.connWin.reloadCredentials(nil)
			}
			if h.mailWin != nil {
				h.mailWin.signIn.list()
			}
		}
	}
	h.smWin.show()
	return h.smWin
}

// newCredential opens the Create User Credentials form, or the OAuth2
// Authorization Code form, on parent (the Connectivity Tests window) and
// reports the name deployed.
func (h *Home) newCredential(parent fyne.Window, typ credentials.Type, done func(name string)) {
	if h.smStore == nil {
		return
	}
	var taken []string
	if h.smWin != nil {
		taken = h.smWin.names()
	}
	stored := func(e credentials.Entry) {
		if h.smWin != nil {
			h.smWin.reload()
		} else {
			h.countSecurityMaterial()
		}
		done(e.Name)
	}
	if typ == credentials.OAuth2AuthorizationCode {
		showOAuth2Form(parent, h.smStore, h.bg, nil, taken, stored)
		return
	}
	form := showCredentialForm(parent, h.smStore, h.bg, credentials.UserCredentials, nil, taken, stored)
	form.fixType() // a mail test takes User Credentials only
}
