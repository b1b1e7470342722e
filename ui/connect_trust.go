package ui

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"
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
	s.intro = stepIntro("Cloud Integration checks a server's certificate against its keystore. These are the certificates of the " +
		"server's chain, completed from this computer's trust store; the checked ones go into the keystore here, and " +
		"step 6 says how to add them on your tenant.")
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
	m, r := s.w.svc.Model(), s.w.firstResult
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
	s.proposal = mailsetup.ProposeTrust(r.Chain)
	s.note.SetText(s.proposal.Note)
	if s.proposal.Complete || s.proposal.Note == "" {
		s.note.Hide()
	} else {
		s.note.Show()
	}
	var batch certs.Batch
	for _, it := range s.proposal.Items {
		src := "the server's chain"
		if it.FromThisComputer {
			src = "this computer's trust store (the server did not send it)"
		}
		batch.Certificates = append(batch.Certificates, certs.Found{Cert: it.Cert, Source: src})
	}
	s.list = newImportList(batch, m, importOptions{offer: func(c *x509.Certificate) bool { return s.item(c).Proposed },
		about: s.about, fixedAliases: true})
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

// about heads a certificate with its role, name and end of validity, and
// why the keystore needs it or not.
func (s *trustStep) about(li *importItem) fyne.CanvasObject {
	it := s.item(li.cert)
	name := li.desc.CommonName
	if name == "" {
		name = li.desc.SubjectDN
	}
	title := heading(fmt.Sprintf("%s: %s, valid until %s", it.Role, name, li.desc.ValidUntil.Local().Format("Jan 2, 2006")))
	title.Wrapping = fyne.TextWrapWord
	return container.NewVBox(title, &widget.Label{Text: it.Why, Wrapping: fyne.TextWrapWord})
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
