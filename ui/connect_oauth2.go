package ui

import (
	"fmt"
	"strings"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/oauth"
)

// How a Microsoft 365 account signs in: the choices of the Sign-in step.
const (
	oauthExisting = "Use an authorized OAuth2 credential"
	oauthCreate   = "Create an OAuth2 Authorization Code credential"
	oauthPassword = "Use a password: only if your administrator still allows SMTP AUTH with passwords"
)

// fillOAuth2 offers the OAuth2 credentials, each with whether it is
// authorized.
func (s *signInStep) fillOAuth2() {
	var names []string
	for _, e := range s.entries {
		if e.Type == credentials.OAuth2AuthorizationCode {
			names = append(names, e.Name)
		}
	}
	s.existing.SetOptions(names)
	if len(names) == 0 && s.method.Selected == oauthExisting {
		s.method.SetSelected(oauthCreate) // none to choose: creating one is the way
	}
}

// oauthProblem says why Next waits while the account signs in with OAuth2.
func (s *signInStep) oauthProblem() string {
	name := s.existing.Selected
	e, ok := s.entry(name)
	switch {
	case s.method.Selected == oauthCreate && name == "":
		return "Create the OAuth2 credential with the button above; Opsdesk then asks you to authorize it."
	case name == "":
		return "Choose an OAuth2 Authorization Code credential, or create one."
	case ok && e.Status != credentials.Deployed:
		return fmt.Sprintf("%s is %s: authorize it in the browser with Authorize… first.", name, strings.ToLower(e.Status))
	}
	return ""
}

// onCreateOAuth2 opens the Security Material window's OAuth2 form, with
// the mailbox filled in; once deployed, it is chosen and authorized.
func (s *signInStep) onCreateOAuth2() {
	store := s.w.store
	if store == nil {
		return
	}
	var taken []string
	for _, e := range s.entries {
		taken = append(taken, e.Name)
	}
	f := showOAuth2Form(s.w.win, store, s.w.bg, nil, taken, func(e credentials.Entry) {
		s.entries = append(s.entries, e)
		s.fillOAuth2()
		s.method.SetSelected(oauthExisting)
		s.existing.SetSelected(e.Name)
		s.w.changedSecurityMaterial()
		s.onAuthorize()
	})
	f.user.SetText(strings.TrimSpace(s.user.Text))
	f.name.SetText(s.free(""))
	// Microsoft takes any of the organisation's domains in place of its
	// directory ID: the address's is one.
	if f.provider.Selected == string(oauth.Microsoft365) {
		f.tenant.SetText(s.settings().Domain)
	}
}

// onAuthorize gets the chosen OAuth2 credential's token in the browser,
// as Security Material's Authorize does.
func (s *signInStep) onAuthorize() {
	e, ok := s.entry(s.existing.Selected)
	if !ok || s.w.store == nil {
		return
	}
	a := &authorizer{win: s.w.win, store: s.w.store, bg: s.w.bg, open: s.w.openURL, done: func(_ credentials.Entry, err error) {
		if err != nil {
			showError("Authorize "+e.Name, err, s.w.win)
		}
		s.w.changedSecurityMaterial()
		s.list()
	}}
	a.start(e)
}
