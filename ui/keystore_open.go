package ui

import (
	"errors"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/keystore"
)

// keystoreOpener asks which keystore file to work on, and its password,
// when the app's own keystore is not open or another is wanted.
type keystoreOpener struct {
	app fyne.App
	svc *keystoreService
}

// ensure runs then at once if a keystore is open, or after the user has
// opened or created one; cancelled (if any) when the user cancels.
func (o *keystoreOpener) ensure(parent fyne.Window, why string, then, cancelled func()) {
	if o.svc.Model() != nil {
		then()
		return
	}
	msg := widget.NewLabel(why + "\n\nOpen a Java keystore (.jks), or create a new one.")
	msg.Wrapping = fyne.TextWrapWord
	creating := false
	var d *keyedDialog
	d = newKeyedDialog(parent, "No Keystore Open", container.New(&minWidthLayout{width: 420}, msg), "Open Keystore…", "Cancel", func(ok bool) {
		switch {
		case ok:
			o.browse(parent, then)
		case creating:
			o.create(parent, then)
		case cancelled != nil:
			cancelled()
		}
	})
	createBtn := newKeyButton("Create Keystore…", widget.MediumImportance, func() {
		creating = true
		d.Hide()
	})
	d.SetButtons([]fyne.CanvasObject{d.cancel, createBtn, d.confirm})
	d.Show()
}

// lastDir is where file dialogs start: beside the last keystore.
func (o *keystoreOpener) lastDir() fyne.ListableURI {
	last := o.app.Preferences().String(prefLastKeystore)
	if last == "" {
		return nil
	}
	l, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(last)))
	if err != nil {
		return nil
	}
	return l
}

// browse lets the user pick a keystore file (JKS, or PKCS#12 to look at
// and save as JKS), then asks its password.
func (o *keystoreOpener) browse(parent fyne.Window, then func()) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			showError("Open Keystore", err, parent)
			return
		}
		if r == nil {
			return // cancelled
		}
		path := localPath(r.URI())
		r.Close()
		o.askPassword(parent, path, "", then)
	}, parent)
	d.SetFilter(storage.NewExtensionFileFilter(keystore.Extensions))
	if l := o.lastDir(); l != nil {
		d.SetLocation(l)
	}
	d.Resize(fileDialogSize)
	d.Show()
}

var fileDialogSize = fyne.NewSize(800, 560)

// askPassword asks the password of the keystore at path and opens it;
// problem, when not empty, says why the last try failed.
func (o *keystoreOpener) askPassword(parent fyne.Window, path, problem string, then func()) {
	o.askPasswordOr(parent, path, problem, then, nil)
}

// askPasswordOr is askPassword that runs cancelled (if any) when the user
// cancels.
func (o *keystoreOpener) askPasswordOr(parent fyne.Window, path, problem string, then, cancelled func()) {
	pw := newKeyPasswordEntry()
	readOnly := newKeyCheck("Open without the password (read-only: look and download, change nothing)", func(on bool) {
		if on {
			pw.Disable()
		} else {
			pw.Enable()
		}
	})
	items := []*widget.FormItem{
		{Text: "Keystore", Widget: widget.NewLabel(filepath.Base(path))},
		{Text: "Password", Widget: pw},
		{Text: "", Widget: readOnly},
	}
	if problem != "" {
		msg := widget.NewLabel(problem)
		msg.Importance = widget.DangerImportance
		msg.Wrapping = fyne.TextWrapWord
		items = append(items, &widget.FormItem{Widget: msg})
	}
	d := newKeyedForm(parent, "Open Keystore", "Open", "Cancel", items, func(ok bool) {
		if !ok {
			if cancelled != nil {
				cancelled()
			}
			return
		}
		password := []byte(pw.Text)
		pw.SetText("")
		ro := readOnly.Checked
		o.svc.open(func() (*keystore.Keystore, error) {
			defer clear(password)
			if ro {
				return keystore.OpenReadOnly(path)
			}
			return keystore.Open(path, password)
		}, func(err error) {
			if errors.Is(err, keystore.ErrWrongPassword) {
				sentence, _ := explained(err)
				o.askPasswordOr(parent, path, sentence, then, cancelled)
				return
			}
			if err != nil {
				showError("Open Keystore", err, parent)
				return
			}
			o.app.Preferences().SetString(prefLastKeystore, path)
			then()
		})
	})
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
	parent.Canvas().Focus(pw)
}

// create lets the user name a new keystore file and choose its password.
func (o *keystoreOpener) create(parent fyne.Window, then func()) {
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			showError("Create Keystore", err, parent)
			return
		}
		if wc == nil {
			return
		}
		path := localPath(wc.URI())
		wc.Close()
		o.askNewPassword(parent, path, then)
	}, parent)
	d.SetFileName("keystore.jks")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".jks"}))
	if l := o.lastDir(); l != nil {
		d.SetLocation(l)
	}
	d.Resize(fileDialogSize)
	d.Show()
}

// askNewPassword asks a new keystore's password twice, then creates it.
func (o *keystoreOpener) askNewPassword(parent fyne.Window, path string, then func()) {
	pw, repeat := newPasswordPair()
	items := []*widget.FormItem{
		{Text: "Keystore", Widget: widget.NewLabel(filepath.Base(path))},
		{Text: "Password", Widget: pw, HintText: "At least 6 characters. Keep it: nobody can recover it."},
		{Text: "Repeat Password", Widget: repeat},
	}
	d := newKeyedForm(parent, "Create Keystore", "Create", "Cancel", items, func(ok bool) {
		if !ok {
			o.svc.bg.run(func() func() { removeIfEmpty(path); return nil })
			return
		}
		password := []byte(pw.Text)
		pw.SetText("")
		repeat.SetText("")
		o.svc.open(func() (*keystore.Keystore, error) {
			defer clear(password)
			removeIfEmpty(path)
			return keystore.Create(path, password)
		}, func(err error) {
			if err != nil {
				showError("Create Keystore", err, parent)
				return
			}
			o.app.Preferences().SetString(prefLastKeystore, path)
			then()
		})
	})
	d.Resize(fyne.NewSize(520, d.MinSize().Height))
	d.Show()
	parent.Canvas().Focus(pw)
}

// removeIfEmpty removes the empty file Fyne's save dialog leaves behind:
// it creates (or, after asking, empties) the file it hands over, while
// keystore.Create refuses to write over any file.
func removeIfEmpty(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		os.Remove(path)
	}
}

// newPasswordPair returns a password entry and its repetition, validated
// so that a form's confirm button stays disabled until both agree and the
// password is long enough for keytool.
func newPasswordPair() (pw, repeat *keyEntry) {
	pw, repeat = newKeyPasswordEntry(), newKeyPasswordEntry()
	pw.Validator = func(s string) error {
		if len([]rune(s)) < keystore.MinPasswordLength {
			return errors.New("at least 6 characters")
		}
		return nil
	}
	repeat.Validator = func(s string) error {
		if s != pw.Text {
			return errors.New("the two passwords differ")
		}
		return nil
	}
	pw.OnChanged = func(string) { repeat.Validate() }
	return pw, repeat
}
