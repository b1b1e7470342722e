package ui

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// importList lists every certificate found, each with its suggested
// alias, subject, issuer, validity, fingerprint and a checkbox, and every
// file that held none with the reason; validate says, on status, why the
// choice cannot be added yet. It is the import dialog's content, and the
// Trust step of Connect a Mail Account shows it too, so both check
// duplicates and aliases by the same rules.
type importList struct {
	items    []*importItem
	problems []*problem.Error
	model    *ksModel
	status   *widget.Label
	list     *fyne.Container // the certificates, then the files that held none
	opts     importOptions
	// onValidate, when set, gets whether the choice can be added, after
	// each change.
	onValidate func(ok bool)
}

// importOptions shape an import list; the zero value is the import
// dialog's.
type importOptions struct {
	// offer, when set, says which certificates start checked; by
	// default all that the keystore lacks.
	offer func(*x509.Certificate) bool
	// view, when set, shows a certificate in place of the dialog's view
	// (itemView), with the item's check.
	view func(it *importItem) fyne.CanvasObject
	// fixedAliases keeps the aliases from being changed: core names the
	// entries (Connect a Mail Account's Trust step).
	fixedAliases bool
}

// newImportList lists batch's certificates for the keystore m describes.
func newImportList(batch certs.Batch, m *ksModel, opts importOptions) *importList {
	l := &importList{problems: batch.Problems, model: m, opts: opts, list: container.NewVBox()}
	l.status = widget.NewLabel("")
	l.status.Wrapping = fyne.TextWrapWord
	l.status.Importance = widget.DangerImportance
	l.collect(batch.Certificates)
	view := l.itemView
	if opts.view != nil {
		view = opts.view
	}
	for _, it := range l.items {
		l.list.Add(view(it))
		l.list.Add(widget.NewSeparator())
	}
	if len(l.problems) > 0 {
		h := "1 file is not a certificate"
		if n := len(l.problems); n > 1 {
			h = fmt.Sprintf("%d files are not certificates", n)
		}
		l.list.Add(heading(h))
		for _, p := range l.problems {
			msg := widget.NewLabel(p.Sentence())
			msg.Wrapping = fyne.TextWrapWord
			l.list.Add(container.NewBorder(nil, nil, lineIcon(theme.NewColoredResource(theme.ErrorIcon(), theme.ColorNameError)), nil, msg))
		}
	}
	return l
}

// collect lists each certificate once, however many files held it, under
// an alias suggested from its name that no entry or other row has.
func (d *importList) collect(found []certs.Found) {
	bySum := map[[32]byte]*importItem{}
	suggested := map[string]bool{}
	taken := func(a string) bool { return suggested[a] || d.model.Has(a) }
	for _, f := range found {
		sum := sha256.Sum256(f.Cert.Raw)
		if it, ok := bySum[sum]; ok {
			it.sources = append(it.sources, f.Source)
			continue
		}
		it := &importItem{cert: f.Cert, desc: certs.Describe(f.Cert), sources: []string{f.Source}}
		it.existing, _ = d.model.AliasOf(f.Cert)
		alias := certs.SuggestAlias(f.Cert, taken)
		suggested[alias] = true
		it.alias = newKeyEntry()
		it.alias.SetText(alias)
		var follow func(string)
		it.note, follow = newAliasNote()
		it.alias.OnChanged = func(s string) {
			follow(s)
			d.validate()
		}
		it.check = newKeyCheck("", func(bool) { d.validate() })
		it.check.SetChecked(it.existing == "" && (d.opts.offer == nil || d.opts.offer(f.Cert)))
		if d.opts.fixedAliases {
			it.alias.Disable()
		}
		if it.existing != "" {
			// The keystore keeps each certificate once (core reports a
			// second as a duplicate): nothing to choose here.
			it.alias.Disable()
			it.check.Disable()
		}
		bySum[sum] = it
		d.items = append(d.items, it)
	}
}

// itemView shows one certificate compactly, so that a chain of three fits
// on screen: the alias to give it, then one line per fact.
func (d *importList) itemView(it *importItem) fyne.CanvasObject {
	aliasRow := container.NewBorder(nil, nil, container.NewHBox(it.check, widget.NewLabel("Alias")), nil, it.alias)
	facts := widget.NewLabel(fmt.Sprintf("Subject: %s\nIssuer: %s\nValidity: %s\nSHA-256: %s\nFrom: %s",
		it.desc.SubjectDN, it.desc.IssuerDN, validity(it.desc), it.desc.SHA256, strings.Join(it.sources, ", ")))
	facts.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(aliasRow, it.note, facts)
	if why := it.desc.NotValidAt(time.Now()); why != "" {
		box.Add(validityWarning(why))
	}
	if it.existing != "" {
		box.Add(existingNote(it))
	}
	return box
}

// validate keeps Confirm disabled, and says why, until every chosen
// certificate has an alias the keystore accepts.
func (d *importList) validate() {
	why := d.problem()
	if why == "" && d.chosen() == 0 {
		why = d.nothingChosen()
	}
	d.status.SetText(why)
	if d.onValidate != nil {
		d.onValidate(why == "")
	}
}

// nothingChosen says why Confirm would import nothing.
func (d *importList) nothingChosen() string {
	existing := 0
	for _, it := range d.items {
		if it.existing != "" {
			existing++
		}
	}
	switch {
	case len(d.items) == 0:
		return "No certificate was found, so there is nothing to import."
	case existing == len(d.items) && existing == 1:
		return "This certificate is already in the keystore, so there is nothing to import."
	case existing == len(d.items):
		return "All of these certificates are already in the keystore, so there is nothing to import."
	}
	return "Check the certificates to import."
}

func (d *importList) chosen() int {
	n := 0
	for _, it := range d.items {
		if it.check.Checked {
			n++
		}
	}
	return n
}

func (d *importList) problem() string {
	if why := d.model.readOnlyWhy(); why != "" {
		return "Nothing can be added: " + why + "."
	}
	seen := map[string]bool{}
	for _, it := range d.items {
		if !it.check.Checked {
			continue
		}
		a := normAlias(it.alias.Text)
		if err := keystore.CheckAlias(a); err != nil {
			s, _ := explained(err)
			return s
		}
		if d.model.Has(a) {
			return fmt.Sprintf("An entry named %q already exists; choose another alias.", a)
		}
		if seen[a] {
			return fmt.Sprintf("Two certificates have the alias %q; give each its own.", a)
		}
		seen[a] = true
	}
	return ""
}

// candidates are the checked certificates under the aliases typed.
func (d *importList) candidates() []keystore.Candidate {
	var out []keystore.Candidate
	for _, it := range d.items {
		if it.check.Checked {
			out = append(out, keystore.Candidate{Cert: it.cert, Alias: normAlias(it.alias.Text)})
		}
	}
	return out
}
