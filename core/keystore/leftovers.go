package keystore

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// leftoverAge is how old a temporary file of writeAtomic must be before it
// counts as left behind by a save that was killed (SIGKILL, power loss)
// rather than one another process is writing right now: a save takes
// well under a second, so a quarter of an hour is a wide margin.
var leftoverAge = 15 * time.Minute

// removeLeftovers deletes the temporary files killed saves of path left in
// its folder. Only names writeAtomic makes (".NAME.tmp-" and digits) are
// touched, and failures are ignored: this is tidying, never a reason for a
// save to fail.
func removeLeftovers(path string, now time.Time) {
	dir, prefix := filepath.Dir(path), "."+filepath.Base(path)+".tmp-"
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !allDigits(name[len(prefix):]) || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > leftoverAge {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
