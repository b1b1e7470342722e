package ui

import (
	"fmt"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// signInStep is step 2: what the provider needs, in plain words, the
// user and the secret, and the Credential Name it is stored under.
type signInStep struct {
	w   *connectWindow
	obj fyne.CanvasObject

	summary *widget.Label
	steps   *widget.Label
	link    *widget.Hyperlink

	user     *keyEntry
	secret   *keyEntry
	name     *keyEntry
	taken    *widget.Label // the name is taken, and which is proposed instead
	useNext  *widget.Button
	useOld   *widget.Button // the taken name is this user's credential: use it as stored
	reuse    string         // the taken name the user chose to use as stored
	stored   *widget.Label  // the credential this flow stored, when it did
	password *widget.Form   // User, the secret, Credential Name

	// Microsoft 365: OAuth2, with a password as a knowing choice.
	oauthBox *fyne.Container
	// oauthFields are the OAuth2 credential's drop-down and buttons,
	// hidden when the password is chosen: two Credential Name fields,
	// one greyed out, would leave the user guessing which one counts.
	oauthFields *fyne.Container
	method      *keyRadio
	existing    *keySelect
	create      *widget.Button
	authorize   *widget.Button

	entries  []credentials.Entry // Security Material, as last listed
	listed   bool
	proposed string // the name last proposed: replaced while the user keeps it
	forUser  string // the user last proposed
	// secretLabel is what the provider calls the secret ("App
	// Password"); a password chosen in place of OAuth2 is a Password.
	secretLabel string
	listJob     job
	storeJob    job
}

func newSignInStep(w *connectWindow) *signInStep {
	s := &signInStep{w: w}
	changed := func(string) { w.refresh() }
	s.summary = &widget.Label{Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}}
	s.steps = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.link = widget.NewHyperlink("", nil)
	s.link.OnTapped = func() {
		if s.link.URL != nil && w.openURL != nil {
			if err := w.openURL(s.link.URL); err != nil {
				showError("Open", err, w.win)
			}
		}
	}
	s.user = newKeyEntry()
	s.user.OnChanged = changed
	s.secret = newKeyPasswordEntry()
	s.secret.OnChanged = changed
	s.name = newKeyEntry()
	s.name.OnChanged = changed
	s.taken = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	s.useNext = &widget.Button{Icon: theme.ConfirmIcon(), OnTapped: func() { s.name.SetText(s.free(s.name.Text)) }}
	s.useOld = &widget.Button{Icon: theme.ConfirmIcon(), OnTapped: func() {
		s.reuse = strings.TrimSpace(s.name.Text)
		s.secret.SetText("")
		w.refresh()
	}}
	s.stored = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.stored.Hide()
	s.password = widget.NewForm(
		widget.NewFormItem("User", s.user),
		widget.NewFormItem("Password", s.secret),
		&widget.FormItem{Text: "Credential Name", Widget: s.name,
			HintText: "The name of the User Credentials in Security Material, here and on your tenant."},
		widget.NewFormItem("", container.NewVBox(s.taken, leftRow(s.useNext, s.useOld), s.stored)),
	)

	s.method = newKeyRadio([]string{oauthExisting, oauthCreate, oauthPassword}, false, func(string) { s.showMethod() })
	s.secretLabel = "Password"
	s.existing = newKeySelect(nil, func(string) { s.showMethod() })
	s.existing.PlaceHolder = "(choose an OAuth2 Authorization Code credential)"
	s.create = &widget.Button{Text: "Create OAuth2 Credential…", Icon: theme.ContentAddIcon(), OnTapped: s.onCreateOAuth2}
	s.authorize = &widget.Button{Text: "Authorize…", Icon: theme.LoginIcon(), OnTapped: s.onAuthorize}
	// The provider's help above says why OAuth2; this is the choice.
	s.oauthFields = container.NewVBox(
		widget.NewForm(widget.NewFormItem("Credential Name", s.existing)),
		leftRow(s.create, s.authorize),
	)
	s.oauthBox = container.NewVBox(s.method, s.oauthFields)
	s.oauthBox.Hide()
	s.method.SetSelected(oauthExisting)

	s.obj = container.NewVScroll(container.NewVBox(
		s.summary, s.steps, leftRow(s.link),
		widget.NewSeparator(),
		s.oauthBox,
		s.password,
	))
	return s
}

func (s *signInStep) content() fyne.CanvasObject { return s.obj }

func (s *signInStep) busy() bool { return s.listJob.running() || s.storeJob.running() }

func (s *signInStep) stop() {} // the keyring's work is short, and must not be left half done

func (s *signInStep) settings() mailsetup.Settings { return s.w.account.Settings }

func (s *signInStep) oauth() bool { return s.settings().SignIn() == mailsetup.SignInOAuth2 }

// usesPassword: the secret is typed here (not an OAuth2 credential).
func (s *signInStep) usesPassword() bool { return !s.oauth() || s.method.Selected == oauthPassword }

// enter shows the provider's help, proposes the user and the Credential
// Name, and lists Security Material in the background.
func (s *signInStep) enter(bool) {
	st := s.settings()
	help := mailsetup.SignInHelpFor(st)
	s.summary.SetText(help.Summary)
	var lines []string
	for i, step := range help.Steps {
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, step))
	}
	s.steps.SetText(strings.Join(lines, "\n"))
	s.link.Hide()
	if u, err := url.Parse(help.URL); err == nil && help.URL != "" {
		s.link.SetText(help.URL)
		s.link.SetURL(u)
		s.link.Show()
	}
	s.secretLabel = help.SecretLabel
	if t := strings.TrimSpace(s.user.Text); t == "" || t == s.forUser {
		s.user.SetText(st.User)
		s.forUser = st.User
	}
	if s.oauth() {
		s.oauthBox.Show()
	} else {
		s.oauthBox.Hide()
	}
	s.showMethod()
	s.showStored()
	if s.usesPassword() {
		s.w.win.Canvas().Focus(s.secret)
	}
	s.list()
}

// list reads Security Material in the background: the names taken and
// the OAuth2 credentials to choose from.
func (s *signInStep) list() {
	store := s.w.store
	if store == nil || s.listJob.running() {
		return
	}
	s.listJob.start()
	s.w.refresh()
	s.w.bg.run(func() func() {
		entries, err := store.List()
		return func() {
			s.listJob.end()
			if err != nil {
				showError("Security Material", err, s.w.win)
			} else {
				s.entries, s.listed = entries, true
				s.propose()
				s.fillOAuth2()
			}
			s.w.refresh()
		}
	})
}

// isTaken reports whether another credential has name, in any capitals
// (as the keyring sees it); the one this flow stored is its own.
func (s *signInStep) isTaken(name string) bool {
	if strings.EqualFold(name, s.w.storedCred) {
		return false
	}
	for _, e := range s.entries {
		if strings.EqualFold(e.Name, name) {
			return true
		}
	}
	return false
}

// free is the name core proposes in place of a taken one.
func (s *signInStep) free(string) string {
	return s.w.account.CredentialName(s.isTaken)
}

// propose fills in the proposed Credential Name, unless the user typed
// one of their own.
func (s *signInStep) propose() {
	if t := strings.TrimSpace(s.name.Text); t != "" && t != s.proposed {
		return
	}
	s.proposed = s.free("")
	s.name.SetText(s.proposed)
}

func (s *signInStep) entry(name string) (credentials.Entry, bool) {
	for _, e := range s.entries {
		if e.Name == name {
			return e, true
		}
	}
	return credentials.Entry{}, false
}

// showMethod shows the fields of the way chosen to sign in.
func (s *signInStep) showMethod() {
	label := s.secretLabel
	if label == "" || s.oauth() {
		label = "Password"
	}
	if s.password.Items[1].Text != label {
		s.password.Items[1].Text = label
		s.password.Refresh()
	}
	if s.usesPassword() {
		s.password.Show()
		s.oauthFields.Hide()
	} else {
		s.password.Hide()
		s.oauthFields.Show()
	}
	setEnabled(s.existing, s.method.Selected == oauthExisting)
	setEnabled(s.create, s.method.Selected == oauthCreate)
	e, ok := s.entry(s.existing.Selected)
	setEnabled(s.authorize, ok && e.Status != credentials.Deployed)
	s.w.refresh()
}

func (s *signInStep) problem() string {
	if s.w.credStore() == nil {
		return "Security Material is not open, so the secret has nowhere to go: open it with its tile on Home, then come back."
	}
	if !s.listed {
		return "Reading Security Material…"
	}
	if !s.usesPassword() {
		return s.oauthProblem()
	}
	name := strings.TrimSpace(s.name.Text)
	s.taken.Hide()
	s.useNext.Hide()
	s.useOld.Hide()
	switch {
	case strings.TrimSpace(s.user.Text) == "":
		return "Type the user name: for every provider Opsdesk knows, it is the e-mail address."
	case credentials.CheckName(name) != nil:
		return sentence(credentials.CheckName(name))
	case s.isTaken(name) && s.reuse == name:
		s.taken.SetText(fmt.Sprintf("The flow goes on with %s as stored in Security Material, its %s unchanged.", name, s.secretWord()))
		s.taken.Show()
		if s.secret.Text != "" {
			return fmt.Sprintf("%s is used as stored: leave the %s empty, or choose another name to store a new one.", name, s.secretWord())
		}
	case s.isTaken(name):
		free := s.free(name)
		text := fmt.Sprintf("%q is taken: another credential in Security Material has that name, "+
			"and Opsdesk never overwrites one. Use %q, or type another name.", name, free)
		s.useNext.SetText("Use " + free)
		s.useNext.Show()
		if e, ok := s.entry(name); ok && e.Type == credentials.UserCredentials && strings.EqualFold(e.User, strings.TrimSpace(s.user.Text)) {
			text = fmt.Sprintf("%q is taken: it holds the %s of %s already (stored %s), and Opsdesk never overwrites one. "+
				"Use it as it is, or use %q to store the %s you type.", name, s.secretWord(), e.User, e.DeployedOn.Local().Format("Jan 2, 2006"), free, s.secretWord())
			s.useOld.SetText("Use " + name + " as Stored")
			s.useOld.Show()
		}
		s.taken.SetText(text)
		s.taken.Show()
		return fmt.Sprintf("Choose a Credential Name no other credential has, such as %q.", free)
	case s.secret.Text == "" && !strings.EqualFold(name, s.w.storedCred):
		return "Type the " + s.secretWord() + "."
	case s.secret.Text == "" && s.w.proof.refused():
		return "Type the right " + s.secretWord() + ": the server refused the one stored."
	}
	return ""
}

// showStored says what this flow stored, and whether the server took it.
func (s *signInStep) showStored() {
	switch {
	case s.w.storedCred == "":
		s.stored.Hide()
		return
	case s.w.proof.refused():
		s.stored.Importance = widget.DangerImportance
		s.stored.SetText(fmt.Sprintf("The server refused the %s stored as %s. Type the right one: Opsdesk replaces what this flow stored.",
			s.secretWord(), s.w.storedCred))
	default:
		s.stored.Importance = widget.MediumImportance
		s.stored.SetText(fmt.Sprintf("Stored in Security Material as %s. Type the %s again only to change it.", s.w.storedCred, s.secretWord()))
	}
	s.stored.Show()
}

// secretWord is what the provider calls the secret: "password", "App
// Password".
func (s *signInStep) secretWord() string {
	if w := s.password.Items[1].Text; w != "Password" {
		return w
	}
	return "password"
}

func (s *signInStep) primary() string { return "Next" }

// next stores the secret as User Credentials (or takes the credential
// chosen as it is stored), in the background, then moves on.
func (s *signInStep) next() {
	acct := s.w.account
	acct.User = strings.TrimSpace(s.user.Text)
	name := strings.TrimSpace(s.name.Text)
	if !s.usesPassword() {
		s.useExisting(acct, s.existing.Selected)
		return
	}
	acct.Credential, acct.CredentialType, acct.OAuth2 = name, credentials.UserCredentials, nil
	if s.secret.Text == "" { // stored by this flow already, or chosen as stored
		s.useExisting(acct, name)
		return
	}
	secret := []byte(s.secret.Text)
	s.secret.SetText("")
	store, previous := s.w.credStore(), s.w.storedCred
	s.storeJob.start()
	s.w.refresh()
	s.w.bg.run(func() func() {
		defer clear(secret)
		var removed bool
		var err error
		if previous != "" {
			// This flow's own credential, stored a moment ago: a new
			// secret (after a refused sign-in) or a new name replaces it.
			err = store.Delete(previous)
			removed = err == nil
		}
		var e credentials.Entry
		if err == nil {
			e, err = mailsetup.StoreCredential(store, acct, secret)
		}
		return func() {
			s.storeJob.end()
			if removed {
				s.w.storedCred = ""
				s.showStored()
			}
			if err != nil {
				showError("Store the Credential", err, s.w.win)
				s.list()
				s.w.refresh()
				return
			}
			s.w.storedCred = e.Name
			s.w.stores++
			s.w.account = acct.AccountWith(e)
			s.showStored()
			s.w.changedSecurityMaterial()
			s.list()
			s.w.advance()
		}
	})
}

// useExisting goes on with the stored credential name, when core finds
// that it fits the account (its user, and an OAuth2 one authorized).
func (s *signInStep) useExisting(acct mailsetup.Account, name string) {
	store := s.w.credStore()
	s.storeJob.start()
	s.w.refresh()
	s.w.bg.run(func() func() {
		e, err := mailsetup.ExistingCredential(store, name, acct.User)
		return func() {
			s.storeJob.end()
			if err != nil {
				showError("Sign-in", err, s.w.win)
				s.w.refresh()
				return
			}
			s.w.account = acct.AccountWith(e)
			s.w.advance()
		}
	})
}
