package ui

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// testStep is step 3, the first test (without certificate validation, to
// see the chain), and step 5, the proof (validating against the keystore
// and signing in). Each runs when reached by Next, in the background,
// and shows its result in the Connectivity Tests' response view: one per
// server of the account, side by side and titled with the server when it
// sends and reads mail.
type testStep struct {
	w      *connectWindow
	verify bool
	obj    fyne.CanvasObject

	intro  *widget.Label
	panes  *fyne.Container // the views, one column each
	views  []*serverView
	again  *widget.Button
	goBack *widget.Button // to the step GoBackTo names
	advice *widget.Label  // GoBackTo's sentence
	run    job
	clock  func()
	// tested is the account the results are for: a change made by going
	// back runs the test again. testedStore is the window's stores then.
	tested      mailsetup.Account
	testedStore int
}

// serverView is one server's response view, and its last result.
type serverView struct {
	title  *widget.Label // the server, shown when there are two
	resp   *responsePanel
	obj    fyne.CanvasObject
	result *connectivity.Result
}

func newTestStep(w *connectWindow, verify bool) *testStep {
	s := &testStep{w: w, verify: verify, clock: func() {}}
	s.intro = stepIntro("")
	s.panes = container.NewGridWithColumns(1)
	s.again = &widget.Button{Text: "Test Again", Icon: theme.ViewRefreshIcon(), OnTapped: s.start}
	s.advice = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	s.goBack = &widget.Button{Icon: theme.NavigateBackIcon(), Importance: widget.HighImportance}
	advice := container.NewVBox(s.advice, leftRow(s.goBack))
	s.advice.Hide()
	s.goBack.Hide()
	s.ensureViews(1)
	s.obj = container.NewBorder(container.NewVBox(s.intro, leftRow(s.again)), advice, nil, nil, s.panes)
	return s
}

// ensureViews makes n response views, one per server, and lays them out
// in as many columns.
func (s *testStep) ensureViews(n int) {
	if len(s.views) == n {
		return
	}
	for len(s.views) < n {
		v := &serverView{title: heading("")}
		v.resp = newResponsePanel(s.cancel, func(r *connectivity.Result) { saveChain(s.w.win, s.w.svc, r) }, nil)
		v.resp.onProposeOAuth2 = func() func() {
			return func() {
				s.w.signIn.method.SetSelected(oauthCreate)
				s.w.goBackTo(mailsetup.StepSignIn)
			}
		}
		v.obj = container.NewBorder(v.title, nil, nil, nil, v.resp.scroll)
		s.views = append(s.views, v)
	}
	s.views = s.views[:n]
	s.panes.Objects = nil
	for _, v := range s.views {
		v.title.Hidden = n == 1 // one server: the intro names it
		s.panes.Objects = append(s.panes.Objects, v.obj)
	}
	s.panes.Layout = layout.NewGridLayoutWithColumns(n)
	s.panes.Refresh()
}

// cancel stops the tests of every server: they run as one job.
func (s *testStep) cancel() {
	s.run.stop()
	for _, v := range s.views {
		v.resp.cancelling()
	}
}

func (s *testStep) content() fyne.CanvasObject { return s.obj }

func (s *testStep) busy() bool { return s.run.running() }

func (s *testStep) stop() { s.run.stop() }

func (s *testStep) primary() string { return "Next" }

// results are the last results, one per server; nil where none yet.
func (s *testStep) results() []*connectivity.Result {
	out := make([]*connectivity.Result, len(s.views))
	for i, v := range s.views {
		out[i] = v.result
	}
	return out
}

func (s *testStep) enter(forward bool) {
	a := s.w.account
	var names []string
	for _, sv := range a.Servers() {
		names = append(names, fmt.Sprintf("%s %s", sv.Protocol, sv.Address()))
	}
	what := strings.Join(names, " and ")
	must := "It must pass before you go on."
	if len(names) > 1 {
		must = "Both must pass before you go on."
	}
	if s.verify {
		s.intro.SetText("The proof: Opsdesk tests " + what + " again as Cloud Integration will, with Valid Server Certificate " +
			"Required against the keystore, and signing in with " + a.Credential + ". " + must)
	} else {
		server := "the server"
		if len(names) > 1 {
			server = "each server"
		}
		s.intro.SetText("Opsdesk tests " + what + " without checking certificates yet, to see which certificates " + server + " sends. " +
			"It does not sign in yet: until a certificate is trusted, nothing proves the server is your provider's.")
	}
	if forward || slices.Contains(s.results(), nil) || !sameAccount(s.tested, a) || s.testedStore != s.w.stores {
		s.start()
	}
}

// sameAccount: nothing the tests use changed.
func sameAccount(x, y mailsetup.Account) bool {
	return x.Server == y.Server && x.Read == y.Read && x.User == y.User && x.Credential == y.Credential &&
		x.CredentialType == y.CredentialType && x.ConnectTo == y.ConnectTo
}

// start runs the tests of all the account's servers in the background, at
// the same time; each response view shows what runs, for how long, with
// Cancel, which stops them all.
func (s *testStep) start() {
	if s.run.running() {
		return
	}
	a := s.w.account
	servers := a.Servers()
	s.ensureViews(len(servers))
	reqs := make([]connectivity.Request, len(servers))
	for i, sv := range servers {
		req := a.RequestFor(sv, s.verify)
		req.ConnectTo, req.Timeouts = a.ConnectTo, s.w.timeouts
		if s.verify {
			req.Trusted = s.w.svc.trusted()
		}
		reqs[i] = req
		s.views[i].title.SetText(fmt.Sprintf("%s %s", sv.Protocol, sv.Address()))
		s.views[i].result = nil
	}
	store := s.w.credStore()
	ctx := s.run.start()
	s.tested, s.testedStore = a, s.w.stores
	s.showAdvice()
	s.again.Disable()
	for i, v := range s.views {
		v.resp.start(servers[i].Address(), reqs[i].Timeouts.WithDefaults().Total)
	}
	s.clock = startTicker(s.w.tickEvery, func() {
		if s.run.running() {
			for _, v := range s.views {
				v.resp.tick()
			}
		}
	})
	s.w.refresh()
	s.w.bg.run(func() func() {
		results, err := runTests(ctx, store, reqs)
		var proposal mailsetup.TrustProposal
		if err == nil && !s.verify {
			var chains [][]*x509.Certificate
			for _, r := range results {
				chains = append(chains, r.Chain)
			}
			proposal = mailsetup.ProposeTrustAll(chains...)
		}
		return func() {
			s.run.end()
			s.clock()
			s.again.Enable()
			for i, v := range s.views {
				if err != nil {
					v.resp.clear()
					continue
				}
				v.result = results[i]
				v.resp.show(results[i])
			}
			if err != nil {
				showError("Test", err, s.w.win)
			} else if !s.verify {
				s.w.firstResults, s.w.proposal = results, proposal
			}
			s.showAdvice()
			s.w.refresh()
		}
	})
}

// runTests fills each request's sign-in from the credential and runs the
// tests at once, the passwords cleared after.
func runTests(ctx context.Context, store *credentials.Store, reqs []connectivity.Request) ([]*connectivity.Result, error) {
	defer func() {
		for i := range reqs {
			clear(reqs[i].Password)
		}
	}()
	for i := range reqs {
		if store == nil && reqs[i].Auth != connectivity.AuthNone {
			return nil, errNoSecurityMaterial
		}
		if err := mailsetup.FillSignIn(store, &reqs[i]); err != nil {
			return nil, err
		}
	}
	results := make([]*connectivity.Result, len(reqs))
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() { results[i] = connectivity.Run(ctx, reqs[i]) })
	}
	wg.Wait()
	return results, nil
}

// showAdvice says, under tests of which one did not pass, which step to
// go back to, with a button that goes there.
func (s *testStep) showAdvice() {
	results := s.results()
	if slices.Contains(results, nil) || s.passed() || s.cancelled() {
		s.advice.Hide()
		s.goBack.Hide()
		return
	}
	step, why := mailsetup.GoBackToFirst(results)
	if step == 0 { // passed, but the first test saw no chain: problem says it
		s.advice.Hide()
		s.goBack.Hide()
		return
	}
	s.advice.SetText(why)
	s.advice.Show()
	s.goBack.SetText("Back to " + step.String())
	s.goBack.OnTapped = func() { s.w.goBackTo(step) }
	s.goBack.Show()
}

// cancelled: a test was cancelled before it finished.
func (s *testStep) cancelled() bool {
	for _, r := range s.results() {
		if r != nil && r.Verdict().Level == connectivity.Cancelled {
			return true
		}
	}
	return false
}

// refused reports whether the test's sign-in was refused with the secret
// stored last.
func (s *testStep) refused() bool {
	if s.testedStore != s.w.stores || s.w.storedCred == "" || s.tested.Credential != s.w.storedCred {
		return false
	}
	for _, r := range s.results() {
		if r == nil {
			continue
		}
		if c, ok := r.Check("Authentication"); ok && !c.OK {
			return true
		}
	}
	return false
}

// passed: each first test must have reached its server, with the chain
// seen; each proof must be green.
func (s *testStep) passed() bool {
	for _, r := range s.results() {
		if r == nil || !r.OK() || !s.verify && len(r.Chain) == 0 {
			return false
		}
	}
	return true
}

// unencrypted is the server of a first test that passed without a
// certificate, "" when there is none.
func (s *testStep) unencrypted() string {
	for _, r := range s.results() {
		if r != nil && r.OK() && !s.verify && len(r.Chain) == 0 {
			return fmt.Sprintf("%s:%d", r.Host, r.Port)
		}
	}
	return ""
}

func (s *testStep) problem() string {
	switch {
	case s.run.running():
		return ""
	case slices.Contains(s.results(), nil):
		return "Press Test Again to run the test."
	case s.cancelled():
		return "The test was cancelled: press Test Again to run it."
	case s.unencrypted() != "":
		return "The server at " + s.unencrypted() + " sent no certificate, so there is nothing for the keystore: choose a Protection with TLS in step 1."
	case !s.passed() && s.verify:
		return "The proof must pass before you go on: see above what to change."
	case !s.passed():
		return "The first test must reach the server and sign in before you go on: see above what to change."
	}
	return ""
}

func (s *testStep) next() { s.w.advance() }
