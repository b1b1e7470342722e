package cli

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/mailsetup"
	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/problem"
)

// connectRun is one walk through the flow: what it opened, the account
// as chosen so far, and the JSON object it fills on the way.
type connectRun struct {
	*connectCmd
	ctx   context.Context
	store *credentials.Store
	ks    *keystore.Keystore
	a     mailsetup.Account
	j     connectJSON
}

func (c *connectCmd) run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt) // Ctrl-C cancels a test cleanly
	defer stop()
	r := &connectRun{connectCmd: c, ctx: ctx, j: connectJSON{SchemaVersion: schemaVersion, Address: c.address, Added: []addedJSON{}}}
	err := r.flow()
	if r.ks != nil {
		r.ks.Close()
	}
	var ue usageError
	if !c.asJSON || errors.As(err, &ue) {
		return err
	}
	if err != nil && !errors.Is(err, errFailed) {
		r.j.Error = withHint(err)
	}
	if werr := writeJSON(c.stdout, r.j); werr != nil {
		return werr
	}
	return err
}

func (r *connectRun) step(s mailsetup.Step) {
	if s != mailsetup.StepAddress {
		fmt.Fprintln(r.out)
	}
	fmt.Fprintf(r.out, "Step %d of %d: %s\n", s, mailsetup.StepHandOver, s)
}

// say prints one line under the current step.
func (r *connectRun) say(format string, a ...any) {
	fmt.Fprintf(r.out, "  "+format+"\n", a...)
}

// stop ends the flow before the proof passed, saying at which step and
// what to do.
func (r *connectRun) stop(s mailsetup.Step, sentence string) error {
	r.say("%s", sentence)
	r.j.Stopped = stepOf(s, sentence)
	return errFailed
}

func (r *connectRun) flow() error {
	r.step(mailsetup.StepAddress)
	if err := r.address(); err != nil {
		return err
	}
	r.step(mailsetup.StepSignIn)
	if err := r.signIn(); err != nil {
		return err
	}
	if err := r.openKeystore(false); err != nil {
		return err
	}

	r.step(mailsetup.StepFirstTest)
	first, err := r.tests(false)
	if err != nil {
		return err
	}
	if s, _ := mailsetup.GoBackToFirst(first); s != 0 {
		return r.wentWrong(first)
	}

	r.step(mailsetup.StepTrust)
	var chains [][]*x509.Certificate
	for _, res := range first {
		chains = append(chains, res.Chain)
	}
	results, err := r.trust(chains...)
	if err != nil {
		return err
	}

	r.step(mailsetup.StepProof)
	proofs, err := r.tests(true)
	if err != nil {
		return err
	}
	if s, _ := mailsetup.GoBackToFirst(proofs); s != 0 {
		return r.wentWrong(proofs)
	}
	r.j.OK = true

	r.step(mailsetup.StepHandOver)
	path := ""
	if r.ks != nil {
		path = r.ks.Path()
	}
	h := mailsetup.NewHandOver(r.a, results, path)
	r.j.HandOver = handOverOf(h)
	fmt.Fprint(r.out, indent(h.Text()))
	return nil
}

// address is step 1: the settings, detected or typed, and the server of
// the protocol chosen (and with --read the reading server).
func (r *connectRun) address() error {
	p := r.chosenProtocol()
	var s mailsetup.Settings
	var err error
	if r.detects() {
		s, err = mailsetup.Detector{}.Detect(r.ctx, r.connectCmd.address, r.provider)
	} else {
		s, err = mailsetup.TableSettings(r.connectCmd.address)
	}
	if err != nil {
		return err // check has judged the address and the provider already
	}
	for _, sv := range r.servers {
		s = s.WithServer(sv)
	}
	if p == "" {
		p = mailsetup.DefaultProtocol(s)
	}
	if s.Provider != nil {
		r.j.Provider = s.Provider.ID
		r.say("%s: %s", s.Address, s.Provider.Name)
	}
	for _, sv := range s.Servers {
		r.say("%s %s, %s — %s", sv.Protocol, sv.Address(), sv.Protection.Label(sv.Protocol), sv.Source)
	}
	sv, ok := s.Server(p)
	if !ok {
		return r.noServer(s, p)
	}
	r.a = mailsetup.Account{Settings: s, Server: sv, User: s.User, ConnectTo: r.connectTo, CredentialType: credentials.UserCredentials}
	if r.a.User == "" {
		r.a.User = s.Address
	}
	sj := serverOf(sv)
	r.j.Server = &sj
	r.say("Chosen: %s at %s.", p, sv.Address())
	if rp := r.readProtocol(); rp != "" {
		if r.a.Read, ok = s.Server(rp); !ok {
			return r.noServer(s, rp)
		}
		rj := serverOf(r.a.Read)
		r.j.ReadServer = &rj
		r.say("Chosen for reading mail too: %s at %s, signing in with the same credential.", rp, r.a.Read.Address())
	}
	return nil
}

// noServer stops at step 1 when no server of p was found, saying how to
// give one.
func (r *connectRun) noServer(s mailsetup.Settings, p connectivity.Protocol) error {
	for _, t := range s.Tried {
		r.say("%s", t)
	}
	// The usual name is a guess: a script is not to send a password
	// to it unless the user confirms it with the flag.
	flag := "--" + strings.ToLower(string(p))
	for _, u := range mailsetup.UsualServers(s.Domain) {
		if u.Protocol == p {
			return r.stop(mailsetup.StepAddress, fmt.Sprintf("No %s server was found for %s: the usual one would be %s; if your provider confirms it, give it with %s %s.",
				p, s.Address, u.Address(), flag, u.Address()))
		}
	}
	return r.stop(mailsetup.StepAddress, fmt.Sprintf("No %s server was found for %s: give it with %s HOST:PORT.", p, s.Address, flag))
}

// signIn is step 2: the credential's name, the provider's advice, the
// secret typed once and stored, or an existing credential used as it is.
func (r *connectRun) signIn() error {
	store, err := openCredentials(r.stdin, r.stderr)
	if err != nil {
		return err
	}
	r.store = store
	if r.credential != "" {
		e, err := mailsetup.ExistingCredential(store, r.credential, r.a.User)
		switch {
		case err == nil:
			r.a = r.a.AccountWith(e)
			r.j.Credential = &connectCredentialJSON{Name: e.Name, Type: string(e.Type), User: e.User, Existing: true}
			r.say("Using the stored credential %s (%s, user %s) as it is: no secret is asked for, and nothing about it changes.", e.Name, e.Type, e.User)
			return nil
		case !errors.Is(err, credentials.ErrNotFound):
			return err
		}
		r.a.Credential = r.credential
	} else {
		list, err := store.List()
		if err != nil {
			return err
		}
		r.a.Credential = r.a.CredentialName(func(n string) bool {
			for _, e := range list {
				if strings.EqualFold(e.Name, n) {
					return true
				}
			}
			return false
		})
	}
	help := mailsetup.SignInHelpFor(r.a.Settings)
	r.say("%s", help.Summary)
	for i, s := range help.Steps {
		r.say("  %d. %s", i+1, s)
	}
	if help.URL != "" {
		r.say("  %s", help.URL)
	}
	if r.a.Settings.SignIn() == mailsetup.SignInOAuth2 {
		return r.needOAuth2()
	}
	pw, err := secret("OPSDESK_PASSWORD", help.SecretLabel+" for "+r.a.User+": ", r.stdin, r.stderr)
	if errors.Is(err, errNoTerminal) {
		return &problem.Error{What: "No " + strings.ToLower(help.SecretLabel) + " was given",
			Hint: "Set OPSDESK_PASSWORD, run in a terminal to be asked, or name a stored credential with --credential."}
	}
	if err != nil {
		return err
	}
	defer clear(pw)
	e, err := mailsetup.StoreCredential(store, r.a, pw)
	if err != nil {
		return err
	}
	r.j.Credential = &connectCredentialJSON{Name: e.Name, Type: string(e.Type), User: e.User}
	r.say("Stored the credential %s (%s, user %s) in %s.", e.Name, e.Type, e.User, store.Where())
	return nil
}

// needOAuth2 says how to make the OAuth2 credential an account that signs
// in with OAuth2 needs, and stops: the browser sign-in is a command of
// its own.
func (r *connectRun) needOAuth2() error {
	provider := "generic"
	if pr := r.a.Settings.Provider; pr != nil {
		switch pr.OAuth {
		case oauth.Microsoft365:
			provider = "microsoft365"
		case oauth.Google:
			provider = "google"
		}
	}
	name, addr := r.a.Credential, r.a.Settings.Address
	r.say("Add an OAuth2 Authorization Code credential for it, authorize it, and run this again with it:")
	r.say("  opsdesk credentials add-oauth2 %s --provider %s --user %s --client-id YOUR_APP_CLIENT_ID", name, provider, addr)
	r.say("  opsdesk credentials authorize %s", name)
	r.say("  opsdesk connect %s --credential %s", addr, name)
	return r.stop(mailsetup.StepSignIn, addr+" signs in with OAuth2, not a password: add and authorize an OAuth2 Authorization Code credential as above, then run this again with --credential "+name+".")
}

// tests runs the first test (verify false) or the proof of each of the
// account's servers, the sending one first; every server is tested even
// when one before did not pass, so that one run says how each stands.
func (r *connectRun) tests(verify bool) ([]*connectivity.Result, error) {
	servers := r.a.Servers()
	var out []*connectivity.Result
	for i, sv := range servers {
		if len(servers) > 1 {
			if i > 0 {
				fmt.Fprintln(r.out)
			}
			r.say("%s at %s:", sv.Protocol, sv.Address())
		}
		res, err := r.test(sv, verify, i > 0)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// test runs one server's first test or proof, and prints it as "opsdesk
// test" does: the first with the chain, the proof without.
func (r *connectRun) test(sv mailsetup.Server, verify, reading bool) (*connectivity.Result, error) {
	req := r.a.RequestFor(sv, verify)
	if r.ks != nil {
		req.Trusted = connectivity.TrustedFrom(r.ks.Entries())
	}
	if err := mailsetup.FillSignIn(r.store, &req); err != nil {
		return nil, err
	}
	res := connectivity.Run(r.ctx, req)
	clear(req.Password)
	j := testResultOf(req, res)
	switch {
	case verify && reading:
		r.j.ReadProof = &j
	case verify:
		r.j.Proof = &j
	case reading:
		r.j.ReadFirstTest = &j
	default:
		r.j.FirstTest = &j
	}
	var b bytes.Buffer
	shown := *res
	if verify {
		shown.Chain = nil // shown by the first test already
	}
	(&testCmd{streams: &streams{stdout: &b}}).print(&shown)
	fmt.Fprint(r.out, indent(b.String()))
	return res, nil
}

// wentWrong ends the flow after tests of which one did not pass, with the
// step to go back to.
func (r *connectRun) wentWrong(results []*connectivity.Result) error {
	s, why := mailsetup.GoBackToFirst(results)
	fmt.Fprintln(r.out)
	r.say("%s", why)
	r.j.GoBackTo = stepOf(s, why)
	// A credential this run stored, holding a password the server
	// refused, would only be in the way of the next run (which would
	// propose another name beside it): it goes. One named with
	// --credential that existed before is the user's, and stays.
	if s == mailsetup.StepSignIn && r.j.Credential != nil && !r.j.Credential.Existing {
		name := r.j.Credential.Name
		if err := r.store.Delete(name); err != nil {
			r.say("The credential %s holds the refused password and could not be removed: %s", name, withHint(err))
		} else {
			r.say("Removed the credential %s again, which held the refused password: run this again to type it once more.", name)
			r.j.Credential.Removed = true
		}
	}
	return errFailed
}

// indent sets every line of s two spaces in, under its step.
func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			b.WriteString("  ")
		}
		b.WriteString(l)
	}
	return b.String()
}
