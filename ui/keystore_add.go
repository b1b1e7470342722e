package ui

import (
	"crypto/x509"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// onAddMenu opens Add ▾ with the entries Opsdesk can add, in the tenant's
// order. The tenant also offers SSH Key; SSH keys are no X.509 key pairs
// and nothing in Opsdesk uses them, so it is left out rather than shown
// and refused.
func (w *keystoreWindow) onAddMenu() {
	menu := fyne.NewMenu("",
		fyne.NewMenuItem("Certificate", func() { w.onAddCertificate() }),
		fyne.NewMenuItem("Key Pair", func() { w.onAddKeyPair() }),
		fyne.NewMenuItem("Keystore", func() { w.onAddKeystore("") }),
	)
	widget.ShowPopUpMenuAtRelativePosition(menu, w.win.Canvas(), fyne.NewPos(0, w.addBtn.Size().Height), w.addBtn)
}

// newEntryProblem says why a new entry cannot be added yet under alias, in
// the order the user meets it: a keystore opened without its password,
// then the file (read says whether its content is there; fileNote is
// "Reading…" or why it holds nothing to add, and empty before a file is
// chosen, when Confirm just waits), then the alias. "" when nothing stops it.
func (w *keystoreWindow) newEntryProblem(read bool, fileNote, alias string) string {
	a := normAlias(alias)
	switch {
	case w.model == nil:
		return "No keystore is open."
	case w.model.ReadOnly:
		return "Nothing can be added: " + w.model.readOnlyWhy() + "."
	case !read:
		return fileNote
	case keystore.CheckAlias(a) != nil:
		why, _ := explained(keystore.CheckAlias(a))
		return why
	case w.model.Has(a):
		return fmt.Sprintf("An entry named %q already exists; choose another alias.", a)
	}
	return ""
}

// browseFile lets the user pick a file with one of exts.
func (w *keystoreWindow) browseFile(exts []string, picked func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showError("Browse", err, w.win)
			return
		}
		if r == nil {
			return
		}
		path := localPath(r.URI())
		r.Close()
		picked(path)
	}, w.win)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	if l := saveStartLister(w.app); l != nil {
		d.SetLocation(l)
	}
	d.Resize(fileDialogSize)
	d.Show()
}

// addCertDialog is Add ▾ Certificate: an Alias, Browse… for the file, a
// preview of the certificate, and Confirm once both are right. The alias
// is suggested from the certificate's CN unless the user typed their own.
type addCertDialog struct {
	w         *keystoreWindow
	dlg       *keyedDialog
	alias     *keyEntry
	aliasNote *widget.Label
	file      *widget.Label
	preview   *fyne.Container
	status    *widget.Label
	confirm   *keyButton
	cert      *x509.Certificate
	existing  string // the alias already holding cert, if any
	suggested string
	fileNote  string // "Reading…", or why the chosen file holds no certificate
}

func (w *keystoreWindow) onAddCertificate() *addCertDialog {
	d := &addCertDialog{w: w, alias: newKeyEntry(), file: widget.NewLabel("No file chosen"), preview: container.NewVBox()}
	var follow func(string)
	d.aliasNote, follow = newAliasNote()
	d.alias.OnChanged = func(s string) {
		follow(s)
		d.validate()
	}
	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Importance = widget.DangerImportance
	browse := newKeyButton("Browse…", widget.MediumImportance, func() { w.browseFile(certs.Extensions, d.load) })
	browse.Icon = theme.FolderOpenIcon()
	form := widget.NewForm(
		&widget.FormItem{Text: "Alias", Widget: d.alias,
			HintText: "A file with several certificates (a chain .zip or .p7b) gives them this alias as a prefix: alias, alias_1, alias_2."},
		widget.NewFormItem("", d.aliasNote),
		widget.NewFormItem("Certificate", container.NewBorder(nil, nil, nil, browse, d.file)),
	)
	content := container.NewVBox(form, d.preview, d.status)
	d.dlg = newKeyedDialog(w.win, "Add Certificate", container.New(&minWidthLayout{width: 620}, content), "Confirm", "Cancel", nil)
	d.confirm = d.dlg.confirm
	d.confirm.OnTapped = d.onConfirm // the dialog stays open until the certificate is in
	d.validate()
	d.dlg.Show()
	w.win.Canvas().Focus(d.alias)
	return d
}

// load reads the chosen file off the UI thread. A file holding several
// certificates (a .p7b or a chain .zip) goes to the import dialog, which
// lists them all.
func (d *addCertDialog) load(path string) {
	d.file.SetText(filepath.Base(path))
	d.cert, d.fileNote = nil, "Reading…"
	d.validate()
	d.w.bg.run(func() func() {
		batch := certs.ReadFiles([]string{path})
		return func() { d.loaded(batch) }
	})
}

func (d *addCertDialog) loaded(batch certs.Batch) {
	d.preview.RemoveAll()
	d.cert, d.fileNote, d.existing = nil, "", ""
	switch {
	case len(batch.Certificates) > 1:
		// The alias the user typed names them all, as a prefix; only a
		// suggestion from an earlier file gives way to the dialog's.
		prefix := ""
		if a := strings.TrimSpace(d.alias.Text); a != d.suggested {
			prefix = a
		}
		d.dlg.Hide()
		d.w.showImport(batch, nil).usePrefix(prefix)
		return
	case len(batch.Certificates) == 0:
		if len(batch.Problems) > 0 {
			d.fileNote = batch.Problems[0].Sentence()
		}
		d.validate()
		return
	}
	d.cert = batch.Certificates[0].Cert
	desc := certs.Describe(d.cert)
	d.preview.Add(certPreview(desc))
	if why := desc.NotValidAt(time.Now()); why != "" {
		d.preview.Add(validityWarning(why))
	}
	d.existing, _ = d.w.model.AliasOf(d.cert)
	if a := strings.TrimSpace(d.alias.Text); a == "" || a == d.suggested {
		d.suggested = certs.SuggestAlias(d.cert, d.w.model.Has)
		d.alias.SetText(d.suggested)
	}
	d.validate()
}

func (d *addCertDialog) validate() {
	why := d.w.newEntryProblem(d.cert != nil, d.fileNote, d.alias.Text)
	if d.cert != nil && d.existing != "" && !d.w.model.ReadOnly {
		// Said before Confirm, which core would refuse as a duplicate.
		why = fmt.Sprintf("This certificate is already in the keystore as %q, so there is nothing to add.", d.existing)
	}
	d.status.SetText(why)
	setEnabled(d.confirm, why == "" && d.cert != nil)
	d.dlg.Refresh() // the dialog grows with what it says, rather than drawing it over the buttons
}

func (d *addCertDialog) onConfirm() {
	cand := keystore.Candidate{Cert: d.cert, Alias: normAlias(d.alias.Text)}
	var results []keystore.Result
	d.confirm.Disable()
	d.w.svc.edit(d.w.win, func(k *keystore.Keystore) error {
		var err error
		results, err = k.AddCertificates([]keystore.Candidate{cand})
		return err
	}, func(err error) {
		if err != nil {
			showError("Add Certificate", err, d.w.win)
			d.validate()
			return
		}
		if r := results[0]; r.Outcome != keystore.Added {
			// Another program added it meanwhile: said like the rest.
			d.status.SetText(r.Reason)
			d.dlg.Refresh()
			return
		}
		d.dlg.Hide()
		d.w.showDetails(cand.Alias)
	})
}

// mergeDialog is Add ▾ Keystore: another keystore's entries brought in,
// with Add (optionally overwriting entries of the same alias) or Replace
// (every entry the user owns goes; SAP's stay), then the summary.
type mergeDialog struct {
	w         *keystoreWindow
	dlg       *keyedDialog
	path      string
	file      *widget.Label
	password  *keyEntry
	mode      *keyRadio
	overwrite *keyCheck
}

const (
	modeAdd     = "Add"
	modeReplace = "Replace"
)

func (w *keystoreWindow) onAddKeystore(path string) *mergeDialog {
	d := &mergeDialog{w: w, path: path, file: widget.NewLabel("No file chosen"), password: newKeyPasswordEntry()}
	if path != "" {
		d.file.SetText(filepath.Base(path))
	}
	d.password.SetPlaceHolder("Leave empty if it has none")
	d.overwrite = newKeyCheck("Overwrite existing entries", nil)
	note := widget.NewLabel("")
	note.Wrapping = fyne.TextWrapWord
	d.mode = newKeyRadio([]string{modeAdd, modeReplace}, true, func(m string) {
		setEnabled(d.overwrite, m == modeAdd)
		if m == modeReplace {
			note.SetText("Replace removes every entry you own and keeps SAP's. A backup is made first.")
		} else {
			note.SetText("Add keeps the entries you have; with the option above, entries of the same alias are replaced.")
		}
	})
	d.mode.SetSelected(modeAdd)
	browse := newKeyButton("Browse…", widget.MediumImportance, func() {
		w.browseFile(keystore.Extensions, func(p string) { d.path = p; d.file.SetText(filepath.Base(p)) })
	})
	browse.Icon = theme.FolderOpenIcon()
	items := []*widget.FormItem{
		{Text: "Keystore", Widget: container.NewBorder(nil, nil, nil, browse, d.file), HintText: ".jks, or PKCS#12 (.p12, .pfx)"},
		{Text: "Password", Widget: d.password},
		{Text: "", Widget: d.mode},
		{Text: "", Widget: d.overwrite},
		{Text: "", Widget: note},
	}
	form := newKeyedForm(w.win, "Add Keystore", "Confirm", "Cancel", items, d.onClosed)
	form.Resize(fyne.NewSize(620, form.MinSize().Height))
	form.Show()
	d.dlg = form
	return d
}

func (d *mergeDialog) onClosed(ok bool) {
	if !ok {
		return
	}
	if d.path == "" {
		showInformation("Add Keystore", "Choose the keystore to add with Browse… first.", d.w.win)
		return
	}
	opt := keystore.MergeOptions{Mode: keystore.Add, Overwrite: d.overwrite.Checked}
	if d.mode.Selected == modeReplace {
		opt = keystore.MergeOptions{Mode: keystore.Replace}
	}
	if d.password.Text != "" {
		opt.Password = []byte(d.password.Text)
		d.password.SetText("")
	}
	d.merge(opt)
}

func (d *mergeDialog) merge(opt keystore.MergeOptions) {
	path := d.path
	var sum keystore.Summary
	var backup keystore.Backup
	d.w.svc.edit(d.w.win, func(k *keystore.Keystore) error {
		defer clear(opt.Password)
		if opt.Mode == keystore.Replace {
			var err error
			if backup, err = k.Backup(); err != nil {
				return err
			}
		}
		var err error
		sum, err = k.Merge(path, opt)
		return err
	}, func(err error) {
		if err != nil {
			showError("Add Keystore", err, d.w.win)
			return
		}
		note := "From " + filepath.Base(path) + "."
		if backup.Name != "" {
			note += " The keystore as it was is saved as the backup " + backup.Name + "."
		}
		showResults("Add Keystore", note, sum.Results, d.w.win)
	})
}
