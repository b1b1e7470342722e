package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// onDownloadForUpload saves a copy of the keystore to upload to the
// tenant (Add ▾ Keystore there), protected by a password the user types
// twice. What the tenant would refuse is said before and after.
func (w *keystoreWindow) onDownloadForUpload() {
	var check keystore.UploadCheck
	w.svc.do(func(k *keystore.Keystore) error {
		check = k.CheckUpload(k.Size())
		return nil
	}, false, func(err error) {
		if err != nil {
			showError("Download", err, w.win)
			return
		}
		w.askUploadPassword(check.Warnings)
	})
}

func (w *keystoreWindow) askUploadPassword(warnings []string) {
	pw, repeat := newPasswordPair()
	intro := widget.NewLabel("Opsdesk saves a copy of this keystore for Cloud Integration's Add ▾ Keystore. " +
		"You will type this password there. Every key pair's key is protected by it too.")
	intro.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{
		{Widget: intro},
		{Text: "Password", Widget: pw, HintText: "At least 6 characters."},
		{Text: "Repeat Password", Widget: repeat},
	}
	if len(warnings) > 0 {
		items = append(items, &widget.FormItem{Text: "Cloud Integration", Widget: warningList(warnings)})
	}
	d := newKeyedForm(w.win, "Download Keystore for Upload", "Save As…", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		password := []byte(pw.Text)
		pw.SetText("")
		repeat.SetText("")
		base := strings.TrimSuffix(filepath.Base(w.model.Path), filepath.Ext(w.model.Path))
		saveDialog(w.win, base+"-upload.jks", func(path string) {
			if path == "" {
				clear(password)
				return
			}
			w.exportForUpload(path, password)
		})
	})
	d.Resize(fyne.NewSize(620, d.MinSize().Height))
	d.Show()
	w.win.Canvas().Focus(pw)
}

// exportForUpload writes the copy in the background, then zeroes the
// password.
func (w *keystoreWindow) exportForUpload(path string, password []byte) {
	w.bg.run(func() func() {
		defer clear(password)
		var check keystore.UploadCheck
		err := w.svc.protect(path)
		if err == nil {
			err = w.svc.use(func(k *keystore.Keystore) error {
				var err error
				check, err = k.ExportForUpload(path, password)
				return err
			})
		}
		return func() {
			if err != nil {
				showError("Download", err, w.win)
				return
			}
			w.showUploadSaved(path, check.Warnings)
		}
	})
}

func (w *keystoreWindow) showUploadSaved(path string, warnings []string) {
	rememberSaved(w.app, path)
	msg := widget.NewLabel(fmt.Sprintf("Saved %s\nin %s.\n\n", filepath.Base(path), displayPath(filepath.Dir(path))) +
		"Upload it in Cloud Integration with Keystore → Add ▾ Keystore and the password you chose.")
	msg.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(msg)
	if len(warnings) > 0 {
		box.Add(heading("Cloud Integration will object to:"))
		box.Add(warningList(warnings))
	}
	showMessage("Download", container.New(&minWidthLayout{width: 520}, box), w.win)
}

// warningList shows the upload check's warnings, each with a warning sign.
func warningList(warnings []string) fyne.CanvasObject {
	box := container.NewVBox()
	for _, s := range warnings {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		box.Add(container.NewBorder(nil, nil, lineIcon(theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameWarning)), nil, l))
	}
	return box
}
