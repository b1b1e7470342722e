// Package opsdesk holds the application metadata shared by the desktop app
// and the headless commands. FyneApp.toml is the single source of truth: the
// fyne packaging tool reads it, and this package embeds it so `opsdesk version`
// can never disagree with the installers.
package opsdesk

import (
	_ "embed"
	"strconv"
	"strings"
)

// AppID is the Fyne application ID; it must match ID in FyneApp.toml
// (metadata_test.go checks) because preferences and storage are keyed on it.
const AppID = "io.opsdesk.app"

//go:embed FyneApp.toml
var fyneAppTOML string

//go:embed assets/icon.png
var icon []byte

// Version returns the application version as "VERSION (build N)".
func Version() string {
	d := details()
	v := d["Version"]
	if v == "" {
		v = "unknown"
	}
	if b := d["Build"]; b != "" {
		return v + " (build " + b + ")"
	}
	return v
}

// AppName returns the display name from FyneApp.toml.
func AppName() string {
	if n := details()["Name"]; n != "" {
		return n
	}
	return "Opsdesk"
}

// Icon returns the PNG application icon.
func Icon() []byte { return icon }

// details reads the key = value pairs of the [Details] table. FyneApp.toml is
// ours and flat, so a line parser is enough and avoids a TOML dependency.
func details() map[string]string {
	out := map[string]string{}
	section := ""
	for _, line := range strings.Split(fyneAppTOML, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		if section != "Details" {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		if s, err := strconv.Unquote(val); err == nil {
			val = s
		}
		out[strings.TrimSpace(key)] = val
	}
	return out
}
