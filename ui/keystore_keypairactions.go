package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// The row actions the tenant shows for Key Pair rows only.
const (
	actionDownloadChain = "Download Certificate Chain"
	actionDownloadRoot  = "Download Root Certificate"
	actionDownloadCSR   = "Download Signing Request"
)

// keyPairMenu lists a key pair's own actions. A signing request needs the
// private key, so not from a keystore opened without its password.
func (w *keystoreWindow) keyPairMenu(alias string) *fyne.Menu {
	csr := fyne.NewMenuItem(actionDownloadCSR, func() { w.onDownloadCSR(alias, nil) })
	csr.Disabled = !w.model.keysUsable()
	return fyne.NewMenu("",
		fyne.NewMenuItem(actionDownloadChain, func() { w.onDownloadChain(alias) }),
		fyne.NewMenuItem(actionDownloadRoot, func() { w.onDownloadRoot(alias) }),
		csr,
	)
}

// showKeyPairMenu pops the menu up under the button that asked for it.
func (w *keystoreWindow) showKeyPairMenu(alias string, under fyne.CanvasObject) {
	widget.ShowPopUpMenuAtRelativePosition(w.keyPairMenu(alias), w.win.Canvas(), fyne.NewPos(0, under.Size().Height), under)
}

// onDownloadChain saves the key pair's chain as <alias>.p7b.
func (w *keystoreWindow) onDownloadChain(alias string) {
	w.downloadExport(actionDownloadChain, func(k *keystore.Keystore) (keystore.Exported, error) { return k.CertificateChain(alias) })
}

// onDownloadRoot saves the root of the key pair's chain as
// <alias>_rootCA.cer.
func (w *keystoreWindow) onDownloadRoot(alias string) {
	w.downloadExport(actionDownloadRoot, func(k *keystore.Keystore) (keystore.Exported, error) { return k.RootCertificate(alias) })
}

// onDownloadCSR saves a signing request as <alias>.csr. Should the key
// have a password of its own, it is asked for and the request made again.
func (w *keystoreWindow) onDownloadCSR(alias string, keyPassword []byte) {
	var out keystore.Exported
	w.svc.do(func(k *keystore.Keystore) error {
		defer clear(keyPassword)
		var err error
		out, err = k.SigningRequest(alias, keyPassword)
		return err
	}, false, func(err error) {
		switch {
		case errors.Is(err, keystore.ErrKeyPassword):
			w.askKeyPassword(alias, keyPassword != nil, "sign the request", "Sign", func(pw []byte) { w.onDownloadCSR(alias, pw) })
		case err != nil:
			showError(actionDownloadCSR, err, w.win)
		default:
			w.save(actionDownloadCSR, out.FileName, out.Data)
		}
	})
}

// askKeyPassword asks for the password of a key pair's key, to do what
// (a phrase: "sign the request") with the button labelled button.
func (w *keystoreWindow) askKeyPassword(alias string, again bool, what, button string, then func(pw []byte)) {
	pw := newKeyPasswordEntry()
	text := "The private key of “" + alias + "” has a password other than the keystore's. Type it to " + what + "."
	if again {
		text = "That key password is wrong. Type the password of the private key of “" + alias + "”."
	}
	intro := widget.NewLabel(text)
	intro.Wrapping = fyne.TextWrapWord
	d := newKeyedForm(w.win, "Key Password", button, "Cancel", []*widget.FormItem{{Widget: intro}, {Text: "Key Password", Widget: pw}}, func(ok bool) {
		p := []byte(pw.Text)
		pw.SetText("")
		if !ok || len(p) == 0 {
			clear(p)
			return
		}
		then(p)
	})
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
	w.win.Canvas().Focus(pw)
}

// downloadExport makes a file from the keystore in the background, then
// asks where to save it.
func (w *keystoreWindow) downloadExport(title string, export func(k *keystore.Keystore) (keystore.Exported, error)) {
	var out keystore.Exported
	w.svc.do(func(k *keystore.Keystore) error {
		var err error
		out, err = export(k)
		return err
	}, false, func(err error) {
		if err != nil {
			showError(title, err, w.win)
			return
		}
		w.save(title, out.FileName, out.Data)
	})
}
