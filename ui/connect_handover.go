package ui

import (
	"crypto/x509"
	"image/color"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// handOverStep is step 6: exactly what to do on the Cloud Integration
// tenant, with the values filled in (core's HandOver), to read here, copy
// as text or save as Markdown or HTML.
type handOverStep struct {
	w   *connectWindow
	obj fyne.CanvasObject

	title  *widget.Label
	view   *fyne.Container // the sections, laid out in two columns
	copied *widget.Label
	copy   *widget.Button
	save   *widget.Button
	// saveCerts writes the certificates the tenant needs as a .zip of
	// .cer files, as the tenant's own chain download does: what Keystore
	// ▾ Add ▾ Certificate takes there, one file each.
	saveCerts *widget.Button
	ho        mailsetup.HandOver
}

func newHandOverStep(w *connectWindow) *handOverStep {
	s := &handOverStep{w: w}
	s.title = heading("")
	s.title.SizeName = theme.SizeNameSubHeadingText
	s.view = container.NewVBox()
	s.copied = &widget.Label{Importance: widget.SuccessImportance}
	s.copy = &widget.Button{Text: "Copy", Icon: theme.ContentCopyIcon(), OnTapped: s.onCopy}
	s.save = &widget.Button{Text: "Save…", Icon: theme.DocumentSaveIcon(), OnTapped: s.onSave}
	s.saveCerts = &widget.Button{Text: "Save Certificates…", Icon: theme.DownloadIcon(), OnTapped: s.onSaveCertificates}
	intro := stepIntro("The account works from this computer. Do the same on your Cloud Integration tenant, with these values:")
	top := container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(s.copied, s.copy, s.save, s.saveCerts), s.title), intro)
	s.obj = container.NewBorder(top, nil, nil, nil, container.NewVScroll(container.NewThemeOverride(s.view, compactLook{})))
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
		path = displayPath(m.Path) // "~/…" where the user knows that spelling
	}
	s.ho = mailsetup.NewHandOver(s.w.account, s.w.trusted, path)
	s.show(s.ho.Sections())
	s.copied.SetText("")
	if len(s.certificates()) == 0 {
		s.saveCerts.Hide()
	} else {
		s.saveCerts.Show()
	}
}

// certificates are those the tenant's keystore needs: the ones the Trust
// step added, or found there already.
func (s *handOverStep) certificates() []*x509.Certificate {
	var out []*x509.Certificate
	for _, r := range s.w.trusted {
		if r.Cert != nil && (r.Outcome == keystore.Added || r.Outcome == keystore.Duplicate) {
			out = append(out, r.Cert)
		}
	}
	return out
}

func (s *handOverStep) onSaveCertificates() {
	data, err := connectivity.ChainZip(s.certificates())
	if err != nil {
		showError("Save Certificates", err, s.w.win)
		return
	}
	saveBytes(s.w.win, s.w.svc, "Save Certificates", s.ho.Credential.Name+"-certificates.zip", data)
}

// show lays the sections out: the title above, each part with its values
// in a form, the parts in two columns so that the whole fits in the
// window.
func (s *handOverStep) show(secs []mailsetup.Section) {
	s.view.RemoveAll()
	if len(secs) == 0 {
		return
	}
	s.title.SetText(secs[0].Heading)
	// Each part goes to the shorter column, in order, counted in lines:
	// wrapped text knows its height only once laid out.
	left, right := container.NewVBox(), container.NewVBox()
	var leftLines, rightLines int
	var col *fyne.Container
	for _, sec := range secs[1:] {
		if sec.Heading != "" || col == nil {
			col = left
			if rightLines < leftLines {
				col = right
			}
			col.Add(heading(sec.Heading))
		}
		col.Add(sectionBody(sec))
		n := 1 + len(sec.Fields) + len(sec.Text)/70 + 2*len(sec.List)
		if col == left {
			leftLines += n
		} else {
			rightLines += n
		}
	}
	s.view.Add(container.NewGridWithColumns(2, left, right))
	s.view.Refresh()
}

// sectionBody is a part's values (selectable, to copy one), paragraph and
// list.
func sectionBody(sec mailsetup.Section) fyne.CanvasObject {
	box := container.NewVBox()
	if len(sec.Fields) > 0 {
		form := widget.NewForm()
		for _, f := range sec.Fields {
			v := &widget.Label{Text: f.Value, Wrapping: fyne.TextWrapBreak, Selectable: true}
			form.Append(f.Label, v)
		}
		box.Add(form)
	}
	if sec.Text != "" {
		box.Add(&widget.Label{Text: sec.Text, Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText})
	}
	for _, l := range sec.List {
		box.Add(&widget.Label{Text: "• " + l, Wrapping: fyne.TextWrapWord})
	}
	return box
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
	name := "cloud-integration-" + s.ho.Credential.Name + ".md"
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

// compactLook is the app's theme with half the space between lines: the
// hand-over is read as one page, as on paper, and fits in the window so.
type compactLook struct{}

func (compactLook) app() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (l compactLook) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return l.app().Color(n, v)
}
func (l compactLook) Font(s fyne.TextStyle) fyne.Resource     { return l.app().Font(s) }
func (l compactLook) Icon(n fyne.ThemeIconName) fyne.Resource { return l.app().Icon(n) }
func (l compactLook) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNamePadding, theme.SizeNameInnerPadding, theme.SizeNameLineSpacing:
		return l.app().Size(n) / 2
	}
	return l.app().Size(n)
}
