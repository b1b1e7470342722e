package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

func isJKS(path string) bool { return strings.EqualFold(filepath.Ext(path), ".jks") }

// isPKCS12 tells PKCS#12 keystores (.p12, .pfx), which Opsdesk opens to
// look at and save as JKS, or merges.
func isPKCS12(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".p12", ".pfx":
		return true
	}
	return false
}

// onDropped takes files dropped on the window (or on Home, or opened
// with Opsdesk from a file manager). Certificate files are read off the
// UI thread and listed in one import dialog; nothing is written until the
// user confirms. Keystore files are offered to Add ▾ Keystore afterwards,
// or opened when no keystore is open yet. Where the files were dropped
// does not matter, so this takes no position and tests call it directly.
//
// While a keystore is being opened (the app's own, at start) the files
// wait for it; when none gets opened and the user cancels the question
// which to open, they wait in the window (keepWaiting) rather than being
// dropped silently.
func (w *keystoreWindow) onDropped(uris []fyne.URI) {
	if w.svc.isOpening() {
		w.svc.whenSettled(func() { w.onDropped(uris) })
		return
	}
	var certFiles, stores []string
	for _, u := range uris {
		if u == nil || u.Scheme() != "file" {
			continue
		}
		if keystore.IsKeystoreFile(localPath(u)) {
			stores = append(stores, localPath(u))
		} else {
			certFiles = append(certFiles, localPath(u))
		}
	}
	if len(certFiles) == 0 {
		w.offerKeystores(stores)
		return
	}
	if i := slices.IndexFunc(stores, isJKS); i >= 0 && w.svc.Model() == nil {
		// A keystore dropped with the certificates is where they go.
		rest := toURIs(slices.Concat(certFiles, stores[:i], stores[i+1:]))
		w.opener.askPasswordOr(w.win, stores[i], "", func() { w.onDropped(rest) }, func() { w.keepWaiting(rest) })
		return
	}
	why := "The certificates you dropped or opened Opsdesk with go into a keystore."
	if w.ownProblem != "" {
		why += "\n\n" + w.ownProblem + "\n\nCancel keeps the files listed in this window until a keystore is open."
	}
	w.opener.ensure(w.win, why, func() {
		w.bg.run(func() func() {
			batch := certs.ReadFiles(certFiles)
			return func() { w.showImport(batch, func() { w.offerKeystores(stores) }) }
		})
	}, func() { w.keepWaiting(uris) })
}

// keepWaiting keeps files that found no keystore: the window lists them
// until a keystore is open, then offers them, or until the user forgets
// them.
func (w *keystoreWindow) keepWaiting(uris []fyne.URI) {
	if len(uris) == 0 {
		return
	}
	w.waiting = append(w.waiting, uris...)
	w.log(fmt.Sprintf("%s: waiting for a keystore to be opened or created", strings.Join(uriNames(uris), ", ")))
	w.showWaiting()
}

// showWaiting says which files wait, in the window without a keystore.
func (w *keystoreWindow) showWaiting() {
	if len(w.waiting) == 0 {
		w.waitingBox.Hide()
		return
	}
	text := fmt.Sprintf("Waiting to be imported: %s. They are offered as soon as a keystore is open.",
		strings.Join(uriNames(w.waiting), ", "))
	if w.ownProblem != "" {
		text += " " + w.ownProblem
	}
	w.waitingText.SetText(text)
	w.waitingBox.Show()
}

// offerWaiting offers the waiting files once a keystore is open.
func (w *keystoreWindow) offerWaiting() {
	if len(w.waiting) == 0 || w.svc.Model() == nil {
		return
	}
	uris := w.waiting
	w.waiting = nil
	w.showWaiting()
	w.show()
	w.onDropped(uris)
}

func toURIs(paths []string) []fyne.URI {
	out := make([]fyne.URI, len(paths))
	for i, p := range paths {
		out[i] = storage.NewFileURI(p)
	}
	return out
}

// offerKeystores opens the first keystore file when none is open, or
// offers Add ▾ Keystore for each in turn.
func (w *keystoreWindow) offerKeystores(paths []string) {
	if len(paths) == 0 {
		return
	}
	if w.svc.Model() == nil && (isJKS(paths[0]) || isPKCS12(paths[0])) {
		w.opener.askPasswordOr(w.win, paths[0], "", func() { w.offerKeystores(paths[1:]) },
			func() { w.keepWaiting(toURIs(paths[1:])) })
		return
	}
	if w.svc.Model() != nil && isPKCS12(paths[0]) {
		w.askLookOrMerge(paths[0], func() { w.offerKeystores(paths[1:]) })
		return
	}
	w.opener.ensure(w.win, "The keystore you dropped is added to the open keystore.", func() {
		d := w.onAddKeystore(paths[0])
		d.dlg.SetOnClosed(func() { w.offerKeystores(paths[1:]) })
	}, func() { w.keepWaiting(toURIs(paths)) })
}

// showImport lists what was read in the import dialog; after runs when it
// closes, confirmed or not.
func (w *keystoreWindow) showImport(batch certs.Batch, after func()) *importDialog {
	d := newImportDialog("Import Certificates", batch, w.model, w.win, w.importCertificates)
	if after != nil {
		d.dlg.SetOnClosed(after)
	}
	d.show()
	line := fmt.Sprintf("import dialog: %s offered for %s", plural(len(d.items), "certificate", "certificates"), w.model.Path)
	for _, p := range batch.Problems {
		line += "; " + p.Sentence()
	}
	w.log(line)
	return d
}

// importCertificates adds the confirmed certificates in one save, then
// says what became of each.
func (w *keystoreWindow) importCertificates(cands []keystore.Candidate) {
	addCertificates(w.svc, "Import Certificates", cands, w.win)
}

// addCertificates adds cands to the shared keystore and shows the summary;
// the Connectivity Tests window's Add to Keystore uses it too.
func addCertificates(svc *keystoreService, title string, cands []keystore.Candidate, parent fyne.Window) {
	var results []keystore.Result
	svc.edit(parent, func(k *keystore.Keystore) error {
		var err error
		results, err = k.AddCertificates(cands)
		return err
	}, func(err error) {
		if err != nil {
			showError(title, err, parent)
			return
		}
		showResults(title, "", results, parent)
	})
}

// askLookOrMerge asks what to do with a PKCS#12 keystore dropped or opened
// while a keystore is open: open it to look at (and save as JKS), or add
// its entries to the open one. next runs once that is done or declined.
func (w *keystoreWindow) askLookOrMerge(path string, next func()) {
	msg := widget.NewLabel(fmt.Sprintf("%s is a PKCS#12 keystore. Open it to look at its entries (and save it as JKS), "+
		"or add its entries to %s?", filepath.Base(path), filepath.Base(w.model.Path)))
	msg.Wrapping = fyne.TextWrapWord
	var d *keyedDialog
	d = newKeyedDialog(w.win, "Open or Add a PKCS#12 Keystore", container.New(&minWidthLayout{width: 460}, msg),
		"Add Its Entries…", "Cancel", func(ok bool) {
			if ok {
				add := w.onAddKeystore(path)
				add.dlg.SetOnClosed(next)
				return
			}
			next()
		})
	look := newKeyButton("Open It to Look", widget.MediumImportance, func() {
		d.onClose = nil // neither adding nor declining: opening instead
		d.Hide()
		w.opener.askPasswordOr(w.win, path, "", next, next)
	})
	d.SetButtons([]fyne.CanvasObject{d.cancel, look, d.confirm})
	d.Show()
}
