package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/oauth"
	"github.com/opsdesk/opsdesk/core/oauth/oauthtest"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
)

const (
	connectUser     = "me@opsdesk.test"
	connectPassword = "Conn-Pa55-word"
)

// connectPeers starts what the flow talks to: a chain root → intermediate
// → leaf whose root is in this computer's trust store (SSL_CERT_FILE, which
// connectivity.CompleteChain honours on every system) while the servers
// send leaf and intermediate only, as Gmail does.
func connectPeers(t *testing.T) mailtest.Chain {
	t.Helper()
	chain := mailtest.NewChain(t)
	roots := filepath.Join(t.TempDir(), "roots.pem")
	if err := os.WriteFile(roots, append(certtest.CA(t, "Unrelated Root").PEM(), chain.Root.PEM()...), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", roots)
	return chain
}

// connectRunOut runs "opsdesk connect" and checks that no secret shows.
func connectRunOut(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(append([]string{"connect"}, args...), strings.NewReader(""), &out, &errb)
	for _, s := range []string{connectPassword, "wrong-Pa55", "changeit-ks"} {
		if strings.Contains(out.String()+errb.String(), s) {
			t.Fatalf("a secret was printed:\n%s\n%s", out.String(), errb.String())
		}
	}
	return code, out.String(), errb.String()
}

// stepsOf splits the output by its "Step N of 6" headings.
func stepsOf(out string) map[int]string {
	steps := map[int]string{}
	parts := regexp.MustCompile(`(?m)^Step (\d) of 6: `).Split(out, -1)
	heads := regexp.MustCompile(`(?m)^Step (\d) of 6: `).FindAllStringSubmatch(out, -1)
	for i, h := range heads {
		var n int
		fmt.Sscan(h[1], &n)
		steps[n] = h[0] + parts[i+1]
	}
	return steps
}

func wantIn(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// keytoolList lists a JKS with the JDK's keytool: alias → SHA-256, and
// each alias's entry type.
func keytoolList(t *testing.T, path, password string) (map[string]string, map[string]string) {
	t.Helper()
	out, err := exec.Command(certtest.Tool(t, "keytool"), "-list", "-keystore", path, "-storepass", password).CombinedOutput()
	if err != nil {
		t.Fatalf("keytool -list: %v\n%s", err, out)
	}
	sums, types := map[string]string{}, map[string]string{}
	entry := regexp.MustCompile(`^([^,\s]+), [^,]+, [^,]+, (\w+),\s*$`)
	sc := bufio.NewScanner(bytes.NewReader(out))
	alias := ""
	for sc.Scan() {
		line := sc.Text()
		if m := entry.FindStringSubmatch(line); m != nil {
			alias = m[1]
			types[alias] = m[2]
		} else if sum, ok := strings.CutPrefix(line, "Certificate fingerprint (SHA-256): "); ok && alias != "" {
			sums[alias] = sum
		}
	}
	return sums, types
}

// TestConnectFromTheCommandLine is the test of the command: the
// SAP tutorial's Gmail path against a loopback server, a real keyring and
// a real JKS checked with keytool. The first test finds the certificate
// Invalid, the trust step adds root and intermediate (not the leaf), the
// proof is Valid and signed in, and the hand-over says what to type on the
// tenant. Then: a rerun trusts nothing twice, a wrong password sends the
// user back to Sign-in, an existing credential of someone else is refused
// and kept, and without a terminal nothing is added unless --yes.
func TestConnectFromTheCommandLine(t *testing.T) {
	chain := connectPeers(t)
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"LOGIN", "PLAIN"}, User: connectUser, Password: connectPassword})
	server := fmt.Sprintf("%s:%d", mailtest.Host, port)
	credBackends(t, func(t *testing.T, home string) {
		ks := filepath.Join(home, "tenant.jks")
		t.Setenv(ownkeystore.PasswordEnv, "changeit-ks")
		t.Setenv("OPSDESK_PASSWORD", connectPassword)
		name := credName(t, "opsdesk_smtp")
		common := []string{connectUser, "--smtp", server, "--connect-to", "127.0.0.1", "--keystore", ks}

		start := time.Now()
		code, out, errs := connectRunOut(t, append(common, "--credential", name, "--yes")...)
		t.Logf("the whole flow took %s", time.Since(start).Round(time.Millisecond))
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errs)
		}
		steps := stepsOf(out)
		if len(steps) != 6 {
			t.Fatalf("%d steps printed:\n%s", len(steps), out)
		}
		wantIn(t, "Address", steps[1], "Step 1 of 6: Address", "SMTP "+server+", STARTTLS Mandatory — typed by you", "Chosen: SMTP at "+server+".")
		wantIn(t, "Sign-in", steps[2], "Step 2 of 6: Sign-in", "Stored the credential "+name+" (User Credentials, user "+connectUser+")")
		wantIn(t, "First Test", steps[3], "Step 3 of 6: First Test", "Test passed", "Server Certificate: Invalid", "Server Certificate Chain",
			"dn=CN="+mailtest.Host, "dn=CN=Opsdesk Test CA 1O1")
		if strings.Contains(steps[3], "Authentication") {
			t.Errorf("the first test signed in before the certificate was trusted:\n%s", steps[3])
		}
		wantIn(t, "Trust", steps[4],
			"[ ] Server certificate: "+mailtest.Host, "[x] Intermediate certificate: Opsdesk Test CA 1O1", "[x] Root certificate: Opsdesk Test Root R1",
			"Opsdesk Test Root R1 is the root the tenant must trust: it signed Opsdesk Test CA 1O1, which signed "+mailtest.Host,
			"Added Opsdesk Test CA 1O1 to "+ks+" as opsdesk_test_ca_1o1.", "Added Opsdesk Test Root R1 to "+ks+" as opsdesk_test_root_r1.")
		wantIn(t, "Proof", steps[5], "Test passed", "Server Certificate: Valid", "Authentication: Successful")
		if strings.Contains(steps[5], "Server Certificate Chain") {
			t.Errorf("the proof prints the chain again:\n%s", steps[5])
		}
		for _, line := range []string{
			"  1. Security Material: Create ▾ User Credentials, then Deploy",
			"     Name: " + name,
			"     Type: User Credentials",
			"     User: " + connectUser,
			"     Alias: opsdesk_test_ca_1o1",
			"     Subject DN: CN=Opsdesk Test CA 1O1, O=Opsdesk Test Trust, C=DE",
			"     Role: Intermediate certificate",
			"     SHA-256: " + certs.SHA256(chain.Intermediate.Cert),
			"     Alias: opsdesk_test_root_r1",
			"     Subject DN: CN=Opsdesk Test Root R1, O=Opsdesk Test Trust, C=DE",
			"     Role: Root certificate",
			"     SHA-256: " + certs.SHA256(chain.Root.Cert),
			"  3. Mail adapter (receiver: it sends mail), Connection tab",
			"     Address: " + server,
			"     Protection: STARTTLS Mandatory",
			"     Authentication: Plain User/Password",
			"     Credential Name: " + name,
			"  4. Connectivity Tests: SMTP tab, then Send",
			"     Host: " + mailtest.Host,
			fmt.Sprintf("     Port: %d", port),
			"     Valid Server Certificate Required: on",
		} {
			if !hasLine(steps[6], line) {
				t.Errorf("the hand-over lacks the line %q:\n%s", line, steps[6])
			}
		}
		if u, pw := lookup(t, name); u != connectUser || pw != connectPassword {
			t.Errorf("stored %q", u)
		}

		// The JDK reads the keystore: root and intermediate, not the leaf.
		sums, types := keytoolList(t, ks, "changeit-ks")
		if len(sums) != 2 || sums["opsdesk_test_ca_1o1"] != certs.SHA256(chain.Intermediate.Cert) || sums["opsdesk_test_root_r1"] != certs.SHA256(chain.Root.Cert) ||
			types["opsdesk_test_root_r1"] != "trustedCertEntry" || types["opsdesk_test_ca_1o1"] != "trustedCertEntry" {
			t.Errorf("keytool lists %v %v", sums, types)
		}

		// Run again with the same credential: used as it is, nothing
		// trusted twice, nothing asked.
		t.Setenv("OPSDESK_PASSWORD", "wrong-Pa55") // would be noticed if it were stored
		code, out, errs = connectRunOut(t, append(common, "--credential", name)...)
		if code != 0 {
			t.Fatalf("rerun: exit %d\n%s\n%s", code, out, errs)
		}
		steps = stepsOf(out)
		wantIn(t, "rerun", out, "Using the stored credential "+name, "Server Certificate: Valid",
			"Opsdesk Test Root R1 is in "+ks+" already, as opsdesk_test_root_r1: not added twice.",
			"Opsdesk Test CA 1O1 is in "+ks+" already, as opsdesk_test_ca_1o1: not added twice.")
		wantIn(t, "rerun's hand-over", steps[6], "     Alias: opsdesk_test_root_r1")
		if sums, _ := keytoolList(t, ks, "changeit-ks"); len(sums) != 2 {
			t.Errorf("after the rerun keytool lists %v", sums)
		}
		if _, pw := lookup(t, name); pw != connectPassword {
			t.Error("the rerun changed the stored password")
		}

		// A wrong password: exit 1, back to Sign-in.
		wrong := credName(t, "opsdesk_wrong")
		code, out, _ = connectRunOut(t, append(common, "--credential", wrong)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if back := lines[len(lines)-2]; code != 1 || !strings.Contains(back, "Go back to Sign-in (step 2)") || !strings.Contains(back, "did not accept the user name and password") {
			t.Errorf("wrong password: exit %d, next to last line %q\n%s", code, back, out)
		}
		// The credential this run stored holds the refused password: it
		// goes again, so that the next run does not step around it.
		wantIn(t, "wrong password", out, "Authentication: Unsuccessful",
			"Removed the credential "+wrong+" again, which held the refused password")
		if s, err := credentials.Open(credentials.Options{}); err != nil {
			t.Fatal(err)
		} else if _, err := s.Entry(wrong); !errors.Is(err, credentials.ErrNotFound) {
			t.Errorf("the credential with the refused password %s is still stored: %v", wrong, err)
		}
		if strings.Contains(out, "Step 6 of 6") {
			t.Errorf("a hand-over after a failed proof:\n%s", out)
		}

		// An existing credential of another user: refused, kept.
		theirs := credName(t, "theirs")
		t.Setenv("OPSDESK_PASSWORD", connectPassword)
		if code, _, errs := credRun(t, "", "add", theirs, "--user", "someone@opsdesk.test"); code != 0 {
			t.Fatal(errs)
		}
		code, out, errs = connectRunOut(t, append(common, "--credential", theirs)...)
		if code != 1 || !strings.Contains(errs, theirs+"\" already exists for the user someone@opsdesk.test") || !strings.Contains(errs, "left unchanged") ||
			strings.Contains(out, "Step 3") {
			t.Errorf("someone else's credential: exit %d\n%s\n%s", code, out, errs)
		}
		if u, pw := lookup(t, theirs); u != "someone@opsdesk.test" || pw != connectPassword {
			t.Errorf("the existing credential became %q", u)
		}

		// No terminal and no --yes: nothing added, and how to go on.
		fresh := filepath.Join(home, "fresh.jks")
		code, out, _ = connectRunOut(t, connectUser, "--smtp", server, "--connect-to", "127.0.0.1", "--keystore", fresh, "--credential", name)
		if code != 1 || !strings.Contains(out, "add --yes") {
			t.Errorf("without --yes: exit %d\n%s", code, out)
		}
		if _, err := os.Stat(fresh); err == nil {
			t.Error("a keystore was made although nothing was to be added")
		}
	})
}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// TestConnectIMAPAndPOP3 runs the flow once for each protocol that reads
// mail, into the app's own keystore (its password in the keyring), the
// credential's name proposed by the flow.
func TestConnectIMAPAndPOP3(t *testing.T) {
	chain := connectPeers(t)
	opts := mailtest.Options{STARTTLS: true, Mechs: []string{"PLAIN", "LOGIN"}, User: connectUser, Password: connectPassword, Messages: 3, Unread: 1}
	imap, pop3 := mailtest.IMAP(t, chain, opts), mailtest.POP3(t, chain, opts)
	credBackends(t, func(t *testing.T, home string) {
		t.Setenv("OPSDESK_PASSWORD", connectPassword)
		for _, c := range []struct {
			flag  string
			port  int
			label string
		}{{"--imap", imap, "IMAP"}, {"--pop3", pop3, "POP3"}} {
			code, out, errs := connectRunOut(t, connectUser, c.flag, fmt.Sprintf("%s:%d", mailtest.Host, c.port), "--connect-to", "127.0.0.1", "--yes", "--json")
			var res struct {
				OK         bool
				Credential struct{ Name, User string }
				Keystore   string
				Added      []struct{ Alias, Outcome string }
				HandOver   struct {
					Adapter struct{ Protocol, Address, Protection string }
					Test    struct{ Tab string }
				}
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || !res.OK {
				t.Fatalf("%s: exit %d %v\n%s\n%s", c.label, code, err, out, errs)
			}
			t.Cleanup(func() {
				Run([]string{"credentials", "delete", res.Credential.Name}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
			})
			if !strings.HasPrefix(res.Credential.Name, "opsdesk_"+strings.ToLower(c.label)) || res.Credential.User != connectUser {
				t.Errorf("%s: credential %+v", c.label, res.Credential)
			}
			own, _ := ownkeystore.Path()
			if res.Keystore != own || res.HandOver.Adapter.Protocol != c.label || res.HandOver.Test.Tab != c.label ||
				res.HandOver.Adapter.Address != fmt.Sprintf("%s:%d", mailtest.Host, c.port) || res.HandOver.Adapter.Protection != "STARTTLS Mandatory" {
				t.Errorf("%s: %+v", c.label, res)
			}
			wantIn(t, c.label+"'s steps on standard error", errs, "Step 5 of 6: Proof", "Server Certificate: Valid", "Authentication: Successful",
				"3. Mail adapter (sender: it reads mail)")
			if c.label == "IMAP" && (len(res.Added) != 2 || res.Added[0].Outcome != "added") {
				t.Errorf("IMAP added %+v", res.Added)
			}
			if c.label == "POP3" && (len(res.Added) != 2 || res.Added[0].Outcome != "duplicate") {
				t.Errorf("POP3, after IMAP with the same chain, added %+v", res.Added)
			}
		}
	})
}

// TestConnectWithOAuth2 uses an existing OAuth2 Authorization Code
// credential, authorized against a real authorization server, with a mail
// server that checks each token with it: the proof signs in with OAuth2,
// and the hand-over lists the tenant's OAuth2 form and the Authorize left
// to do there. An unauthorized one says to authorize it first.
func TestConnectWithOAuth2(t *testing.T) {
	chain := connectPeers(t)
	srv := oauthtest.Start(t, oauthtest.Options{})
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Mechs: []string{"XOAUTH2", "OAUTHBEARER"}, User: oauthtest.DefaultUser,
		CheckToken: func(ctx context.Context, user, token string) error {
			return srv.CheckToken(ctx, user, token, oauthtest.MailScope)
		}})
	credBackends(t, func(t *testing.T, home string) {
		store, err := credentials.Open(credentials.Options{})
		if err != nil {
			t.Fatal(err)
		}
		name := credName(t, "idp_smtp")
		settings := credentials.OAuth2{Provider: oauth.Generic, AuthorizationURL: srv.AuthorizationURL(), TokenURL: srv.TokenURL(),
			Scope: oauthtest.MailScope + " offline_access", ClientID: oauthtest.PublicClient, RedirectURL: "http://127.0.0.1/opsdesk", SendAs: oauth.BodyParameter}
		if _, err := store.AddSecrets(credentials.Entry{Name: name, Type: credentials.OAuth2AuthorizationCode, User: oauthtest.DefaultUser, OAuth2: &settings}, credentials.Secrets{}); err != nil {
			t.Fatal(err)
		}
		args := []string{oauthtest.DefaultUser, "--smtp", fmt.Sprintf("%s:%d", mailtest.Host, port), "--connect-to", "127.0.0.1", "--credential", name, "--yes"}
		t.Setenv(ownkeystore.PasswordEnv, "changeit-ks")
		code, out, errs := connectRunOut(t, args...)
		if code != 1 || !strings.Contains(errs, "has not been authorized yet") || strings.Contains(out, "Step 3") {
			t.Fatalf("unauthorized: exit %d\n%s\n%s", code, out, errs)
		}
		if _, err := store.Authorize(context.Background(), name, oauth.AuthorizeOptions{Open: srv.Browser(oauthtest.DefaultUser, oauthtest.DefaultPassword, true)}); err != nil {
			t.Fatal(err)
		}
		code, out, errs = connectRunOut(t, args...)
		if code != 0 {
			t.Fatalf("authorized: exit %d\n%s\n%s", code, out, errs)
		}
		steps := stepsOf(out)
		wantIn(t, "Sign-in", steps[2], "Using the stored credential "+name+" (OAuth2 Authorization Code, user "+oauthtest.DefaultUser+")")
		wantIn(t, "Proof", steps[5], "Authentication: Successful (XOAUTH2)")
		for _, line := range []string{"  1. Security Material: Create ▾ OAuth2 Authorization Code, then Deploy", "     Provider: Generic",
			"     Authorization URL: " + srv.AuthorizationURL(), "     Token Service URL: " + srv.TokenURL(), "     Client ID: " + oauthtest.PublicClient,
			"     User Name: " + oauthtest.DefaultUser, "     Authentication: OAuth2 Authorization Code"} {
			if !hasLine(steps[6], line) {
				t.Errorf("the hand-over lacks %q:\n%s", line, steps[6])
			}
		}
		wantIn(t, "the notes", steps[6], "press Authorize on the tenant", "/itspaces/odata/api/v1/OAuthTokenFromCode")
		if strings.Contains(steps[6], "Client Secret field") {
			t.Errorf("a public client has no client secret to type:\n%s", steps[6])
		}
	})
}

func TestConnectUsageErrors(t *testing.T) {
	t.Setenv("OPSDESK_HOME", t.TempDir())
	for _, args := range [][]string{
		{},
		{"a@b.test", "c@d.test"},
		{"me@opsdesk.test", "--protocol", "gopher", "--smtp", "x:25"},
		{"me@opsdesk.test", "--smtp", "two words:25"},
		{"me@opsdesk.test", "--smtp", "http://x:25"},
		{"me@opsdesk.test", "--imap", "imap.opsdesk.test:99999"},
		{"not-an-address", "--smtp", "smtp.opsdesk.test:587"},
		{"me@opsdesk.test", "--smtp", "smtp.opsdesk.test:587", "--credential", "bad name"},
		{"me@opsdesk.test", "--read", "smtp"},
		{"me@opsdesk.test", "--read", "imap", "--protocol", "pop3"},
		{"me@opsdesk.test", "--read", "imap", "--protocol", "imap"},
		{"me@opsdesk.test", "--read", "imap", "--pop3", "pop.opsdesk.test:995"},
		{"me@opsdesk.test", "--read", "pop3", "--imap", "imap.opsdesk.test:993", "--pop3", "pop.opsdesk.test:995"},
	} {
		code, out, errs := connectRunOut(t, args...)
		if code != 2 || out != "" || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", args, code, out, errs)
		}
	}
}

// TestConnectGmail: an address the provider table knows (no network is
// asked: the SMTP server is typed, the table gives the rest). Gmail's
// help is printed before the secret is asked, the name proposed is
// gmail_smtp, and the App Password typed as Google shows it ("abcd efgh
// ijkl mnop") is stored as its 16 letters, which the server takes.
func TestConnectGmail(t *testing.T) {
	chain := connectPeers(t)
	const appPassword = "wxyzqrstuvabcdef"
	port := mailtest.SMTP(t, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"LOGIN", "PLAIN"}, User: "me@gmail.com", Password: appPassword})
	credBackends(t, func(t *testing.T, home string) {
		t.Setenv(ownkeystore.PasswordEnv, "changeit-ks")
		t.Setenv("OPSDESK_PASSWORD", "wxyz qrst uvab cdef")
		for _, extra := range [][]string{nil, {"--provider", "gmail"}} {
			args := append([]string{"me@gmail.com", "--smtp", fmt.Sprintf("%s:%d", mailtest.Host, port), "--connect-to", "127.0.0.1", "--yes"}, extra...)
			code, out, errs := connectRunOut(t, args...)
			name := regexp.MustCompile(`Stored the credential (\S+) `).FindStringSubmatch(out)
			if name != nil {
				t.Cleanup(func() {
					Run([]string{"credentials", "delete", name[1]}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
				})
			}
			if code != 0 || name == nil || !strings.HasPrefix(name[1], "gmail_smtp") {
				t.Fatalf("%v: exit %d\n%s\n%s", extra, code, out, errs)
			}
			steps := stepsOf(out)
			wantIn(t, "Address", steps[1], "me@gmail.com: Gmail / Google Workspace", "SMTP "+mailtest.Host, "— typed by you",
				"SMTP smtp.gmail.com:465, SMTPS", "IMAP imap.gmail.com:993, IMAPS")
			wantIn(t, "Sign-in", steps[2], "Gmail needs an App Password, not your Google password.", "1. Turn on 2-Step Verification",
				"https://myaccount.google.com/apppasswords")
			if strings.Index(steps[2], "App Password") > strings.Index(steps[2], "Stored the credential") {
				t.Errorf("the help comes after the secret:\n%s", steps[2])
			}
			if u, pw := lookup(t, name[1]); u != "me@gmail.com" || pw != appPassword {
				t.Errorf("stored %q for %q; want the 16 letters", pw, u)
			}
			wantIn(t, "Hand-over", steps[6], "Type the App Password into the tenant's Password and Repeat Password fields yourself, without spaces")
			if strings.Contains(out+errs, "wxyz") {
				t.Fatal("the App Password was printed")
			}
		}
	})
}

// TestConnectMicrosoft365NeedsOAuth2: an account that signs in with
// OAuth2 and no credential for it: the flow says which commands make one
// and stops before asking for any secret.
func TestConnectMicrosoft365NeedsOAuth2(t *testing.T) {
	credBackends(t, func(t *testing.T, home string) {
		code, out, errs := connectRunOut(t, "ops@contoso.onmicrosoft.com", "--json")
		var res struct {
			OK      bool
			Stopped struct {
				Step     int
				Title    string
				Sentence string
			}
			Server struct{ Host string }
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != 1 || res.OK {
			t.Fatalf("exit %d %v\n%s\n%s", code, err, out, errs)
		}
		if res.Stopped.Step != 2 || res.Stopped.Title != "Sign-in" || !strings.Contains(res.Stopped.Sentence, "signs in with OAuth2") ||
			res.Server.Host != "smtp.office365.com" {
			t.Errorf("%+v", res)
		}
		wantIn(t, "the steps", errs, "Microsoft 365 signs in with OAuth2")
		// The name is proposed against the keyring, which other tests share.
		steps := regexp.MustCompile(`opsdesk credentials add-oauth2 (microsoft365_smtp\S*) --provider microsoft365 --user ops@contoso.onmicrosoft.com --client-id`).FindStringSubmatch(errs)
		if steps == nil {
			t.Fatalf("no add-oauth2 command:\n%s", errs)
		}
		wantIn(t, "the steps", errs, "opsdesk credentials authorize "+steps[1], "opsdesk connect ops@contoso.onmicrosoft.com --credential "+steps[1])
		if strings.Contains(errs, "Step 3") || strings.Contains(errs, "Stored") {
			t.Errorf("it went on:\n%s", errs)
		}
		if _, list, _ := credRun(t, "", "list", "--json"); strings.Contains(list, "ops@contoso.onmicrosoft.com") {
			t.Errorf("something was stored:\n%s", list)
		}
	})
	if code, _, errs := connectRunOut(t, "me@gmail.com", "--provider", "nosuch"); code != 2 || !strings.Contains(errs, "opsdesk providers") {
		t.Errorf("an unknown provider: exit %d %s", code, errs)
	}
}
