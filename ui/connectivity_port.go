package ui

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/mailsetup"
	"github.com/opsdesk/opsdesk/core/problem"
)

// Host, Port and Protection agree: a port picked sets its Protection, a
// Protection picked proposes its port, and a port typed into Host moves to
// Port. The rules are core's (connectivity.ProtectionForPort,
// PortForProtection, SplitHostPort); the form only applies them, so that
// the port a test uses is the one the form shows.

// hostEntry is the Host field: leaving it hands a port typed into it
// ("smtp.gmail.com:465") to the Port field, where the test takes it from.
type hostEntry struct {
	widget.Entry
	onLeave func()
}

func newHostEntry() *hostEntry {
	e := &hostEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey hands Escape (and Enter, without an OnSubmitted) to a dialog or
// a window that takes them (dialogkeys.go).
func (e *hostEntry) TypedKey(ev *fyne.KeyEvent) {
	if !textDialogKey(e, &e.Entry, ev) {
		e.Entry.TypedKey(ev)
	}
}

func (e *hostEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

// portEntry is the Port field: its drop-down offers the usual ports, and
// leaving it after typing one sets the Protection that port asks for.
type portEntry struct {
	widget.SelectEntry
	onLeave func()
}

func newPortEntry(options []string) *portEntry {
	e := &portEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewSelectEntry
	e.SetOptions(options)
	return e
}

// TypedKey hands Escape and Enter on, as hostEntry's does.
func (e *portEntry) TypedKey(ev *fyne.KeyEvent) {
	if !textDialogKey(e, &e.Entry, ev) {
		e.SelectEntry.TypedKey(ev)
	}
}

func (e *portEntry) FocusLost() {
	e.SelectEntry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

// serverFields are Host, Port and Protection, kept in agreement: the
// Connectivity Tests' tabs and the Address step of Connect a Mail Account
// both use them, so a port means the same Protection in both.
type serverFields struct {
	proto      connectivity.Protocol
	host       *hostEntry
	port       *portEntry
	protection *widget.Select // nil on the TLS tab, which is TLS
	syncing    bool           // Port and Protection are being set to agree
	// changed runs after any of the three changed, by the user or to
	// agree with another.
	changed func()
}

// newServerFields builds the three fields for protocol p, Port offering
// p's usual ports and Protection set to STARTTLS Mandatory.
func newServerFields(p connectivity.Protocol, changed func()) *serverFields {
	s := &serverFields{proto: p, changed: changed}
	s.host = newHostEntry()
	s.host.onLeave = s.takePortFromHost
	s.host.OnChanged = func(string) { s.changed() }
	s.port = newPortEntry(portOptions[p])
	s.port.SetText(portOptions[p][0])
	s.port.OnChanged = s.onPort
	s.port.onLeave = s.followPort
	if p != connectivity.TLS {
		s.protection = widget.NewSelect([]string{"Off", connectivity.Implicit.Label(p),
			string(connectivity.STARTTLSMandatory), string(connectivity.STARTTLSOptional)}, s.onProtection)
		s.protection.Selected = string(connectivity.STARTTLSMandatory) // 587's, shown: nothing to follow
	}
	return s
}

// onProtection proposes the usual port for the protection chosen (unless
// the user typed a port of their own), by core's rule.
func (s *serverFields) onProtection(string) {
	if !s.syncing {
		current, _ := parsePort(s.port.Text)
		if port := connectivity.PortForProtection(s.proto, s.protectionValue(), current); port != current {
			s.syncing = true
			s.port.SetText(optionFor(s.proto, port))
			s.syncing = false
		}
	}
	s.changed()
}

// onPort follows a port picked from the drop-down with the Protection it
// asks for: "465 (SMTPS)" sets SMTPS, 587 leaves it for STARTTLS
// Mandatory. A port being typed is followed only when the user leaves the
// field (or sends): typing 2525 must not stop at 25 on its way.
func (s *serverFields) onPort(text string) {
	if slices.Contains(portOptions[s.proto], text) {
		s.followPort()
	}
	s.changed()
}

// followPort sets the Protection the port asks for, by core's rule.
func (s *serverFields) followPort() {
	port, ok := parsePort(s.port.Text)
	if !ok || s.protection == nil || s.syncing {
		return
	}
	current := s.protectionValue()
	if pr := connectivity.ProtectionForPort(s.proto, port, current); pr != current {
		s.syncing = true
		s.protection.SetSelected(s.protectionLabel(pr))
		s.syncing = false
	}
}

// takePortFromHost moves a port typed into Host into Port, which is what
// the test uses, so the form shows what runs. A port that cannot be one
// stays where it is, and validate says why.
func (s *serverFields) takePortFromHost() {
	host, port, err := connectivity.SplitHostPort(s.host.Text)
	if err != nil || port == 0 {
		return
	}
	s.host.SetText(host)
	s.port.SetText(optionFor(s.proto, port))
}

// set shows a server's host, port and protection as they are, without
// one proposing another.
func (s *serverFields) set(host string, port int, pr connectivity.Protection) {
	s.syncing = true
	defer func() { s.syncing = false }()
	s.host.SetText(host)
	if s.protection != nil {
		s.protection.SetSelected(s.protectionLabel(pr))
	}
	s.port.SetText(optionFor(s.proto, port))
}

// problem says what is wrong with Host or Port, "" when nothing is: by
// core's rules (Request.Check, SplitHostPort).
func (s *serverFields) problem() string {
	port, _ := parsePort(s.port.Text)
	checkErr := connectivity.Request{Protocol: s.proto, Host: strings.TrimSpace(s.host.Text), Port: port}.Check()
	_, _, hostErr := connectivity.SplitHostPort(s.host.Text)
	switch {
	case problem.FieldOf(checkErr) == connectivity.FieldHost:
		return sentence(checkErr)
	case hostErr != nil:
		return sentence(hostErr)
	case !validPort(s.port.Text):
		return "The port must be a number between 1 and 65535."
	}
	return ""
}

// server is what the fields say, as a server of core's.
func (s *serverFields) server() mailsetup.Server {
	port, _ := parsePort(s.port.Text)
	return mailsetup.Server{Protocol: s.proto, Host: strings.TrimSpace(s.host.Text), Port: port, Protection: s.protectionValue()}
}

// protectionValue is the Protection chosen; the TLS tab's is TLS.
func (s *serverFields) protectionValue() connectivity.Protection {
	if s.protection == nil {
		return connectivity.Implicit
	}
	switch sel := s.protection.Selected; sel {
	case "Off":
		return connectivity.Off
	case connectivity.Implicit.Label(s.proto):
		return connectivity.Implicit
	default:
		return connectivity.Protection(sel)
	}
}

// protectionLabel is pr as the Protection drop-down spells it.
func (s *serverFields) protectionLabel(pr connectivity.Protection) string {
	return pr.Label(s.proto)
}

func optionFor(p connectivity.Protocol, port int) string {
	for _, o := range portOptions[p] {
		if n, ok := parsePort(o); ok && n == port {
			return o
		}
	}
	return strconv.Itoa(port)
}

// parsePort reads the number a port option or a typed port starts with.
func parsePort(s string) (int, bool) {
	s = strings.TrimSpace(s)
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) })
	if end < 0 {
		end = len(s)
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil || n < 1 || n > 65535 {
		return 0, false
	}
	return n, true
}
