package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// ksCell is one cell of the Keystore table: text with an optional lock in
// front, or, in the Actions column, the row's Rename, Update, Download and Delete,
// and for a key pair a menu of its own downloads (chain, root, request).
// The action buttons say what they do in a tip when the mouse rests on
// them, and in words as well when the column has the room.
// The table makes only as many as fit on screen and reuses them.
type ksCell struct {
	rowCell                  // marked when its row is the entry whose details show
	lock                     *widget.Icon
	label                    *widget.Label
	text                     *fyne.Container
	actions                  *fyne.Container
	rename, update, download *tipButton
	remove                   *tipButton
	more                     *tipButton // Key Pair rows only
	row                      int        // the row shown, to hide a tip when it changes
}

// newKSCell makes a cell; updateCell puts its tips on the window's layer.
func newKSCell() fyne.CanvasObject {
	c := &ksCell{lock: widget.NewIcon(lockIcon), label: widget.NewLabel(""), row: -1}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.text = container.NewBorder(nil, nil, c.lock, nil, c.label)
	c.rename = newTipButton(nil, theme.DocumentCreateIcon())
	c.update = newTipButton(nil, theme.UploadIcon())
	c.download = newTipButton(nil, theme.DownloadIcon())
	c.remove = newTipButton(nil, theme.DeleteIcon())
	c.more = newTipButton(nil, theme.MoreVerticalIcon())
	c.actions = container.NewHBox(c.rename, c.update, c.download, c.remove, c.more)
	c.initRow(container.NewStack(c.text, c.actions))
	c.ExtendBaseWidget(c)
	return c
}

// The row actions' words: the button's label when there is room, then
// the tip, which says a little more.
var (
	rowRename   = [2]string{"Rename", "Rename: give this entry another alias"}
	rowUpdate   = [2]string{actionUpdate, "Update: replace the certificate with a renewed one, or a key pair's with the CA's reply"}
	rowDownload = [2]string{"Download", "Download: save the certificate as a .cer file"}
	rowDownKP   = [2]string{"Download", "Download: save the key pair's certificate chain as a .p7b file"}
	rowDelete   = [2]string{"Delete", "Delete: remove this entry from the keystore (a backup can bring it back)"}
	rowMore     = [2]string{"Key Pair", "Key Pair: download its certificate chain, its root certificate or a signing request"}
)

// setAction labels b with words[0] when labelled, and gives it a tip:
// words[1], or why it is disabled.
func setAction(b *tipButton, words [2]string, labelled bool, why string) {
	text := ""
	if labelled {
		text = words[0]
	}
	tip := words[1]
	if why != "" {
		tip = words[0] + " is not possible: " + why
	}
	b.tip = tip
	if b.Text != text {
		b.SetText(text)
	}
}

// labelledActionsWidth is the width the Actions column needs to show its
// buttons' words: those of a key pair's row, the longest.
func labelledActionsWidth() float32 {
	var buttons []fyne.CanvasObject
	for _, w := range [][2]string{rowRename, rowUpdate, rowDownload, rowDelete, rowMore} {
		buttons = append(buttons, &widget.Button{Text: w[0], Icon: theme.DocumentCreateIcon()})
	}
	return container.NewHBox(buttons...).MinSize().Width + theme.Padding()
}

// setText shows text in the cell's label, coloured by importance, only
// refreshing what changed: the table calls this for every visible cell
// on every scroll step.
func (c *ksCell) setText(text string, imp widget.Importance, lock bool) {
	c.actions.Hide()
	c.text.Show()
	if lock != c.lock.Visible() {
		if lock {
			c.lock.Show()
		} else {
			c.lock.Hide()
		}
		c.text.Refresh() // lays the label out again, with or without the lock's room
	}
	if c.label.Text != text || c.label.Importance != imp {
		c.label.Text, c.label.Importance = text, imp
		c.label.Refresh()
	}
}

func (w *keystoreWindow) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*ksCell)
	if w.model == nil || id.Row < 0 || id.Row >= len(w.visible) {
		c.setMarked(false)
		c.setText("", widget.MediumImportance, false)
		return
	}
	r := &w.model.Rows[w.visible[id.Row]]
	c.setMarked(w.selected != "" && r.Entry.Alias == w.selected)
	switch id.Col {
	case 0:
		c.setText(r.Entry.Alias, widget.MediumImportance, r.Entry.SAPOwned)
	case 1:
		c.setText(string(r.Entry.Type), widget.MediumImportance, false)
	case 2:
		c.setText(r.ValidUntil, expiryImportance(r.Expiry), false)
	case 3:
		c.setText(r.LastModified, widget.MediumImportance, false)
	case 4:
		c.setText(r.Desc.SubjectDN, widget.MediumImportance, false)
	case 5:
		c.setText(r.Desc.IssuerDN, widget.MediumImportance, false)
	case colActions:
		c.text.Hide()
		c.actions.Show()
		buttons := []*tipButton{c.rename, c.update, c.download, c.remove, c.more}
		if c.row != id.Row {
			for _, b := range buttons {
				b.tips = w.tips
				w.tips.hideFor(b)
			}
			c.row = id.Row
		}
		alias := r.Entry.Alias
		why := ""
		switch {
		case w.model.ReadOnly:
			why = w.model.readOnlyWhy() + "."
		case r.Entry.SAPOwned:
			why = "SAP owns this entry."
		}
		c.rename.OnTapped = func() { w.onRename(alias) }
		c.update.OnTapped = func() { w.onUpdate(alias) }
		c.download.OnTapped = func() { w.onDownload(alias) }
		c.remove.OnTapped = func() { w.onDelete(alias) }
		c.more.OnTapped = func() { w.showKeyPairMenu(alias, c.more) }
		labelled := w.actionsLabelled
		setAction(c.rename, rowRename, labelled, why)
		setAction(c.update, rowUpdate, labelled, why)
		setAction(c.remove, rowDelete, labelled, why)
		if r.Entry.Type == keystore.KeyPair {
			setAction(c.download, rowDownKP, labelled, "")
			setAction(c.more, rowMore, labelled, "")
			// Labelled, it looks like the details bar's Key Pair ▾.
			icon, place := theme.MoreVerticalIcon(), widget.ButtonIconLeadingText
			if labelled {
				icon, place = theme.MenuDropDownIcon(), widget.ButtonIconTrailingText
			}
			if c.more.IconPlacement != place {
				c.more.Icon, c.more.IconPlacement = icon, place
				c.more.Refresh()
			}
			c.more.Show()
		} else {
			setAction(c.download, rowDownload, labelled, "")
			c.more.Hide()
		}
		setEnabled(c.rename, why == "")
		setEnabled(c.update, why == "")
		setEnabled(c.remove, why == "")
	}
}

// expiryImportance colours Valid Until with the theme's error colour when
// expired and its warning colour within 30 days, in light and dark themes.
func expiryImportance(e expiry) widget.Importance {
	switch e {
	case expired, expiryUnknown:
		return widget.DangerImportance
	case expirySoon:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// entryLabel names an entry in sentences: "the certificate “x”".
func entryLabel(t keystore.EntryType, alias string) string {
	if t == keystore.KeyPair {
		return "the key pair “" + alias + "”"
	}
	return "the certificate “" + alias + "”"
}
