package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"os"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

func testRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(append([]string{"test"}, args...), strings.NewReader(""), &out, &errb)
	if strings.Contains(out.String()+errb.String(), "Mail-Pa55") {
		t.Fatalf("the password was printed:\n%s\n%s", out.String(), errb.String())
	}
	return code, out.String(), errb.String()
}

// TestTutorialFromTheCommandLine follows SAP's tutorial with opsdesk test:
// validation off to fetch the chain, the chain into the keystore, then
// validation on.
func TestTutorialFromTheCommandLine(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"LOGIN", "PLAIN"}, User: "me@gmail.com", Password: "Mail-Pa55"})
	dir := t.TempDir()
	ks := filepath.Join(dir, "keystore.jks")
	k, err := keystore.Create(ks, []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", "changeit")
	t.Setenv("OPSDESK_PASSWORD", "Mail-Pa55")
	zip := filepath.Join(dir, "chain.zip")
	common := []string{"smtp", "--host", mailtest.Host, "--connect-to", "127.0.0.1", "--port", fmt.Sprint(port),
		"--protection", "starttls-mandatory", "--auth", "plain", "--user", "me@gmail.com", "--keystore", ks, "--transcript"}

	code, out, errs := testRun(t, append(common, "--no-verify", "--save-chain", zip, "--import-chain")...)
	if code != 0 {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"Successfully reached host at " + mailtest.Host, "STARTTLS: Supported", "Server Certificate: Invalid",
		"Authentication: Successful", "Server Certificate Chain", "dn=CN=" + mailtest.Host, "C: AUTH PLAIN ***"} {
		if !strings.Contains(out, want) {
			t.Errorf("first run lacks %q:\n%s", want, out)
		}
	}
	if b := certs.Read("chain.zip", mustRead(t, zip)); len(b.Certificates) != 2 {
		t.Errorf("saved chain holds %d certificates", len(b.Certificates))
	}
	if !strings.Contains(errs, "Added mail.opsdesk.test to the keystore") {
		t.Errorf("import: %s", errs)
	}

	code, out, _ = testRun(t, common...)
	if code != 0 || !strings.Contains(out, "Server Certificate: Valid") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}

	t.Setenv("OPSDESK_PASSWORD", "wrong")
	code, out, _ = testRun(t, append(common, "--json")...)
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 {
		t.Fatalf("wrong password: exit %d, %v\n%s", code, err, out)
	}
	expl, _ := res["explanation"].(map[string]any)
	if !strings.Contains(fmt.Sprint(expl["what"]), "did not accept the user name or password") || !strings.Contains(fmt.Sprint(expl["serverText"]), "5.7.8") ||
		res["schemaVersion"] != float64(schemaVersion) || res["ok"] != false {
		t.Errorf("explanation %v", expl)
	}
}

// TestTestPrintsTheVerdictFirst: the first line is the window's headline,
// by the same rule: a reached host that refused the password failed.
func TestTestPrintsTheVerdictFirst(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.POP3(t, chain, mailtest.Options{Mechs: []string{"CRAM-MD5"}, User: "me@example.com", Password: "Mail-Pa55"})
	t.Setenv("OPSDESK_HOME", t.TempDir())
	common := []string{"pop3", "--host", mailtest.Host, "--connect-to", "127.0.0.1", "--port", fmt.Sprint(port),
		"--protection", "off", "--auth", "encrypted", "--user", "me@example.com"}
	at := fmt.Sprintf("%s:%d", mailtest.Host, port)
	t.Setenv("OPSDESK_PASSWORD", "Mail-Pa55")
	code, out, _ := testRun(t, common...)
	if first, _, _ := strings.Cut(out, "\n"); code != 0 || first != "Test passed: "+at+" was reached and every check you asked for succeeded." {
		t.Errorf("right password: exit %d\n%s", code, out)
	}
	t.Setenv("OPSDESK_PASSWORD", "wrong")
	code, out, _ = testRun(t, common...)
	first, _, _ := strings.Cut(out, "\n")
	if code != 1 || first != "Test failed: reached "+at+", but authentication was unsuccessful." {
		t.Errorf("wrong password: exit %d\n%s", code, out)
	}
	for _, want := range []string{"What happened: The server did not accept the user name or password.",
		"The server's words: -ERR [AUTH] Username and password not accepted."} {
		if !strings.Contains(out, want) {
			t.Errorf("wrong password: no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "refused ***") {
		t.Errorf("the explanation quotes the hidden secret:\n%s", out)
	}
}

// TestOwnKeystoreByDefault: without --keystore, the chain goes into the
// app's own keystore and the next test trusts it.
func TestOwnKeystoreByDefault(t *testing.T) {
	chain := mailtest.NewChain(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true})
	t.Setenv("OPSDESK_HOME", t.TempDir())
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", "own-keystore-pass")
	common := []string{"smtp", "--host", mailtest.Host, "--connect-to", "127.0.0.1", "--port", fmt.Sprint(port)}
	if code, out, errs := testRun(t, append(common, "--no-verify", "--import-chain")...); code != 0 || !strings.Contains(errs, "Added") {
		t.Fatalf("first run: %d\n%s\n%s", code, out, errs)
	}
	if code, out, _ := testRun(t, common...); code != 0 || !strings.Contains(out, "Server Certificate: Valid") {
		t.Fatalf("second run: %d\n%s", code, out)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"smtp"},
		{"gopher", "--host", "x"},
		{"smtp", "--host", "x", "--protection", "imaps"},
		{"smtp", "--host", "x", "--auth", "plain"},
		{"imap", "--host", "x", "--from", "a@b"},
		{"smtp", "--host", "x", "--from", "a@b"},
		{"imap", "--host", "x", "--list-folders", "--mailbox", "INBOX"},
	} {
		if code, _, errs := testRun(t, args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d %q", args, code, errs)
		}
	}
	if code, out, _ := testRun(t, "smtp", "--host", "someone@gmail.com"); code != 1 || !strings.Contains(out, "e-mail address") {
		t.Errorf("an address as host: exit %d\n%s", code, out)
	}
}

// TestTestPortAndTimeoutOutOfRange: a port no server can have and a time
// limit that ends before the test starts are mistakes in the command line,
// said in one line before anything is tried.
func TestTestPortAndTimeoutOutOfRange(t *testing.T) {
	t.Setenv("OPSDESK_HOME", t.TempDir())
	closing := mailtest.Raw(t, func(net.Conn) {}) // reached, if the test ran at all
	for _, c := range []struct{ flag, value string }{
		{"--port", "99999"}, {"--port", "65536"}, {"--port", "-1"},
		{"--timeout", "0s"}, {"--timeout", "-5s"},
	} {
		args := []string{"smtp", "--host", "127.0.0.1", "--port", fmt.Sprint(closing), c.flag, c.value}
		code, out, errs := testRun(t, args...)
		if code != 2 || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, c.flag+" ") {
			t.Errorf("%s %s: exit %d\nstdout %q\nstderr %q", c.flag, c.value, code, out, errs)
		}
	}
	if code, out, errs := testRun(t, "smtp", "--host", "127.0.0.1", "--port", fmt.Sprint(closing), "--port", "0", "--timeout", "2s"); code != 1 {
		t.Errorf("--port 0 is the default port, not a mistake: exit %d\n%s%s", code, out, errs)
	}
}
