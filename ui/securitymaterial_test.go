package ui

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/problem"
)

// newTestStore opens the real Security Material store on the encrypted
// file backend in a temporary data folder.
func newTestStore(t *testing.T) *credentials.Store {
	t.Helper()
	home := t.TempDir()
	t.Setenv("OPSDESK_HOME", home)
	t.Setenv(credentials.BackendEnv, "file")
	t.Setenv(credentials.FilePasswordEnv, "correct horse battery staple")
	s, err := credentials.Open(credentials.Options{Home: home, User: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newSMHome is the real Home with the Security Material store in use.
func newSMHome(t *testing.T) (*Home, *credentials.Store) {
	t.Helper()
	s := newTestStore(t)
	h := newTestHome(t)
	h.useSecurityMaterial(s)
	settle(t, h)
	return h, s
}

// tableText is every cell the Security Material table shows, a row a line.
func tableText(w *securityMaterialWindow) string {
	var rows []string
	for r := range w.visible {
		var cells []string
		for c := range smColumns {
			cells = append(cells, cellText(w, r, c))
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	return strings.Join(rows, "\n")
}

func cellText(w *securityMaterialWindow, row, col int) string {
	c := newSMCell()
	w.updateCell(tableCell(row, col), c)
	return c.(*smCell).label.Text
}

func tableCell(row, col int) widget.TableCellID { return widget.TableCellID{Row: row, Col: col} }

func typeInto(f *credentialForm, name, desc, user, pw, repeat string) {
	for _, p := range []struct {
		e interface{ SetText(string) }
		v string
	}{{f.name, name}, {f.description, desc}, {f.user, user}, {f.secret, pw}, {f.repeat, repeat}} {
		p.e.SetText(p.v)
	}
}

func TestCreateUserCredentialsForm(t *testing.T) {
	h, s := newSMHome(t)
	mustContain(t, "tile", h.securityMaterial.text(), "Security Material", "0", "deployed")
	w := h.showSecurityMaterial()
	settle(t, h)
	mustContain(t, "window", joined(w.win.Content()), "Overview", "Manage Security Material", "Security Material (0)",
		"Add", "Edit", "Undeploy", "Refresh")
	if !w.edit.Disabled() || !w.undeploy.Disabled() {
		t.Error("Edit and Undeploy are enabled with nothing selected")
	}

	f := w.showCreate(credentials.UserCredentials)
	mustContain(t, "form", overlayText(w.win), "Create User Credentials", "Name*", "Description", "Type*", "User*",
		"Password", "Repeat Password", "Deploy", "Cancel")
	cases := []struct{ name, user, pw, repeat, why string }{
		{"", mailUser, mailPassword, mailPassword, "The name is empty"},
		{"gmail smtp", mailUser, mailPassword, mailPassword, "contains a space"},
		{strings.Repeat("n", credentials.MaxNameLength+1), mailUser, mailPassword, mailPassword, "too long"},
		{"gmail_smtp", "", mailPassword, mailPassword, "Enter the User"},
		{"gmail_smtp", mailUser, mailPassword, "abcd", "The two passwords differ"},
		{"gmail_smtp", mailUser, strings.Repeat("p", 256), strings.Repeat("p", 256), "password is too long"},
	}
	for _, c := range cases {
		typeInto(f, c.name, "", c.user, c.pw, c.repeat)
		if !f.deploy.Disabled() {
			t.Errorf("Deploy enabled for %+v", c)
		}
		mustContain(t, "why", f.problemShown(), c.why)
	}
	typeInto(f, "", "Gmail for the tutorial", mailUser, "", "")
	test.Type(f.name, "gmail_smtp")
	test.Type(f.secret, mailPassword)
	test.Type(f.repeat, mailPassword)
	if f.deploy.Disabled() {
		t.Fatalf("Deploy disabled for valid input: %q", f.why.Text)
	}
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("the form is still open: %s", overlayText(w.win))
	}
	if w.header.Text != "Security Material (1)" {
		t.Errorf("header %q", w.header.Text)
	}
	row := tableText(w)
	mustContain(t, "table", row, "gmail_smtp | User Credentials | Deployed | tester | ")
	mustContain(t, "tile", h.securityMaterial.text(), "1", "deployed")

	// A second one with the same name in other capitals is refused at once.
	f = w.showCreate(credentials.UserCredentials)
	typeInto(f, "GMAIL_SMTP", "", mailUser, "x", "x")
	mustContain(t, "why", f.problemShown(), "is taken")
	tapOverlayButton(t, w.win, "Cancel")

	// Search.
	w.search.SetText("nothing like it")
	if len(w.visible) != 0 {
		t.Error("search shows what does not match")
	}
	w.search.SetText("gmail")
	if len(w.visible) != 1 {
		t.Error("search hides what matches")
	}

	// Edit the description; the password stays.
	w.table.Select(tableCell(0, 0))
	if w.edit.Disabled() {
		t.Fatal("Edit disabled with a row selected")
	}
	test.Tap(w.edit)
	f = credentialFormOn(w.win)
	mustContain(t, "edit form", overlayText(w.win), "Edit User Credentials")
	if f.name.Text != "gmail_smtp" || !f.name.Disabled() || f.user.Text != mailUser || f.secret.Text != "" {
		t.Errorf("edit form: name %q user %q secret %q", f.name.Text, f.user.Text, f.secret.Text)
	}
	f.description.SetText("Gmail, App Password")
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)
	e, err := s.Entry("gmail_smtp")
	if err != nil || e.Description != "Gmail, App Password" {
		t.Errorf("after edit: %+v %v", e, err)
	}
	user, pw, err := s.Lookup("gmail_smtp")
	if err != nil || user != mailUser || string(pw) != mailPassword {
		t.Errorf("edit lost the credential: %q %q %v", user, pw, err)
	}

	// Undeploy asks first; Cancel keeps it.
	test.Tap(w.undeploy)
	mustContain(t, "confirmation", overlayText(w.win), "Undeploy “gmail_smtp”?", "Its password is removed", "Undeploy", "Cancel")
	tapOverlayButton(t, w.win, "Cancel")
	settle(t, h)
	if names, _ := s.Names(); len(names) != 1 {
		t.Fatalf("Cancel deleted: %v", names)
	}
	w.table.Select(tableCell(0, 0))
	test.Tap(w.undeploy)
	tapOverlayButton(t, w.win, "Undeploy")
	settle(t, h)
	if names, _ := s.Names(); len(names) != 0 {
		t.Errorf("still stored: %v", names)
	}
	if w.header.Text != "Security Material (0)" || len(w.visible) != 0 {
		t.Errorf("after undeploy: %q, %d rows", w.header.Text, len(w.visible))
	}
	mustContain(t, "tile", h.securityMaterial.text(), "0", "deployed")
}

func TestSecureParameterForm(t *testing.T) {
	h, s := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	f := w.showCreate(credentials.SecureParameter)
	mustContain(t, "form", overlayText(w.win), "Create Secure Parameter", "Secure Parameter*", "Repeat Secure Parameter*")
	typeInto(f, "api_key", "", "", "", "")
	mustContain(t, "why", f.problemShown(), "Enter the Secure Parameter")
	typeInto(f, "api_key", "", "", "s3cret", "s3cret")
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)
	e, err := s.Entry("api_key")
	if err != nil || e.Type != credentials.SecureParameter {
		t.Fatalf("%+v %v", e, err)
	}
	// Not a User Credential: the Credential Name drop-down leaves it out.
	c := h.showConnectivity()
	settle(t, h)
	if opts := c.tab(connectivity.SMTP).cred.name.Options; len(opts) != 0 {
		t.Errorf("Credential Name offers %v", opts)
	}
}

// TestCredentialNameFromSecurityMaterial: a credential created from the
// Connectivity Tests window's New… is chosen and logs in to the server.
// TestCredentialNameFromSecurityMaterial walks the whole tutorial in the
// windows: deploy a User Credential (from Credential Name's New…), test
// SMTP with validation off, add the chain to the keystore, test again
// with validation on.
func TestCredentialNameFromSecurityMaterial(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"PLAIN"}, User: mailUser, Password: mailPassword})
	h := newTestHome(t)
	c := connectivityFor(t, h)
	tab := c.tab(connectivity.SMTP)
	if tab.cred.user == nil {
		t.Fatal("without the keyring, Credential Name should be a typed user")
	}
	// The keyring opens after the window: the field becomes the drop-down.
	h.useSecurityMaterial(newTestStore(t))
	settle(t, h)
	if tab.cred.name == nil || tab.cred.create == nil {
		t.Fatal("Credential Name is no drop-down with New…")
	}
	fillSMTP := func() {
		test.Type(tab.host, mailtest.Host)
		tab.port.SetText(strconv.Itoa(port))
		tab.protection.SetSelected("STARTTLS Mandatory")
		tab.auth.SetSelected("Plain User/Password")
		tab.verify.SetChecked(false)
	}
	fillSMTP()
	mustContain(t, "status", tab.status.Text, "Choose a Credential Name")

	test.Tap(tab.cred.create)
	f := credentialFormOn(c.win)
	mustContain(t, "form", overlayText(c.win), "Create User Credentials")
	if !f.typeSel.Disabled() || f.typeSel.Selected != string(credentials.UserCredentials) {
		t.Errorf("a mail test takes User Credentials only, but Type offers %q (disabled %v)", f.typeSel.Selected, f.typeSel.Disabled())
	}
	typeInto(f, "gmail_smtp", "", mailUser, mailPassword, mailPassword)
	tapOverlayButton(t, c.win, "Deploy")
	settle(t, h)
	if tab.cred.name.Selected != "gmail_smtp" {
		t.Fatalf("Credential Name is %q, options %v", tab.cred.name.Selected, tab.cred.name.Options)
	}
	if got := c.tab(connectivity.IMAP).cred.name.Options; len(got) != 1 || got[0] != "gmail_smtp" {
		t.Errorf("IMAP's Credential Name offers %v", got)
	}
	mustContain(t, "tile", h.securityMaterial.text(), "1", "deployed")
	resp := send(t, h, tab)
	mustContain(t, "response", resp, "Authentication: Successful", "Server Certificate: Invalid")

	// The rest of the tutorial with the deployed credential: the chain
	// into the keystore, then a second Send with validation on.
	openKeystore(t, h, newKeystore(t, nil))
	test.Tap(tab.resp.addToKS)
	if importDialogOn(c.win) == nil || len(importDialogOn(c.win).items) != 2 {
		t.Fatal("Add to Keystore lists no chain")
	}
	test.Tap(importDialogOn(c.win).confirm)
	settle(t, h)
	tab.verify.SetChecked(true)
	resp = send(t, h, tab)
	mustContain(t, "second response", resp, "Server Certificate: Valid", "Authentication: Successful")
}

func TestSecurityMaterialUnavailable(t *testing.T) {
	err := &problem.Error{Kind: credentials.ErrUnavailable, What: "No keyring is available",
		Hint: "Start the login keyring, or set " + credentials.FilePasswordEnv + ".", Detail: "dbus: no session bus"}
	h := newTestHome(t)
	h.securityMaterialUnavailable(err)
	mustContain(t, "tile", h.securityMaterial.text(), "keyring unavailable", "Tap to see why")
	test.Tap(h.securityMaterial.button)
	mustContain(t, "dialog", overlayText(h.win), "Security Material", "Technical Detail")
	if h.showSecurityMaterial() != nil {
		t.Error("a window without a keyring")
	}
}

// TestUserCredentialTypes: the Type drop-down of Create User Credentials
// offers SuccessFactors (with a Company ID) and OpenConnectors (whose
// User, Organization and Element are secrets, never shown); neither is a
// Credential Name for a mail test.
func TestUserCredentialTypes(t *testing.T) {
	h, s := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	f := w.showCreate(credentials.UserCredentials)
	if got := strings.Join(f.typeSel.Options, ", "); got != "User Credentials, SuccessFactors, OpenConnectors" {
		t.Fatalf("Type offers %s", got)
	}

	// SuccessFactors: User Credentials with a Company ID.
	f.typeSel.SetSelected("SuccessFactors")
	mustContain(t, "form", overlayText(w.win), "Create User Credentials", "Type*", "User*", "Password", "Repeat Password", "Company ID*")
	typeInto(f, "sf_odata", "", "sfapi", "sf-pass", "sf-pass")
	for _, c := range []struct{ id, user, why string }{
		{"", "sfapi", "The Company ID is empty"},
		{"SFC PART", "sfapi", "contains a space (character 4)"},
		{strings.Repeat("C", credentials.MaxCompanyIDLength+1), "sfapi", "at most 100"},
		{"SFCPART000123", strings.Repeat("u", credentials.MaxSuccessFactorsUser+1), "The user is too long: 101 characters, at most 100"},
	} {
		f.user.SetText(c.user)
		f.companyID.SetText(c.id)
		if !f.deploy.Disabled() {
			t.Errorf("Deploy enabled for %+v", c)
		}
		mustContain(t, "why", f.problemShown(), c.why)
	}
	f.user.SetText("sfapi")
	f.companyID.SetText("SFCPART000123")
	if f.deploy.Disabled() {
		t.Fatalf("Deploy disabled: %q", f.why.Text)
	}
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)
	if e, err := s.Entry("sf_odata"); err != nil || e.Type != credentials.SuccessFactors || e.CompanyID != "SFCPART000123" || e.User != "sfapi" {
		t.Fatalf("stored %+v %v", e, err)
	}

	// OpenConnectors: three secrets in password fields, and no Password.
	f = w.showCreate(credentials.UserCredentials)
	f.typeSel.SetSelected("OpenConnectors")
	form := overlayText(w.win)
	mustContain(t, "form", form, "User*", "Organization*", "Element*")
	if strings.Contains(form, "Password") || strings.Contains(form, "Company ID") {
		t.Errorf("OpenConnectors shows the fields of another type:\n%s", form)
	}
	for _, e := range []*keyEntry{f.ocUser, f.organization, f.element} {
		if !e.Password {
			t.Errorf("%q is shown as typed", e.PlaceHolder)
		}
	}
	const userSecret, orgSecret, element = "Us3r-Secret-Kx", "0rg-Secret-Kx", "Jt0HZF1+0EOzWlz/GkqjVa7Cr="
	f.name.SetText("oc.hubspot")
	for _, c := range []struct{ user, org, elem, why string }{
		{"", orgSecret, element, "The user secret is empty"},
		{userSecret, "", element, "The organization secret is empty"},
		{userSecret, orgSecret, "", "The element token is empty"},
		{userSecret, orgSecret, element + "\n", "element token contains a line break"},
		{userSecret, "Qx,Zv", element, "organization secret contains a comma"},
		{userSecret + " ", orgSecret, element, "user secret contains a space"},
	} {
		f.ocUser.SetText(c.user)
		f.organization.SetText(c.org)
		f.element.SetText(c.elem)
		if !f.deploy.Disabled() {
			t.Errorf("Deploy enabled for %+v", c)
		}
		mustContain(t, "why", f.problemShown(), c.why)
		if strings.Contains(f.problemShown(), "Qx,Zv") {
			t.Errorf("the hint quotes a secret: %q", f.problemShown())
		}
	}
	f.ocUser.SetText(userSecret)
	f.organization.SetText(orgSecret)
	f.element.SetText(element)
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)

	// A plain User Credential too, for the Credential Name below.
	f = w.showCreate(credentials.UserCredentials)
	typeInto(f, "gmail_smtp", "", mailUser, mailPassword, mailPassword)
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)

	table := tableText(w)
	mustContain(t, "table", table, "gmail_smtp | User Credentials | Deployed", "oc.hubspot | OpenConnectors | Deployed",
		"sf_odata | SuccessFactors | Deployed")
	for _, secret := range []string{userSecret, orgSecret, element, "sf-pass"} {
		if strings.Contains(table+joined(w.win.Content()), secret) {
			t.Errorf("the window shows a secret:\n%s", table)
		}
		w.search.SetText(secret[:len(secret)-1])
		if len(w.visible) != 0 {
			t.Errorf("searching finds a secret")
		}
	}
	w.search.SetText("")
	c := h.showConnectivity()
	settle(t, h)
	if opts := c.tab(connectivity.SMTP).cred.name.Options; len(opts) != 1 || opts[0] != "gmail_smtp" {
		t.Errorf("Credential Name offers %v", opts)
	}

	// Editing keeps the type; secrets left empty are kept.
	w.win.Show()
	w.table.Select(tableCell(1, 0))
	test.Tap(w.edit)
	f = credentialFormOn(w.win)
	mustContain(t, "edit form", overlayText(w.win), "Edit User Credentials", "Organization*")
	if !f.typeSel.Disabled() || f.typeSel.Selected != "OpenConnectors" || f.ocUser.Text != "" {
		t.Fatalf("edit form: type %q (disabled %v), user %q", f.typeSel.Selected, f.typeSel.Disabled(), f.ocUser.Text)
	}
	if f.deploy.Disabled() {
		t.Fatalf("Deploy disabled with the secrets unchanged: %q", f.why.Text)
	}
	f.description.SetText("HubSpot")
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)
	if e, err := s.Entry("oc.hubspot"); err != nil || e.Description != "HubSpot" || e.Type != credentials.OpenConnectors {
		t.Fatalf("after edit: %+v %v", e, err)
	}
	w.table.Select(tableCell(2, 0))
	test.Tap(w.edit)
	f = credentialFormOn(w.win)
	if f.typeSel.Selected != "SuccessFactors" || f.companyID.Text != "SFCPART000123" || f.user.Text != "sfapi" {
		t.Fatalf("edit form: %q %q %q", f.typeSel.Selected, f.companyID.Text, f.user.Text)
	}
	f.companyID.SetText("SFCPART000999")
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)
	if e, _ := s.Entry("sf_odata"); e.CompanyID != "SFCPART000999" {
		t.Fatalf("Company ID %q", e.CompanyID)
	}
	if u, pw, err := s.Lookup("sf_odata"); err != nil || u != "sfapi" || string(pw) != "sf-pass" {
		t.Fatalf("the edit lost the password: %v", err)
	}

	// New… beside Credential Name makes only User Credentials.
	f = w.showCreate(credentials.UserCredentials)
	f.typeSel.SetSelected("OpenConnectors")
	f.fixType()
	if f.typeSel.Selected != "User Credentials" || !f.typeSel.Disabled() || !strings.Contains(overlayText(w.win), "Repeat Password") {
		t.Errorf("fixType: %q", f.typeSel.Selected)
	}
}

// TestSecurityMaterialByKeyboard: the menu bar's items (whose Ctrl
// shortcuts work even while the search has focus) do what the toolbar does.
func TestSecurityMaterialByKeyboard(t *testing.T) {
	h, s := newSMHome(t)
	w := h.showSecurityMaterial()
	settle(t, h)
	item := func(label string) *fyne.MenuItem {
		t.Helper()
		it := findMenuItem(w.win, label)
		if it == nil || it.Shortcut == nil {
			t.Fatalf("no menu item %q with a shortcut", label)
		}
		return it
	}
	item("Add Secure Parameter…").Action()
	mustContain(t, "form", overlayText(w.win), "Create Secure Parameter")
	typeInto(credentialFormOn(w.win), "api_key", "", "", "s3cret", "s3cret")
	tapOverlayButton(t, w.win, "Deploy")
	settle(t, h)

	item("Search").Action()
	if w.win.Canvas().Focused() != w.search {
		t.Error("Search did not focus the search box")
	}
	test.Type(w.search, "no such entry") // hides the new entry, and so unselects it
	item("Edit…").Action()               // nothing selected: nothing to edit
	if w.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("Edit without a selection opened %s", overlayText(w.win))
	}
	w.search.SetText("")
	w.table.Select(tableCell(0, 0))
	item("Edit…").Action()
	mustContain(t, "edit form", overlayText(w.win), "Edit Secure Parameter")
	tapOverlayButton(t, w.win, "Cancel")
	item("Undeploy…").Action()
	tapOverlayButton(t, w.win, "Undeploy")
	settle(t, h)
	if names, _ := s.Names(); len(names) != 0 {
		t.Errorf("Undeploy… from the menu left %v", names)
	}
	item("Close Window").Action()
	if !slices.Contains(h.app.Driver().AllWindows(), w.win) {
		t.Error("Close Window destroyed the window instead of hiding it")
	}
}
