package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// onRename asks for a new alias; a key pair whose key has a password of
// its own also needs that password, since renaming re-protects the key.
func (w *keystoreWindow) onRename(alias string) {
	i, ok := w.model.byAlias[alias]
	if !ok {
		return
	}
	row := w.model.Rows[i]
	name := newKeyEntry()
	name.SetText(alias)
	note, follow := newAliasNote()
	name.OnChanged = follow
	name.Validator = func(s string) error {
		a := normAlias(s)
		if a == alias {
			return errors.New("type the new alias")
		}
		if err := keystore.CheckAlias(a); err != nil {
			sentence, _ := explained(err)
			return errors.New(sentence)
		}
		if w.model.Has(a) {
			return fmt.Errorf("an entry named %q already exists", a)
		}
		return nil
	}
	items := []*widget.FormItem{{Text: "New Alias", Widget: name}, {Widget: note}}
	keyPw := newKeyPasswordEntry()
	if row.Entry.Type == keystore.KeyPair {
		items = append(items, &widget.FormItem{Text: "Key Password", Widget: keyPw,
			HintText: "Only if its key has a password other than the keystore's."})
	}
	d := newKeyedForm(w.win, "Rename "+alias, "Rename", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		newAlias := normAlias(name.Text)
		var kp []byte
		if keyPw.Text != "" {
			kp = []byte(keyPw.Text)
			keyPw.SetText("")
		}
		w.svc.edit(w.win, func(k *keystore.Keystore) error {
			defer clear(kp)
			return k.Rename(alias, newAlias, kp)
		}, func(err error) {
			if err != nil {
				showError("Rename", err, w.win)
				return
			}
			w.showDetails(newAlias)
		})
	})
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
	w.win.Canvas().Focus(name)
}

// onDownload saves one entry as the tenant's single download does: a .cer
// for a certificate, a .p7b for a key pair's chain. Private keys stay.
func (w *keystoreWindow) onDownload(alias string) {
	var out keystore.Exported
	w.svc.do(func(k *keystore.Keystore) error {
		var err error
		out, err = k.Export(alias, false)
		return err
	}, false, func(err error) {
		if err != nil {
			showError("Download", err, w.win)
			return
		}
		w.save("Download", out.FileName, out.Data)
	})
}

// saveBytes asks where to save data, starting where the user last saved
// (saveStartDir), then writes it in the background and says where it went.
func saveBytes(parent fyne.Window, svc *keystoreService, title, fileName string, data []byte) {
	saveDialog(parent, fileName, func(path string) {
		if path != "" {
			writeSaved(parent, svc, title, path, data)
		}
	})
}

// writeSaved writes data to path, which a save dialog chose, in the
// background; the open keystore itself is never written over (see
// protect). It ends with the confirmation naming the file and its folder,
// or the error.
func writeSaved(parent fyne.Window, svc *keystoreService, title, path string, data []byte) {
	svc.bg.run(func() func() {
		err := svc.protect(path)
		if err == nil {
			err = writeFile(path, data)
		}
		return func() {
			if err != nil {
				showError(title, err, parent)
				return
			}
			rememberSaved(fyne.CurrentApp(), path)
			showSaved(title, path, "", parent)
		}
	})
}

// saveDialog shows a file save dialog and hands the chosen path to save,
// or "" when the user cancels.
func saveDialog(parent fyne.Window, fileName string, save func(path string)) {
	var exts []string
	if ext := filepath.Ext(fileName); ext != "" {
		exts = []string{ext}
	}
	saveDialogFor(parent, fileName, exts, save)
}

// saveDialogFor is saveDialog offering the file types exts (".md",
// ".html"): the caller writes what the extension chosen asks for.
func saveDialogFor(parent fyne.Window, fileName string, exts []string, save func(path string)) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			showError("Save", err, parent)
			save("")
			return
		}
		if wc == nil {
			save("")
			return
		}
		path := localPath(wc.URI())
		wc.Close()
		save(path)
	}, parent)
	d.SetFileName(fileName)
	if len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	if dir := saveStartLister(fyne.CurrentApp()); dir != nil {
		d.SetLocation(dir)
	}
	d.Resize(fileDialogSize)
	d.Show()
}

// writeFile writes a downloaded file; Fyne's dialog has created it.
func writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return &problem.Error{Source: path, What: "could not be written", Hint: "Check that the folder is writable and the disk is not full.", Detail: err.Error()}
	}
	return nil
}

// onDelete asks before deleting: only a backup brings the entry back.
func (w *keystoreWindow) onDelete(alias string) {
	i, ok := w.model.byAlias[alias]
	if !ok {
		return
	}
	what := entryLabel(w.model.Rows[i].Entry.Type, alias)
	askConfirm(w.win, "Delete Entry", "Delete "+what+"?\n\nOnly restoring a backup brings it back.", "Delete", widget.DangerImportance, func(ok bool) {
		if !ok {
			return
		}
		w.svc.edit(w.win, func(k *keystore.Keystore) error { return k.Delete(alias) }, func(err error) {
			if err != nil {
				showError("Delete", err, w.win)
			}
		})
	})
}

// onBackUp saves a copy of the keystore beside it, as Back Up does.
func (w *keystoreWindow) onBackUp() {
	var b keystore.Backup
	w.svc.do(func(k *keystore.Keystore) error {
		var err error
		b, err = k.Backup()
		return err
	}, false, func(err error) {
		if err != nil {
			showError("Back Up", err, w.win)
			return
		}
		showInformation("Back Up", fmt.Sprintf("The keystore was backed up as %s\nin %s.\n\nRestore it from Backups.", b.Name, filepath.Dir(b.Path)), w.win)
	})
}

// onBackups lists the keystore's backups, newest first, each with Restore.
func (w *keystoreWindow) onBackups() {
	var list []keystore.Backup
	w.svc.do(func(k *keystore.Keystore) error {
		var err error
		list, err = k.Backups()
		return err
	}, false, func(err error) {
		if err != nil {
			showError("Backups", err, w.win)
			return
		}
		box := container.NewVBox()
		if len(list) == 0 {
			box.Add(widget.NewLabel("There are no backups yet. Back Up makes one."))
		}
		var d *keyedDialog
		for _, b := range list {
			restore := newKeyButton("Restore", widget.MediumImportance, func() { d.Hide(); w.onRestore(b.Name) })
			setEnabled(restore, !w.model.ReadOnly)
			info := widget.NewLabel(fmt.Sprintf("%s    %s    %s", b.Created.Local().Format(dateFormat), humanBytes(b.Size), b.Name))
			info.Truncation = fyne.TextTruncateEllipsis
			box.Add(container.NewBorder(nil, nil, nil, restore, info))
		}
		d = newKeyedDialog(w.win, "Backups", container.NewVScroll(box), "", "Close", nil)
		d.Resize(fyne.NewSize(760, 420))
		d.Show()
	})
}

func (w *keystoreWindow) onRestore(name string) {
	msg := fmt.Sprintf("Replace the keystore with the backup %s?\n\nThe keystore as it is now is backed up first, so this can be undone.", name)
	askConfirm(w.win, "Restore Backup", msg, "Restore", widget.HighImportance, func(ok bool) {
		if !ok {
			return
		}
		var safety keystore.Backup
		w.svc.edit(w.win, func(k *keystore.Keystore) error {
			var err error
			safety, err = k.Restore(name)
			return err
		}, func(err error) {
			if err != nil {
				showError("Restore Backup", err, w.win)
				return
			}
			showInformation("Restore Backup", fmt.Sprintf("Restored %s.\nThe keystore as it was is saved as the backup %s.", name, safety.Name), w.win)
		})
	})
}

func (w *keystoreWindow) onRefresh() {
	w.svc.refresh(func(err error) {
		if err != nil {
			showError("Refresh", err, w.win)
		}
	})
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
