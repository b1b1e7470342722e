package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne 2.7 has no tooltips, and fyne-x's newest needs Fyne 2.8: these are
// our own. A tipLayer lies over a window's content and draws the one tip
// shown; it holds nothing tappable or hoverable, so every click and
// hover still reaches the widgets under it. (A pop-up would not do: an
// overlay takes the mouse, so the button under it would lose its hover,
// and the first click would only close the tip.)

// tipDelay is how long the mouse rests on a button before its tip shows.
const tipDelay = 500 * time.Millisecond

// tipLayer shows the tips of one window's tipButtons.
type tipLayer struct {
	layer *fyne.Container // without layout: the tip is placed by hand
	box   *fyne.Container
	bg    *canvas.Rectangle
	text  *canvas.Text

	delay   time.Duration // 0 shows at once (tests)
	owner   fyne.CanvasObject
	pending *time.Timer
}

// newTipLayer makes a layer whose tips are drawn in the theme's colours
// swapped (light words on dark in the light theme), so that they stand out
// from the window they lie on.
func newTipLayer() *tipLayer {
	l := &tipLayer{delay: tipDelay, bg: canvas.NewRectangle(color.Transparent), text: canvas.NewText("", color.Transparent)}
	l.bg.CornerRadius = theme.Size(theme.SizeNameInputRadius)
	l.box = container.NewStack(l.bg, container.NewPadded(l.text))
	l.box.Hide()
	l.layer = container.NewWithoutLayout(l.box)
	return l
}

// over returns content with the layer on top, for Window.SetContent.
func (l *tipLayer) over(content fyne.CanvasObject) fyne.CanvasObject {
	return container.NewStack(content, l.layer)
}

// shown is the tip on screen, "" for none.
func (l *tipLayer) shown() string {
	if !l.box.Visible() {
		return ""
	}
	return l.text.Text
}

// hoverIn starts the wait for owner's tip.
func (l *tipLayer) hoverIn(owner fyne.CanvasObject, tip string) {
	l.hide()
	if tip == "" {
		return
	}
	l.owner = owner
	if l.delay <= 0 {
		l.show(owner, tip)
		return
	}
	var t *time.Timer
	t = time.AfterFunc(l.delay, func() {
		fyne.Do(func() {
			if l.pending == t && l.owner == owner {
				l.show(owner, tip)
			}
		})
	})
	l.pending = t
}

// hide takes the tip away, and any tip still to come.
func (l *tipLayer) hide() {
	if l.pending != nil {
		l.pending.Stop()
		l.pending = nil
	}
	l.owner = nil
	if l.box.Visible() {
		l.box.Hide()
	}
}

// hideFor hides the tip if one of owners has it: a cell about to show
// another row.
func (l *tipLayer) hideFor(owners ...fyne.CanvasObject) {
	for _, o := range owners {
		if l.owner == o {
			l.hide()
			return
		}
	}
}

// show places tip under owner, or above it when there is no room below,
// kept inside the window.
func (l *tipLayer) show(owner fyne.CanvasObject, tip string) {
	th := theme.Current()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	l.bg.FillColor = th.Color(theme.ColorNameForeground, v)
	l.text.Color = th.Color(theme.ColorNameBackground, v)
	l.text.TextSize = th.Size(theme.SizeNameText)
	l.text.Text = tip
	l.text.Refresh()
	l.bg.Refresh()
	size := l.box.MinSize()
	l.box.Resize(size)

	d := fyne.CurrentApp().Driver()
	at := d.AbsolutePositionForObject(owner).Subtract(d.AbsolutePositionForObject(l.layer))
	gap := th.Size(theme.SizeNamePadding)
	room := l.layer.Size()
	pos := fyne.NewPos(at.X, at.Y+owner.Size().Height+gap)
	if pos.Y+size.Height > room.Height {
		pos.Y = at.Y - size.Height - gap
	}
	if pos.X+size.Width > room.Width {
		pos.X = room.Width - size.Width - gap
	}
	l.box.Move(fyne.NewPos(max(pos.X, 0), max(pos.Y, 0)))
	l.box.Show()
	l.layer.Refresh()
}

// tipButton is a button whose tip shows when the mouse rests on it, even
// when it is disabled, so that the tip can say why. Its layer may come
// after it (a table's cells are made before they are placed); until
// then it has no tip.
type tipButton struct {
	widget.Button
	tips *tipLayer
	tip  string
}

var _ desktop.Hoverable = (*tipButton)(nil)

func newTipButton(tips *tipLayer, icon fyne.Resource) *tipButton {
	b := &tipButton{tips: tips}
	b.Icon = icon
	b.Importance = widget.LowImportance
	b.ExtendBaseWidget(b)
	return b
}

func (b *tipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	if b.tips != nil {
		b.tips.hoverIn(b, b.tip)
	}
}

func (b *tipButton) MouseOut() {
	b.Button.MouseOut()
	if b.tips != nil {
		b.tips.hideFor(b)
	}
}

func (b *tipButton) Tapped(e *fyne.PointEvent) {
	if b.tips != nil {
		b.tips.hideFor(b)
	}
	b.Button.Tapped(e)
}
