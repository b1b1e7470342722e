package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// column is one column of a window's table: the tenant's title, and a
// width that fits its usual content.
type column struct {
	title string
	width float32
}

// headedTable is a table with a header row of titles and no header
// column, as the tenant's lists are; rows says how many rows there are.
func headedTable(columns []column, rows func() int, create func() fyne.CanvasObject,
	update func(widget.TableCellID, fyne.CanvasObject)) *widget.Table {
	t := widget.NewTableWithHeaders(func() (int, int) { return rows(), len(columns) }, create, update)
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return heading("") }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 && id.Col >= 0 && id.Col < len(columns) {
			o.(*widget.Label).SetText(columns[id.Col].title)
		}
	}
	for i, c := range columns {
		t.SetColumnWidth(i, c.width)
	}
	return t
}

// selectRows makes a click on any cell of t (or Space on the cell the
// keyboard is on) choose that cell's row: pick hears the row, and the
// cells mark it across every column (rowCell). Fyne's Table marks only the
// cell clicked, which left a user unsure which entry the buttons act on,
// so that mark is taken away again at once.
func selectRows(t *widget.Table, rows func() int, pick func(row int)) {
	t.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < rows() {
			pick(id.Row)
		}
		t.UnselectAll()
	}
}

// rowCell is the base of a table's cell whose row can be marked as the
// selected one: its content over a band of the theme's selection colour.
// A cell type embeds it, and calls initRow then ExtendBaseWidget.
type rowCell struct {
	widget.BaseWidget
	mark    *canvas.Rectangle
	content fyne.CanvasObject
}

// initRow makes content the cell's, unmarked.
func (c *rowCell) initRow(content fyne.CanvasObject) {
	c.mark, c.content = canvas.NewRectangle(color.Transparent), content
	c.mark.Hide()
}

// setMarked shows or hides the mark.
func (c *rowCell) setMarked(on bool) {
	switch {
	case on:
		c.mark.FillColor = c.Theme().Color(theme.ColorNameSelection, fyne.CurrentApp().Settings().ThemeVariant())
		c.mark.Show()
	case c.mark.Visible():
		c.mark.Hide()
	default:
		return
	}
	c.mark.Refresh()
}

func (c *rowCell) CreateRenderer() fyne.WidgetRenderer { return &rowCellRenderer{c: c} }

type rowCellRenderer struct{ c *rowCell }

// Layout lets the mark reach over half the padding around the cell, so
// that the marks of one row's cells meet and read as one band.
func (r *rowCellRenderer) Layout(size fyne.Size) {
	pad := r.c.Theme().Size(theme.SizeNamePadding)
	r.c.mark.Move(fyne.NewPos(-pad/2, -pad/2))
	r.c.mark.Resize(size.AddWidthHeight(pad, pad))
	r.c.content.Move(fyne.NewPos(0, 0))
	r.c.content.Resize(size)
}

func (r *rowCellRenderer) MinSize() fyne.Size { return r.c.content.MinSize() }
func (r *rowCellRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.c.mark, r.c.content}
}
func (r *rowCellRenderer) Refresh() { r.c.mark.Refresh(); r.c.content.Refresh() }
func (r *rowCellRenderer) Destroy() {}

// lastColumnFills lays out a headedTable so that its last column takes
// the width the others leave (never less than its own), and the table
// reaches the window's right edge instead of ending short of it: a
// selected row's mark spans the window, and a column of buttons gets the
// room to say what they do. onWidth, if set, hears each new width.
type lastColumnFills struct {
	table   *widget.Table
	columns []column
	width   float32
	onWidth func(float32)
}

// fillLastColumn returns t in a container that lays it out so.
func fillLastColumn(t *widget.Table, columns []column, onWidth func(float32)) *fyne.Container {
	return container.New(&lastColumnFills{table: t, columns: columns, onWidth: onWidth}, t)
}

func (l *lastColumnFills) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
	// Each column is followed by the padding the table draws its
	// divider in; one more keeps the last clear of the right edge.
	pad := l.table.Theme().Size(theme.SizeNamePadding)
	last := len(l.columns) - 1
	w := size.Width - pad*float32(len(l.columns)+1)
	for _, c := range l.columns[:last] {
		w -= c.width
	}
	w = max(w, l.columns[last].width)
	if w == l.width {
		return
	}
	l.width = w
	l.table.SetColumnWidth(last, w)
	if l.onWidth != nil {
		l.onWidth(w)
	}
}

func (l *lastColumnFills) MinSize(objects []fyne.CanvasObject) fyne.Size {
	return l.table.MinSize()
}
