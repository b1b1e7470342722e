package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// Files Add ▾ Key Pair offers.
var (
	pkcs12Exts   = []string{".p12", ".pfx"}
	pemKeyExts   = []string{".key", ".pem", ".der"}
	pemChainExts = []string{".pem", ".crt", ".cer", ".der", ".p7b", ".p7c"}
)

const (
	formatPKCS12 = "PKCS#12 (.p12, .pfx)"
	formatPEM    = "PEM (key file + certificate file)"
)

// addKeyPairDialog is Add ▾ Key Pair: one key pair from a PKCS#12 file
// with its password, or from a PEM private key and its certificate chain;
// a preview of its certificate, then Confirm.
type addKeyPairDialog struct {
	w         *keystoreWindow
	dlg       *keyedDialog
	alias     *keyEntry
	format    *keyRadio
	p12Row    *fyne.Container
	pemRows   *fyne.Container
	p12File   *widget.Label
	password  *keyEntry
	keyFile   *widget.Label
	certFile  *widget.Label
	preview   *fyne.Container
	status    *widget.Label
	confirm   *keyButton
	p12Path   string
	keyPath   string
	certPath  string
	material  *keystore.KeyMaterial
	choices   []*keystore.KeyMaterial // every key pair of a file that holds several
	pick      *keySelect              // which of choices, shown only for several
	suggested string
	fileNote  string // "Reading…", or why the files give no key pair
	reads     int    // counts reads, so a slow one's result can't overwrite a newer one
	busy      bool   // adding: material is in use by a worker
	closed    bool
}

func (w *keystoreWindow) onAddKeyPair() *addKeyPairDialog {
	d := &addKeyPairDialog{w: w, alias: newKeyEntry(), preview: container.NewVBox(),
		p12File: widget.NewLabel("No file chosen"), keyFile: widget.NewLabel("No file chosen"), certFile: widget.NewLabel("No file chosen")}
	aliasNote, follow := newAliasNote()
	d.alias.OnChanged = func(s string) {
		follow(s)
		d.validate()
	}
	d.password = newKeyPasswordEntry()
	d.password.SetPlaceHolder("The file's password")
	d.password.OnSubmitted = func(string) { d.load() }
	d.password.OnChanged = func(string) {
		if d.material == nil && d.p12Path != "" {
			d.fileNote = "Press Enter or Open to read the file with this password."
		}
		d.validate()
	}
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Importance = widget.DangerImportance

	browse := func(exts []string, picked func(p string)) *keyButton {
		b := newKeyButton("Browse…", widget.MediumImportance, func() { w.browseFile(exts, picked) })
		b.Icon = theme.FolderOpenIcon()
		return b
	}
	browseP12 := browse(pkcs12Exts, func(p string) { d.p12Path = p; d.p12File.SetText(filepath.Base(p)); d.load() })
	open := newKeyButton("Open", widget.MediumImportance, d.load)
	browseKey := browse(pemKeyExts, func(p string) { d.keyPath = p; d.keyFile.SetText(filepath.Base(p)); d.load() })
	browseCert := browse(pemChainExts, func(p string) { d.certPath = p; d.certFile.SetText(filepath.Base(p)); d.load() })
	d.pick = newKeySelect(nil, func(string) { d.onPick() })
	d.pick.PlaceHolder = "Choose the key pair to add"
	pickForm := widget.NewForm(&widget.FormItem{Text: "Key Pair", Widget: d.pick, HintText: "The file holds several key pairs; Add ▾ Keystore brings them all."})
	pickForm.Hide()
	d.p12Row = container.NewVBox(widget.NewForm(
		&widget.FormItem{Text: "Key Pair File", Widget: container.NewBorder(nil, nil, nil, browseP12, d.p12File)},
		&widget.FormItem{Text: "Password", Widget: container.NewBorder(nil, nil, nil, open, d.password)},
	), pickForm)
	d.pemRows = container.NewVBox(widget.NewForm(
		&widget.FormItem{Text: "Private Key", Widget: container.NewBorder(nil, nil, nil, browseKey, d.keyFile), HintText: "Unencrypted PEM (BEGIN PRIVATE KEY)."},
		&widget.FormItem{Text: "Certificate Chain", Widget: container.NewBorder(nil, nil, nil, browseCert, d.certFile), HintText: "The key's certificate, then its issuers."},
	))
	d.format = newKeyRadio([]string{formatPKCS12, formatPEM}, true, func(string) { d.onFormat() })
	form := widget.NewForm(
		widget.NewFormItem("Alias *", d.alias),
		widget.NewFormItem("", aliasNote),
		widget.NewFormItem("Format", d.format),
	)

	content := container.NewVBox(form, d.p12Row, d.pemRows, d.preview, d.status)
	d.dlg = newKeyedDialog(w.win, "Add Key Pair", container.New(&minWidthLayout{width: 640}, content), "Confirm", "Cancel", nil)
	d.confirm = d.dlg.confirm
	d.confirm.OnTapped = d.onConfirm // the dialog stays open until the key pair is in
	d.dlg.SetOnClosed(func() {
		d.closed = true
		if !d.busy {
			d.setMaterial(nil)
			d.setChoices(nil)
		}
	})
	d.format.SetSelected(formatPKCS12)
	d.dlg.Show()
	w.win.Canvas().Focus(d.alias)
	return d
}

func (d *addKeyPairDialog) onFormat() {
	if d.format.Selected == formatPEM {
		d.p12Row.Hide()
		d.pemRows.Show()
	} else {
		d.pemRows.Hide()
		d.p12Row.Show()
	}
	d.load()
}

// load reads the chosen files off the UI thread, once there is enough to
// read: a PKCS#12 file and its password, or a PEM key file.
func (d *addKeyPairDialog) load() {
	d.setMaterial(nil)
	d.setChoices(nil)
	d.fileNote = ""
	pem := d.format.Selected == formatPEM
	switch {
	case pem && d.keyPath == "":
		d.validate()
		return
	case !pem && d.p12Path == "":
		d.validate()
		return
	case !pem && d.password.Text == "":
		d.fileNote = "Type the file's password, then press Enter or Open."
		d.validate()
		return
	}
	d.reads++
	read, keyPath, certPath, p12Path := d.reads, d.keyPath, d.certPath, d.p12Path
	password := []byte(d.password.Text)
	d.fileNote = "Reading…"
	d.validate()
	d.w.bg.run(func() func() {
		defer clear(password)
		var list []*keystore.KeyMaterial
		var err error
		if pem {
			var m *keystore.KeyMaterial
			if m, err = keystore.ReadKeyPairPEM(keyPath, certPath); err == nil {
				list = []*keystore.KeyMaterial{m}
			}
		} else {
			list, err = keystore.ReadKeyPairs(p12Path, password)
		}
		return func() {
			if read != d.reads || d.closed {
				for _, m := range list {
					m.Close() // a newer read, or the dialog went away
				}
				return
			}
			if err != nil || len(list) == 1 {
				var m *keystore.KeyMaterial
				if len(list) == 1 {
					m = list[0]
				}
				d.loaded(m, err)
				return
			}
			d.setChoices(list)
		}
	})
}

// setChoices offers the key pairs of a file that holds several, forgetting
// (and zeroing) those offered before.
func (d *addKeyPairDialog) setChoices(list []*keystore.KeyMaterial) {
	for _, m := range d.choices {
		if m != d.material {
			m.Close()
		}
	}
	d.choices = list
	var names []string
	for _, m := range list {
		name := m.Alias
		if name == "" {
			name = m.Certificate().Subject.CommonName
		}
		names = append(names, fmt.Sprintf("%s (%s)", name, certs.Describe(m.Certificate()).KeyDescription))
	}
	d.pick.SetOptions(names)
	d.pick.ClearSelected()
	form := d.p12Row.Objects[1]
	if len(list) > 1 {
		form.Show()
		d.fileNote = fmt.Sprintf("The file holds %d key pairs: choose one.", len(list))
	} else {
		form.Hide()
	}
	d.validate()
}

// onPick shows the key pair chosen among several.
func (d *addKeyPairDialog) onPick() {
	i := d.pick.SelectedIndex()
	if i < 0 || i >= len(d.choices) {
		return
	}
	d.loaded(d.choices[i], nil)
}

func (d *addKeyPairDialog) setMaterial(m *keystore.KeyMaterial) {
	if d.material != nil && d.material != m && !slices.Contains(d.choices, d.material) {
		d.material.Close()
	}
	d.material = m
	d.preview.RemoveAll()
}

func (d *addKeyPairDialog) loaded(m *keystore.KeyMaterial, err error) {
	d.setMaterial(m)
	d.fileNote = ""
	if err != nil {
		d.fileNote, _ = explained(err)
		d.validate()
		return
	}
	cert := m.Certificate()
	desc := certs.Describe(cert)
	p := certPreview(desc)
	p.Append("Key", value(desc.KeyDescription))
	p.Append("Chain Length", value(chainLength(len(m.Chain))))
	d.preview.Add(p)
	if a := strings.TrimSpace(d.alias.Text); a == "" || a == d.suggested {
		d.suggested = m.Alias // the file's own name for it
		if d.suggested == "" || d.w.model.Has(d.suggested) {
			d.suggested = certs.SuggestAlias(cert, d.w.model.Has)
		}
		d.alias.SetText(d.suggested)
	}
	d.validate()
}

func chainLength(n int) string {
	if n == 1 {
		return "1 certificate (the key's own)"
	}
	return fmt.Sprintf("%d certificates", n)
}

func (d *addKeyPairDialog) validate() {
	why := d.w.newEntryProblem(d.material != nil, d.fileNote, d.alias.Text)
	d.status.Importance = widget.DangerImportance
	if why == "Reading…" || strings.HasPrefix(why, "Type the file's password") || strings.HasPrefix(why, "Press Enter") {
		d.status.Importance = widget.MediumImportance
	}
	d.status.SetText(why)
	setEnabled(d.confirm, why == "" && d.material != nil && !d.busy)
}

func (d *addKeyPairDialog) onConfirm() {
	alias := normAlias(d.alias.Text)
	m := d.material
	d.busy = true
	d.validate()
	d.w.svc.edit(d.w.win, func(k *keystore.Keystore) error {
		return k.AddKeyPair(alias, m)
	}, func(err error) {
		d.busy = false
		if d.closed {
			m.Close()
		}
		if err != nil {
			showError("Add Key Pair", err, d.w.win)
			d.validate()
			return
		}
		d.dlg.Hide()
		d.w.filter.SetText("")
		d.w.showDetails(alias)
	})
}
