package ui

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/problem"
)

// credentialForm is the tenant's "Create User Credentials" or "Create
// Secure Parameter" dialog, and the same form for editing one. Deploy stays
// disabled, with a line saying why, until the input can be stored.
type credentialForm struct {
	store SecurityMaterialStore
	bg    *background
	typ   credentials.Type
	edit  *credentials.Entry // nil when creating
	taken map[string]bool    // names in use, lower-cased (the keyring ignores case)
	done  func(credentials.Entry)

	name, description, user *widget.Entry
	typeSel                 *widget.Select
	secret, repeat          *widget.Entry
	why                     *widget.Label
	deploy, cancel          *widget.Button
	dlg                     *dialog.CustomDialog
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
	changed := func(string) { f.validate() }
	f.name = &widget.Entry{PlaceHolder: "e.g. gmail_smtp", OnChanged: changed}
	f.description = &widget.Entry{OnChanged: changed}
	f.user = &widget.Entry{PlaceHolder: "e.g. you@gmail.com", OnChanged: changed}
	f.secret = &widget.Entry{Password: true, OnChanged: changed}
	f.repeat = &widget.Entry{Password: true, OnChanged: changed}
	f.typeSel = widget.NewSelect([]string{string(credentials.UserCredentials)}, nil)
	f.typeSel.SetSelected(string(credentials.UserCredentials))
	f.why = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	f.deploy = &widget.Button{Text: "Deploy", Icon: theme.ConfirmIcon(), Importance: widget.HighImportance, OnTapped: f.onDeploy}
	f.cancel = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: func() { f.dlg.Hide() }}

	secretLabel, repeatLabel := "Password", "Repeat Password"
	if typ == credentials.SecureParameter {
		secretLabel, repeatLabel = "Secure Parameter", "Repeat Secure Parameter"
	}
	form := widget.NewForm(widget.NewFormItem("Name*", f.name), widget.NewFormItem("Description", f.description))
	if typ == credentials.UserCredentials {
		form.Append("Type*", f.typeSel)
		form.Append("User*", f.user)
	}
	if typ == credentials.SecureParameter {
		secretLabel += "*"
		repeatLabel += "*"
	}
	form.Append(secretLabel, f.secret)
	form.Append(repeatLabel, f.repeat)

	title := "Create " + string(typ)
	if existing != nil {
		title = "Edit " + string(typ)
		f.name.SetText(existing.Name)
		f.name.Disable()
		f.typeSel.Disable()
		f.description.SetText(existing.Description)
		f.user.SetText(existing.User)
		f.secret.SetPlaceHolder("(unchanged)")
		f.repeat.SetPlaceHolder("(unchanged)")
	}
	f.name.OnSubmitted = func(string) { f.onDeploy() }
	f.repeat.OnSubmitted = func(string) { f.onDeploy() }
	body := container.New(&minWidthLayout{width: 480}, container.NewVBox(form, f.why))
	f.dlg = dialog.NewCustomWithoutButtons(title, body, parent)
	f.dlg.SetButtons([]fyne.CanvasObject{f.cancel, f.deploy})
	f.validate()
	f.dlg.Show()
	if existing == nil {
		parent.Canvas().Focus(f.name)
	} else {
		parent.Canvas().Focus(f.description)
	}
	return f
}

// validate enables Deploy when the input can be stored, and otherwise says
// what is missing or wrong.
func (f *credentialForm) validate() string {
	why := f.problem()
	f.why.SetText(why)
	setEnabled(f.deploy, why == "")
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
	secretName := "password"
	if f.typ == credentials.UserCredentials {
		if strings.TrimSpace(f.user.Text) == "" {
			return "Enter the User."
		}
		if n := utf8.RuneCountInString(f.user.Text); n > credentials.MaxUserLength {
			return fmt.Sprintf("The user is too long: %d characters, at most %d are allowed.", n, credentials.MaxUserLength)
		}
		if n := utf8.RuneCountInString(f.secret.Text); n > credentials.MaxPasswordLength {
			return fmt.Sprintf("The password is too long: %d characters, at most %d are allowed.", n, credentials.MaxPasswordLength)
		}
	} else {
		secretName = "secure parameter"
		if f.secret.Text == "" && f.edit == nil {
			return "Enter the Secure Parameter."
		}
		if n := len(f.secret.Text); n > credentials.MaxSecureParameterBytes {
			return fmt.Sprintf("The secure parameter is too long: %d bytes, at most %d fit in every keyring.", n, credentials.MaxSecureParameterBytes)
		}
	}
	if f.secret.Text != f.repeat.Text {
		return fmt.Sprintf("The two %ss differ: type the same in both fields.", secretName)
	}
	return ""
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

// onDeploy stores the entry in the background; the dialog closes when the
// keyring has it, or stays open with the reason when it refused.
func (f *credentialForm) onDeploy() {
	if f.deploy.Disabled() || f.validate() != "" {
		return
	}
	desc, user := f.description.Text, f.user.Text
	var secret []byte
	if f.edit == nil || f.secret.Text != "" {
		secret = []byte(f.secret.Text)
	}
	name, typ, edit, store := f.name.Text, f.typ, f.edit, f.store
	f.deploy.Disable()
	f.why.SetText("Deploying…")
	f.bg.run(func() func() {
		var e credentials.Entry
		var err error
		if edit == nil {
			e, err = store.Add(credentials.Entry{Name: name, Description: desc, Type: typ, User: user}, secret)
		} else {
			c := credentials.Change{Description: &desc, Secret: secret}
			if typ == credentials.UserCredentials {
				c.User = &user
			}
			e, err = store.Edit(name, c)
		}
		clear(secret)
		return func() {
			if err != nil {
				f.validate()
				f.why.SetText(sentenceOf(err))
				fyne.LogError("deploy "+name, err)
				return
			}
			f.secret.SetText("")
			f.repeat.SetText("")
			f.dlg.Hide()
			if f.done != nil {
				f.done(e)
			}
		}
	})
}
