package ui

import (
	"fyne.io/fyne/v2"
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
