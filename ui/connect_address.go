package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/mailsetup"
)

// What the mailbox is for: Cloud Integration's Mail adapter sends with
// SMTP (the receiver side) and reads with IMAP or POP3 (the sender side);
// the flow connects sending, reading, or both with one credential.
const (
	useSend     = "Send mail (SMTP)"
	useReadToo  = "Read mail too, with"
	useReadOnly = "Read mail, with"
	// providerAuto is the Provider drop-down's first choice.
	providerAuto = "Find it from the address"
)

var readProtocols = []string{string(connectivity.IMAP), string(connectivity.POP3)}

// addressStep is step 1: the e-mail address, and the servers found for
// it, each value editable and saying where it came from.
type addressStep struct {
	w   *connectWindow
	obj fyne.CanvasObject

	email    *keyEntry
	provider *keySelect
	find     *widget.Button
	findJob  job
	activity *widget.Activity
	found    *widget.Label // what was found, or what is being looked at
	elapsed  *widget.Label
	stopFind *widget.Button
	tried    *widget.Label // what was looked at, when nothing was found
	clock    func()
	started  time.Time

	// What Cloud Integration will do with the mailbox: send (checked by
	// default), read too, and with which protocol.
	send     *keyCheck
	read     *keyCheck
	readWith *keyRadio
	fields   map[connectivity.Protocol]*serverFields
	// parts are the forms of the protocols chosen, by protocol: the
	// servers found, Host, Port, Protection and where they come from.
	parts map[connectivity.Protocol]*serverPart
	// server holds the forms; box is the whole step, laid out again when
	// they change.
	server *fyne.Container
	useRow *widget.Form
	box    *fyne.Container

	settings mailsetup.Settings
	// searched is the address and provider the settings were found for;
	// "" until Find Settings ran.
	searched string
	// picked is the server found that the fields show, by protocol, to
	// tell a value found from one the user changed.
	picked  map[connectivity.Protocol]mailsetup.Server
	filling bool
}

func newAddressStep(w *connectWindow) *addressStep {
	s := &addressStep{w: w, fields: map[connectivity.Protocol]*serverFields{}, picked: map[connectivity.Protocol]mailsetup.Server{},
		parts: map[connectivity.Protocol]*serverPart{}}
	s.email = newKeyEntry()
	s.email.SetPlaceHolder("e.g. ops@gmail.com")
	s.email.OnChanged = func(string) { s.onAddressChanged() }
	names := []string{providerAuto}
	for _, p := range mailsetup.Providers {
		names = append(names, p.Name)
	}
	s.provider = newKeySelect(names, func(string) { s.onAddressChanged() })
	s.provider.Selected = providerAuto
	s.find = &widget.Button{Text: "Find Settings", Icon: theme.SearchIcon(), OnTapped: s.onFind}
	s.activity = widget.NewActivity()
	s.activity.Hide()
	s.found = &widget.Label{Wrapping: fyne.TextWrapWord}
	s.elapsed = widget.NewLabel("")
	s.elapsed.Hide()
	s.stopFind = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: s.findJob.stop}
	s.stopFind.Hide()
	s.tried = newHint("") // in italics, not LowImportance: the light theme draws that almost white
	s.tried.Hide()

	for _, p := range []connectivity.Protocol{connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		f := newServerFields(p, func() { s.showSource(); w.refresh() })
		f.host.SetPlaceHolder(map[connectivity.Protocol]string{connectivity.SMTP: "e.g. smtp.example.com",
			connectivity.IMAP: "e.g. imap.example.com", connectivity.POP3: "e.g. pop.example.com"}[p])
		s.fields[p] = f
	}
	s.server = container.NewGridWithColumns(1)
	s.send = newKeyCheck(useSend, func(bool) { s.onUse() })
	s.send.Checked = true
	s.read = newKeyCheck(useReadToo, func(bool) { s.onUse() })
	s.readWith = newKeyRadio(readProtocols, true, nil)
	s.readWith.SetSelected(string(connectivity.IMAP))
	s.readWith.OnChanged = func(string) { s.onUse() }
	s.useRow = widget.NewForm(&widget.FormItem{Text: "Cloud Integration will", Widget: container.NewHBox(s.send, s.read, s.readWith),
		HintText: "Sending is the Mail receiver adapter, reading the Mail sender adapter: both sign in with the same credential."})

	account := widget.NewForm(
		widget.NewFormItem("E-mail Address", s.email),
		&widget.FormItem{Text: "Provider", Widget: s.provider, HintText: "Optional: choose it when the address is on a domain of your own."},
	)
	searching := container.NewBorder(nil, nil, s.activity, nil, s.found)
	s.box = container.NewVBox(
		stepIntro("Type the e-mail address of the mailbox Cloud Integration will use. Opsdesk looks up its mail servers: "+
			"in its own table of providers, then in the domain's DNS records and the provider's published settings."),
		account,
		leftRow(s.find, s.stopFind, s.elapsed),
		searching, s.tried,
		widget.NewSeparator(),
		s.useRow,
		s.server,
	)
	s.obj = container.NewVScroll(s.box)
	s.onUse()
	return s
}

func (s *addressStep) content() fyne.CanvasObject { return s.obj }

// onAddressChanged: what was found for the address before no longer
// speaks for this one, and the primary button finds its settings again.
func (s *addressStep) onAddressChanged() {
	if s.searched != "" && s.searched != s.key() && s.needsSearch() && !s.findJob.running() {
		s.found.Importance = widget.MediumImportance
		s.found.SetText("The address changed: press Find Settings to look up its mail servers.")
	}
	s.w.refresh()
}

func (s *addressStep) enter(bool) { s.w.win.Canvas().Focus(s.email) }

func (s *addressStep) busy() bool { return s.findJob.running() }

func (s *addressStep) stop() { s.findJob.stop() }

// protocols are the protocols chosen, the sending one first: the
// account's Server, then its Read.
func (s *addressStep) protocols() []connectivity.Protocol {
	var out []connectivity.Protocol
	if s.send.Checked {
		out = append(out, connectivity.SMTP)
	}
	if s.read.Checked {
		out = append(out, connectivity.Protocol(s.readWith.Selected))
	}
	return out
}

// current is the first chosen protocol's fields: the account's Server.
func (s *addressStep) current() *serverFields {
	if ps := s.protocols(); len(ps) > 0 {
		return s.fields[ps[0]]
	}
	return s.fields[connectivity.SMTP]
}

func (s *addressStep) address() string { return strings.TrimSpace(s.email.Text) }

// providerID is the provider chosen, "" to find it from the address.
func (s *addressStep) providerID() string {
	for _, p := range mailsetup.Providers {
		if p.Name == s.provider.Selected {
			return p.ID
		}
	}
	return ""
}

func (s *addressStep) key() string { return s.address() + "\x00" + s.providerID() }

func (s *addressStep) problem() string {
	switch addr := s.address(); {
	case addr == "":
		return "Type the e-mail address of the mailbox."
	case addressProblem(addr) != "":
		return addressProblem(addr)
	case len(s.protocols()) == 0:
		return "Choose what Cloud Integration will do with the mailbox: send mail, read mail, or both."
	case s.needsSearch():
		return "" // the primary button finds the settings
	}
	for _, p := range s.protocols() {
		if why := s.fields[p].problem(); why != "" {
			return why
		}
	}
	return ""
}

// addressProblem says what is wrong with the address typed, by core's
// rule, "" when nothing is.
func addressProblem(s string) string {
	if _, _, err := mailsetup.CheckAddress(s); err != nil {
		return sentence(err)
	}
	return ""
}

// needsSearch: the settings of this address were not looked for yet, and
// a chosen protocol's Host is empty or still shows what was found for
// another address (the user changed the address after a search: those
// servers are someone else's). A host the user typed is kept.
func (s *addressStep) needsSearch() bool {
	if s.searched == s.key() {
		return false
	}
	for _, p := range s.protocols() {
		if f := s.fields[p]; strings.TrimSpace(f.host.Text) == "" || s.showsFound(f.server()) {
			return true
		}
	}
	return false
}

// typed: the fields of p hold a host the user typed, not one found.
func (s *addressStep) typed(p connectivity.Protocol) bool {
	f := s.fields[p]
	return strings.TrimSpace(f.host.Text) != "" && !s.showsFound(f.server())
}

// showsFound: sv is, unchanged, the server found that the fields show.
func (s *addressStep) showsFound(sv mailsetup.Server) bool {
	found, ok := s.picked[sv.Protocol]
	return ok && found.Host == sv.Host && found.Port == sv.Port && found.Protection == sv.Protection
}

func (s *addressStep) primary() string {
	if s.needsSearch() {
		return "Find Settings"
	}
	return "Next"
}

func (s *addressStep) next() {
	if s.needsSearch() {
		s.onFind()
		return
	}
	for _, p := range s.protocols() {
		f := s.fields[p]
		f.takePortFromHost()
		f.followPort()
		if f.problem() != "" {
			s.w.refresh()
			return
		}
	}
	st := s.settings
	if s.searched != s.key() {
		// Host and port typed without a search: the table still says
		// how the provider signs in (no network), or the one chosen does.
		st, _ = mailsetup.TableSettings(s.address()) // problem() checked the address
		if p, ok := mailsetup.ProviderByID(s.providerID()); ok {
			st.Provider = &p
		}
	}
	var servers []mailsetup.Server
	for _, p := range s.protocols() {
		sv := s.fields[p].server()
		sv.Source = s.sourceOf(sv)
		st = st.WithServer(sv)
		servers = append(servers, sv)
	}
	a := &s.w.account
	a.Settings, a.Server, a.Read, a.ConnectTo = st, servers[0], mailsetup.Server{}, s.w.connectTo
	if len(servers) > 1 {
		a.Read = servers[1]
	}
	s.w.advance()
}

// onFind looks for the address's settings in the background, with
// Cancel and the time it has taken.
func (s *addressStep) onFind() {
	addr, pid := s.address(), s.providerID()
	if s.findJob.running() || addressProblem(addr) != "" {
		s.w.refresh()
		return
	}
	ctx := s.findJob.start()
	_, domain, _ := strings.Cut(addr, "@")
	s.found.Importance = widget.MediumImportance
	s.found.SetText("Looking for the mail servers of " + domain + "…")
	s.tried.Hide()
	s.activity.Show()
	s.activity.Start()
	s.stopFind.Show()
	s.stopFind.Enable()
	s.started = time.Now()
	s.tick()
	s.elapsed.Show()
	s.clock = startTicker(s.w.tickEvery, s.tick)
	det := s.w.detector
	s.w.refresh()
	s.w.bg.run(func() func() {
		st, err := det.Detect(ctx, addr, pid)
		cancelled := ctx.Err() != nil
		return func() { s.onFound(addr, pid, st, err, cancelled) }
	})
}

func (s *addressStep) tick() {
	if s.findJob.running() {
		s.elapsed.SetText(fmt.Sprintf("%d s", int(time.Since(s.started)/time.Second)))
	}
}

func (s *addressStep) onFound(addr, pid string, st mailsetup.Settings, err error, cancelled bool) {
	s.findJob.end()
	s.clock()
	s.activity.Stop()
	s.activity.Hide()
	s.stopFind.Hide()
	s.elapsed.Hide()
	defer s.w.refresh()
	switch {
	case err != nil:
		s.found.Importance = widget.DangerImportance
		s.found.SetText(sentence(err))
		return
	case cancelled && len(st.Servers) == 0:
		s.found.Importance = widget.WarningImportance
		s.found.SetText("The search was cancelled. Type the server's host and port below, or press Find Settings again.")
		return
	}
	// A host the user typed stays; what an earlier search filled in
	// gives way to what this one found.
	typed := map[connectivity.Protocol]bool{}
	for p := range s.fields {
		typed[p] = s.typed(p)
	}
	s.settings, s.searched = st, addr+"\x00"+pid
	s.picked = map[connectivity.Protocol]mailsetup.Server{}
	if len(st.Servers) == 0 {
		s.found.Importance = widget.WarningImportance
		s.found.SetText("No settings were found for " + st.Domain + ". Type the host and port your provider gives; " +
			"the usual ones are proposed below.")
		s.settings.Servers = mailsetup.UsualServers(st.Domain)
	} else {
		s.found.Importance = widget.MediumImportance
		where := "its DNS records and published settings"
		if st.Provider != nil {
			where = "Opsdesk's provider table: " + st.Provider.Name
		}
		s.found.SetText(fmt.Sprintf("Settings found for %s in %s. Check them below; every value can be changed.", st.Address, where))
	}
	s.found.Refresh()
	s.tried.Hide() // what an earlier search looked at
	if len(st.Tried) > 0 {
		s.tried.SetText("Looked at: " + strings.Join(st.Tried, "; ") + ".")
		s.tried.Show()
	}
	for p, f := range s.fields {
		if !typed[p] {
			f.set("", 0, connectivity.STARTTLSMandatory)
		}
	}
	s.onUse()
}

// onUse shows the forms of the protocols chosen, side by side: sending
// and reading fit in the window together.
func (s *addressStep) onUse() {
	s.readWith.Hidden = !s.read.Checked
	s.read.Text = useReadToo
	if !s.send.Checked {
		s.read.Text = useReadOnly
	}
	s.read.Refresh()
	s.readWith.Refresh()
	ps := s.protocols()
	s.server.Objects = nil
	for _, p := range ps {
		part := s.buildPart(p, len(ps) > 1)
		s.server.Objects = append(s.server.Objects, part.form)
	}
	s.server.Layout = layout.NewGridLayoutWithColumns(max(len(ps), 1))
	s.server.Refresh()
	s.box.Refresh() // the forms' height changed: the step is laid out again
	s.showSource()
	s.w.refresh()
}

// serverPart is the form of one protocol chosen.
type serverPart struct {
	form *widget.Form
	// choice is a choice of the servers found, when there are several: a
	// drop-down, whose width does not grow with the longest choice, so
	// that two forms fit side by side.
	choice *keySelect
	source *widget.Label
}

// buildPart makes p's form: the servers found, Host, Port, Protection
// and Source; titled with what it is for when there are two.
func (s *addressStep) buildPart(p connectivity.Protocol, titled bool) *serverPart {
	f := s.fields[p]
	part := &serverPart{form: widget.NewForm(), source: &widget.Label{Wrapping: fyne.TextWrapWord}}
	if old, ok := s.parts[p]; ok {
		part.source = old.source
	}
	s.parts[p] = part
	if titled {
		what := "Read mail: " + string(p)
		if p == connectivity.SMTP {
			what = "Send mail: SMTP"
		}
		part.form.Append("", heading(what))
	}
	cands := s.settings.Candidates(p)
	if len(cands) > 1 {
		var labels []string
		byLabel := map[string]mailsetup.Server{}
		for _, c := range cands {
			l := serverLabel(c)
			labels = append(labels, l)
			byLabel[l] = c
		}
		part.choice = newKeySelect(labels, func(l string) {
			if !s.filling {
				s.pick(byLabel[l])
			}
		})
		part.form.Append("Servers found", part.choice)
	}
	part.form.Append("Host", f.host)
	part.form.Append("Port", f.port)
	part.form.Append("Protection", f.protection)
	part.form.Append("Source", part.source)
	if _, shown := s.picked[p]; !shown && strings.TrimSpace(f.host.Text) == "" && len(cands) > 0 {
		s.pick(cands[0])
	}
	if part.choice != nil {
		s.filling = true
		for _, c := range cands {
			if c == s.picked[p] {
				part.choice.SetSelected(serverLabel(c))
			}
		}
		s.filling = false
	}
	return part
}

// pick fills the fields with a server found.
func (s *addressStep) pick(sv mailsetup.Server) {
	s.picked[sv.Protocol] = sv
	s.fields[sv.Protocol].set(sv.Host, sv.Port, sv.Protection)
	s.showSource()
}

// serverLabel is a server found, in one line: where, how, and from where.
func serverLabel(sv mailsetup.Server) string {
	return fmt.Sprintf("%s, %s · %s", sv.Address(), sv.Protection.Label(sv.Protocol), sv.Source)
}

// sourceOf says where the values of sv came from: the server found, when
// the fields still show it, or the user.
func (s *addressStep) sourceOf(sv mailsetup.Server) string {
	found, ok := s.picked[sv.Protocol]
	switch {
	case ok && found.Host == sv.Host && found.Port == sv.Port && found.Protection == sv.Protection:
		return found.Source
	case ok:
		return mailsetup.SourceTyped + " (found: " + found.Address() + ", " + found.Source + ")"
	}
	return mailsetup.SourceTyped
}

// showSource says, below each form's fields, where their values came
// from.
func (s *addressStep) showSource() {
	for p, part := range s.parts {
		f := s.fields[p]
		shown := part.source.Visible()
		if strings.TrimSpace(f.host.Text) == "" {
			part.source.Hide() // and its row, until there is something to say
		} else {
			part.source.SetText(s.sourceOf(f.server()))
			part.source.Show()
		}
		if shown != part.source.Visible() {
			part.form.Refresh() // the form shows or hides the row with it
		}
	}
}
