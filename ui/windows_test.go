package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// placedApp is the test app with every window it makes recorded: whether
// it was centred before it was first shown, and how often it was shown
// (brought forward). Fyne's test windows do neither.
type placedApp struct {
	fyne.App
	windows []*placedWindow
}

type placedWindow struct {
	fyne.Window
	centred        bool
	shownUncentred bool
	shows          int
}

func (a *placedApp) NewWindow(title string) fyne.Window {
	w := &placedWindow{Window: a.App.NewWindow(title)}
	a.windows = append(a.windows, w)
	return w
}

func (w *placedWindow) CenterOnScreen() { w.centred = true; w.Window.CenterOnScreen() }

func (w *placedWindow) Show() {
	if !w.centred {
		w.shownUncentred = true
	}
	w.shows++
	w.Window.Show()
}

// newPlacedHome is the real Home, with Security Material, on a placedApp.
func newPlacedHome(t *testing.T) (*Home, *placedApp) {
	t.Helper()
	s := newTestStore(t)
	a := &placedApp{App: test.NewTempApp(t)}
	h := New(a, Options{})
	t.Cleanup(func() {
		if slices.Contains(a.App.Driver().AllWindows(), h.win.(*placedWindow).Window) {
			h.win.Close()
		}
	})
	h.useSecurityMaterial(s)
	settle(t, h)
	return h, a
}

// TestEveryWindowReachesTheOthers: each window's menu bar has the Window
// menu, with Overview on Ctrl+0, the three tools on Ctrl+1–3 as on Home
// and Connect a Mail Account on Ctrl+4, the window it is in checked; no two items of one window share a
// shortcut (the Connectivity Tests' tabs moved to Alt+1–4 for that); and
// each item brings its window forward.
func TestEveryWindowReachesTheOthers(t *testing.T) {
	h, _ := newPlacedHome(t)
	for _, label := range []string{TileSecurityMaterial, TileKeystore, TileConnectivityTests, WindowConnect} {
		findMenuItem(h.win, label).Action()
		settle(t, h) // each window reads its data in the background first
	}
	if h.smWin == nil || h.ksWin == nil || h.connWin == nil || h.mailWin == nil {
		t.Fatalf("Home's menu opened Security Material %v, Keystore %v, Connectivity Tests %v, Connect a Mail Account %v",
			h.smWin != nil, h.ksWin != nil, h.connWin != nil, h.mailWin != nil)
	}
	windows := []struct {
		name string
		win  fyne.Window
	}{
		{"Overview", h.win}, {TileSecurityMaterial, h.smWin.win}, {TileKeystore, h.ksWin.win}, {TileConnectivityTests, h.connWin.win},
		{WindowConnect, h.mailWin.win},
	}
	want := []struct {
		label string
		key   fyne.KeyName
	}{{"Overview", fyne.Key0}, {TileSecurityMaterial, fyne.Key1}, {TileKeystore, fyne.Key2}, {TileConnectivityTests, fyne.Key3},
		{WindowConnect, fyne.Key4}}

	for _, from := range windows {
		var menu *fyne.Menu
		seen := map[string]string{}
		for _, m := range from.win.MainMenu().Items {
			if m.Label == "Window" {
				menu = m
			}
			for _, it := range m.Items {
				if it.Shortcut == nil {
					continue
				}
				name := it.Shortcut.ShortcutName()
				if other, dup := seen[name]; dup {
					t.Errorf("%s: %q and %q share the shortcut %s", from.name, other, it.Label, name)
				}
				seen[name] = it.Label
			}
		}
		if menu == nil {
			t.Errorf("%s has no Window menu", from.name)
			continue
		}
		if len(menu.Items) != len(want) {
			t.Errorf("%s: Window menu has %d items", from.name, len(menu.Items))
			continue
		}
		for i, w := range want {
			it := menu.Items[i]
			sc, ok := it.Shortcut.(*desktop.CustomShortcut)
			if it.Label != w.label || !ok || sc.KeyName != w.key || sc.Modifier != fyne.KeyModifierShortcutDefault {
				t.Errorf("%s: Window menu item %d is %q with %#v, want %s on Ctrl+%s", from.name, i, it.Label, it.Shortcut, w.label, w.key)
			}
			if it.Checked != (w.label == from.name) {
				t.Errorf("%s: %q checked %v", from.name, it.Label, it.Checked)
			}
		}
		for i, to := range windows {
			before := to.win.(*placedWindow).shows
			menu.Items[i].Action()
			settle(t, h)
			if to.win.(*placedWindow).shows == before {
				t.Errorf("%s: Window ▸ %s did not bring %s forward", from.name, menu.Items[i].Label, to.name)
			}
		}
	}

	// Alt+1–4 choose the Connectivity Tests' tabs, with the cursor in Host.
	c := h.connWin
	for i, p := range []connectivity.Protocol{connectivity.TLS, connectivity.SMTP, connectivity.IMAP, connectivity.POP3} {
		it := findMenuItem(c.win, string(p))
		sc, ok := it.Shortcut.(*desktop.CustomShortcut)
		if !ok || sc.Modifier != fyne.KeyModifierAlt || sc.KeyName != fyne.KeyName(rune('1'+i)) {
			t.Fatalf("%s: shortcut %#v, want Alt+%d", p, it.Shortcut, i+1)
		}
		it.Action()
		if c.tabs.Selected().Text != string(p) || c.win.Canvas().Focused() != c.tab(p).host {
			t.Errorf("Alt+%d shows %q with focus on %T", i+1, c.tabs.Selected().Text, c.win.Canvas().Focused())
		}
	}
}

// TestWindowsOpenCentred: every window is centred before it is first
// shown, not left where the desktop drops it (under X without a window
// manager, all at the top left corner, one on the other).
func TestWindowsOpenCentred(t *testing.T) {
	h, a := newPlacedHome(t)
	h.win.Show()
	h.showSecurityMaterial()
	settle(t, h) // it reads the keyring in the background
	h.showKeystore()
	h.showConnectivity()
	settle(t, h) // it lists the credentials in the background
	h.showConnect()
	settle(t, h)
	if len(a.windows) != 5 {
		t.Fatalf("%d windows made, want 5", len(a.windows))
	}
	for _, w := range a.windows {
		if !w.centred || w.shownUncentred {
			t.Errorf("%q: centred %v, shown before it was centred %v", w.Title(), w.centred, w.shownUncentred)
		}
	}
}
