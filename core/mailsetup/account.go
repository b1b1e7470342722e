package mailsetup

import (
	"crypto/x509"
	"slices"
	"strings"
)

// Servers are the servers the account connects, the sending one first:
// Server, and Read when the user wants to read mail too. Every step of
// the flow walks them in this order.
func (a Account) Servers() []Server {
	if a.Read.Protocol == "" {
		return []Server{a.Server}
	}
	return []Server{a.Server, a.Read}
}

// Protocols names the account's protocols for a sentence or a
// description: "SMTP", or "SMTP and IMAP".
func (a Account) Protocols() string {
	var names []string
	for _, sv := range a.Servers() {
		names = append(names, string(sv.Protocol))
	}
	return strings.Join(names, " and ")
}

// CredentialName proposes the Credential Name for the account
// (CredentialName): after its protocol when it has one server
// ("gmail_smtp"), "gmail_mail" when the sending and the reading server
// share it, so that the name does not claim one protocol for both.
func (a Account) CredentialName(taken func(string) bool) string {
	p := a.Server.Protocol
	if a.Read.Protocol != "" {
		p = "mail"
	}
	return CredentialName(a.Settings, p, taken)
}

// ProposeTrustAll is ProposeTrust over the chains of all of an account's
// servers (in the order of Account.Servers): each certificate is listed
// once, however many servers sent it or were completed with it, so that
// smtp.gmail.com and imap.gmail.com, which share root and intermediate,
// propose each of those once and neither leaf. Complete holds when every
// chain is complete; the notes of the chains that are not follow one
// another.
func ProposeTrustAll(chains ...[]*x509.Certificate) TrustProposal {
	if len(chains) == 1 {
		return ProposeTrust(chains[0])
	}
	all := TrustProposal{Complete: true}
	var notes []string
	for _, sent := range chains {
		p := ProposeTrust(sent)
		all.Complete = all.Complete && p.Complete
		if p.Note != "" && !slices.Contains(notes, p.Note) {
			notes = append(notes, p.Note)
		}
	next:
		for _, it := range p.Items {
			for i := range all.Items {
				if all.Items[i].Cert.Equal(it.Cert) {
					// One chain may propose what another only shows
					// (a leaf alone, trusted because nothing else can be).
					all.Items[i].Proposed = all.Items[i].Proposed || it.Proposed
					continue next
				}
			}
			all.Items = append(all.Items, it)
		}
	}
	all.Note = strings.Join(notes, " ")
	// The servers' own certificates first, then what the keystore needs,
	// root last: the order of one chain, which the window and the
	// command show (the window root first) as they show one chain.
	slices.SortStableFunc(all.Items, func(x, y TrustItem) int {
		return boolInt(y.Role == RoleServer) - boolInt(x.Role == RoleServer)
	})
	return all
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
