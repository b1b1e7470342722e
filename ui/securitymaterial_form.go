package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/problem"
)

// userCredentialTypes are the choices of the Create User Credentials
// dialog's Type, in the tenant's order.
var userCredentialTypes = []credentials.Type{credentials.UserCredentials, credentials.SuccessFactors, credentials.OpenConnectors}

// credentialForm is the tenant's "Create User Credentials" or "Create
// Secure Parameter" dialog, and the same form for editing one. Deploy stays
// disabled, with a line saying why, until the input can be stored.
//
// Its Type chooses the fields: User Credentials has User, Password and
// Repeat Password; SuccessFactors adds Company ID; OpenConnectors has User,
// Organization and Element instead, all three secrets (credentials.Secrets
// says why), so all three are password fields, and none is ever shown.
// They have no Repeat, as on the tenant, which asks that only of a
// password: they are long tokens that are pasted, not typed, and what goes
// wrong in a paste (a space, a line break, a comma, a stray character) is
// refused on the line below instead.
//
// It is the dialog's content, a widget of its own, so that the dialog on
// screen is the credentialForm value.
type credentialForm struct {
	widget.BaseWidget
	body  fyne.CanvasObject
	store securityMaterialStore
	bg    *background
	typ   credentials.Type
	edit  *credentials.Entry // nil when creating
	taken map[string]bool    // names in use, lower-cased (the keyring ignores case)
	done  func(credentials.Entry)

	name, description, user, companyID *keyEntry
	typeSel                            *keySelect
	secret, repeat                     *keyEntry
	ocUser, organization, element      *keyEntry // OpenConnectors' secrets
	fields                             *fyne.Container
	items                              map[string]*widget.FormItem // by credentials.Field…, for the hint beside each
	shownForm                          *widget.Form
	why                                *widget.Label // what is wrong that belongs to no one field
	deploy, cancel                     *keyButton
	dlg                                *keyedDialog // Enter deploys, Escape cancels
}

func (f *credentialForm) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(f.body)
}

// lowerSet is names in lower case, for a form to tell a name taken in
// other capitals (Windows' Credential Manager ignores case).
func lowerSet(names []string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[strings.ToLower(n)] = true
	}
	return set
}

// formEntry is a field of a Security Material form: each change checks the
// form again.
func formEntry(password bool, placeHolder string, validate func()) *keyEntry {
	e := newKeyEntry()
	e.Password = password
	e.PlaceHolder = placeHolder
	e.OnChanged = func(string) { validate() }
	return e
}

// showCredentialForm opens the form on parent. existing, when given, is the
// entry to edit; taken lists the names already deployed. done runs on the
// UI thread with what was stored.
func showCredentialForm(parent fyne.Window, store securityMaterialStore, bg *background, typ credentials.Type,
	existing *credentials.Entry, taken []string, done func(credentials.Entry)) *credentialForm {
	f := &credentialForm{store: store, bg: bg, typ: typ, edit: existing, taken: lowerSet(taken), done: done}
	entry := func(password bool, placeHolder string) *keyEntry {
		return formEntry(password, placeHolder, func() { f.validate() })
	}
	f.name = entry(false, "e.g. gmail_smtp")
	f.description = entry(false, "")
	f.user = entry(false, "e.g. you@gmail.com")
	f.companyID = entry(false, "e.g. SFCPART000123")
	f.secret = entry(true, "")
	f.repeat = entry(true, "")
	f.ocUser = entry(true, "User Secret")
	f.organization = entry(true, "Organization Secret")
	f.element = entry(true, "Element Token")
	var options []string
	for _, t := range userCredentialTypes {
		options = append(options, string(t))
	}
	f.typeSel = newKeySelect(options, nil)
	f.typeSel.SetSelected(string(typ))
	f.typeSel.OnChanged = f.onType
	f.why = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}

	// SuccessFactors and OpenConnectors are User Credentials of another
	// Type, created and edited in the same dialog.
	kind := string(credentials.UserCredentials)
	if typ == credentials.SecureParameter {
		kind = string(credentials.SecureParameter)
	}
	title := "Create " + kind
	if existing != nil {
		title = "Edit " + kind
		f.name.SetText(existing.Name)
		f.name.Disable()
		f.typeSel.Disable() // the type of an entry never changes
		f.description.SetText(existing.Description)
		f.user.SetText(existing.User)
		f.companyID.SetText(existing.CompanyID)
		for _, e := range []*keyEntry{f.secret, f.repeat, f.ocUser, f.organization, f.element} {
			e.SetPlaceHolder("(unchanged)")
		}
	}
	f.fields = container.NewStack(f.form())
	f.body = container.New(&minWidthLayout{width: 480}, container.NewVBox(f.fields, f.why))
	f.ExtendBaseWidget(f)
	f.dlg = newKeyedDialog(parent, title, f, "Deploy", "Cancel", nil)
	f.deploy, f.cancel = f.dlg.confirm, f.dlg.cancel
	f.deploy.Icon, f.cancel.Icon = theme.ConfirmIcon(), theme.CancelIcon()
	f.deploy.OnTapped = f.onDeploy // the form stays open until the keyring has it
	f.validate()
	f.dlg.Show()
	if existing == nil {
		parent.Canvas().Focus(f.name)
	} else {
		parent.Canvas().Focus(f.description)
	}
	return f
}

// form lays out the fields of f.typ, in the tenant's order, each under
// the credentials.Field… whose problems its hint shows.
func (f *credentialForm) form() *widget.Form {
	form := widget.NewForm()
	f.items = map[string]*widget.FormItem{}
	add := func(field, label string, w fyne.CanvasObject) {
		item := widget.NewFormItem(label, w)
		if field != "" {
			f.items[field] = item
		}
		form.AppendItem(item)
	}
	add(credentials.FieldName, "Name*", f.name)
	add(credentials.FieldDescription, "Description", f.description)
	switch f.typ {
	case credentials.SecureParameter:
		add(credentials.FieldSecret, "Secure Parameter*", f.secret)
		add(credentials.FieldRepeat, "Repeat Secure Parameter*", f.repeat)
	case credentials.OpenConnectors:
		add("", "Type*", f.typeSel)
		add(credentials.FieldSecret, "User*", f.ocUser)
		add(credentials.FieldOrganization, "Organization*", f.organization)
		add(credentials.FieldElement, "Element*", f.element)
	default:
		add("", "Type*", f.typeSel)
		add(credentials.FieldUser, "User*", f.user)
		add(credentials.FieldSecret, "Password", f.secret)
		add(credentials.FieldRepeat, "Repeat Password", f.repeat)
		if f.typ == credentials.SuccessFactors {
			add(credentials.FieldCompanyID, "Company ID*", f.companyID)
		}
	}
	f.shownForm = form
	return form
}

// onType shows the fields of the type chosen.
func (f *credentialForm) onType(s string) {
	t := credentials.Type(s)
	if t == f.typ || f.edit != nil {
		return
	}
	f.typ = t
	f.fields.Objects = []fyne.CanvasObject{f.form()}
	f.fields.Refresh()
	if f.dlg != nil {
		f.dlg.Resize(f.dlg.MinSize())
	}
	f.validate()
}

// fixType keeps the Type at User Credentials: the form opened by New…
// beside a connectivity test's Credential Name, which lists only the type
// a mail test can use.
func (f *credentialForm) fixType() {
	f.typeSel.SetSelected(string(credentials.UserCredentials))
	f.typeSel.Disable()
}

// validate enables Deploy when the input can be stored, and otherwise says
// what is missing or wrong: beside the field at fault, or on the line
// below the form. It returns the sentence.
func (f *credentialForm) validate() string {
	err := f.problem()
	f.show(err)
	if f.deploy != nil { // nil while an entry being edited fills the fields
		setEnabled(f.deploy, err == nil)
	}
	if err == nil {
		return ""
	}
	why, _ := explained(err)
	return why
}

// show puts err's sentence beside its field, or on the line below the
// form when it names none of the fields shown.
func (f *credentialForm) show(err error) {
	why := ""
	if err != nil {
		why, _ = explained(err)
	}
	item := f.items[problem.FieldOf(err)]
	changed := false
	for _, it := range f.items {
		hint := ""
		if it == item {
			hint = why
		}
		if it.HintText != hint {
			it.HintText = hint
			changed = true
		}
	}
	if changed && f.shownForm != nil {
		f.shownForm.Refresh()
	}
	if item != nil {
		why = ""
	}
	f.why.SetText(why)
}

// problem is what keeps the input from being deployed: the rules of
// credentials.CheckInput, and a name another entry has.
func (f *credentialForm) problem() error {
	if f.edit == nil && credentials.CheckName(f.name.Text) == nil && f.taken[strings.ToLower(f.name.Text)] {
		return &problem.Error{Field: credentials.FieldName, Source: f.name.Text,
			What: "is taken: another entry has that name (capitals aside)", Hint: "Choose another name."}
	}
	e, sec := f.input()
	defer clear(sec.Secret)
	defer clear(sec.Organization)
	defer clear(sec.Element)
	repeat := []byte(f.repeat.Text)
	defer clear(repeat)
	return credentials.CheckInput(e, sec, repeat, f.edit != nil)
}

// input is what the form holds: the entry, and its secrets as bytes to
// store (nil where editing leaves one empty, which keeps the stored one).
// The caller clears the secrets.
func (f *credentialForm) input() (credentials.Entry, credentials.Secrets) {
	e := credentials.Entry{Name: f.name.Text, Description: f.description.Text, Type: f.typ}
	var sec credentials.Secrets
	switch f.typ {
	case credentials.OpenConnectors:
		sec = credentials.Secrets{Secret: f.secretOf(f.ocUser), Organization: f.secretOf(f.organization), Element: f.secretOf(f.element)}
	case credentials.SecureParameter:
		sec.Secret = f.secretOf(f.secret)
	default:
		e.User = f.user.Text
		sec.Secret = f.secretOf(f.secret)
		if f.typ == credentials.SuccessFactors {
			e.CompanyID = f.companyID.Text
		}
	}
	return e, sec
}

// secretOf is what an entry holds, as bytes to store: nil when editing and
// left empty, which keeps the stored secret.
func (f *credentialForm) secretOf(e *keyEntry) []byte {
	if f.edit != nil && e.Text == "" {
		return nil
	}
	return []byte(e.Text)
}

// onDeploy stores the entry in the background; the dialog closes when the
// keyring has it, or stays open with the reason when it refused.
func (f *credentialForm) onDeploy() {
	if f.deploy.Disabled() || f.validate() != "" {
		return
	}
	e, sec := f.input()
	edit, store, typ := f.edit, f.store, f.typ
	f.deploy.Disable()
	f.why.SetText("Deploying…")
	f.bg.run(func() func() {
		var stored credentials.Entry
		var err error
		switch {
		case edit == nil && typ == credentials.OpenConnectors:
			stored, err = store.AddSecrets(e, sec)
		case edit == nil:
			stored, err = store.Add(e, sec.Secret)
		default:
			c := credentials.Change{Description: &e.Description, Secret: sec.Secret, Organization: sec.Organization, Element: sec.Element}
			if e.Type.HasUser() {
				c.User = &e.User
			}
			if e.Type == credentials.SuccessFactors {
				c.CompanyID = &e.CompanyID
			}
			stored, err = store.Edit(e.Name, c)
		}
		clear(sec.Secret)
		clear(sec.Organization)
		clear(sec.Element)
		return func() {
			if err != nil {
				f.validate()
				f.show(err)
				fyne.LogError("deploy "+e.Name, err)
				return
			}
			for _, s := range []*keyEntry{f.secret, f.repeat, f.ocUser, f.organization, f.element} {
				s.SetText("")
			}
			f.dlg.Hide()
			if f.done != nil {
				f.done(stored)
			}
		}
	})
}
