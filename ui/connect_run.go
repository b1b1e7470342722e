package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// testStep is step 3, the first test (without certificate validation, to
// see the chain), and step 5, the proof (validating against the keystore
// and signing in). Each runs when reached by Next, in the background,
// and shows its result in the Connectivity Tests' response view.
type testStep struct {
	w      *connectWindow
	verify bool
	obj    fyne.CanvasObject

	intro  *widget.Label
	resp   *responsePanel
	again  *widget.Button
	goBack *widget.Button // to the step GoBackTo names
	advice *widget.Label  // GoBackTo's sentence
	result *connectivity.Result
	run    job
	clock  func()
	// tested is the account the result is for: a change made by going
	// back runs the test again. testedStore is the window's stores then.
	tested      mailsetup.Account
	testedStore int
}

func newTestStep(w *connectWindow, verify bool) *testStep {
	s := &testStep{w: w, verify: verify, clock: func() {}}
	s.intro = stepIntro("")
	s.resp = newResponsePanel(s.run.stop, func(r *connectivity.Result) { saveChain(w.win, w.svc, r) }, nil)
	s.resp.onProposeOAuth2 = func() func() {
		return func() {
			w.signIn.method.SetSelected(oauthCreate)
			w.goBackTo(mailsetup.StepSignIn)
		}
	}
	s.again = &widget.Button{Text: "Test Again", Icon: theme.ViewRefreshIcon(), OnTapped: s.start}
	s.advice = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance}
	s.goBack = &widget.Button{Icon: theme.NavigateBackIcon(), Importance: widget.HighImportance}
	advice := container.NewVBox(s.advice, leftRow(s.goBack))
	s.advice.Hide()
	s.goBack.Hide()
	s.obj = container.NewBorder(container.NewVBox(s.intro, leftRow(s.again)), advice, nil, nil, s.resp.scroll)
	return s
}

func (s *testStep) content() fyne.CanvasObject { return s.obj }

func (s *testStep) busy() bool { return s.run.running() }

func (s *testStep) stop() { s.run.stop() }

func (s *testStep) primary() string { return "Next" }

func (s *testStep) enter(forward bool) {
	a := s.w.account
	what := fmt.Sprintf("%s %s", a.Server.Protocol, a.Server.Address())
	if s.verify {
		s.intro.SetText("The proof: Opsdesk tests " + what + " again as Cloud Integration will, with Valid Server Certificate " +
			"Required against the keystore, and signing in with " + a.Credential + ". It must pass before you go on.")
	} else {
		s.intro.SetText("Opsdesk tests " + what + " without checking its certificate yet, to see which certificates the server sends. " +
			"It does not sign in yet: until the certificate is trusted, nothing proves the server is your provider's.")
	}
	if forward || s.result == nil || !sameAccount(s.tested, a) || s.testedStore != s.w.stores {
		s.start()
	}
}

// sameAccount: nothing the test uses changed.
func sameAccount(x, y mailsetup.Account) bool {
	return x.Server == y.Server && x.User == y.User && x.Credential == y.Credential &&
		x.CredentialType == y.CredentialType && x.ConnectTo == y.ConnectTo
}

// start runs the test in the background; the response view shows what
// runs, for how long, with Cancel.
func (s *testStep) start() {
	if s.run.running() {
		return
	}
	a := s.w.account
	req := a.Request(s.verify)
	req.ConnectTo, req.Timeouts = a.ConnectTo, s.w.timeouts
	if s.verify {
		req.Trusted = s.w.svc.trusted()
	}
	store := s.w.credStore()
	ctx := s.run.start()
	s.result, s.tested, s.testedStore = nil, a, s.w.stores
	s.showAdvice()
	s.again.Disable()
	s.resp.start(a.Server.Address(), req.Timeouts.WithDefaults().Total)
	s.clock = startTicker(s.w.tickEvery, func() {
		if s.run.running() {
			s.resp.tick()
		}
	})
	s.w.refresh()
	s.w.bg.run(func() func() {
		var res *connectivity.Result
		var err error = errNoSecurityMaterial
		if store != nil || req.Auth == connectivity.AuthNone {
			err = mailsetup.FillSignIn(store, &req)
		}
		var proposal mailsetup.TrustProposal
		if err == nil {
			res = connectivity.Run(ctx, req)
			if !s.verify {
				proposal = mailsetup.ProposeTrust(res.Chain)
			}
		}
		clear(req.Password)
		return func() {
			s.run.end()
			s.clock()
			s.again.Enable()
			if err != nil {
				s.resp.clear()
				showError("Test", err, s.w.win)
			} else {
				s.result = res
				s.resp.show(res)
				if !s.verify {
					s.w.firstResult, s.w.proposal = res, proposal
				}
			}
			s.showAdvice()
			s.w.refresh()
		}
	})
}

// showAdvice says, under a test that did not pass, which step to go
// back to, with a button that goes there.
func (s *testStep) showAdvice() {
	r := s.result
	if r == nil || s.passed() || r.Verdict().Level == connectivity.Cancelled {
		s.advice.Hide()
		s.goBack.Hide()
		return
	}
	step, why := mailsetup.GoBackTo(r)
	s.advice.SetText(why)
	s.advice.Show()
	s.goBack.SetText("Back to " + step.String())
	s.goBack.OnTapped = func() { s.w.goBackTo(step) }
	s.goBack.Show()
}

// refused reports whether the test's sign-in was refused with the secret
// stored last.
func (s *testStep) refused() bool {
	if s.result == nil || s.testedStore != s.w.stores || s.w.storedCred == "" || s.tested.Credential != s.w.storedCred {
		return false
	}
	c, ok := s.result.Check("Authentication")
	return ok && !c.OK
}

// passed: the first test must have reached the server and signed in, with
// the chain seen; the proof must be green.
func (s *testStep) passed() bool {
	r := s.result
	return r != nil && r.OK() && (s.verify || len(r.Chain) > 0)
}

func (s *testStep) problem() string {
	r := s.result
	switch {
	case s.run.running():
		return ""
	case r == nil:
		return "Press Test Again to run the test."
	case r.Verdict().Level == connectivity.Cancelled:
		return "The test was cancelled: press Test Again to run it."
	case r.OK() && !s.verify && len(r.Chain) == 0:
		return "The server sent no certificate, so there is nothing for the keystore: choose a Protection with TLS in step 1."
	case !s.passed() && s.verify:
		return "The proof must pass before you go on: see above what to change."
	case !s.passed():
		return "The first test must reach the server and sign in before you go on: see above what to change."
	}
	return ""
}

func (s *testStep) next() { s.w.advance() }
