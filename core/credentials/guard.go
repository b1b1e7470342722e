package credentials

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/99designs/keyring"
)

// A keyring backend is code of another project talking to a service of the
// operating system, and it may panic on an answer it did not expect: under
// Wine, danieljoos/wincred v1.1.2 read a nil credential after a successful
// CredReadW, and 99designs/keyring's windowsKeyring.Get dereferenced it
// (wincred.go:51). Store.do runs keyring calls on a goroutine of their own,
// where a panic ends the whole process, the app's windows with it. So every
// call into a backend goes through guardedRing, which turns a panic into a
// *problem.Error naming the keyring, and the process goes on.

// guardedRing is the boundary between the Store and the keyring library.
type guardedRing struct {
	ring  keyring.Keyring
	where string // Store.Where: "Windows Credential Manager"
}

func guard(ring keyring.Keyring, where string) *guardedRing {
	return &guardedRing{ring: ring, where: where}
}

func (g *guardedRing) Get(key string) (item keyring.Item, err error) {
	defer recoverBackend(g.where, "read an entry", false, &err)
	return g.ring.Get(key)
}

func (g *guardedRing) GetMetadata(key string) (m keyring.Metadata, err error) {
	defer recoverBackend(g.where, "read an entry's details", false, &err)
	return g.ring.GetMetadata(key)
}

func (g *guardedRing) Set(item keyring.Item) (err error) {
	defer recoverBackend(g.where, "store an entry", true, &err)
	return g.ring.Set(item)
}

func (g *guardedRing) Remove(key string) (err error) {
	defer recoverBackend(g.where, "remove an entry", true, &err)
	return g.ring.Remove(key)
}

func (g *guardedRing) Keys() (keys []string, err error) {
	defer recoverBackend(g.where, "list the entries", false, &err)
	return g.ring.Keys()
}

// recoverBackend, deferred, turns a panic of the call it guards into *err.
// changing says whether the call may have changed the keyring before it
// stopped, which decides what the message can promise.
func recoverBackend(where, what string, changing bool, err *error) {
	v := recover()
	if v == nil {
		return
	}
	hint := "Try again; if it keeps happening, set " + BackendEnv + "=file to use an encrypted file instead."
	if changing {
		hint += ` Run "opsdesk credentials list" to see whether the change was made.`
	} else {
		hint += nothingChanged
	}
	// The library's words and where they came from, for support: the
	// panic value alone ("invalid memory address") says nothing of which
	// code gave up.
	detail := fmt.Sprintf("panic: %v", v)
	if at := panicSite(); at != "" {
		detail += " in " + at
	}
	e := newError(ErrFailed, "", fmt.Sprintf("%s did not answer as expected when asked to %s", capitalize(where), what), hint, nil)
	e.Detail = detail
	*err = e
}

// panicSite names the function that panicked, called from a deferred
// function during the panic: the first frame that is not the runtime's and
// not this file's.
func panicSite() string {
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	for {
		f, more := frames.Next()
		if f.Function != "" && !strings.HasPrefix(f.Function, "runtime.") && !strings.HasSuffix(f.File, "/credentials/guard.go") {
			return fmt.Sprintf("%s (%s:%d)", f.Function, filepath.Base(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}

// openGuarded is keyring.Open behind the same boundary: the library panics
// on some configurations (a nil FilePasswordFunc, for one).
func openGuarded(cfg keyring.Config, where string) (ring keyring.Keyring, err error) {
	defer recoverBackend(where, "open", false, &err)
	return keyring.Open(cfg)
}
