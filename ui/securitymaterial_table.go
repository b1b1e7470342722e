package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/credentials"
)

// The Security Material table: a row marked across every column when
// selected, and what to do when there are no rows.

func (w *securityMaterialWindow) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	c := o.(*smCell)
	if id.Row < 0 || id.Row >= len(w.visible) {
		c.set("", widget.MediumImportance, false)
		return
	}
	e := w.entries[w.visible[id.Row]]
	text, imp := "", widget.MediumImportance
	switch id.Col {
	case 0:
		text = e.Name
	case 1:
		text = string(e.Type)
	case 2:
		text = e.Status
		switch e.Status {
		case credentials.Error:
			imp = widget.DangerImportance
		case credentials.Unauthorized:
			imp = widget.WarningImportance
		}
	case 3:
		text = e.DeployedBy
	case 4:
		if !e.DeployedOn.IsZero() {
			text = e.DeployedOn.Local().Format("Jan 2, 2006, 15:04")
		}
	}
	c.set(text, imp, e.Name == w.selected && w.selected != "")
}

// emptyState is shown over the table while it has no rows: a user who
// has deployed nothing yet is told what to add first and why, and one
// whose search hides every entry is told that.
func (w *securityMaterialWindow) emptyState() *fyne.Container {
	w.emptyTitle = heading("No Security Material yet")
	w.emptyHint = widget.NewLabel("Add ▾ User Credentials to store a mail account's password,\n" +
		"or Add ▾ Secure Parameter for a token or another secret.")
	w.emptyHint.Alignment = fyne.TextAlignCenter
	w.emptyAdd = &widget.Button{Text: "Add User Credentials…", Icon: theme.ContentAddIcon(), Importance: widget.HighImportance,
		OnTapped: func() { w.showCreate(credentials.UserCredentials) }}
	text := container.NewVBox(container.NewCenter(w.emptyTitle), w.emptyHint, container.NewCenter(w.emptyAdd))
	// On the window's background: the table draws its column lines
	// through the empty rows, which would cross the words.
	w.empty = container.NewCenter(container.NewStack(newBackdrop(), container.NewPadded(text)))
	w.empty.Hide()
	return w.empty
}

// backdrop fills its space with the theme's background colour, light or
// dark, to hide what lies under what is drawn on it.
type backdrop struct {
	widget.BaseWidget
	rect *canvas.Rectangle
}

func newBackdrop() *backdrop {
	b := &backdrop{rect: canvas.NewRectangle(color.Transparent)}
	b.ExtendBaseWidget(b)
	return b
}

func (b *backdrop) CreateRenderer() fyne.WidgetRenderer {
	r := &backdropRenderer{b: b}
	r.Refresh()
	return r
}

type backdropRenderer struct{ b *backdrop }

func (r *backdropRenderer) Layout(size fyne.Size)        { r.b.rect.Resize(size) }
func (r *backdropRenderer) MinSize() fyne.Size           { return fyne.NewSize(0, 0) }
func (r *backdropRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.b.rect} }
func (r *backdropRenderer) Destroy()                     {}
func (r *backdropRenderer) Refresh() {
	r.b.rect.FillColor = r.b.Theme().Color(theme.ColorNameBackground, fyne.CurrentApp().Settings().ThemeVariant())
	r.b.rect.Refresh()
}

// updateEmpty shows or hides the empty state after the rows changed.
func (w *securityMaterialWindow) updateEmpty() {
	switch {
	case len(w.visible) > 0:
		w.empty.Hide()
		return
	case len(w.entries) == 0:
		w.emptyTitle.SetText("No Security Material yet")
		w.emptyHint.Show()
		w.emptyAdd.Show()
	default:
		w.emptyTitle.SetText(fmt.Sprintf("Nothing matches “%s”", strings.TrimSpace(w.search.Text)))
		w.emptyHint.Hide()
		w.emptyAdd.Hide()
	}
	w.empty.Show()
}

// selectName makes name the selected entry (none for ""): its row is
// marked in every column and Edit and Undeploy act on it.
func (w *securityMaterialWindow) selectName(name string) {
	w.selected = name
	w.table.Refresh()
	w.updateButtons()
}

// smCell is one cell of the Security Material table: its text, over the
// mark of the selected row.
type smCell struct {
	rowCell
	label *widget.Label
}

func newSMCell() fyne.CanvasObject {
	c := &smCell{label: widget.NewLabel("")}
	c.label.Truncation = fyne.TextTruncateEllipsis
	c.initRow(c.label)
	c.ExtendBaseWidget(c)
	return c
}

// set shows text with importance imp, on the mark when selected.
func (c *smCell) set(text string, imp widget.Importance, selected bool) {
	c.setMarked(selected)
	if c.label.Text != text || c.label.Importance != imp {
		c.label.Text, c.label.Importance = text, imp
		c.label.Refresh()
	}
}
