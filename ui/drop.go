package ui

import (
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// isKeystoreFile tells keystores, whose entries are merged or which are
// opened, from certificate files, which are imported.
func isKeystoreFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jks", ".p12", ".pfx", ".keystore":
		return true
	}
	return false
}

func isJKS(path string) bool { return strings.EqualFold(filepath.Ext(path), ".jks") }

// onDropped takes files dropped on the window (or on Home, or opened
// with Opsdesk from a file manager). Certificate files are read off the
// UI thread and listed in one import dialog; nothing is written until the
// user confirms. Keystore files are offered to Add ▾ Keystore afterwards,
// or opened when no keystore is open yet. Where the files were dropped
// does not matter, so this takes no position and tests call it directly.
func (w *keystoreWindow) onDropped(uris []fyne.URI) {
	var certFiles, stores []string
	for _, u := range uris {
		if u == nil || u.Scheme() != "file" {
			continue
		}
		if isKeystoreFile(localPath(u)) {
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
		w.opener.askPassword(w.win, stores[i], "", func() { w.onDropped(rest) })
		return
	}
	w.opener.ensure(w.win, "The certificates you dropped go into a keystore.", func() {
		w.bg.run(func() func() {
			batch := readCertificateFiles(certFiles)
			return func() { w.showImport(batch, func() { w.offerKeystores(stores) }) }
		})
	})
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
	if w.svc.Model() == nil && isJKS(paths[0]) {
		w.opener.askPassword(w.win, paths[0], "", func() { w.offerKeystores(paths[1:]) })
		return
	}
	w.opener.ensure(w.win, "The keystore you dropped is added to the open keystore.", func() {
		d := w.onAddKeystore(paths[0])
		d.dlg.SetOnClosed(func() { w.offerKeystores(paths[1:]) })
	})
}

// showImport lists what was read in the import dialog; after runs when it
// closes, confirmed or not.
func (w *keystoreWindow) showImport(batch certs.Batch, after func()) {
	d := newImportDialog("Import Certificates", batch, w.model, w.win, w.importCertificates)
	if after != nil {
		d.dlg.SetOnClosed(after)
	}
	w.lastImport = d
	d.show()
}

// importCertificates adds the confirmed certificates in one save, then
// says what became of each.
func (w *keystoreWindow) importCertificates(cands []keystore.Candidate) {
	addCertificates(w.svc, "Import Certificates", cands, w.win)
}

// addCertificates adds cands to the shared keystore and shows the summary;
// the Connectivity Tests window's Add to Keystore uses it too.
func addCertificates(svc *KeystoreService, title string, cands []keystore.Candidate, parent fyne.Window) {
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

// readCertificateFiles reads every file with certs.ReadFile, which
// refuses what is not a file or far too large before reading it.
func readCertificateFiles(paths []string) certs.Batch {
	var b certs.Batch
	for _, p := range paths {
		b.Add(certs.ReadFile(p, filepath.Base(p)))
	}
	return b
}
