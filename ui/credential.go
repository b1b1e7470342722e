package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// CredentialSource is the hook for Security Material: the deployed User
// Credentials a test picks by name, as the tenant's Credential Name
// drop-down does. core/credentials will provide one; until it is wired in,
// the Connectivity Tests window asks for a user and password instead.
type CredentialSource interface {
	// Names lists the deployed User Credentials.
	Names() ([]string, error)
	// Lookup returns a credential's user and password; the caller
	// zeroes the password.
	Lookup(name string) (user string, password []byte, err error)
}

// credentialField is the Request form's "Credential Name": a drop-down of
// deployed credentials when there is a CredentialSource, otherwise a user
// and a password typed for this test only.
type credentialField struct {
	src      CredentialSource
	name     *widget.Select // with a source
	user     *widget.Entry  // without one
	password *widget.Entry
	obj      fyne.CanvasObject
	onChange func()
}

func newCredentialField(src CredentialSource, onChange func()) *credentialField {
	c := &credentialField{src: src, onChange: onChange}
	if src != nil {
		c.name = widget.NewSelect(nil, func(string) { c.onChange() })
		c.name.PlaceHolder = "(choose a deployed User Credential)"
		c.obj = c.name
		return c
	}
	c.user = widget.NewEntry()
	c.user.SetPlaceHolder("User, e.g. you@gmail.com")
	c.user.OnChanged = func(string) { c.onChange() }
	c.password = widget.NewPasswordEntry()
	c.password.SetPlaceHolder("Password (for Gmail: an App Password)")
	note := widget.NewLabel("Stored credentials come with Security Material. Until then, type them here: " +
		"they are used for this test only and never saved.")
	note.Importance = widget.LowImportance
	note.Wrapping = fyne.TextWrapWord
	c.obj = container.NewVBox(c.user, c.password, note)
	return c
}

// reloadCredentials fetches the credential names once, in the background
// (the keyring may take a moment, or ask to be unlocked), for every tab.
func reloadCredentials(src CredentialSource, fields []*credentialField, bg *background) {
	if src == nil {
		return
	}
	bg.run(func() func() {
		names, err := src.Names()
		return func() {
			if err != nil {
				fyne.LogError("list credentials", err)
				return
			}
			for _, c := range fields {
				c.name.SetOptions(names)
			}
		}
	})
}

func (c *credentialField) setEnabled(on bool) {
	if c.name != nil {
		setEnabled(c.name, on)
		return
	}
	setEnabled(c.user, on)
	setEnabled(c.password, on)
}

// missing says what the user still has to fill in, or "".
func (c *credentialField) missing() string {
	if c.name != nil {
		if c.name.Selected == "" {
			return "Choose a Credential Name."
		}
		return ""
	}
	if c.user.Text == "" {
		return "Type the user of the Credential Name."
	}
	return ""
}

// capture takes the field's values on the UI thread and returns what a
// worker calls to put them into the request.
func (c *credentialField) capture() func(req *connectivity.Request) error {
	if c.name != nil {
		name, src := c.name.Selected, c.src
		return func(req *connectivity.Request) error {
			user, pw, err := src.Lookup(name)
			if err != nil {
				return err
			}
			req.User, req.Password = user, pw
			return nil
		}
	}
	user, pw := c.user.Text, []byte(c.password.Text)
	return func(req *connectivity.Request) error {
		req.User, req.Password = user, pw
		return nil
	}
}
