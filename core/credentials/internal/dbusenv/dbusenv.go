// Package dbusenv stops the keyring library from starting a D-Bus daemon of
// its own. On Linux, github.com/99designs/keyring connects to the session bus
// in init(); with no bus address in the environment and no socket at
// /run/user/UID/bus, its D-Bus library runs `dbus-launch`, which starts a
// dbus-daemon that outlives Opsdesk (one more on every run) and, with the
// daemon's output pipe still open, can keep the caller waiting. A bus started
// that way has no keyring in it anyway.
//
// Importing this package before the keyring library makes the address point
// nowhere for the length of the library's init, so that the Secret Service
// and KWallet are simply absent and the file backend is chosen; Restore puts
// the environment back afterwards. It must import nothing but the standard
// library: Go initialises packages in import-path order once their own imports
// are ready, so this one (github.com/opsdesk/…) runs before os/exec (o…), and
// therefore before the D-Bus library that needs os/exec.
package dbusenv

import (
	"os"
	"path/filepath"
	"strconv"
)

const variable = "DBUS_SESSION_BUS_ADDRESS"

// nowhere is an address no D-Bus transport understands: connecting fails at
// once, without starting or waiting for anything.
const nowhere = "disabled:"

var guarded bool

func init() {
	if busAvailable() {
		return
	}
	guarded = os.Setenv(variable, nowhere) == nil
}

// busAvailable mirrors how the D-Bus library finds a session bus without
// launching one: the variable (unless it asks for autolaunch), or the socket
// systemd creates for the user's session.
func busAvailable() bool {
	if a := os.Getenv(variable); a != "" && a != "autolaunch:" {
		return true
	}
	_, err := os.Stat(filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "bus"))
	return err == nil
}

// Guarded reports whether there was no session bus when the program started,
// so the keyring library saw none.
func Guarded() bool { return guarded }

// Restore undoes the guard once the keyring library is initialised, so that
// programs Opsdesk starts see the environment it was given.
func Restore() {
	if guarded && os.Getenv(variable) == nowhere {
		os.Unsetenv(variable)
	}
}
