package ui

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
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

func (e *portEntry) FocusLost() {
	e.SelectEntry.FocusLost()
	if e.onLeave != nil {
		e.onLeave()
	}
}

// onProtection keeps the form consistent with the protection chosen: no
// certificate to require without TLS, and the port following the usual
// one for the protection (unless the user typed a port of their own), by
// core's rule.
func (t *connTab) onProtection(string) {
	pr := t.protectionValue()
	t.enable(t.verify, pr != connectivity.Off)
	if !t.syncing {
		current, _ := parsePort(t.port.Text)
		if port := connectivity.PortForProtection(t.proto, pr, current); port != current {
			t.syncing = true
			t.port.SetText(optionFor(t.proto, port))
			t.syncing = false
		}
	}
	t.validate()
}

// onPort follows a port picked from the drop-down with the Protection it
// asks for: "465 (SMTPS)" sets SMTPS, 587 leaves it for STARTTLS
// Mandatory. A port being typed is followed only when the user leaves the
// field (or sends): typing 2525 must not stop at 25 on its way.
func (t *connTab) onPort(text string) {
	if slices.Contains(portOptions[t.proto], text) {
		t.followPort()
	}
	t.validate()
}

// followPort sets the Protection the port asks for, by core's rule.
func (t *connTab) followPort() {
	port, ok := parsePort(t.port.Text)
	if !ok || t.protection == nil || t.syncing {
		return
	}
	current := t.protectionValue()
	if pr := connectivity.ProtectionForPort(t.proto, port, current); pr != current {
		t.syncing = true
		t.protection.SetSelected(t.protectionLabel(pr))
		t.syncing = false
	}
}

// takePortFromHost moves a port typed into Host into Port, which is what
// the test uses, so the form shows what runs. A port that cannot be one
// stays where it is, and validate says why.
func (t *connTab) takePortFromHost() {
	host, port, err := connectivity.SplitHostPort(t.host.Text)
	if err != nil || port == 0 {
		return
	}
	t.host.SetText(host)
	t.port.SetText(optionFor(t.proto, port))
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

// protectionLabel is pr as the Protection drop-down spells it.
func (t *connTab) protectionLabel(pr connectivity.Protection) string {
	return pr.Label(t.proto)
}
