package ui

import (
	"crypto/x509"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// onCreateMenu opens Create ▾. The tenant also offers SSH Key there; SSH
// keys live apart from X.509 key pairs (no certificate, another format)
// and nothing in Opsdesk uses them, so it is left out rather than shown
// and refused.
func (w *keystoreWindow) onCreateMenu() {
	menu := fyne.NewMenu("", fyne.NewMenuItem("Key Pair", func() { w.onCreateKeyPair() }))
	widget.ShowPopUpMenuAtRelativePosition(menu, w.win.Canvas(), fyne.NewPos(0, w.createBtn.Size().Height), w.createBtn)
}

// createKeyPairDialog is Create ▾ Key Pair: the tenant's fields, Create
// enabled only once they make a valid key pair (with the reason shown
// until then), the key generated in the background.
type createKeyPairDialog struct {
	w                                      *keystoreWindow
	dlg                                    *keyedDialog
	alias, cn, ou, org, locality, province *keyEntry
	country, email, sans                   *keyEntry
	algorithm, size, signature             *keySelect
	validUntil                             *keyDate
	status                                 *widget.Label
	activity                               *widget.Activity
	create                                 *keyButton
	suggested                              string // the alias last suggested from the CN
	busy                                   bool
	cancelled                              bool // Cancel while the key was being generated
	signatureNames                         map[string]x509.SignatureAlgorithm
}

func (w *keystoreWindow) onCreateKeyPair() *createKeyPairDialog {
	d := &createKeyPairDialog{w: w, signatureNames: map[string]x509.SignatureAlgorithm{}}
	entry := func(placeholder string) *keyEntry {
		e := newKeyEntry()
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(string) { d.validate() }
		return e
	}
	d.alias = entry("")
	aliasNote, follow := newAliasNote()
	d.alias.OnChanged = func(s string) {
		follow(s)
		d.validate()
	}
	d.cn = entry("e.g. client.example.com")
	d.cn.OnChanged = d.onCommonName
	d.ou, d.org, d.locality, d.province = entry(""), entry(""), entry(""), entry("")
	d.country = entry("e.g. DE")
	d.email = entry("")
	d.sans = entry("DNS:host.example.com, IP:192.0.2.1")
	d.algorithm = newKeySelect([]string{"RSA", "EC"}, func(string) { d.onAlgorithm() })
	d.size = newKeySelect(nil, func(string) { d.onSize() })
	d.signature = newKeySelect(nil, func(string) { d.validate() })
	d.validUntil = newKeyDate()
	yearOn := time.Now().AddDate(1, 0, 0)
	d.validUntil.SetDate(&yearOn)
	d.validUntil.OnChanged = func(*time.Time) { d.validate() }
	d.status = &widget.Label{Importance: widget.DangerImportance, Truncation: fyne.TextTruncateEllipsis}
	d.activity = widget.NewActivity()
	d.activity.Hide()

	form := widget.NewForm(
		widget.NewFormItem("Alias *", d.alias),
		widget.NewFormItem("", aliasNote),
		widget.NewFormItem("Key Algorithm", d.algorithm),
		widget.NewFormItem("Key Size", d.size),
		widget.NewFormItem("Signature Algorithm", d.signature),
		widget.NewFormItem("Common Name (CN) *", d.cn),
		widget.NewFormItem("Organizational Unit (OU)", d.ou),
		widget.NewFormItem("Organization (O)", d.org),
		widget.NewFormItem("Locality (L)", d.locality),
		widget.NewFormItem("State/Province (ST)", d.province),
		widget.NewFormItem("Country (C)", d.country),
		widget.NewFormItem("E-mail", d.email),
		&widget.FormItem{Text: "Subject Alternative Names", Widget: d.sans, HintText: "Optional; separate them with commas."},
		widget.NewFormItem("Valid Until", d.validUntil),
	)
	content := container.NewVBox(form, container.NewBorder(nil, nil, d.activity, nil, d.status))
	d.dlg = newKeyedDialog(w.win, "Create Key Pair", container.New(&minWidthLayout{width: 620}, content), "Create", "Cancel", func(bool) {
		d.cancelled = true // a key still being generated is thrown away
	})
	d.create = d.dlg.confirm
	d.create.OnTapped = d.onCreate // the dialog stays open while the key is made
	d.algorithm.SetSelected("RSA") // fills Key Size and Signature Algorithm
	d.validate()
	d.dlg.Show()
	w.win.Canvas().Focus(d.alias)
	return d
}

// onAlgorithm offers the key sizes of the chosen algorithm.
func (d *createKeyPairDialog) onAlgorithm() {
	var sizes []string
	for _, t := range keystore.KeyTypes {
		if t.Algorithm() == d.algorithm.Selected {
			sizes = append(sizes, t.SizeLabel())
		}
	}
	d.size.Options = sizes
	d.size.SetSelected(sizes[0])
}

// onSize offers the signature algorithms that fit the key, its default
// first.
func (d *createKeyPairDialog) onSize() {
	kt, ok := keystore.KeyTypeFor(d.algorithm.Selected, d.size.Selected)
	if !ok {
		return
	}
	var names []string
	for _, a := range kt.SignatureAlgorithms() {
		n := keystore.SignatureName(a)
		names = append(names, n)
		d.signatureNames[n] = a
	}
	d.signature.Options = names
	d.signature.SetSelected(names[0])
}

// onCommonName suggests the alias from the CN until the user types their
// own, as Add ▾ Certificate does.
func (d *createKeyPairDialog) onCommonName(cn string) {
	if a := strings.TrimSpace(d.alias.Text); a == "" || a == d.suggested {
		d.suggested = ""
		if strings.TrimSpace(cn) != "" {
			d.suggested = certs.Unique(certs.SafeName(cn), d.w.model.Has)
		}
		d.alias.SetText(d.suggested) // validates
		return
	}
	d.validate()
}

// options is what the fields say.
func (d *createKeyPairDialog) options() keystore.KeyPairOptions {
	kt, _ := keystore.KeyTypeFor(d.algorithm.Selected, d.size.Selected)
	o := keystore.KeyPairOptions{
		Alias: normAlias(d.alias.Text), Key: kt, SignatureAlgorithm: d.signatureNames[d.signature.Selected],
		CommonName: d.cn.Text, OrganizationalUnit: d.ou.Text, Organization: d.org.Text, Locality: d.locality.Text,
		Province: d.province.Text, Country: strings.TrimSpace(d.country.Text), Email: strings.TrimSpace(d.email.Text),
		SubjectAltNames: strings.Split(d.sans.Text, ","),
	}
	if day := d.validUntil.Date; day != nil {
		// The day chosen, at this time of day: the default is exactly a
		// year, as keytool's -validity 365 is.
		now := time.Now()
		o.ValidUntil = time.Date(day.Year(), day.Month(), day.Day(), now.Hour(), now.Minute(), now.Second(), 0, time.Local)
	}
	return o
}

// validate enables Create only for options that make a key pair, and says
// in one line why not otherwise.
func (d *createKeyPairDialog) validate() {
	if d.create == nil || d.signature.Selected == "" {
		return // still being built
	}
	why := ""
	o := d.options()
	switch {
	case d.busy:
	case d.w.model == nil:
		why = "No keystore is open."
	case d.w.model.ReadOnly:
		why = "Nothing can be created in it: " + d.w.model.readOnlyWhy() + "."
	case d.validUntil.Date == nil:
		why = "Choose the Valid Until date."
	case o.Check() != nil:
		why = firstSentence(o.Check())
	case d.w.model.Has(o.Alias):
		why = "An entry named “" + o.Alias + "” already exists; choose another alias."
	}
	d.status.Importance = widget.DangerImportance
	d.status.SetText(why)
	setEnabled(d.create, why == "" && !d.busy)
}

// firstSentence is what happened, without the hint: one line under a form.
func firstSentence(err error) string {
	var pe *problem.Error
	if errors.As(err, &pe) {
		c := *pe
		c.Hint, c.Detail = "", ""
		return c.Error()
	}
	return err.Error()
}

func (d *createKeyPairDialog) setBusy(busy bool, note string) {
	d.busy = busy
	if busy {
		d.activity.Show()
		d.activity.Start()
	} else {
		d.activity.Stop()
		d.activity.Hide()
	}
	for _, o := range []fyne.Disableable{d.alias, d.cn, d.ou, d.org, d.locality, d.province, d.country, d.email, d.sans, d.algorithm, d.size, d.signature, d.validUntil} {
		setEnabled(o, !busy)
	}
	d.validate()
	if note != "" {
		d.status.Importance = widget.MediumImportance
		d.status.SetText(note)
	}
}

// onCreate generates the key off the UI thread (an RSA 4096 key takes
// seconds) without holding the keystore, then adds it.
func (d *createKeyPairDialog) onCreate() {
	o := d.options()
	what := o.Key.Algorithm() + " " + o.Key.SizeLabel()
	d.setBusy(true, "Generating the "+what+" key…")
	d.w.bg.run(func() func() {
		m, err := keystore.NewKeyPair(o)
		if err != nil {
			return func() {
				d.setBusy(false, "")
				showError("Create Key Pair", err, d.w.win)
			}
		}
		return func() {
			if d.cancelled {
				m.Close() // the user no longer wants it
				return
			}
			d.status.SetText("Saving the keystore…")
			d.w.svc.edit(d.w.win, func(k *keystore.Keystore) error {
				defer m.Close()
				return k.AddKeyPair(o.Alias, m)
			}, func(err error) {
				d.setBusy(false, "")
				if err != nil {
					showError("Create Key Pair", err, d.w.win)
					return
				}
				d.dlg.Hide()
				d.w.filter.SetText("")
				d.w.showDetails(o.Alias)
			})
		}
	})
}
