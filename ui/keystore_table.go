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
// The table makes only as many as fit on screen and reuses them.
type ksCell struct {
	widget.BaseWidget
	lock                     *widget.Icon
	label                    *widget.Label
	text                     *fyne.Container
	actions                  *fyne.Container
	rename, update, download *widget.Button
	remove                   *widget.Button
	more                     *widget.Button // Key Pair rows only
}

func newKSCell() fyne.CanvasObject {
	c := &ksCell{lock: widget.NewIcon(lockIcon), label: widget.NewLabel("")}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.text = container.NewBorder(nil, nil, c.lock, nil, c.label)
	c.rename = &widget.Button{Icon: theme.DocumentCreateIcon(), Importance: widget.LowImportance}
	c.update = &widget.Button{Icon: theme.UploadIcon(), Importance: widget.LowImportance}
	c.download = &widget.Button{Icon: theme.DownloadIcon(), Importance: widget.LowImportance}
	c.remove = &widget.Button{Icon: theme.DeleteIcon(), Importance: widget.LowImportance}
	c.more = &widget.Button{Icon: theme.MoreVerticalIcon(), Importance: widget.LowImportance}
	c.actions = container.NewHBox(c.rename, c.update, c.download, c.remove, c.more)
	c.ExtendBaseWidget(c)
	return c
}

func (c *ksCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(c.text, c.actions))
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
		c.setText("", widget.MediumImportance, false)
		return
	}
	r := &w.model.Rows[w.visible[id.Row]]
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
		alias := r.Entry.Alias
		editable := !w.model.ReadOnly && !r.Entry.SAPOwned
		c.rename.OnTapped = func() { w.onRename(alias) }
		c.update.OnTapped = func() { w.onUpdate(alias) }
		c.download.OnTapped = func() { w.onDownload(alias) }
		c.remove.OnTapped = func() { w.onDelete(alias) }
		c.more.OnTapped = func() { w.showKeyPairMenu(alias, c.more) }
		if r.Entry.Type == keystore.KeyPair {
			c.more.Show()
		} else {
			c.more.Hide()
		}
		setEnabled(c.rename, editable)
		setEnabled(c.update, editable)
		setEnabled(c.remove, editable)
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
