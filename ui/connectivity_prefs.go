package ui

import (
	"encoding/json"
	"slices"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// prefConnectivityForm + a protocol ("SMTP") holds that tab's Request form
// as last filled in, so that a user who comes back finds the server they
// tested. The preferences are a plaintext file: a password is never put
// there, only the name of the credential that holds it (or, without
// Security Material, the user typed beside it).
const prefConnectivityForm = "connectivity.form."

// savedForm is one tab's form in the preferences.
type savedForm struct {
	Host       string `json:",omitempty"`
	Port       string `json:",omitempty"`
	Proxy      string `json:",omitempty"`
	Location   string `json:",omitempty"`
	Protection string `json:",omitempty"`
	Auth       string `json:",omitempty"`
	Credential string `json:",omitempty"` // a deployed credential's name
	User       string `json:",omitempty"` // typed for this test, without Security Material
	NoVerify   bool   `json:",omitempty"` // Valid Server Certificate Required unchecked

	CheckAddresses bool   `json:",omitempty"`
	From           string `json:",omitempty"`
	To             string `json:",omitempty"`
	IMAPAction     string `json:",omitempty"`
	Folder         string `json:",omitempty"`
	CheckMailbox   bool   `json:",omitempty"`
	ClientCert     bool   `json:",omitempty"`
	ClientAlias    string `json:",omitempty"`
}

func (t *connTab) prefKey() string { return prefConnectivityForm + string(t.proto) }

// savedForm reads the tab's fields, never the password.
func (t *connTab) savedForm() savedForm {
	f := savedForm{Host: t.host.Text, Port: t.port.Text, Proxy: t.proxy.Selected, Location: t.location.Text, NoVerify: !t.verify.Checked}
	if t.protection != nil {
		f.Protection, f.Auth = t.protection.Selected, t.auth.Selected
		// The remembered name is kept while the keyring is not open yet
		// and the user is typed in its place.
		f.Credential = t.cred.chosen()
		if t.cred.user != nil {
			f.User = t.cred.user.Text
		}
	}
	switch t.proto {
	case connectivity.SMTP:
		f.CheckAddresses, f.From, f.To = t.checkAddrs.Checked, t.from.Text, t.to.Text
	case connectivity.IMAP:
		f.IMAPAction, f.Folder = t.imapAction.Selected, t.folder.Text
	case connectivity.POP3:
		f.CheckMailbox = t.mailbox.Checked
	case connectivity.TLS:
		f.ClientCert, f.ClientAlias = t.clientCert.Checked, t.clientAlias.Selected
		if f.ClientAlias == "" {
			f.ClientAlias = t.wantedAlias
		}
	}
	return f
}

// save remembers the form when it changed. Fyne writes the preferences
// file itself, a moment later.
func (t *connTab) save() {
	if t.restoring {
		return
	}
	b, err := json.Marshal(t.savedForm())
	if err != nil || string(b) == t.saved {
		return
	}
	t.saved = string(b)
	t.w.app.Preferences().SetString(t.prefKey(), t.saved)
}

// restore fills the form in as it was last left. Protection goes in
// before Port, with the two kept from changing each other, so that a port
// of the user's own comes back as typed.
func (t *connTab) restore() {
	defer func() {
		// What is on screen now is what is remembered: only a change by
		// the user writes the preferences again.
		if b, err := json.Marshal(t.savedForm()); err == nil {
			t.saved = string(b)
		}
	}()
	var f savedForm
	if raw := t.w.app.Preferences().String(t.prefKey()); raw == "" || json.Unmarshal([]byte(raw), &f) != nil {
		return // nothing remembered, or a broken value: the defaults
	}
	t.host.SetText(f.Host)
	selectIf(t.proxy.Options, f.Proxy, t.proxy.SetSelected)
	t.location.SetText(f.Location)
	t.syncing = true
	if t.protection != nil {
		selectIf(t.protection.Options, f.Protection, t.protection.SetSelected)
		selectIf(t.auth.Options, f.Auth, t.auth.SetSelected)
		t.cred.wanted = f.Credential
		if t.cred.name != nil {
			t.cred.setOptions(t.cred.name.Options)
		} else {
			t.cred.user.SetText(f.User)
		}
	}
	if f.Port != "" {
		t.port.SetText(f.Port)
	}
	t.syncing = false
	t.verify.SetChecked(!f.NoVerify)
	switch t.proto {
	case connectivity.SMTP:
		t.checkAddrs.SetChecked(f.CheckAddresses)
		t.from.SetText(f.From)
		t.to.SetText(f.To)
	case connectivity.IMAP:
		selectIf(t.imapAction.Options, f.IMAPAction, t.imapAction.SetSelected)
		if f.Folder != "" {
			t.folder.SetText(f.Folder)
		}
	case connectivity.POP3:
		t.mailbox.SetChecked(f.CheckMailbox)
	case connectivity.TLS:
		t.clientCert.SetChecked(f.ClientCert)
		t.wantedAlias = f.ClientAlias
		t.selectWantedAlias()
	}
}

// selectWantedAlias chooses the remembered client certificate once the
// keystore offers it.
func (t *connTab) selectWantedAlias() {
	if t.clientAlias != nil && t.clientAlias.Selected == "" && t.wantedAlias != "" {
		selectIf(t.clientAlias.Options, t.wantedAlias, t.clientAlias.SetSelected)
	}
}

// selectIf selects value when it is one of options: a remembered choice
// the form no longer offers leaves the default.
func selectIf(options []string, value string, set func(string)) {
	if value != "" && slices.Contains(options, value) {
		set(value)
	}
}
