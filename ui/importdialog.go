package ui

import (
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

// existingNote says that the keystore has the certificate already.
func existingNote(it *importItem) *widget.Label {
	note := widget.NewLabel(fmt.Sprintf("Already in the keystore as %q, so it is not imported again.", it.existing))
	note.Importance = widget.WarningImportance
	note.Wrapping = fyne.TextWrapWord
	return note
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
