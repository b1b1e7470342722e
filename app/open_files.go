package main

// Files given on the command line: what a file manager passes when the user
// picks "Open with Opsdesk" on a certificate or a keystore (the .desktop
// entry's Exec=opsdesk %F, the Windows open verb's "%1").

import (
	"os"
	"path/filepath"
	"strings"
)

// openableExts are the files the Keystore window imports or opens. They match
// the [CanOpen] MIME types in FyneApp.toml and the Windows installer's
// associations.
var openableExts = map[string]bool{
	".cer": true, ".crt": true, ".pem": true, ".der": true, ".p7b": true,
	".zip": true, ".jks": true, ".p12": true,
}

// filesToOpen reports whether args name files for the app to open rather
// than a headless command: every argument must be an existing regular file
// with one of openableExts. No command name has such an extension, so a file
// that happens to be called "version" cannot take a command's place.
func filesToOpen(args []string) ([]string, bool) {
	if len(args) == 0 {
		return nil, false
	}
	files := make([]string, 0, len(args))
	for _, arg := range args {
		if !openableExts[strings.ToLower(filepath.Ext(arg))] {
			return nil, false
		}
		fi, err := os.Stat(arg)
		if err != nil || !fi.Mode().IsRegular() {
			return nil, false
		}
		if abs, err := filepath.Abs(arg); err == nil {
			arg = abs
		}
		files = append(files, arg)
	}
	return files, true
}
