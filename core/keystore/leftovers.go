package keystore

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/opsdesk/opsdesk/core/internal/atomicfile"
)

// leftoverAge is how old a temporary file of writeAtomic must be before it
// counts as left behind by a save that was killed (SIGKILL, power loss)
// rather than one another process is writing right now: a save takes
// well under a second, so a quarter of an hour is a wide margin.
var leftoverAge = 15 * time.Minute

// tempPrefix starts the names of writeAtomic's temporary files for path.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// removeLeftovers deletes the temporary files killed saves of path left in
// its folder. Only names writeAtomic makes (".NAME.tmp-" and digits) are
// touched.
func removeLeftovers(path string, now time.Time) {
	prefix := tempPrefix(path)
	isTemp := func(name string) bool {
		return strings.HasPrefix(name, prefix) && allDigits(name[len(prefix):])
	}
	atomicfile.RemoveStale(filepath.Dir(path), isTemp, leftoverAge, now)
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
