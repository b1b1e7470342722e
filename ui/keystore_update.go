package ui

import (
	"crypto/x509"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

const actionUpdate = "Update"

// onUpdate is the row action Update, as on the tenant: choose the file
// with the new certificate, see what it holds, Confirm. A Certificate
// entry takes a renewed certificate under its alias; a Key Pair keeps its
// key and takes the CA's answer to its signing request.
func (w *keystoreWindow) onUpdate(alias string) {
	w.browseFile(certs.Extensions, func(path string) { w.updateFrom(alias, path) })
}

// updateFrom reads path off the UI thread, then asks to confirm.
func (w *keystoreWindow) updateFrom(alias, path string) {
	w.bg.run(func() func() {
		given, err := certs.ReadCertificates(path)
		return func() { w.confirmUpdate(alias, filepath.Base(path), given, err) }
	})
}

// confirmUpdate shows what the file holds before anything is written.
func (w *keystoreWindow) confirmUpdate(alias, name string, given []*x509.Certificate, err error) {
	if err != nil {
		showError(actionUpdate, err, w.win)
		return
	}
	box := container.NewVBox()
	intro := widget.NewLabel(fmt.Sprintf("Update “%s” with what %s holds:", alias, name))
	intro.Wrapping = fyne.TextWrapWord
	box.Add(intro)
	for _, cert := range given {
		d := certs.Describe(cert)
		facts := widget.NewLabel(fmt.Sprintf("Subject: %s\nIssuer: %s\nValidity: %s\nSHA-256: %s", d.SubjectDN, d.IssuerDN, validity(d), d.SHA256))
		facts.Wrapping = fyne.TextWrapWord
		box.Add(facts)
		if why := d.NotValidAt(time.Now()); why != "" {
			box.Add(validityWarning(why))
		}
	}
	note := "The entry keeps its alias; the certificate it holds now is replaced (a backup has it)."
	if r := w.model.row(alias); r != nil && r.Entry.Type == keystore.KeyPair {
		note = "The key pair keeps its private key; its certificate chain becomes the one in this file, completed from the keystore's certificates."
	}
	noteLabel := widget.NewLabel(note)
	noteLabel.Wrapping = fyne.TextWrapWord
	box.Add(noteLabel)
	newKeyedDialog(w.win, actionUpdate, container.New(&minWidthLayout{width: 620}, box), actionUpdate, "Cancel", func(ok bool) {
		if ok {
			w.update(alias, given, nil)
		}
	}).Show()
}

// update runs the update in the background; a key with a password of its
// own is asked for it, and the update tried again.
func (w *keystoreWindow) update(alias string, given []*x509.Certificate, keyPassword []byte) {
	w.svc.edit(w.win, func(k *keystore.Keystore) error {
		defer clear(keyPassword)
		_, err := k.Update(alias, given, keyPassword)
		return err
	}, func(err error) {
		switch {
		case errors.Is(err, keystore.ErrKeyPassword):
			w.askKeyPassword(alias, keyPassword != nil, "update it", actionUpdate, func(pw []byte) { w.update(alias, given, pw) })
		case err != nil:
			showError(actionUpdate, err, w.win)
		default:
			w.showDetails(alias)
		}
	})
}
