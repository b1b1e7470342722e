package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/problem"
)

// explained splits an error into what a person reads first (what happened
// and what to do) and the technical detail kept one click away. Core
// returns *problem.Error for everything a user can act on; anything else is
// a bug or an operating-system failure, said as such.
func explained(err error) (sentence, detail string) {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return pe.Sentence(), pe.Detail
	}
	return "That did not work, and Opsdesk cannot tell why in plain words. Try again; if it keeps failing, " +
		"the technical detail below helps whoever supports you.", err.Error()
}

// showError shows err in a dialog titled title: the sentence, and the
// technical detail behind a "Technical Detail" fold when there is one.
func showError(title string, err error, parent fyne.Window) {
	fyne.LogError(title, err)
	sentence, detail := explained(err)
	showMessage(title, errorContent(sentence, detail), parent)
}

// errorContent is the body of an error dialog, also used inline.
func errorContent(sentence, detail string) fyne.CanvasObject {
	msg := widget.NewLabel(sentence)
	msg.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(msg)
	if detail != "" {
		box.Add(detailFold(detail))
	}
	return container.New(&minWidthLayout{width: 460}, box)
}

// detailFold keeps technical text out of the way until asked for; it is
// selectable so it can be copied into a support request.
func detailFold(detail string) *widget.Accordion {
	d := widget.NewLabel(detail)
	d.Wrapping = fyne.TextWrapWord
	d.Selectable = true
	d.TextStyle = fyne.TextStyle{Monospace: true}
	return widget.NewAccordion(widget.NewAccordionItem("Technical Detail", d))
}

// minWidthLayout stacks its objects and asks for at least width, so that
// wrapped text in a dialog gets a readable line length instead of
// collapsing to one word per line.
type minWidthLayout struct{ width float32 }

func (l *minWidthLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *minWidthLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.width, 0)
	for _, o := range objects {
		m := o.MinSize()
		s = s.Max(fyne.NewSize(0, m.Height))
		if m.Width > s.Width {
			s.Width = m.Width
		}
	}
	return s
}

// sentence is what a person reads first of err (see explained).
func sentence(err error) string {
	s, _ := explained(err)
	return s
}
