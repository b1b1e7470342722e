package ui

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"image/color"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// trustStep is step 4: which certificates the tenant's keystore needs,
// and why, one sentence each, the root and the intermediates checked and
// the server's own certificate not. They are listed as Add ▾ Certificate
// and the import dialog list them (importList), with the same alias and
// duplicate checks, and one press adds the checked ones to the keystore
// the windows share: the one open in the Keystore window, else the app's
// own.
type trustStep struct {
	w   *connectWindow
	obj fyne.CanvasObject

	intro  *widget.Label
	where  *widget.Label // which keystore they go into
	note   *widget.Label // the proposal's Note, when the chain is not complete
	holder *fyne.Container
	done   *widget.Label // what the last Add to Keystore did

	proposal mailsetup.TrustProposal
	list     *importList
	shownFor *connectivity.Result // the first test the list is for
	shownKS  *ksModel             // the keystore as the list saw it
	// addedFor is the list whose choice was added: Next moves on.
	addedFor *importList
	adding   job
}

func newTrustStep(w *connectWindow) *trustStep {
	s := &trustStep{w: w}
	s.intro = stepIntro("Cloud Integration trusts a server only when its keystore holds the certificates that signed the server's. " +
		"The checked ones go into the keystore here; step 6 says how to add them on your tenant.")
	s.where = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.note = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	s.note.Hide()
	s.done = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.SuccessImportance}
	s.done.Hide()
	s.holder = container.NewVBox()
	s.obj = container.NewVScroll(container.NewVBox(s.intro, s.where, s.note, s.holder, s.done))
	w.svc.onChange(func() {
		if w.step == mailsetup.StepTrust && !s.adding.running() {
			s.enter(false)
			w.refresh()
		}
	})
	return s
}

func (s *trustStep) content() fyne.CanvasObject { return s.obj }

func (s *trustStep) busy() bool { return s.adding.running() }

func (s *trustStep) stop() {} // a keystore being saved is not stopped half way

// enter lists the first test's chain again when it, or the keystore, is
// not the one listed.
func (s *trustStep) enter(bool) {
	m, r := s.w.svc.Model(), (*connectivity.Result)(nil)
	if len(s.w.firstResults) > 0 {
		r = s.w.firstResults[0] // a new first test makes new results
	}
	if s.list != nil && r == s.shownFor && m == s.shownKS {
		return
	}
	s.shownFor, s.shownKS = r, m
	s.list = nil
	s.holder.RemoveAll()
	if m == nil {
		s.where.SetText("No keystore is open for the certificates.")
		open := &widget.Button{Text: "Open or Create a Keystore…", Icon: theme.FolderOpenIcon(), Importance: widget.HighImportance,
			OnTapped: func() {
				s.w.opener.ensure(s.w.win, "The server's certificates go into a keystore.", func() {}, nil)
			}}
		if s.w.svc.isOpening() {
			s.where.SetText("Opening the keystore…")
			open.Hide()
		}
		s.holder.Add(leftRow(open))
		return
	}
	s.where.SetText(fmt.Sprintf("They go into %s (%s), the keystore the Keystore window shows.",
		filepath.Base(m.Path), displayPath(filepath.Dir(m.Path))))
	if r == nil {
		return
	}
	s.proposal = s.w.proposal
	s.note.SetText(s.proposal.Note)
	if s.proposal.Complete || s.proposal.Note == "" {
		s.note.Hide()
	} else {
		s.note.Show()
	}
	// Root first: what the keystore needs comes first, in view.
	var batch certs.Batch
	for i := len(s.proposal.Items) - 1; i >= 0; i-- {
		it := s.proposal.Items[i]
		batch.Certificates = append(batch.Certificates, certs.Found{Cert: it.Cert, Source: sourceWord(it)})
	}
	s.list = newImportList(batch, m, importOptions{offer: func(c *x509.Certificate) bool { return s.item(c).Proposed },
		view: s.view, fixedAliases: true})
	s.list.onValidate = func(bool) { s.w.refresh() }
	s.holder.Add(s.list.list)
	s.holder.Add(s.list.status)
	s.list.validate()
}

// item is the proposal's word on a certificate of the list.
func (s *trustStep) item(c *x509.Certificate) mailsetup.TrustItem {
	for _, it := range s.proposal.Items {
		if bytes.Equal(it.Cert.Raw, c.Raw) {
			return it
		}
	}
	return mailsetup.TrustItem{Cert: c}
}

// sourceWord says where a certificate of the chain came from.
func sourceWord(it mailsetup.TrustItem) string {
	if it.FromThisComputer {
		return "from this computer's trust store"
	}
	return "sent by the server"
}

// view shows a certificate compactly, so that a chain of three fits
// without scrolling: its check, role, name and end of validity; why the
// keystore needs it or not; then its alias, fingerprint and source, and
// the import list's warnings.
func (s *trustStep) view(li *importItem) fyne.CanvasObject {
	it := s.item(li.cert)
	name := li.desc.CommonName
	if name == "" {
		name = li.desc.SubjectDN
	}
	title := heading(fmt.Sprintf("%s: %s, valid until %s", it.Role, name, li.desc.ValidUntil.Local().Format("Jan 2, 2006")))
	title.Wrapping = fyne.TextWrapWord
	why := &widget.Label{Text: it.Why, Wrapping: fyne.TextWrapWord}
	facts := &widget.Label{Text: fmt.Sprintf("Alias %s · SHA-256 %s · %s", li.alias.Text, li.desc.SHA256, sourceWord(it)),
		Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText}
	box := container.NewVBox(container.NewBorder(nil, nil, li.check, nil, title),
		container.NewBorder(nil, nil, indent(li.check), nil, container.NewVBox(why, facts)))
	if warn := li.desc.NotValidAt(time.Now()); warn != "" {
		box.Add(validityWarning(warn))
	}
	if li.existing != "" {
		box.Add(existingNote(li))
	}
	return box
}

// indent is as wide as o, empty: what follows lines up with the text
// beside o.
func indent(o fyne.CanvasObject) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(o.MinSize().Width, 0))
	return r
}

// toAdd: certificates are checked that the keystore does not have, and
// they were not added yet.
func (s *trustStep) toAdd() bool {
	return s.list != nil && s.list.chosen() > 0 && s.addedFor != s.list
}

func (s *trustStep) primary() string {
	if s.toAdd() {
		return "Add to Keystore"
	}
	return "Next"
}

func (s *trustStep) problem() string {
	switch {
	case s.w.svc.Model() == nil:
		return "Open or create a keystore for the certificates first."
	case s.list == nil:
		return "Run the first test (step 3) to see the server's certificates."
	case s.toAdd():
		return s.list.problem()
	}
	return ""
}

// next adds the checked certificates (the one confirmation), then moves
// on; with nothing to add it moves on at once.
func (s *trustStep) next() {
	if !s.toAdd() {
		s.w.trusted = s.alreadyThere(nil)
		s.w.advance()
		return
	}
	var chosen []*x509.Certificate
	for _, c := range s.list.candidates() {
		chosen = append(chosen, c.Cert)
	}
	list := s.list
	var results []keystore.Result
	s.adding.start()
	s.w.refresh()
	s.w.svc.edit(s.w.win, func(k *keystore.Keystore) error {
		var err error
		results, err = mailsetup.AddTrust(k, chosen)
		return err
	}, func(err error) {
		s.adding.end()
		if err != nil {
			showError("Add to Keystore", err, s.w.win)
			s.w.refresh()
			return
		}
		var added []string
		for _, r := range results {
			if r.Outcome == keystore.Added {
				s.w.added = append(s.w.added, r)
				added = append(added, r.Alias)
			}
		}
		s.addedFor = list
		s.w.trusted = s.alreadyThere(results)
		s.done.SetText(fmt.Sprintf("Added to the keystore: %s.", joinNames(added)))
		s.done.Show()
		s.w.advance()
	})
}

// alreadyThere is what the keystore holds for the tenant: the results of
// an add, and the checked or proposed certificates it had already.
func (s *trustStep) alreadyThere(results []keystore.Result) []keystore.Result {
	out := append([]keystore.Result(nil), results...)
	for _, it := range s.list.items {
		if it.existing != "" && (it.check.Checked || s.item(it.cert).Proposed) {
			out = append(out, keystore.Result{Alias: it.existing, Outcome: keystore.Duplicate, Existing: it.existing, Cert: it.cert})
		}
	}
	return out
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	out := names[0]
	for i, n := range names[1:] {
		if i == len(names)-2 {
			out += " and " + n
		} else {
			out += ", " + n
		}
	}
	return out
}
