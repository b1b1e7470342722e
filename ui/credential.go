package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
)

// credentialSource is what the Connectivity Tests need of Security
// Material: the deployed User Credentials a test picks by name, as the
// tenant's Credential Name drop-down does. Without one (the keyring not
// open) the window asks for a user and password instead.
type credentialSource interface {
	// Names lists the deployed User Credentials.
	Names() ([]string, error)
	// Lookup returns a credential's user and password; the caller
	// zeroes the password.
	Lookup(name string) (user string, password []byte, err error)
}

// OAuth2Source is what a CredentialSource offers for Authentication OAuth2
// Authorization Code; *credentials.Store has it.
type OAuth2Source interface {
	// NamesOf lists the entries of a type: the OAuth2 credentials.
	NamesOf(t credentials.Type) ([]string, error)
	// OAuth2Login prepares an OAuth2 credential for a test.
	OAuth2Login(name string) (*credentials.OAuth2Login, error)
}

// credentialField is the Request form's "Credential Name": a drop-down of
// deployed credentials, with New… beside it, when there is a
// credentialSource, otherwise a user and a password typed for this test
// only. The source may arrive after the window is built (the keyring opens
// in the background), so obj is a stack whose content setSource replaces.
type credentialField struct {
	src      credentialSource
	name     *widget.Select // with a source
	create   *widget.Button // with a source: opens the Create User Credentials form
	user     *widget.Entry  // without one
	password *widget.Entry
	obj      *fyne.Container
	onChange func()
	// onCreate, when set, opens the Create User Credentials form for c.
	onCreate func(c *credentialField)
	// wanted is the remembered Credential Name, chosen once the keyring
	// lists it.
	wanted string
	// oauth lists OAuth2 Authorization Code credentials in place of User
	// Credentials: the Authentication chosen is OAuth2.
	oauth                  bool
	passwordNames, oauthNs []string
}

func newCredentialField(src credentialSource, onChange func()) *credentialField {
	c := &credentialField{onChange: onChange, obj: container.NewStack()}
	c.setSource(src)
	return c
}

// setSource builds the field for src (nil: typed user and password).
func (c *credentialField) setSource(src credentialSource) {
	c.src, c.name, c.create, c.user, c.password = src, nil, nil, nil, nil
	var inner fyne.CanvasObject
	if src != nil {
		c.name = widget.NewSelect(nil, func(string) { c.onChange() })
		c.name.PlaceHolder = c.placeHolder()
		c.create = &widget.Button{Text: "New…", Icon: theme.ContentAddIcon(), OnTapped: func() {
			if c.onCreate != nil {
				c.onCreate(c)
			}
		}}
		inner = container.NewBorder(nil, nil, nil, c.create, c.name)
	} else {
		c.user = widget.NewEntry()
		c.user.SetPlaceHolder("User, e.g. you@gmail.com")
		c.user.OnChanged = func(string) { c.onChange() }
		c.password = widget.NewPasswordEntry()
		c.password.SetPlaceHolder("Password (for Gmail: an App Password)")
		note := newHint("Security Material is not open, so type them here: " +
			"they are used for this test only and never saved.")
		inner = container.NewVBox(c.user, c.password, note)
	}
	c.obj.Objects = []fyne.CanvasObject{inner}
	c.obj.Refresh()
}

// reloadCredentials fetches the credential names once, in the background
// (the keyring may take a moment, or ask to be unlocked), for every tab.
func reloadCredentials(src credentialSource, fields []*credentialField, bg *background, then func()) {
	if src == nil {
		return
	}
	bg.run(func() func() {
		names, err := src.Names()
		var oauthNames []string
		if o, ok := src.(OAuth2Source); ok && err == nil {
			oauthNames, err = o.NamesOf(credentials.OAuth2AuthorizationCode)
		}
		return func() {
			if err != nil {
				fyne.LogError("list credentials", err)
				return
			}
			for _, c := range fields {
				c.passwordNames, c.oauthNs = names, oauthNames
				c.setOptions(c.current())
			}
			if then != nil {
				then()
			}
		}
	})
}

// current is the list the Authentication chosen offers.
func (c *credentialField) current() []string {
	if c.oauth {
		return c.oauthNs
	}
	return c.passwordNames
}

func (c *credentialField) placeHolder() string {
	if c.oauth {
		return "(choose an OAuth2 Authorization Code credential)"
	}
	return "(choose a deployed User Credential)"
}

// setOAuth switches between User Credentials and OAuth2 credentials, as
// the Authentication drop-down changes.
func (c *credentialField) setOAuth(on bool) {
	if c.oauth == on {
		return
	}
	c.oauth = on
	if c.name == nil {
		return
	}
	c.name.PlaceHolder = c.placeHolder()
	keep := c.name.Selected
	c.name.ClearSelected()
	c.setOptions(c.current())
	for _, n := range c.current() {
		if n == keep {
			c.name.SetSelected(n)
		}
	}
	c.name.Refresh()
}

// setOptions offers names, choosing the remembered one if nothing is
// chosen yet.
func (c *credentialField) setOptions(names []string) {
	if c.name == nil {
		return
	}
	c.name.SetOptions(names)
	if c.name.Selected == "" && c.wanted != "" {
		c.name.SetSelected(c.wanted) // nothing when it is no longer deployed
	}
}

// chosen is the Credential Name to remember: the one selected, or the one
// remembered while the keyring has not listed it yet.
func (c *credentialField) chosen() string {
	if c.name != nil && c.name.Selected != "" {
		return c.name.Selected
	}
	return c.wanted
}

func (c *credentialField) setEnabled(on bool) {
	if c.name != nil {
		setEnabled(c.name, on)
		setEnabled(c.create, on)
		return
	}
	setEnabled(c.user, on)
	setEnabled(c.password, on)
}

// named is what the field names for Request.Check: the user typed, or
// the Credential Name chosen, whose user is looked up when the test runs.
func (c *credentialField) named() (user, credential string) {
	if c.name != nil {
		return "", c.name.Selected
	}
	return c.user.Text, ""
}

// capture takes the field's values on the UI thread and returns what a
// worker calls to put them into the request.
func (c *credentialField) capture() func(req *connectivity.Request) error {
	if c.name != nil && c.oauth {
		name, src := c.name.Selected, c.src
		return func(req *connectivity.Request) error {
			o, ok := src.(OAuth2Source)
			if !ok {
				return errors.New("this Security Material cannot hold OAuth2 credentials")
			}
			login, err := o.OAuth2Login(name)
			if err != nil {
				return err
			}
			req.User, req.OAuth2 = login.User, login
			return nil
		}
	}
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
