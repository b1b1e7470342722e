package ui

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// handOverStep is step 6: exactly what to do on the Cloud Integration
// tenant, with the values filled in (core's HandOver), to read here, copy
// as text or save as Markdown or HTML.
type handOverStep struct {
	w   *connectWindow
	obj fyne.CanvasObject

	view   *widget.RichText
	copied *widget.Label
	copy   *widget.Button
	save   *widget.Button
	ho     mailsetup.HandOver
}

func newHandOverStep(w *connectWindow) *handOverStep {
	s := &handOverStep{w: w}
	s.view = widget.NewRichText()
	s.view.Wrapping = fyne.TextWrapWord
	s.copied = &widget.Label{Importance: widget.SuccessImportance}
	s.copy = &widget.Button{Text: "Copy", Icon: theme.ContentCopyIcon(), OnTapped: s.onCopy}
	s.save = &widget.Button{Text: "Save…", Icon: theme.DocumentSaveIcon(), OnTapped: s.onSave}
	intro := stepIntro("The account works from this computer. Do the same on your Cloud Integration tenant, with these values:")
	s.obj = container.NewBorder(container.NewVBox(intro, leftRow(s.copy, s.save, s.copied)), nil, nil, nil,
		container.NewVScroll(s.view))
	return s
}

func (s *handOverStep) content() fyne.CanvasObject { return s.obj }

func (s *handOverStep) busy() bool { return false }

func (s *handOverStep) stop() {}

func (s *handOverStep) primary() string { return "Done" }

func (s *handOverStep) problem() string { return "" }

// enter builds the hand-over from what the flow did.
func (s *handOverStep) enter(bool) {
	path := ""
	if m := s.w.svc.Model(); m != nil {
		path = m.Path
	}
	s.ho = mailsetup.NewHandOver(s.w.account, s.w.trusted, path)
	s.view.ParseMarkdown(s.ho.Markdown())
	s.copied.SetText("")
}

// next is Done: everything stays as it is, and the flow ends.
func (s *handOverStep) next() { s.w.close() }

func (s *handOverStep) onCopy() {
	s.w.app.Clipboard().SetContent(s.ho.Text())
	s.copied.SetText("Copied: paste it into a mail or a ticket.")
}

// onSave writes the hand-over as Markdown, or as HTML when the name
// chosen ends in .html, starting where the user last saved.
func (s *handOverStep) onSave() {
	name := "cloud-integration-" + s.ho.CredentialName + ".md"
	saveDialogFor(s.w.win, name, []string{".md", ".html"}, func(path string) {
		if path == "" {
			return
		}
		data := s.ho.Markdown()
		if ext := strings.ToLower(filepath.Ext(path)); ext == ".html" || ext == ".htm" {
			data = s.ho.HTML()
		}
		writeSaved(s.w.win, s.w.svc, "Save the Hand-over", path, []byte(data))
	})
}
