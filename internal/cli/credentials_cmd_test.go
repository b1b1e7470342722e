package cli

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// credSecrets are the secrets these tests use: none may ever be printed.
var credSecrets = []string{"Cr3d-pass-Alpha", "Cr3d-pass-Bravo", "Cr3d-param-Charlie", "Cr3d-file-keyring",
	"Cr3d-oc-User", "Cr3d-oc-Org", "Cr3d-oc-Element", "Cr3d-oc-Element2"}

// credRun runs "opsdesk credentials …" with stdin, and checks that no
// secret shows in what it prints.
func credRun(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(append([]string{"credentials"}, args...), strings.NewReader(stdin), &out, &errb)
	for _, s := range credSecrets {
		if strings.Contains(out.String()+errb.String(), s) {
			t.Fatalf("a secret was printed:\n%s\n%s", out.String(), errb.String())
		}
	}
	return code, out.String(), errb.String()
}

// credBackends runs fn with the keyring chosen through the environment, as a
// user would: the encrypted file, and this system's keyring service when it
// is ours: the Secret Service inside scripts/with-secret-service.sh, or
// Credential Manager in the Windows lane's throwaway Wine prefix.
func credBackends(t *testing.T, fn func(t *testing.T, home string)) {
	service, ours, how := "secret-service", "OPSDESK_TEST_SECRET_SERVICE", "through scripts/with-secret-service.sh (make test does)"
	if runtime.GOOS == "windows" {
		service, ours, how = "wincred", "OPSDESK_TEST_WINCRED", "in make test-windows, whose Wine prefix is thrown away"
	}
	for _, backend := range []string{"file", service} {
		t.Run(backend, func(t *testing.T) {
			if backend == service && os.Getenv(ours) != "1" {
				if os.Getenv("CI") != "" {
					t.Fatalf("%s is not set: CI must run the %s tests %s", ours, service, how)
				}
				t.Skipf("skipped: the %s tests run only %s, so that they never touch your own keyring", service, how)
			}
			home := t.TempDir()
			t.Setenv("OPSDESK_HOME", home)
			t.Setenv(credentials.BackendEnv, backend)
			t.Setenv(credentials.FilePasswordEnv, "Cr3d-file-keyring")
			os.Unsetenv("OPSDESK_PASSWORD")
			os.Unsetenv("OPSDESK_KEYSTORE_PASSWORD")
			fn(t, home)
		})
	}
}

// credName is a name no test running at the same time (in this package or
// another, against the same Secret Service) uses; it is deleted afterwards.
func credName(t *testing.T, base string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := base + "-" + hex.EncodeToString(b)
	t.Cleanup(func() {
		Run([]string{"credentials", "delete", name}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	})
	return name
}

func lookup(t *testing.T, name string) (string, string) {
	t.Helper()
	s, err := credentials.Open(credentials.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, pw, err := s.Lookup(name)
	if err != nil {
		t.Fatalf("lookup %s: %v", name, err)
	}
	return u, string(pw)
}

// filesHolding lists the files under dir that contain any of secrets.
func filesHolding(t *testing.T, dir string, secrets ...string) []string {
	t.Helper()
	var hits []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				hits = append(hits, path+" holds "+s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func TestCredentialsCommands(t *testing.T) {
	credBackends(t, func(t *testing.T, home string) {
		gmail, param := credName(t, "gmail_smtp"), credName(t, "api.key")

		t.Setenv("OPSDESK_PASSWORD", "Cr3d-pass-Alpha")
		code, out, errs := credRun(t, "", "add", gmail, "--user", "ops@example.com", "--description", "Gmail alerts")
		if code != 0 || !strings.Contains(out, "Deployed "+gmail+" (User Credentials) to ") {
			t.Fatalf("add: exit %d\n%s\n%s", code, out, errs)
		}
		os.Unsetenv("OPSDESK_PASSWORD")
		// From standard input, less its final line break.
		code, out, errs = credRun(t, "Cr3d-param-Charlie\n", "add-parameter", param, "--password-stdin")
		if code != 0 || !strings.Contains(out, "(Secure Parameter)") {
			t.Fatalf("add-parameter: exit %d\n%s\n%s", code, out, errs)
		}
		if _, secret := lookup(t, param); secret != "Cr3d-param-Charlie" {
			t.Fatalf("stored parameter %q", secret)
		}

		code, out, _ = credRun(t, "", "list")
		if code != 0 || !strings.HasPrefix(out, "Security Material (") || !strings.Contains(out, "Name  ") {
			t.Fatalf("list: exit %d\n%s", code, out)
		}
		for _, want := range []string{gmail + "  ", "User Credentials", param + "  ", "Secure Parameter", "Deployed"} {
			if !strings.Contains(out, want) {
				t.Errorf("list lacks %q:\n%s", want, out)
			}
		}
		code, out, _ = credRun(t, "", "list", "--json")
		entries, err := jsonEntries(out)
		if code != 0 || err != nil {
			t.Fatalf("list --json: exit %d, %v\n%s", code, err, out)
		}
		found := 0
		for _, e := range entries {
			if e["name"] == gmail {
				found++
				for _, field := range []string{"type", "description", "user", "status", "deployedBy", "deployedOn"} {
					if _, ok := e[field]; !ok {
						t.Errorf("list --json lacks %q: %v", field, e)
					}
				}
			}
		}
		if found != 1 {
			t.Fatalf("list --json: %s", out)
		}

		// Editing the description keeps the password.
		code, out, _ = credRun(t, "", "edit", gmail, "--description", "")
		if code != 0 || !strings.Contains(out, "its password was kept") {
			t.Fatalf("edit: exit %d\n%s", code, out)
		}
		if u, pw := lookup(t, gmail); u != "ops@example.com" || pw != "Cr3d-pass-Alpha" {
			t.Fatalf("after edit: %q %q", u, pw)
		}
		code, out, _ = credRun(t, "Cr3d-pass-Bravo\r\n", "edit", gmail, "--user", "alerts@example.com", "--new-password", "--password-stdin")
		if code != 0 || !strings.Contains(out, "its password was replaced") {
			t.Fatalf("edit --new-password: exit %d\n%s", code, out)
		}
		if u, pw := lookup(t, gmail); u != "alerts@example.com" || pw != "Cr3d-pass-Bravo" {
			t.Fatalf("after edit: %q %q", u, pw)
		}

		// Undeploy, the tenant's word, as in the window; delete, as before.
		if code, out, _ = credRun(t, "", "undeploy", gmail); code != 0 || !strings.Contains(out, "Undeployed "+gmail) {
			t.Fatalf("undeploy: exit %d\n%s", code, out)
		}
		code, _, errs = credRun(t, "", "undeploy", gmail)
		if code != 1 || !strings.Contains(errs, "is not in the Security Material") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Fatalf("undeploy again: exit %d %q", code, errs)
		}
		if code, out, _ = credRun(t, "", "delete", param); code != 0 || !strings.Contains(out, "Deleted "+param) {
			t.Fatalf("delete: exit %d\n%s", code, out)
		}
		code, _, errs = credRun(t, "", "delete", param)
		if code != 1 || !strings.Contains(errs, "is not in the Security Material") {
			t.Fatalf("delete again: exit %d %q", code, errs)
		}
		if code, out, _ = credRun(t, "", "help"); code != 0 || !strings.Contains(out, "undeploy NAME") || !strings.Contains(out, "delete NAME does the same") {
			t.Fatalf("help: exit %d\n%s", code, out)
		}
		if hits := filesHolding(t, home, credSecrets[:3]...); len(hits) > 0 {
			t.Fatalf("secrets on disk: %v", hits)
		}
	})
}

func TestCredentialsUsageErrors(t *testing.T) {
	cases := [][]string{
		{},
		{"frobnicate"},
		{"add"},
		{"add", "x"},                          // no --user
		{"add", "x", "y", "--user", "u"},      // two names
		{"add-parameter", "x", "--user", "u"}, // a parameter has no user
		{"add", "x", "--user", "u", "--new-password"},
		{"edit", "x"},                     // nothing to change
		{"edit", "x", "--password-stdin"}, // stdin for what?
		{"list", "extra"},
		{"delete", "x", "--json"},
		{"undeploy", "x", "--json"},
		{"undeploy"},
		{"undeploy", "x", "y"},
		{"list", "--bogus"},
		{"add", "x", "--type", "successfactors", "--user", "u"},         // no --company-id
		{"add", "x", "--type", "openconnectors", "--user", "u"},         // its User is a secret
		{"add", "x", "--type", "oauth2", "--user", "u"},                 // no such type here
		{"add", "x", "--user", "u", "--company-id", "C1"},               // User Credentials have none
		{"add", "x", "--type", "openconnectors", "--company-id", "C1"},  // nor has OpenConnectors
		{"add-parameter", "x", "--type", "successfactors"},              // add-parameter has no type
		{"edit", "x", "--type", "openconnectors", "--description", "d"}, // the type never changes
	}
	for _, args := range cases {
		code, _, errs := credRun(t, "", args...)
		if code != 2 || (len(args) > 0 && !strings.Contains(errs, "opsdesk credentials help")) {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
	}
	if code, out, _ := credRun(t, "", "help"); code != 0 || !strings.Contains(out, "add-parameter") {
		t.Errorf("help: exit %d", code)
	}
}

// TestCredentialsBadInput: each mistake is one sentence, exit 1, and
// nothing stored changes.
func TestCredentialsBadInput(t *testing.T) {
	credBackends(t, func(t *testing.T, home string) {
		keep := credName(t, "keep")
		if code, _, errs := credRun(t, "Cr3d-pass-Alpha", "add", keep, "--user", "u", "--password-stdin"); code != 0 {
			t.Fatal(errs)
		}
		cases := []struct {
			stdin string
			args  []string
			says  string
		}{
			{"", []string{"add", "my gmail", "--user", "u"}, "contains a space"},
			{"", []string{"add", "", "--user", "u"}, "The name is empty"},
			{"x", []string{"add", strings.ToUpper(keep), "--user", "u", "--password-stdin"}, "already exists as"},
			{strings.Repeat("p", 256), []string{"add", credName(t, "long"), "--user", "u", "--password-stdin"}, "at most 255"},
			{"", []string{"add", credName(t, "nopw"), "--user", "u"}, "no password given"},
			{"", []string{"add-parameter", credName(t, "empty"), "--password-stdin"}, "secure parameter is empty"},
			{"x", []string{"edit", credName(t, "missing"), "--description", "d"}, "is not in the Security Material"},
			{"", []string{"edit", keep, "--user", ""}, "user is empty"},
		}
		for _, c := range cases {
			code, _, errs := credRun(t, c.stdin, c.args...)
			if code != 1 || !strings.Contains(errs, c.says) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("%v: exit %d, %q (want %q)", c.args, code, errs, c.says)
			}
		}
		if u, pw := lookup(t, keep); u != "u" || pw != "Cr3d-pass-Alpha" {
			t.Fatalf("the kept entry changed: %q %q", u, pw)
		}
		// The file keyring refuses a wrong password, and says so.
		if os.Getenv(credentials.BackendEnv) == "file" {
			t.Setenv(credentials.FilePasswordEnv, "not-the-password")
			code, _, errs := credRun(t, "", "list")
			if code != 1 || !strings.Contains(errs, "password is wrong") {
				t.Errorf("wrong file password: exit %d %q", code, errs)
			}
		}
	})
}

// TestCredentialUsedByAConnectivityTest is the promise: a password
// stored as User Credentials reaches the mail server through
// "opsdesk test --credential", and appears nowhere else — not in the data
// folder, not in anything printed.
func TestCredentialUsedByAConnectivityTest(t *testing.T) {
	credBackends(t, func(t *testing.T, home string) {
		const password = "Cr3d-pass-Alpha"
		chain := mailtest.NewChain(t)
		port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"PLAIN"}, User: "me@gmail.com", Password: password})
		name := credName(t, "gmail")
		if code, _, errs := credRun(t, password+"\n", "add", name, "--user", "me@gmail.com", "--password-stdin"); code != 0 {
			t.Fatal(errs)
		}

		var out, errb bytes.Buffer
		code := Run([]string{"test", "smtp", "--host", mailtest.Host, "--connect-to", "127.0.0.1", "--port", fmt.Sprint(port),
			"--protection", "starttls-mandatory", "--auth", "plain", "--credential", name, "--no-verify", "--transcript"},
			strings.NewReader(""), &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "Authentication: Successful") {
			t.Fatalf("test --credential: exit %d\n%s\n%s", code, out.String(), errb.String())
		}
		if strings.Contains(out.String()+errb.String(), password) {
			t.Fatalf("the password was printed:\n%s\n%s", out.String(), errb.String())
		}
		code, _, _ = credRun(t, "", "list", "--json")
		if code != 0 {
			t.Fatal("list")
		}
		if hits := filesHolding(t, home, password); len(hits) > 0 {
			t.Fatalf("the password is on disk: %v", hits)
		}

		// A Secure Parameter is not a credential for a test.
		param := credName(t, "param")
		credRun(t, "Cr3d-param-Charlie", "add-parameter", param, "--password-stdin")
		out.Reset()
		errb.Reset()
		code = Run([]string{"test", "smtp", "--host", mailtest.Host, "--connect-to", "127.0.0.1", "--port", fmt.Sprint(port),
			"--protection", "starttls-mandatory", "--credential", param, "--no-verify"}, strings.NewReader(""), &out, &errb)
		if code != 1 || !strings.Contains(errb.String(), "not User Credentials") {
			t.Fatalf("test with a secure parameter: exit %d\n%s\n%s", code, out.String(), errb.String())
		}
	})
}

// TestOwnKeystore: without --keystore, the keystore commands use the app's
// own keystore, made on first use with a password only the keyring knows.
func TestOwnKeystore(t *testing.T) {
	credBackends(t, func(t *testing.T, home string) {
		code, out, errs := ksRun(t, "list")
		if code != 0 || !strings.Contains(out, "Entries (0)") || !strings.Contains(errs, "Created the app's keystore") {
			t.Fatalf("first list: exit %d\n%s\n%s", code, out, errs)
		}
		path := filepath.Join(home, "keystore.jks")
		s, err := credentials.Open(credentials.Options{})
		if err != nil {
			t.Fatal(err)
		}
		pw, err := s.KeystorePassword(path)
		if err != nil {
			t.Fatal(err)
		}
		k, err := keystore.Open(path, pw)
		if err != nil {
			t.Fatalf("the kept password does not open the keystore: %v", err)
		}
		k.Close()

		chain := certtest.NewChain(t, "smtp.example.com")
		pemFile := filepath.Join(t.TempDir(), "chain.pem")
		if err := os.WriteFile(pemFile, append(chain.Leaf.PEM(), chain.Root.PEM()...), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out, errs = ksRun(t, "import", pemFile); code != 0 || strings.Count(out, "Added ") != 2 {
			t.Fatalf("import: exit %d\n%s\n%s", code, out, errs)
		}
		code, out, errs = ksRun(t, "list", "--json")
		entries, err := jsonEntries(out)
		if code != 0 || err != nil || len(entries) != 2 || errs != "" {
			t.Fatalf("list --json: exit %d %v\n%s\n%s", code, err, out, errs)
		}

		// passwd keeps the keyring in step.
		t.Setenv("OPSDESK_NEW_KEYSTORE_PASSWORD", "new-pass-123")
		if code, _, errs = ksRun(t, "passwd"); code != 0 {
			t.Fatalf("passwd: %s", errs)
		}
		os.Unsetenv("OPSDESK_NEW_KEYSTORE_PASSWORD")
		if code, out, errs = ksRun(t, "list"); code != 0 || !strings.Contains(out, "Entries (2)") {
			t.Fatalf("list after passwd: exit %d\n%s\n%s", code, out, errs)
		}
		if hits := filesHolding(t, home, string(pw), "new-pass-123"); len(hits) > 0 {
			t.Fatalf("the keystore password is on disk: %v", hits)
		}

		// The same file in another data folder: its password is not there.
		other := t.TempDir()
		data, _ := os.ReadFile(path)
		if err := os.WriteFile(filepath.Join(other, "keystore.jks"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("OPSDESK_HOME", other)
		code, _, errs = ksRun(t, "list")
		if code != 1 || !strings.Contains(errs, "has no password in the keyring") || !strings.Contains(errs, "OPSDESK_KEYSTORE_PASSWORD") {
			t.Fatalf("foreign keystore: exit %d %q", code, errs)
		}
		// An explicit --keystore is untouched by all this.
		t.Setenv("OPSDESK_KEYSTORE_PASSWORD", "new-pass-123")
		if code, out, errs = ksRun(t, "list", "--keystore", path); code != 0 || !strings.Contains(out, "Entries (2)") {
			t.Fatalf("--keystore: exit %d\n%s\n%s", code, out, errs)
		}
	})
}

// TestCredentialsOtherTypes: --type successfactors and openconnectors, whose
// three values are all secrets, read from standard input or prompts and
// never printed, listed or taken as arguments.
func TestCredentialsOtherTypes(t *testing.T) {
	credBackends(t, func(t *testing.T, home string) {
		sf, oc := credName(t, "sf_odata"), credName(t, "oc.hubspot")
		code, out, errs := credRun(t, "Cr3d-pass-Alpha\n", "add", sf, "--type", "successfactors", "--user", "sfapi",
			"--company-id", "SFCPART000123", "--password-stdin")
		if code != 0 || !strings.Contains(out, "Deployed "+sf+" (SuccessFactors) to ") {
			t.Fatalf("add successfactors: exit %d\n%s\n%s", code, out, errs)
		}
		code, out, errs = credRun(t, "Cr3d-oc-User\r\nCr3d-oc-Org\nCr3d-oc-Element\n", "add", oc, "--type", "OpenConnectors", "--password-stdin")
		if code != 0 || !strings.Contains(out, "Deployed "+oc+" (OpenConnectors) to ") {
			t.Fatalf("add openconnectors: exit %d\n%s\n%s", code, out, errs)
		}
		if u, pw := lookup(t, sf); u != "sfapi" || pw != "Cr3d-pass-Alpha" {
			t.Fatalf("stored %q %q", u, pw)
		}

		code, out, _ = credRun(t, "", "list")
		if code != 0 || !strings.Contains(out, "SuccessFactors") || !strings.Contains(out, "OpenConnectors") {
			t.Fatalf("list: exit %d\n%s", code, out)
		}
		byName := listJSON(t)
		if e := byName[sf]; e["type"] != "SuccessFactors" || e["user"] != "sfapi" || e["companyId"] != "SFCPART000123" {
			t.Errorf("list --json: %v", e)
		}
		if e := byName[oc]; e["type"] != "OpenConnectors" || e["user"] != nil || e["companyId"] != nil {
			t.Errorf("list --json: %v", e)
		}

		code, out, errs = credRun(t, "", "edit", sf, "--company-id", "SFCPART000999")
		if code != 0 || !strings.Contains(out, "its password was kept") || listJSON(t)[sf]["companyId"] != "SFCPART000999" {
			t.Fatalf("edit --company-id: exit %d\n%s\n%s", code, out, errs)
		}
		code, out, errs = credRun(t, "Cr3d-oc-User\nCr3d-oc-Org\nCr3d-oc-Element2", "edit", oc, "--new-password", "--password-stdin")
		if code != 0 || !strings.Contains(out, "user secret, organization secret and element token were replaced") {
			t.Fatalf("edit openconnectors: exit %d\n%s\n%s", code, out, errs)
		}

		// Mistakes: one sentence, exit 1, nothing changed.
		for _, c := range []struct {
			stdin string
			args  []string
			says  string
		}{
			{"a\nb\n", []string{"add", credName(t, "oc2"), "--type", "openconnectors", "--password-stdin"}, "2 lines, not three"},
			{"a\nb c\nd\n", []string{"add", credName(t, "oc3"), "--type", "openconnectors", "--password-stdin"}, "organization secret contains a space"},
			{"pw", []string{"add", credName(t, "sf2"), "--type", "successfactors", "--user", "u", "--company-id", "SFC PART", "--password-stdin"}, "Company ID contains a space"},
			{"", []string{"edit", oc, "--user", "plain"}, "whose User is a secret"},
			{"", []string{"edit", oc, "--company-id", "C1"}, "only type with a Company ID"},
		} {
			code, _, errs := credRun(t, c.stdin, c.args...)
			if code != 1 || !strings.Contains(errs, c.says) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
				t.Errorf("%v: exit %d, %q (want %q)", c.args, code, errs, c.says)
			}
		}

		// OpenConnectors is no credential for a mail test.
		var tout, terr bytes.Buffer
		code = Run([]string{"test", "smtp", "--host", "127.0.0.1", "--port", "1", "--credential", oc, "--no-verify"},
			strings.NewReader(""), &tout, &terr)
		if code != 1 || !strings.Contains(terr.String(), "not User Credentials") {
			t.Errorf("test with OpenConnectors: exit %d\n%s", code, terr.String())
		}
		if hits := filesHolding(t, home, credSecrets[4:]...); len(hits) > 0 {
			t.Fatalf("secrets on disk: %v", hits)
		}
	})
}

// listJSON runs "list --json" and indexes the entries by name.
func listJSON(t *testing.T) map[string]map[string]any {
	t.Helper()
	code, out, _ := credRun(t, "", "list", "--json")
	entries, err := jsonEntries(out)
	if code != 0 || err != nil {
		t.Fatalf("list --json: exit %d, %v\n%s", code, err, out)
	}
	byName := map[string]map[string]any{}
	for _, e := range entries {
		byName[e["name"].(string)] = e
	}
	return byName
}
