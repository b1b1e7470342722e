package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
)

// Every window has a menu bar whose items carry keyboard shortcuts: the
// desktop driver runs a menu's shortcut before the focused widget sees the
// key, so they work while the cursor is in a text field, where shortcuts
// added to the canvas would be swallowed. Shortcuts use Ctrl (Cmd on
// macOS): a key without a modifier is typing.

// withKey is a Ctrl/Cmd+key shortcut.
func withKey(key fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
}

// withShiftKey is a Ctrl/Cmd+Shift+key shortcut.
func withShiftKey(key fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
}

// withAltKey is an Alt+key shortcut (Option on macOS), for moving within
// a window while Ctrl+digits move between windows. Alt alone, pressed and
// released, opens the menu bar; with a key it is a shortcut like any other.
func withAltKey(key fyne.KeyName) fyne.Shortcut {
	return &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierAlt}
}

// menuItem is a menu item with its shortcut (nil for none).
func menuItem(label string, key fyne.Shortcut, action func()) *fyne.MenuItem {
	item := fyne.NewMenuItem(label, action)
	item.Shortcut = key
	return item
}

// closeItem closes the window the way its close button does (the tool
// windows hide, to come back as they were): the menu's last item, as
// desktop users expect, with the usual Ctrl+W.
func closeItem(close func()) *fyne.MenuItem {
	return menuItem("Close Window", withKey(fyne.KeyW), close)
}
