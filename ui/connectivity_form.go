package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// portOptions are the Port drop-down's choices, spelled as the tenant
// spells SMTP's ("587 (SMTP /STARTTLS)", space included). The IMAP and
// POP3 labels are not confirmed; they follow the same pattern, which is
// what a user coming from the SMTP tab expects.
var portOptions = map[connectivity.Protocol][]string{
	connectivity.SMTP: {"587 (SMTP /STARTTLS)", "465 (SMTPS)", "25 (SMTP)"},
	connectivity.IMAP: {"143 (IMAP/STARTTLS)", "993 (IMAPS)"},
	connectivity.POP3: {"110 (POP3/STARTTLS)", "995 (POP3S)"},
	connectivity.TLS:  {"443"},
}

// Labels of the IMAP tab's choice and of the certificate check.
const (
	labelListFolders   = "List Folders"
	labelCheckMailbox  = "Check Mailbox Content"
	labelVerify        = "Valid Server Certificate Required"
	labelCheckAddrs    = "Check Mail Addresses"
	labelClientCert    = "Authenticate with Client Certificate"
	defaultIMAPMailbox = "INBOX"
)

// Proxy Type, as on the tenant. On-Premise means through the SAP Cloud
// Connector, which only the tenant can reach; Opsdesk connects from this
// computer, so the choice is shown (users look for it) but explains itself
// instead of sending.
const (
	proxyInternet  = "Internet"
	proxyOnPremise = "On-Premise"
	whyOnPremise   = "On-Premise tests go through the SAP Cloud Connector, which only your tenant can use: run this one in Cloud Integration, or choose Internet to test from this computer (which reaches servers in your own network too)."
)

// connTab is one protocol's tab: the Request form, Send and Cancel, and
// the Response.
type connTab struct {
	w *connectivityWindow
	*serverFields

	proxy    *widget.Select
	location *widget.Entry  // Location ID, On-Premise only
	auth     *widget.Select // not on the TLS tab
	cred     *credentialField
	verify   *widget.Check

	checkAddrs  *widget.Check // SMTP
	from, to    *widget.Entry
	imapAction  *widget.RadioGroup // IMAP
	folder      *widget.Entry
	mailbox     *widget.Check // POP3
	clientCert  *widget.Check // TLS
	clientAlias *widget.Select

	send, cancel *widget.Button
	activity     *widget.Activity
	status       *widget.Label // why Send waits, or what is running
	clearText    *widget.Label // warns that the password would travel unencrypted
	resp         *responsePanel
	stop         func() // cancels the running test; nil when none runs
	stopClock    func() // stops the running test's elapsed time

	form        *widget.Form
	labelsStale bool // a field was enabled or disabled: its label must follow
	restoring   bool // the remembered form is being filled in: nothing to save
	saved       string
	wantedAlias string // the remembered client certificate, until the keystore offers it
}

func newConnTab(w *connectivityWindow, p connectivity.Protocol) *connTab {
	t := &connTab{w: w, restoring: true}
	changed := func(string) { t.validate() }
	t.serverFields = newServerFields(p, func() { t.validate() })
	t.host.SetPlaceHolder(map[connectivity.Protocol]string{connectivity.SMTP: "e.g. smtp.gmail.com",
		connectivity.IMAP: "e.g. imap.gmail.com", connectivity.POP3: "e.g. pop.gmail.com", connectivity.TLS: "e.g. example.com"}[p])
	t.host.OnSubmitted = func(string) { t.onSend() }
	t.verify = widget.NewCheck(labelVerify, nil)
	t.verify.SetChecked(true)
	t.verify.OnChanged = func(bool) { t.validate() }
	t.location = widget.NewEntry()
	t.location.OnChanged = changed
	t.proxy = widget.NewSelect([]string{proxyInternet, proxyOnPremise}, nil)
	t.proxy.Selected = proxyInternet // before OnChanged: the form is not complete yet
	t.proxy.OnChanged = func(string) { t.validate() }

	if p != connectivity.TLS {
		auths := []string{string(connectivity.AuthNone), string(connectivity.AuthEncrypted), string(connectivity.AuthPlain), string(connectivity.AuthOAuth2)}
		if p == connectivity.POP3 {
			auths = auths[1:] // POP3 always logs in: a Credential Name is mandatory
		}
		t.auth = widget.NewSelect(auths, func(string) { t.validate() })
		t.cred = newCredentialField(w.creds, func() { t.validate() })
		t.cred.onCreate = w.onNewCredential
	}
	switch p {
	case connectivity.SMTP:
		t.from, t.to = widget.NewEntry(), widget.NewEntry()
		t.from.SetPlaceHolder("you@gmail.com")
		t.to.SetPlaceHolder("someone@example.com")
		t.from.OnChanged, t.to.OnChanged = changed, changed
		t.checkAddrs = widget.NewCheck(labelCheckAddrs, func(bool) { t.validate() })
	case connectivity.IMAP:
		t.folder = widget.NewEntry()
		t.folder.SetText(defaultIMAPMailbox)
		t.folder.OnChanged = changed
		t.imapAction = widget.NewRadioGroup([]string{labelListFolders, labelCheckMailbox}, func(string) { t.validate() })
	case connectivity.POP3:
		t.mailbox = widget.NewCheck(labelCheckMailbox, func(bool) { t.validate() })
	case connectivity.TLS:
		t.clientAlias = widget.NewSelect(nil, func(string) { t.validate() })
		t.clientAlias.PlaceHolder = "(a Key Pair of the keystore)"
		t.clientCert = widget.NewCheck(labelClientCert, func(bool) { t.validate() })
	}

	t.send = &widget.Button{Text: "Send", Icon: theme.MailSendIcon(), Importance: widget.HighImportance, OnTapped: t.onSend}
	t.cancel = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: t.onCancel}
	t.cancel.Disable()
	t.activity = widget.NewActivity()
	t.activity.Hide()
	t.status = widget.NewLabel("")
	t.status.Wrapping = fyne.TextWrapWord
	t.clearText = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	t.clearText.Hide()
	t.resp = newResponsePanel(t.onCancel, w.onSaveChain, w.onAddToKeystore)
	t.resp.onProposeOAuth2 = func() func() {
		if w.newCredential == nil {
			return nil
		}
		return func() { w.onProposeOAuth2(t) }
	}

	if t.auth != nil {
		t.auth.SetSelected(t.auth.Options[0])
	}
	t.restore()
	t.restoring = false
	t.validate()
	return t
}

// content lays the tab out: the Request on the left, the Response on the
// right, each scrolling on its own.
func (t *connTab) content() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem("Host", t.host),
		widget.NewFormItem("Port", t.port),
		widget.NewFormItem("Proxy Type", t.proxy),
		widget.NewFormItem("Location ID", t.location),
	)
	if t.protection != nil {
		form.Append("Protection", t.protection)
		form.Append("Authentication", t.auth)
		form.Append("Credential Name", t.cred.obj)
	}
	switch t.proto {
	case connectivity.SMTP:
		form.Append("", t.checkAddrs)
		form.Append("From", t.from)
		form.Append("To", t.to)
	case connectivity.IMAP:
		form.Append("", t.imapAction)
		form.Append("Folder", t.folder)
	case connectivity.POP3:
		form.Append("", t.mailbox)
	case connectivity.TLS:
		form.Append("", t.clientCert)
		form.Append("Alias", t.clientAlias)
	}
	form.Append("", t.verify)
	t.form = form
	actions := container.NewHBox(t.send, t.cancel, t.activity)
	request := container.NewVBox(heading("Request"), form, t.clearText, actions, t.status)
	response := container.NewBorder(heading("Response"), nil, nil, nil, t.resp.scroll)
	split := container.NewHSplit(container.NewVScroll(request), response)
	split.Offset = 0.45
	return split
}

// validate enables the fields that apply and Send when the form is
// complete, saying what is missing otherwise, and remembers the form.
func (t *connTab) validate() string {
	why := ""
	t.enable(t.location, t.proxy.Selected == proxyOnPremise)
	// No certificate to require without TLS.
	t.enable(t.verify, t.protectionValue() != connectivity.Off)
	if t.auth != nil {
		t.cred.setEnabled(t.auth.Selected != string(connectivity.AuthNone))
		t.cred.setOAuth(t.auth.Selected == string(connectivity.AuthOAuth2))
	}
	t.warnClearText()
	checkErr := t.request().Check()
	switch server := t.serverFields.problem(); {
	case server != "":
		why = server
	case t.proxy.Selected == proxyOnPremise:
		why = whyOnPremise
	case checkErr != nil:
		why, _ = explained(checkErr)
	}
	switch t.proto {
	case connectivity.SMTP:
		t.enable(t.from, t.checkAddrs.Checked)
		t.enable(t.to, t.checkAddrs.Checked)
		if why == "" && t.checkAddrs.Checked && (strings.TrimSpace(t.from.Text) == "" || strings.TrimSpace(t.to.Text) == "") {
			why = "Type the From and To addresses to check, or uncheck " + labelCheckAddrs + "."
		}
	case connectivity.IMAP:
		t.enable(t.folder, t.imapAction.Selected == labelCheckMailbox)
		if why == "" && t.imapAction.Selected == labelCheckMailbox && strings.TrimSpace(t.folder.Text) == "" {
			why = "Type the folder to check, for example INBOX."
		}
	case connectivity.TLS:
		t.enable(t.clientAlias, t.clientCert.Checked)
		if why == "" && t.clientCert.Checked && t.clientAlias.Selected == "" {
			why = "Choose the key pair to authenticate with (Alias)."
		}
	}
	if t.labelsStale && t.form != nil {
		// Fyne's Form colours a label from its field only when the form
		// is refreshed: without this, Folder stayed grey beside its
		// enabled field.
		t.labelsStale = false
		t.form.Refresh()
	}
	t.save()
	if t.stop != nil {
		return why // running: Send stays off, the status says what runs
	}
	t.status.SetText(why)
	setEnabled(t.send, why == "")
	return why
}

// enable enables or disables a field of the form, noting that its label
// must follow.
func (t *connTab) enable(field fyne.Disableable, on bool) {
	if field.Disabled() == on {
		setEnabled(field, on)
		t.labelsStale = true
	}
}

// warnClearText says, before Send, when the chosen Protection lets the
// password travel without TLS: sending it so must be a choice made knowingly.
func (t *connTab) warnClearText() {
	warning := ""
	if t.auth != nil && t.auth.Selected != string(connectivity.AuthNone) {
		// CRAM-MD5 does not send the password itself, but what it sends
		// can be cracked offline: the same warning, in its own words.
		what := "the password travels unencrypted"
		switch t.auth.Selected {
		case string(connectivity.AuthEncrypted):
			what = "the user name and a CRAM-MD5 hash of the password, which can be cracked, travel unencrypted"
		case string(connectivity.AuthOAuth2):
			what = "the access token, which opens the mailbox for an hour, travels unencrypted"
		}
		switch t.protectionValue() {
		case connectivity.Off:
			warning = "With Protection Off " + what + ": choose " + connectivity.Implicit.Label(t.proto) + " or " +
				string(connectivity.STARTTLSMandatory) + " unless this server offers no TLS at all."
		case connectivity.STARTTLSOptional:
			warning = "With " + string(connectivity.STARTTLSOptional) + ", if the server does not offer STARTTLS, " + what +
				": choose " + string(connectivity.STARTTLSMandatory) + " to refuse that."
		}
	}
	t.clearText.SetText(warning)
	if warning == "" {
		t.clearText.Hide()
	} else {
		t.clearText.Show()
	}
}

func validPort(s string) bool { _, ok := parsePort(s); return ok }

// request reads the form into a test request. The keystore's trusted
// certificates, the credential's password and the client certificate are
// filled in when it is sent.
func (t *connTab) request() connectivity.Request {
	port, _ := parsePort(t.port.Text)
	req := connectivity.Request{
		Protocol:   t.proto,
		Host:       strings.TrimSpace(t.host.Text),
		Port:       port,
		Protection: t.protectionValue(),
		ConnectTo:  t.w.connectTo,
		Timeouts:   t.w.timeouts,
	}
	req.VerifyCertificate = t.verify.Checked && req.Protection != connectivity.Off
	if t.auth != nil {
		req.Auth = connectivity.Auth(t.auth.Selected)
		if req.Auth != connectivity.AuthNone {
			req.User, req.Credential = t.cred.named()
		}
	}
	switch t.proto {
	case connectivity.SMTP:
		if t.checkAddrs.Checked {
			req.From, req.To = strings.TrimSpace(t.from.Text), strings.TrimSpace(t.to.Text)
		}
	case connectivity.IMAP:
		switch t.imapAction.Selected {
		case labelListFolders:
			req.ListFolders = true
		case labelCheckMailbox:
			req.Mailbox = strings.TrimSpace(t.folder.Text)
		}
	case connectivity.POP3:
		req.CheckMailbox = t.mailbox.Checked
	}
	return req
}
