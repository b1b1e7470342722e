package ui

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// oauth2Form is the tenant's "Create OAuth2 Authorization Code" dialog,
// and the same form for editing one: Name, Description, Provider (its
// preset fills the URLs, the scope and the expiry; Microsoft 365 asks for
// the tenant), Authorization URL, Token Service URL, Refresh Token Expiry,
// Redirect URL, Client ID, Client Secret, Send As, User Name and Scope.
// Deploy stores it Unauthorized; Authorize, in the window, gets its token.
type oauth2Form struct {
	widget.BaseWidget // what its dialog shows, so tests find it on screen
	body              fyne.CanvasObject

	store securityMaterialStore
	bg    *background
	edit  *credentials.Entry
	taken map[string]bool
	done  func(credentials.Entry)

	name, description, tenant, authURL, tokenURL, expiry *keyEntry
	redirect, clientID, secret, user, scope              *keyEntry
	provider, sendAs                                     *keySelect
	tenantItem                                           *widget.FormItem
	form                                                 *widget.Form
	fields                                               fyne.CanvasObject // the form at its width
	scroll                                               *container.Scroll
	redirects                                            *widget.Label // the one sentence about both redirect URLs
	why                                                  *widget.Label
	deploy, cancel                                       *keyButton
	dlg                                                  *keyedDialog
	filling                                              bool // a preset is being applied
}

// The sentence about the app registration's redirect URLs.
func redirectSentence(opsdesk string) string {
	if strings.TrimSpace(opsdesk) == "" {
		opsdesk = oauth.DefaultRedirectURL + " (any port)"
	}
	return "The app registration needs both redirect URLs: Opsdesk's " + opsdesk +
		" and your tenant's " + oauth.TenantRedirectURL("") + "."
}

func (f *oauth2Form) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(f.body) }

func showOAuth2Form(parent fyne.Window, store securityMaterialStore, bg *background, existing *credentials.Entry,
	taken []string, done func(credentials.Entry)) *oauth2Form {
	f := &oauth2Form{store: store, bg: bg, edit: existing, taken: lowerSet(taken), done: done}
	entry := func(password bool, placeHolder string) *keyEntry {
		return formEntry(password, placeHolder, func() { f.validate() })
	}
	f.name = entry(false, "e.g. m365_mailbox")
	f.description = entry(false, "")
	f.tenant = entry(false, "Directory (tenant) ID or domain")
	f.tenant.OnChanged = func(string) { f.applyTenant(); f.validate() }
	f.authURL = entry(false, "https://…")
	f.tokenURL = entry(false, "https://…")
	f.expiry = entry(false, "days, e.g. 90")
	f.redirect = entry(false, oauth.DefaultRedirectURL+" (any free port)")
	f.redirect.OnChanged = func(s string) { f.redirects.SetText(redirectSentence(s)); f.validate() }
	f.clientID = entry(false, "the app registration's client ID")
	f.secret = entry(true, "optional: none for a public (desktop) app")
	f.user = entry(false, "the mailbox, e.g. ops@contoso.com")
	f.scope = entry(false, "space-separated")
	f.scope.MultiLine, f.scope.Wrapping = true, fyne.TextWrapBreak
	f.scope.SetMinRowsVisible(2)
	var providers []string
	for _, p := range oauth.Providers {
		providers = append(providers, string(p))
	}
	f.provider = newKeySelect(providers, f.onProvider)
	f.sendAs = newKeySelect([]string{string(oauth.BodyParameter), string(oauth.BasicAuthHeader)}, func(string) { f.validate() })
	f.sendAs.SetSelected(string(oauth.BodyParameter))
	// In the text's own colour: the grey of placeholders and disabled
	// buttons would say it is a hint to skip, and it is a step to do.
	f.redirects = &widget.Label{Text: redirectSentence(""), Wrapping: fyne.TextWrapWord}
	f.why = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}

	title := "Create " + string(credentials.OAuth2AuthorizationCode)
	if existing != nil && existing.OAuth2 != nil {
		title = "Edit " + string(credentials.OAuth2AuthorizationCode)
		o := existing.OAuth2
		f.name.SetText(existing.Name)
		f.name.Disable()
		f.description.SetText(existing.Description)
		f.filling = true
		f.provider.SetSelected(string(o.Provider))
		f.tenant.SetText(oauth.TenantOf(o.AuthorizationURL))
		f.authURL.SetText(o.AuthorizationURL)
		f.tokenURL.SetText(o.TokenURL)
		if o.RefreshTokenExpiryDays > 0 {
			f.expiry.SetText(strconv.Itoa(o.RefreshTokenExpiryDays))
		}
		f.redirect.SetText(o.RedirectURL)
		f.clientID.SetText(o.ClientID)
		f.sendAs.SetSelected(string(o.SendAs))
		f.user.SetText(existing.User)
		f.scope.SetText(o.Scope)
		f.filling = false
		f.secret.SetPlaceHolder("(unchanged)")
		if o.PublicClient {
			f.secret.SetPlaceHolder("(none: a public client)")
		}
	} else {
		f.provider.SetSelected(string(oauth.Microsoft365))
	}
	f.name.OnSubmitted = func(string) { f.onDeploy() }
	f.tenantItem = widget.NewFormItem("Tenant", f.tenant)
	f.form = widget.NewForm(
		widget.NewFormItem("Name*", f.name),
		widget.NewFormItem("Description", f.description),
		widget.NewFormItem("Provider*", f.provider),
		f.tenantItem,
		widget.NewFormItem("Authorization URL*", f.authURL),
		widget.NewFormItem("Token Service URL*", f.tokenURL),
		widget.NewFormItem("Refresh Token Expiry (days)", f.expiry),
		widget.NewFormItem("Redirect URL", f.redirect),
		widget.NewFormItem("Client ID*", f.clientID),
		widget.NewFormItem("Client Secret", f.secret),
		widget.NewFormItem("Send As", f.sendAs),
		widget.NewFormItem("User Name*", f.user),
		widget.NewFormItem("Scope*", f.scope),
	)
	f.showTenant()
	// The form scrolls in a small window; the sentence about redirect
	// URLs and the reason Deploy waits stay in view below it.
	f.fields = container.New(&minWidthLayout{width: 560}, f.form)
	f.scroll = container.NewVScroll(f.fields)
	body := container.NewBorder(nil, container.NewVBox(f.redirects, f.why), nil, nil, f.scroll)
	f.body = body
	f.ExtendBaseWidget(f)
	f.dlg = newKeyedDialog(parent, title, f, "Deploy", "Cancel", nil)
	f.deploy, f.cancel = f.dlg.confirm, f.dlg.cancel
	f.deploy.Icon, f.cancel.Icon = theme.ConfirmIcon(), theme.CancelIcon()
	f.deploy.OnTapped = f.onDeploy // the form stays open until the keyring has it
	f.validate()
	f.dlg.Show()
	// Twice: the wrapped sentences below the form know their height
	// only once laid out at the dialog's width.
	f.dlg.Resize(f.wholeSize())
	f.dlg.Resize(f.wholeSize())
	if existing == nil {
		parent.Canvas().Focus(f.name)
	} else {
		parent.Canvas().Focus(f.description)
	}
	return f
}

// oauth2FormWidth is the dialog's width: the presets' URLs and the
// redirect sentence need more than the form's least.
const oauth2FormWidth = 700

// wholeSize is the dialog's size with every field in view: what it needs
// beyond the scroll's least height, plus the whole form's. A window too
// small for that keeps the dialog inside it, and the fields scroll.
func (f *oauth2Form) wholeSize() fyne.Size {
	h := f.dlg.MinSize().Height - f.scroll.MinSize().Height + f.fields.MinSize().Height
	// and a line for the reason Deploy waits, which often takes two
	line := fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height
	return fyne.NewSize(oauth2FormWidth, h+line)
}

// onProvider fills the provider's preset into the fields.
func (f *oauth2Form) onProvider(s string) {
	f.showTenant()
	if f.filling {
		return
	}
	p := oauth.PresetFor(oauth.Provider(s), f.tenant.Text)
	if oauth.Provider(s) != oauth.Generic {
		f.authURL.SetText(p.AuthorizationURL)
		f.tokenURL.SetText(p.TokenURL)
		f.scope.SetText(p.Scope)
		f.sendAs.SetSelected(string(p.SendAs))
		if p.RefreshTokenExpiryDays > 0 {
			f.expiry.SetText(strconv.Itoa(p.RefreshTokenExpiryDays))
		} else {
			f.expiry.SetText("")
		}
	}
	f.validate()
}

// applyTenant puts the tenant typed into Microsoft's URLs.
func (f *oauth2Form) applyTenant() {
	if f.filling || oauth.Provider(f.provider.Selected) != oauth.Microsoft365 {
		return
	}
	p := oauth.PresetFor(oauth.Microsoft365, f.tenant.Text)
	f.authURL.SetText(p.AuthorizationURL)
	f.tokenURL.SetText(p.TokenURL)
}

// showTenant shows the Tenant field for Microsoft 365 only.
func (f *oauth2Form) showTenant() {
	if f.tenant == nil || f.form == nil {
		return
	}
	if oauth.Provider(f.provider.Selected) == oauth.Microsoft365 {
		f.tenant.Show()
	} else {
		f.tenant.Hide()
	}
	f.form.Refresh()
}

func (f *oauth2Form) settings() (credentials.OAuth2, error) {
	o := credentials.OAuth2{Provider: oauth.Provider(f.provider.Selected), AuthorizationURL: f.authURL.Text, TokenURL: f.tokenURL.Text,
		RedirectURL: f.redirect.Text, ClientID: f.clientID.Text, Scope: f.scope.Text, SendAs: oauth.SendAs(f.sendAs.Selected)}
	if d := strings.TrimSpace(f.expiry.Text); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return o, fmt.Errorf("the Refresh Token Expiry must be a number of days, such as 90")
		}
		o.RefreshTokenExpiryDays = n
	}
	return o, nil
}

func (f *oauth2Form) validate() string {
	if f.why == nil || f.deploy == nil {
		return ""
	}
	why := f.problem()
	f.why.SetText(why)
	setEnabled(f.deploy, why == "")
	return why
}

func (f *oauth2Form) problem() string {
	if f.edit == nil {
		if err := credentials.CheckName(f.name.Text); err != nil {
			return sentence(err)
		}
		if f.taken[strings.ToLower(f.name.Text)] {
			return fmt.Sprintf("%q is taken: another entry has that name (capitals aside). Choose another name.", f.name.Text)
		}
	}
	if n := utf8.RuneCountInString(f.description.Text); n > credentials.MaxDescriptionLength {
		return fmt.Sprintf("The description is too long: %d characters, at most %d are allowed.", n, credentials.MaxDescriptionLength)
	}
	o, err := f.settings()
	if err != nil {
		return err.Error() + "."
	}
	if err := credentials.CheckOAuth2(f.user.Text, o); err != nil {
		return sentence(err)
	}
	if err := credentials.CheckClientSecret([]byte(f.secret.Text)); err != nil {
		return sentence(err)
	}
	return ""
}

// onDeploy stores the entry in the background; it starts Unauthorized.
func (f *oauth2Form) onDeploy() {
	if f.deploy.Disabled() || f.validate() != "" {
		return
	}
	o, _ := f.settings()
	name, desc, user := f.name.Text, f.description.Text, strings.TrimSpace(f.user.Text)
	var secret []byte
	if f.edit == nil || f.secret.Text != "" {
		secret = []byte(f.secret.Text)
	}
	edit, store := f.edit, f.store
	f.deploy.Disable()
	f.why.SetText("Deploying…")
	f.bg.run(func() func() {
		var stored credentials.Entry
		var err error
		if edit == nil {
			stored, err = store.AddSecrets(credentials.Entry{Name: name, Description: desc, Type: credentials.OAuth2AuthorizationCode,
				User: user, OAuth2: &o}, credentials.Secrets{Secret: secret})
		} else {
			stored, err = store.Edit(name, credentials.Change{Description: &desc, User: &user, OAuth2: &o, Secret: secret})
		}
		clear(secret)
		return func() {
			if err != nil {
				f.validate()
				f.why.SetText(sentence(err))
				fyne.LogError("deploy "+name, err)
				return
			}
			f.secret.SetText("")
			f.dlg.Hide()
			if f.done != nil {
				f.done(stored)
			}
		}
	})
}

// authorizer runs Authorize for one entry off the UI thread: a dialog
// says to sign in in the browser, with Open Browser Again and Cancel,
// until the browser comes back or the time is up.
type authorizer struct {
	win    fyne.Window
	store  securityMaterialStore
	bg     *background
	open   func(u *url.URL) error // the system browser: fyne's OpenURL
	done   func(credentials.Entry, error)
	dlg    *keyedDialog
	status *widget.Label
	again  *widget.Button
	// copyURL puts the sign-in address on the clipboard: for a browser
	// that did not open, or opened signed in as someone else.
	copyURL *widget.Button
	cancel  context.CancelFunc

	mu      sync.Mutex
	authURL string
}

// authorizeTimeout is how long the dialog waits for the browser.
var authorizeTimeout = oauth.DefaultTimeout

func (a *authorizer) start(e credentials.Entry) {
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	who := "the mailbox's account"
	if e.User != "" {
		who = e.User
	}
	a.status = &widget.Label{Text: "Opening the sign-in page in your browser…", Wrapping: fyne.TextWrapWord}
	hint := &widget.Label{Text: fmt.Sprintf("Sign in as %s and allow access. Opsdesk waits up to %d minutes; the browser says when you can close it.",
		who, int(authorizeTimeout.Minutes())), Wrapping: fyne.TextWrapWord}
	act := widget.NewActivity()
	act.Start()
	a.again = &widget.Button{Text: "Open Browser Again", Icon: theme.ComputerIcon(), OnTapped: a.openAgain}
	a.again.Disable()
	a.copyURL = &widget.Button{Text: "Copy Address", Icon: theme.ContentCopyIcon(), OnTapped: a.onCopyURL}
	a.copyURL.Disable()
	// The status beside the spinner in a Border, not an HBox: an HBox gives
	// a wrapping label no width, and it stood a letter a line down the window.
	body := container.New(&minWidthLayout{width: 440}, container.NewVBox(container.NewBorder(nil, nil, act, nil, a.status), hint))
	// Cancel (or Escape) stops waiting for the browser; the dialog closes
	// when the flow has let go. Enter does nothing here: nothing to confirm.
	a.dlg = newKeyedDialog(a.win, "Authorize "+e.Name, body, "", "Cancel", nil)
	a.dlg.cancel.Icon = theme.CancelIcon()
	a.dlg.cancel.OnTapped = func() {
		a.status.SetText("Cancelling…")
		cancel()
	}
	a.dlg.keys.escape, a.dlg.keys.enter = a.dlg.cancel.OnTapped, func() {}
	a.dlg.SetButtons([]fyne.CanvasObject{a.dlg.cancel, a.copyURL, a.again})
	a.dlg.Show()
	store, name := a.store, e.Name
	a.bg.run(func() func() {
		entry, err := store.Authorize(ctx, name, oauth.AuthorizeOptions{Timeout: authorizeTimeout, Open: a.openFirst})
		cancel()
		return func() {
			act.Stop()
			a.dlg.Hide()
			if a.done != nil {
				a.done(entry, err)
			}
		}
	})
}

// openFirst is the flow's opener: it keeps the address for Open Browser
// Again and hands it to the system browser on the UI thread.
func (a *authorizer) openFirst(authURL string) error {
	a.mu.Lock()
	a.authURL = authURL
	a.mu.Unlock()
	u, err := url.Parse(authURL)
	if err != nil {
		return err
	}
	fyne.Do(func() {
		a.status.SetText("Waiting for you to sign in in the browser…")
		a.again.Enable()
		a.copyURL.Enable()
		if err := a.open(u); err != nil {
			// No browser is no reason to give up: the address works
			// pasted into any browser on this computer, and Opsdesk keeps
			// listening for it until the time is up.
			a.status.SetText("The browser did not open. Press Copy Address and paste it into your browser's address bar.")
		}
	})
	return nil
}

func (a *authorizer) onCopyURL() {
	a.mu.Lock()
	raw := a.authURL
	a.mu.Unlock()
	if raw == "" {
		return
	}
	fyne.CurrentApp().Clipboard().SetContent(raw)
	a.status.SetText("The sign-in address is on the clipboard: paste it into your browser's address bar, sign in, and come back here.")
}

func (a *authorizer) openAgain() {
	a.mu.Lock()
	raw := a.authURL
	a.mu.Unlock()
	if u, err := url.Parse(raw); err == nil && raw != "" {
		if err := a.open(u); err != nil {
			showError("Open Browser Again", err, a.win)
		}
	}
}
