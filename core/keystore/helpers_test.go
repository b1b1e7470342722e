package keystore_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// keytool runs the JDK's keytool in English with UTF-8 arguments.
func keytool(t testing.TB, args ...string) string {
	t.Helper()
	path := certtest.Tool(t, "keytool")
	cmd := exec.Command(path, append([]string{"-J-Duser.language=en", "-J-Duser.country=US", "-J-Dsun.jnu.encoding=UTF-8", "-J-Dfile.encoding=UTF-8"}, args...)...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keytool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keytoolFingerprints lists alias → SHA-256 of the entry's first
// certificate, from keytool -list -v.
func keytoolFingerprints(t testing.TB, file, storepass string) map[string]string {
	t.Helper()
	args := []string{"-list", "-v", "-keystore", file}
	if storepass != "" {
		args = append(args, "-storepass", storepass)
	}
	out := keytool(t, args...)
	got := map[string]string{}
	alias := ""
	aliasRe := regexp.MustCompile(`^Alias name: (.*)$`)
	shaRe := regexp.MustCompile(`^\s*SHA256: ([0-9A-F:]+)$`)
	for _, line := range strings.Split(out, "\n") {
		if m := aliasRe.FindStringSubmatch(line); m != nil {
			alias = m[1]
			continue
		}
		if m := shaRe.FindStringSubmatch(line); m != nil && alias != "" {
			got[alias] = m[1]
			alias = ""
		}
	}
	return got
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// newStore creates an empty keystore in a temporary folder.
func newStore(t testing.TB, password string) *keystore.Keystore {
	t.Helper()
	k, err := keystore.Create(filepath.Join(t.TempDir(), "keystore.jks"), []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	return k
}

func aliases(k *keystore.Keystore) []string {
	var out []string
	for _, e := range k.Entries() {
		out = append(out, e.Alias)
	}
	return out
}
