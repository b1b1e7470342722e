package main

// Files given on the command line: what a file manager passes when the user
// picks "Open with Opsdesk" on a certificate or a keystore (the .desktop
// entry's Exec=opsdesk %F, the Windows open verb's "%1"), and what a drop
// on the launcher passes.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/opsdesk/opsdesk/internal/cli"
)

// filesToOpen tells what the arguments mean. Unless the first is a
// command (a file called "version" does not take the command's place:
// type ./version to open it) or an option, an argument that exists (a file of any kind, even a folder)
// means "open these files": every argument comes back in files, made
// absolute, and the window names those it cannot read with the reason,
// as it does for a drop. When none exists but the first looks like a file
// (it has an extension or a folder in it), they all come back in missing,
// for one sentence instead of "unknown command". Otherwise both are nil:
// no arguments, or a command for cli.Run.
func filesToOpen(args []string) (files, missing []string) {
	if len(args) == 0 || cli.IsCommand(args[0]) || strings.HasPrefix(args[0], "-") {
		// An option first is a command line gone wrong ("opsdesk
		// --keystore my.jks list"), for cli.Run to say so.
		return nil, nil
	}
	exists := false
	for _, arg := range args {
		if _, err := os.Lstat(arg); err == nil {
			exists = true
			break
		}
	}
	switch {
	case exists:
		files = make([]string, len(args))
		for i, arg := range args {
			if abs, err := filepath.Abs(arg); err == nil {
				arg = abs
			}
			files[i] = arg
		}
		return files, nil
	case looksLikeFile(args[0]):
		return nil, args
	}
	return nil, nil
}

// looksLikeFile tells a file name someone meant ("gone.cer",
// "certs/x") from a mistyped command ("verison") or an option.
func looksLikeFile(arg string) bool {
	if arg == "" || strings.HasPrefix(arg, "-") {
		return false
	}
	return filepath.Ext(arg) != "" || strings.ContainsRune(arg, '/') || strings.ContainsRune(arg, filepath.Separator)
}

// notFound is the one sentence for files that do not exist.
func notFound(missing []string) string {
	quoted := make([]string, len(missing))
	for i, m := range missing {
		quoted[i] = fmt.Sprintf("%q", m)
	}
	where := ""
	if wd, err := os.Getwd(); err == nil {
		where = " in " + wd
	}
	subject := quoted[0] + " does not exist"
	if n := len(quoted); n > 1 {
		subject = strings.Join(quoted[:n-1], ", ") + " and " + quoted[n-1] + " do not exist"
	}
	return fmt.Sprintf("opsdesk: %s%s, so there is nothing to open; check the name, or run \"opsdesk help\" for the commands.", subject, where)
}
