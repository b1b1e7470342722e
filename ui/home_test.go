package ui

import (
	"crypto/x509"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

func TestHomeShowsTiles(t *testing.T) {
	a := test.NewTempApp(t)
	w := NewHome(a)
	defer w.Close()

	if w.Title() != "Opsdesk" {
		t.Errorf("title = %q, want Opsdesk", w.Title())
	}
	all := joined(w.Content())
	mustContain(t, "Home", all, "Manage Security", TileSecurityMaterial, TileKeystore, TileConnectivityTests)
}

func TestTilesOpenTheirWindowsOnce(t *testing.T) {
	h := newTestHome(t)

	if !h.securityMaterial.button.Disabled() {
		t.Error("the Security Material tile is enabled but has no window behind it yet")
	}
	if h.securityMaterial.title.Importance != widget.LowImportance || h.securityMaterial.count.Segments[0].(*widget.TextSegment).Style.ColorName != theme.ColorNameDisabled {
		t.Error("the Security Material placeholder does not look disabled")
	}

	test.Tap(h.keystoreTile.button)
	first := h.ksWin
	if first == nil {
		t.Fatal("the Keystore tile opened no window")
	}
	test.Tap(h.keystoreTile.button)
	if h.ksWin != first {
		t.Error("a second tap opened a second Keystore window instead of bringing the first forward")
	}
	test.Tap(h.connectivityTile.button)
	if h.connWin == nil {
		t.Fatal("the Connectivity Tests tile opened no window")
	}
	mustContain(t, "Keystore window", joined(h.ksWin.win.Content()), "Overview / Manage Keystore")
	mustContain(t, "Connectivity window", joined(h.connWin.win.Content()), "Overview / Test Connectivity", "TLS", "SMTP", "IMAP", "POP3")

	opened := false
	h.EnableSecurityMaterial(func() { opened = true })
	test.Tap(h.securityMaterial.button)
	if !opened {
		t.Error("EnableSecurityMaterial did not make the tile open the window")
	}
}

func TestKeystoreTileCountsExpiry(t *testing.T) {
	h := newTestHome(t)
	now := time.Now()
	path := newKeystore(t, map[string]*x509.Certificate{
		"fine":    certValid(t, "Fine", now.Add(-time.Hour), now.AddDate(1, 0, 0)),
		"soon":    certValid(t, "Soon", now.Add(-time.Hour), now.AddDate(0, 0, 10)),
		"soon2":   certValid(t, "Soon Too", now.Add(-time.Hour), now.AddDate(0, 0, 29)),
		"expired": certValid(t, "Expired", now.AddDate(-1, 0, 0), now.AddDate(0, 0, -1)),
	})
	if got := h.keystoreTile.count.String(); got != "–  no keystore open" {
		t.Errorf("before opening: %q", got)
	}
	openKeystore(t, h, path)
	tile := h.keystoreTile
	if got := tile.count.String(); got != "4  entries" {
		t.Errorf("count %q", got)
	}
	segs := tile.alerts.Segments
	if len(segs) != 2 {
		t.Fatalf("alerts %q", tile.alerts.String())
	}
	soon, expired := segs[0].(*widget.TextSegment), segs[1].(*widget.TextSegment)
	if soon.Text != "2 expire within 30 days · " || soon.Style.ColorName != theme.ColorNameWarning {
		t.Errorf("soon: %q in %s", soon.Text, soon.Style.ColorName)
	}
	if expired.Text != "1 expired" || expired.Style.ColorName != theme.ColorNameError {
		t.Errorf("expired: %q in %s", expired.Text, expired.Style.ColorName)
	}
}

func TestHomeOpensTheOwnKeystoreWhenWired(t *testing.T) {
	path := newKeystore(t, map[string]*x509.Certificate{
		"root": certValid(t, "Root", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)),
	})
	a := test.NewTempApp(t)
	h := New(a, Options{OpenOwnKeystore: func() (*keystore.Keystore, error) {
		return keystore.Open(path, []byte(testPassword))
	}})
	defer h.win.Close()
	settle(t, h)
	if got := h.keystoreTile.count.String(); got != "1  entry" {
		t.Errorf("tile %q", got)
	}
}

// TestHomeRetriesTheOwnKeystoreAfterUnlock: the own keystore's password
// lives in the keyring; when the keyring was locked at start and is
// unlocked later, the keystore opens then, and an open keystore (one the
// user chose meanwhile) is never replaced.
func TestHomeRetriesTheOwnKeystoreAfterUnlock(t *testing.T) {
	own := newKeystore(t, map[string]*x509.Certificate{
		"root": certValid(t, "Root", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)),
	})
	locked := true
	a := test.NewTempApp(t)
	h := New(a, Options{OpenOwnKeystore: func() (*keystore.Keystore, error) {
		if locked {
			return nil, errors.New("the keyring is locked")
		}
		return keystore.Open(own, []byte(testPassword))
	}})
	defer h.win.Close()
	settle(t, h)
	if h.keystore.Model() != nil {
		t.Fatal("a keystore opened while the keyring was locked")
	}
	locked = false
	h.RetryOwnKeystore()
	settle(t, h)
	if m := h.keystore.Model(); m == nil || m.Path != own {
		t.Fatalf("the own keystore did not open after the unlock: %+v", m)
	}

	other := newKeystore(t, nil)
	openKeystore(t, h, other)
	h.RetryOwnKeystore()
	settle(t, h)
	if m := h.keystore.Model(); m.Path != other {
		t.Errorf("the keystore the user opened was replaced by %s", m.Path)
	}
}

// TestHomeMenuOpensEachTile: the tiles by keyboard (Ctrl+1–3), as tapping
// them does; a disabled tile's item does nothing.
func TestHomeMenuOpensEachTile(t *testing.T) {
	h := newTestHome(t)
	for label, key := range map[string]fyne.KeyName{TileSecurityMaterial: fyne.Key1, TileKeystore: fyne.Key2, TileConnectivityTests: fyne.Key3} {
		it := findMenuItem(h.win, label)
		if it == nil {
			t.Fatalf("no menu item %q", label)
		}
		if sc, ok := it.Shortcut.(*desktop.CustomShortcut); !ok || sc.KeyName != key {
			t.Errorf("%s: shortcut %#v", label, it.Shortcut)
		}
	}
	findMenuItem(h.win, TileSecurityMaterial).Action() // no keyring in this Home: nothing to open
	findMenuItem(h.win, TileKeystore).Action()
	findMenuItem(h.win, TileConnectivityTests).Action()
	if h.smWin != nil || h.ksWin == nil || h.connWin == nil {
		t.Errorf("menu opened Security Material %v, Keystore %v, Connectivity Tests %v", h.smWin != nil, h.ksWin != nil, h.connWin != nil)
	}

	// Quit, from any window's menu, closes Home: the sizes are remembered.
	h.ksWin.win.Resize(fyne.NewSize(1001, 701))
	quit := findMenuItem(h.ksWin.win, "Quit")
	if quit == nil || !quit.IsQuit || quit.Shortcut.(*desktop.CustomShortcut).KeyName != fyne.KeyQ {
		t.Fatalf("Quit item %+v", quit)
	}
	quit.Action()
	if slices.Contains(h.app.Driver().AllWindows(), h.win) {
		t.Error("Quit left Home open")
	}
	if s := loadSizes(h.app)["keystore"]; s != [2]float32{1001, 701} {
		t.Errorf("the Keystore window's size was not remembered: %v", s)
	}
}

// TestOpenWithWaitsForTheOwnKeystore: "Open with Opsdesk" starts the app
// with a certificate while its own keystore is still opening (the keyring
// can take seconds). The certificate is offered for the own keystore once
// it is open; before, it met "No Keystore Open", which stayed after the
// keystore had opened beneath it.
func TestOpenWithWaitsForTheOwnKeystore(t *testing.T) {
	own := newKeystore(t, nil)
	release := make(chan struct{})
	a := test.NewTempApp(t)
	h := New(a, Options{OpenOwnKeystore: func() (*keystore.Keystore, error) {
		<-release
		return keystore.Open(own, []byte(testPassword))
	}})
	defer h.win.Close()
	chain := certtest.NewChain(t, "mail.example.com")
	cer := filepath.Join(t.TempDir(), "server.cer")
	writePEM(t, cer, chain.Leaf.Cert)

	h.OpenFiles([]string{cer})
	w := h.ksWin
	if w == nil {
		t.Fatal("the Keystore window did not open")
	}
	if text := overlayText(w.win); strings.Contains(text, "No Keystore Open") {
		t.Fatalf("asked for a keystore while the own one was opening: %q", text)
	}
	close(release)
	settle(t, h)
	if m := h.keystore.Model(); m == nil || m.Path != own {
		t.Fatalf("the own keystore is not open: %+v", m)
	}
	if w.lastImport == nil || len(w.lastImport.items) != 1 {
		t.Fatal("the certificate was not offered for the own keystore")
	}
}
