package ui

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

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
type credentialForm struct {
	store SecurityMaterialStore
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
	why                                *widget.Label
	deploy, cancel                     *keyButton
	dlg                                *keyedDialog // Enter deploys, Escape cancels
}

// showCredentialForm opens the form on parent. existing, when given, is the
// entry to edit; taken lists the names already deployed. done runs on the
// UI thread with what was stored.
func showCredentialForm(parent fyne.Window, store SecurityMaterialStore, bg *background, typ credentials.Type,
	existing *credentials.Entry, taken []string, done func(credentials.Entry)) *credentialForm {
	f := &credentialForm{store: store, bg: bg, typ: typ, edit: existing, taken: map[string]bool{}, done: done}
	for _, n := range taken {
		f.taken[strings.ToLower(n)] = true
	}
	entry := func(password bool, placeHolder string) *keyEntry {
		e := newKeyEntry()
		e.Password = password
		e.PlaceHolder = placeHolder
		e.OnChanged = func(string) { f.validate() }
		return e
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
	body := container.New(&minWidthLayout{width: 480}, container.NewVBox(f.fields, f.why))
	f.dlg = newKeyedDialog(parent, title, body, "Deploy", "Cancel", nil)
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

// form lays out the fields of f.typ, in the tenant's order.
func (f *credentialForm) form() *widget.Form {
	form := widget.NewForm(widget.NewFormItem("Name*", f.name), widget.NewFormItem("Description", f.description))
	switch f.typ {
	case credentials.SecureParameter:
		form.Append("Secure Parameter*", f.secret)
		form.Append("Repeat Secure Parameter*", f.repeat)
	case credentials.OpenConnectors:
		form.Append("Type*", f.typeSel)
		form.Append("User*", f.ocUser)
		form.Append("Organization*", f.organization)
		form.Append("Element*", f.element)
	default:
		form.Append("Type*", f.typeSel)
		form.Append("User*", f.user)
		form.Append("Password", f.secret)
		form.Append("Repeat Password", f.repeat)
		if f.typ == credentials.SuccessFactors {
			form.Append("Company ID*", f.companyID)
		}
	}
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
// what is missing or wrong.
func (f *credentialForm) validate() string {
	why := f.problem()
	f.why.SetText(why)
	if f.deploy != nil { // nil while an entry being edited fills the fields
		setEnabled(f.deploy, why == "")
	}
	return why
}

func (f *credentialForm) problem() string {
	if f.edit == nil {
		if err := credentials.CheckName(f.name.Text); err != nil {
			return sentenceOf(err)
		}
		if f.taken[strings.ToLower(f.name.Text)] {
			return fmt.Sprintf("%q is taken: another entry has that name (capitals aside). Choose another name.", f.name.Text)
		}
	}
	if n := utf8.RuneCountInString(f.description.Text); n > credentials.MaxDescriptionLength {
		return fmt.Sprintf("The description is too long: %d characters, at most %d are allowed.", n, credentials.MaxDescriptionLength)
	}
	switch f.typ {
	case credentials.SecureParameter:
		if f.secret.Text == "" && f.edit == nil {
			return "Enter the Secure Parameter."
		}
		if n := len(f.secret.Text); n > credentials.MaxSecureParameterBytes {
			return fmt.Sprintf("The secure parameter is too long: %d bytes, at most %d fit in every keyring.", n, credentials.MaxSecureParameterBytes)
		}
	case credentials.OpenConnectors:
		for _, s := range []struct {
			e    *keyEntry
			what string
		}{{f.ocUser, "user secret"}, {f.organization, "organization secret"}, {f.element, "element token"}} {
			if f.edit != nil && s.e.Text == "" {
				continue // unchanged
			}
			b := []byte(s.e.Text)
			err := credentials.CheckOpenConnectorsSecret(s.what, b)
			clear(b)
			if err != nil {
				return sentenceOf(err)
			}
		}
		return ""
	default:
		if strings.TrimSpace(f.user.Text) == "" {
			return "Enter the User."
		}
		if n, most := utf8.RuneCountInString(f.user.Text), credentials.MaxUser(f.typ); n > most {
			return fmt.Sprintf("The user is too long: %d characters, at most %d are allowed.", n, most)
		}
		if n := utf8.RuneCountInString(f.secret.Text); n > credentials.MaxPasswordLength {
			return fmt.Sprintf("The password is too long: %d characters, at most %d are allowed.", n, credentials.MaxPasswordLength)
		}
	}
	if f.secret.Text != f.repeat.Text {
		return fmt.Sprintf("The two %ss differ: type the same in both fields.", f.secretName())
	}
	if f.typ == credentials.SuccessFactors {
		if err := credentials.CheckCompanyID(f.companyID.Text); err != nil {
			return sentenceOf(err)
		}
	}
	return ""
}

func (f *credentialForm) secretName() string {
	if f.typ == credentials.SecureParameter {
		return "secure parameter"
	}
	return "password"
}

// sentenceOf is a validation error as the form's hint line says it: the
// sentence, without the reassurance meant for a failed save.
func sentenceOf(err error) string {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return strings.TrimSpace(strings.TrimSuffix(pe.Sentence(), " Nothing stored was changed."))
	}
	return err.Error()
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
				f.why.SetText(sentenceOf(err))
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
