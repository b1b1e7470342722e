package ui

import (
	"crypto/x509"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
)

// responsePanel is a tab's Response: while a test runs, what runs, for how
// long, and Cancel; then the verdict as a headline in its colour, the check
// lines, the explanation when something failed, the Server Certificate
// Chain with its download icon and Add to Keystore, and the technical
// detail folded away. It scrolls on its own, and each new state starts at
// its top, where the verdict is.
type responsePanel struct {
	box    *fyne.Container
	scroll *container.Scroll
	result *connectivity.Result

	banner      *widget.Label
	bannerIcon  *widget.Icon
	bannerBg    *canvas.Rectangle
	bannerRow   fyne.CanvasObject
	checks      *fyne.Container
	explanation *fyne.Container
	chain       *widget.Accordion
	chainRow    *fyne.Container
	download    *widget.Button
	addToKS     *widget.Button
	technical   *widget.Accordion
	idle        *widget.Label
	// proposeOAuth2 opens the OAuth2 form after a password was refused
	// because the server takes passwords no more; offered while
	// onProposeOAuth2 returns an action.
	proposeOAuth2   *widget.Button
	onProposeOAuth2 func() func()

	// The running test's view.
	running     fyne.CanvasObject
	runTitle    *widget.Label
	runElapsed  *widget.Label
	runActivity *widget.Activity
	runCancel   *widget.Button
	started     time.Time
	limit       time.Duration
}

// newResponsePanel builds the panel: onCancel stops the running test,
// onSave saves the chain (the download icon), onAdd offers it to the
// keystore (Add to Keystore, left out when nil).
func newResponsePanel(onCancel func(), onSave, onAdd func(*connectivity.Result)) *responsePanel {
	p := &responsePanel{}
	p.banner = widget.NewLabel("")
	p.banner.Wrapping = fyne.TextWrapWord
	p.banner.TextStyle = fyne.TextStyle{Bold: true}
	p.banner.SizeName = theme.SizeNameSubHeadingText
	p.bannerIcon = widget.NewIcon(theme.ConfirmIcon())
	p.bannerBg = canvas.NewRectangle(color.Transparent)
	p.bannerBg.CornerRadius = theme.InputRadiusSize()
	p.bannerBg.StrokeWidth = 2
	p.bannerRow = container.NewStack(p.bannerBg,
		container.NewPadded(container.NewBorder(nil, nil, container.NewCenter(p.bannerIcon), nil, p.banner)))
	p.checks = container.NewVBox()
	p.explanation = container.NewVBox()
	p.download = &widget.Button{Icon: theme.DownloadIcon(), Importance: widget.LowImportance, OnTapped: func() { onSave(p.result) }}
	p.addToKS = &widget.Button{Text: "Add to Keystore", Icon: theme.ContentAddIcon(), OnTapped: func() { onAdd(p.result) }}
	p.chain = widget.NewAccordion()
	// The buttons sit on the accordion's header, at its right end, as the
	// tenant's download icon does; the certificates below get the full width.
	buttons := container.NewHBox(layout.NewSpacer(), p.download)
	if onAdd != nil {
		buttons.Add(p.addToKS)
	}
	p.chainRow = container.NewStack(p.chain, container.NewVBox(buttons))
	p.technical = widget.NewAccordion()

	p.runTitle = widget.NewLabel("")
	p.runTitle.TextStyle = fyne.TextStyle{Bold: true}
	p.runTitle.SizeName = theme.SizeNameSubHeadingText
	p.runTitle.Wrapping = fyne.TextWrapWord
	p.runElapsed = widget.NewLabel("")
	p.runActivity = widget.NewActivity()
	p.runCancel = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: onCancel}
	p.running = container.NewVBox(
		container.NewBorder(nil, nil, p.runActivity, nil, p.runTitle),
		p.runElapsed,
		container.NewHBox(p.runCancel))

	p.idle = newHint("Fill in the Request and press Send.")
	p.box = container.NewVBox(p.idle)
	p.scroll = container.NewVScroll(p.box)
	return p
}

// start clears the previous result at once and shows the test that runs:
// target ("smtp.gmail.com:587"), the seconds it has taken, and Cancel.
func (p *responsePanel) start(target string, limit time.Duration) {
	p.result = nil
	p.started, p.limit = time.Now(), limit
	p.runTitle.SetText("Testing " + target + "…")
	p.runCancel.Enable()
	p.tick()
	p.box.Objects = []fyne.CanvasObject{p.running}
	p.box.Refresh()
	p.runActivity.Start()
	p.scroll.ScrollToTop()
}

// tick shows how long the running test has taken, in whole seconds.
func (p *responsePanel) tick() {
	secs := int(time.Since(p.started) / time.Second)
	p.runElapsed.SetText(fmt.Sprintf("Elapsed: %d s (the test gives up after %d s)", secs, int(p.limit/time.Second)))
}

// cancelling says that Cancel was pressed and the test is stopping.
func (p *responsePanel) cancelling() {
	p.runCancel.Disable()
	p.runTitle.SetText("Cancelling…")
}

// clear goes back to the empty panel: the test never started.
func (p *responsePanel) clear() {
	p.runActivity.Stop()
	p.box.Objects = []fyne.CanvasObject{p.idle}
	p.box.Refresh()
}

// show fills the panel with a test's result, scrolled to its top.
func (p *responsePanel) show(r *connectivity.Result) {
	p.runActivity.Stop()
	p.result = r
	p.box.RemoveAll()
	p.showBanner(r)
	p.box.Add(p.bannerRow)

	p.checks.RemoveAll()
	// The tenant's green "Successfully reached host at …"; a failure to
	// reach or be greeted is the headline already, said once.
	switch {
	case r.Greeted:
		p.checks.Add(statusLine(r.Banner, theme.ConfirmIcon(), theme.ColorNameSuccess, widget.MediumImportance))
	case r.Reached && r.Verdict().Level == connectivity.Cancelled:
		p.checks.Add(statusLine(r.Banner, theme.WarningIcon(), theme.ColorNameWarning, widget.WarningImportance))
	}
	for _, c := range r.Checks {
		p.checks.Add(checkLine(c))
	}
	if r.TLSVersion != "" {
		p.checks.Add(plainLine(fmt.Sprintf("TLS: %s, %s", r.TLSVersion, r.Cipher)))
	}
	if len(r.Folders) > 0 {
		p.checks.Add(plainLine("Folders: " + strings.Join(r.Folders, ", ")))
	}
	p.box.Add(p.checks)

	p.explanation.RemoveAll()
	if e := r.Explanation; e != nil {
		form := widget.NewForm(
			widget.NewFormItem("What happened", value(e.What)),
			widget.NewFormItem("What to do", value(e.Next)),
		)
		if e.ServerText != "" { // only what the server sent: our words are above, Go's below
			form.Append("The server's words", monoValue(e.ServerText))
		}
		p.explanation.Add(form)
		if e.ProposeOAuth2 && p.onProposeOAuth2 != nil {
			if act := p.onProposeOAuth2(); act != nil {
				p.proposeOAuth2 = &widget.Button{Text: "Create OAuth2 Credential…", Icon: theme.ContentAddIcon(), Importance: widget.HighImportance,
					OnTapped: act}
				p.explanation.Add(container.NewHBox(p.proposeOAuth2))
			}
		}
		p.box.Add(p.explanation)
	}

	if len(r.Chain) > 0 {
		p.chain.Items = nil
		p.chain.Append(widget.NewAccordionItem("Server Certificate Chain", chainView(r.Chain)))
		p.chain.Refresh()
		p.box.Add(p.chainRow)
	}

	p.technical.Items = nil
	p.technical.Append(widget.NewAccordionItem("Technical Detail", monoValue(technicalDetail(r))))
	p.technical.Refresh()
	p.box.Add(p.technical)
	p.scroll.ScrollToTop()
}

// showBanner is the verdict, in words and in the theme's colour for it
// (so it reads right in light and dark): success only when every check
// the user asked for passed.
func (p *responsePanel) showBanner(r *connectivity.Result) {
	v := r.Verdict()
	p.banner.SetText(v.Headline)
	name, icon := theme.ColorNameSuccess, theme.ConfirmIcon()
	switch v.Level {
	case connectivity.Failed:
		name, icon = theme.ColorNameError, theme.ErrorIcon()
	case connectivity.Cancelled:
		name, icon = theme.ColorNameWarning, theme.WarningIcon()
	}
	p.bannerIcon.SetResource(theme.NewColoredResource(icon, name))
	c := theme.Color(name)
	p.bannerBg.StrokeColor = c
	p.bannerBg.FillColor = withAlpha(c, 0x30)
	p.bannerBg.Refresh()
}

// statusLine is a line about reaching the server, with its icon.
func statusLine(text string, icon fyne.Resource, colour fyne.ThemeColorName, importance widget.Importance) fyne.CanvasObject {
	l := plainLine(text)
	l.Importance = importance
	return container.NewBorder(nil, nil, lineIcon(theme.NewColoredResource(icon, colour)), nil, l)
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// checkLine is "STARTTLS: Supported", coloured by the outcome: an error
// when it failed the test, a warning when it is reported but was not
// required (a certificate not checked against the keystore).
func checkLine(c connectivity.Check) fyne.CanvasObject {
	text := c.Name + ": " + c.Value
	if c.Note != "" {
		text += " (" + c.Note + ")"
	}
	l := plainLine(text)
	icon := theme.NewColoredResource(theme.ConfirmIcon(), theme.ColorNameSuccess)
	switch {
	case !c.OK:
		l.Importance = widget.DangerImportance
		icon = theme.NewColoredResource(theme.ErrorIcon(), theme.ColorNameError)
	case c.Value == "Invalid" || c.Value == "None" || c.Value == "Not Supported":
		l.Importance = widget.WarningImportance
		icon = theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameWarning)
	}
	return container.NewBorder(nil, nil, lineIcon(icon), nil, l)
}

// lineIcon puts an icon level with the first line of a label beside it.
func lineIcon(icon fyne.Resource) fyne.CanvasObject {
	pad := theme.InnerPadding() / 2
	return container.NewVBox(container.New(layout.NewCustomPaddedLayout(pad, 0, 0, 0), widget.NewIcon(icon)))
}

func plainLine(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	l.Selectable = true
	return l
}

// chainView prints each certificate as the tenant does (dn=…, issuerDN=…,
// validUntil=…), with its fingerprints.
func chainView(chain []*x509.Certificate) fyne.CanvasObject {
	box := container.NewVBox()
	for i, c := range chain {
		title := fmt.Sprintf("Certificate %d of %d: %s", i+1, len(chain), c.Subject.CommonName)
		box.Add(heading(title))
		box.Add(monoValue(strings.Join(connectivity.CertificateLines(c), "\n")))
	}
	return box
}

// technicalDetail is for whoever supports the user: the error, how long
// each step took, and the conversation with secrets hidden.
func technicalDetail(r *connectivity.Result) string {
	var b strings.Builder
	if r.Address != "" {
		fmt.Fprintf(&b, "Address: %s\n", r.Address)
	}
	if r.Err != nil {
		fmt.Fprintf(&b, "Error: %v\n", r.Err)
	}
	var phases []string
	for _, ph := range r.Phases {
		phases = append(phases, fmt.Sprintf("%s %s", ph.Name, ph.Duration.Round(time.Millisecond)))
	}
	fmt.Fprintf(&b, "Took %s: %s\n", r.Elapsed.Round(time.Millisecond), strings.Join(phases, ", "))
	if len(r.Transcript) > 0 {
		b.WriteString("\nTranscript (secrets shown as ***):\n")
		for _, l := range r.Transcript {
			dir := "C:"
			if l.FromServer {
				dir = "S:"
			}
			fmt.Fprintf(&b, "%s %s\n", dir, l.Text)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// chainBatch offers a server's chain to the import dialog.
func chainBatch(r *connectivity.Result) certs.Batch {
	var b certs.Batch
	for _, c := range r.Chain {
		b.Certificates = append(b.Certificates, certs.Found{Cert: c, Source: "the server's chain"})
	}
	return b
}
