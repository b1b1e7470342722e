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

// importItem is one certificate offered for the keystore.
type importItem struct {
	cert     *x509.Certificate
	desc     certs.Description
	sources  []string
	existing string // the alias already holding it, if any
	check    *keyCheck
	alias    *keyEntry
	note     *widget.Label // how the alias will be saved, when not as typed
}

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

// importDialog is the import list in a dialog: nothing is written until
// Confirm. The drop handler and the chain's Add to Keystore both use it.
//
// It is the dialog's content, a widget of its own, so that the dialog on
// screen is the importDialog value.
type importDialog struct {
	widget.BaseWidget
	*importList
	body      *fyne.Container
	dlg       *keyedDialog
	confirm   *keyButton
	cancel    *keyButton
	intro     *widget.Label // the alias typed in Add Certificate, when given to all
	onConfirm func([]keystore.Candidate)
}

func (d *importDialog) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(d.body) }

func newImportDialog(title string, batch certs.Batch, m *ksModel, parent fyne.Window, onConfirm func([]keystore.Candidate)) *importDialog {
	d := &importDialog{onConfirm: onConfirm}
	holder := container.NewStack() // the list, once collected
	d.body = holder
	d.ExtendBaseWidget(d)
	d.dlg = newKeyedDialog(parent, title, d, "Confirm", "Cancel", func(ok bool) {
		if ok {
			d.onConfirm(d.candidates())
		}
	})
	d.cancel, d.confirm = d.dlg.cancel, d.dlg.confirm
	d.importList = newImportList(batch, m, importOptions{})
	d.onValidate = func(ok bool) {
		setEnabled(d.confirm, ok)
		d.dlg.Refresh() // the dialog grows with what it says, rather than drawing it over the buttons
	}

	list := container.NewVBox()
	if n := len(d.items); n > 0 {
		h := plural(n, "certificate", "certificates") + " found"
		if len(d.problems) > 0 {
			h += "; " + plural(len(d.problems), "file holds", "files hold") + " none (listed below)"
		}
		list.Add(heading(h))
	}
	list.Add(d.list)

	d.intro = widget.NewLabel("")
	d.intro.Wrapping = fyne.TextWrapWord
	d.intro.Hide()
	top := container.NewVBox(d.intro)
	if s := notValidSummary(d.items, time.Now()); s != "" {
		top.Add(warningLine(s))
	}
	content := container.NewBorder(top, d.status, nil, nil, container.NewVScroll(list))
	holder.Add(content)
	d.validate()
	return d
}

// usePrefix gives the certificates the alias the user typed, as a
// prefix (keystore.ChainAlias: alias, alias_1, …), and says so; "" keeps
// the suggested aliases. The numbers follow the file's order, counting
// certificates already in the keystore too, as the command line's
// --alias does.
func (d *importDialog) usePrefix(prefix string) {
	if prefix == "" || len(d.items) == 0 {
		return
	}
	var names []string
	for i, it := range d.items {
		a := keystore.ChainAlias(prefix, i)
		it.alias.SetText(a)
		names = append(names, normAlias(a))
	}
	if len(names) > 3 {
		names = append(names[:2], "…", names[len(names)-1])
	}
	d.intro.SetText(fmt.Sprintf("The file holds %d certificates: the alias you typed is given to them as %s. Change any of them below.",
		len(d.items), strings.Join(names, ", ")))
	d.intro.Show()
	d.validate()
}

func (d *importDialog) show() {
	d.dlg.Resize(fyne.NewSize(820, 620))
	d.dlg.Show()
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

// existingNote says that the keystore has the certificate already.
func existingNote(it *importItem) *widget.Label {
	note := widget.NewLabel(fmt.Sprintf("Already in the keystore as %q, so it is not imported again.", it.existing))
	note.Importance = widget.WarningImportance
	note.Wrapping = fyne.TextWrapWord
	return note
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

// showResults says what became of each certificate or entry brought in:
// Cloud Integration's summary after Add ▾ Keystore, also used after an
// import. note, when not empty, comes first.
func showResults(title, note string, results []keystore.Result, parent fyne.Window) {
	box := container.NewVBox()
	if note != "" {
		l := widget.NewLabel(note)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	groups := []struct {
		outcome keystore.Outcome
		title   string
	}{
		{keystore.Added, "Added"},
		{keystore.Overwritten, "Overwritten"},
		{keystore.Preserved, "Preserved"},
		{keystore.Removed, "Removed"},
		{keystore.Duplicate, "Already in the keystore"},
		{keystore.Rejected, "Rejected"},
	}
	var counts []string
	for _, g := range groups {
		var lines []string
		for _, r := range results {
			if r.Outcome != g.outcome {
				continue
			}
			line := r.Alias
			if r.Reason != "" {
				line += ": " + r.Reason
			}
			lines = append(lines, line)
		}
		if len(lines) == 0 {
			continue
		}
		counts = append(counts, fmt.Sprintf("%d %s", len(lines), strings.ToLower(g.title)))
		box.Add(heading(fmt.Sprintf("%s (%d)", g.title, len(lines))))
		for _, l := range lines {
			lbl := widget.NewLabel(l)
			lbl.Wrapping = fyne.TextWrapWord
			if g.outcome == keystore.Rejected {
				lbl.Importance = widget.DangerImportance
			}
			box.Add(lbl)
		}
	}
	if len(counts) == 0 {
		box.Add(widget.NewLabel("Nothing was brought in."))
	} else {
		box.Objects = append([]fyne.CanvasObject{widget.NewLabel(strings.Join(counts, ", ") + ".")}, box.Objects...)
	}
	d := newKeyedDialog(parent, title, container.NewVScroll(box), "", "Close", nil)
	// Tall enough for the list, within reason; a short one stays short.
	height := min(box.MinSize().Height+120, 560)
	d.Resize(fyne.NewSize(640, height))
	d.Show()
}

// notValidSummary names, above the list, the certificates that are not
// valid at now, so that one far down a chain is not missed for want of
// scrolling: "1 of these 3 certificates is not valid today: relay expired
// on …". A single certificate's own warning is in view: "" then, as when
// all are valid.
func notValidSummary(items []*importItem, now time.Time) string {
	const date = "Jan 2, 2006"
	var what []string
	for _, it := range items {
		name := it.desc.CommonName
		if name == "" {
			name = it.desc.SubjectDN
		}
		switch {
		case now.After(it.desc.ValidUntil):
			what = append(what, name+" expired on "+it.desc.ValidUntil.In(now.Location()).Format(date))
		case now.Before(it.desc.ValidFrom):
			what = append(what, name+" is not valid until "+it.desc.ValidFrom.In(now.Location()).Format(date))
		}
	}
	if len(what) == 0 || len(items) < 2 {
		return ""
	}
	verb, leave := "are", "uncheck them below to leave them out"
	if len(what) == 1 {
		verb, leave = "is", "uncheck it below to leave it out"
	}
	return fmt.Sprintf("%d of these %d certificates %s not valid today: %s. The tenant will not trust a server that sends one; %s.",
		len(what), len(items), verb, strings.Join(what, "; "), leave)
}

// warningLine is a sentence in the error colour beside the error icon.
func warningLine(text string) fyne.CanvasObject {
	l := validityWarning(text)
	return container.NewBorder(nil, nil, lineIcon(theme.NewColoredResource(theme.ErrorIcon(), theme.ColorNameError)), nil, l)
}

// validityWarning shows certs.Description.NotValidAt's sentence.
func validityWarning(why string) *widget.Label {
	warn := widget.NewLabel(why)
	warn.Importance = widget.DangerImportance
	warn.Wrapping = fyne.TextWrapWord
	return warn
}

func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
