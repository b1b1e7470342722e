package ui

import (
	"fyne.io/fyne/v2"
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
