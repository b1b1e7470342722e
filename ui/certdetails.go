package ui

import (
	"crypto/x509"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs"
)

// value is a read-only field value: selectable, so a fingerprint or a DN
// can be copied, and wrapped, so a long DN stays inside the window.
func value(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Selectable = true
	l.Wrapping = fyne.TextWrapWord
	return l
}

func monoValue(text string) *widget.Label {
	l := value(text)
	l.TextStyle = fyne.TextStyle{Monospace: true}
	return l
}

// entryDetails is the Keystore page's details view of one entry, with
// every field the tenant shows that a JKS file holds. A JKS keeps one date
// per entry (its creation, which Opsdesk updates on every change) and no
// user names, so "Created By" and "Last Modified By" have nothing to show
// and are left out rather than invented.
func entryDetails(r ksRow) fyne.CanvasObject {
	owner := "Tenant Administrator"
	if r.Entry.SAPOwned {
		owner = "SAP"
	}
	entry := widget.NewForm(
		widget.NewFormItem("Alias", value(r.Entry.Alias)),
		widget.NewFormItem("Owner", value(owner)),
		widget.NewFormItem("Type", value(string(r.Entry.Type))),
		widget.NewFormItem("Last Modified At", value(r.LastModified)),
	)
	cert := r.Entry.Certificate()
	if cert == nil {
		msg := "Its certificate cannot be read"
		if len(r.Entry.ChainErrors) > 0 && r.Entry.ChainErrors[0] != nil {
			msg += ": " + r.Entry.ChainErrors[0].Error()
		}
		entry.Append("Certificate", value(msg))
		return entry
	}
	// Two columns: the entry and its key on the left, who the certificate
	// is for and how to recognise it on the right.
	d := r.Desc
	entry.Append("Version", value(fmt.Sprintf("V%d", d.Version)))
	entry.Append("Serial Number", monoValue(d.SerialNumber))
	entry.Append("Key Type", value(d.KeyType))
	if d.KeySize > 0 {
		entry.Append("Key Size", value(fmt.Sprintf("%d bits", d.KeySize)))
	}
	entry.Append("Signature Algorithm", value(d.SignatureAlgorithm))
	entry.Append("Valid From", value(d.ValidFrom.Local().Format(dateFormat)))
	entry.Append("Valid Until", value(d.ValidUntil.Local().Format(dateFormat)))
	identity := widget.NewForm(
		widget.NewFormItem("Subject DN", value(d.SubjectDN)),
		widget.NewFormItem("Issuer DN", value(d.IssuerDN)),
	)
	if len(d.SubjectAltNames) > 0 {
		identity.Append("Subject Alternative Names", value(strings.Join(d.SubjectAltNames, ", ")))
	}
	identity.Append("Fingerprint (SHA-256)", monoValue(d.SHA256))
	identity.Append("Fingerprint (SHA-1)", monoValue(d.SHA1))
	if len(r.Entry.Chain) > 0 {
		identity.Append("Certificate Chain", chainTree(r.Entry.Chain))
	}
	return container.NewGridWithColumns(2, entry, identity)
}

// chainTree shows a chain as the tenant's tree: the root at the top, each
// certificate indented under the one that issued it.
func chainTree(chain []*x509.Certificate) fyne.CanvasObject {
	box := container.NewVBox()
	depth := 0
	for i := len(chain) - 1; i >= 0; i-- {
		c := chain[i]
		name := "unreadable certificate"
		if c != nil {
			name = certs.JavaDN(c.RawSubject)
		}
		prefix := ""
		if depth > 0 {
			prefix = strings.Repeat("    ", depth-1) + "└ "
		}
		box.Add(value(prefix + name))
		depth++
	}
	return box
}

// certPreview is what a user checks before adding a certificate: who it
// is for, who vouches for it, how long it is valid, and its fingerprint
// to compare with what the server's owner publishes.
func certPreview(d certs.Description) *widget.Form {
	return widget.NewForm(
		widget.NewFormItem("Subject", value(d.SubjectDN)),
		widget.NewFormItem("Issuer", value(d.IssuerDN)),
		widget.NewFormItem("Validity", value(validity(d))),
		widget.NewFormItem("SHA-256", monoValue(d.SHA256)),
	)
}

func validity(d certs.Description) string {
	return d.ValidFrom.Local().Format("Jan 2, 2006") + " – " + d.ValidUntil.Local().Format("Jan 2, 2006")
}
