// Package cleanlocale keeps Fyne from logging "Error parsing user locale C"
// at start-up under the C locale (LANG=C.UTF-8, the default on many Linux
// servers and containers), which would otherwise show on stderr of every
// headless command.
//
// Fyne's lang package reads the locale in its own init, before main runs.
// Go initialises packages in dependency order, and among those ready, by
// import path: this package needs only os, and its path sorts before
// golang.org/x/text, which lang depends on, so importing it from main
// runs this init first.
package cleanlocale

import (
	"os"
	"strings"
)

func init() {
	if _, set := os.LookupEnv("LANGUAGE"); set {
		return
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		base, _, _ := strings.Cut(v, ".")
		if base == "C" || base == "POSIX" {
			// gettext ignores LANGUAGE under the C locale, so this changes
			// nothing for the programs we start (keytool); Fyne reads it
			// first and gets a tag it can parse.
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
