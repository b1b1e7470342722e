package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
)

// TestConnectSendAndRead connects an account for sending (SMTP,
// STARTTLS) and reading (IMAP, IMAPS) in one run, the two servers' leafs
// issued by the same intermediate as Gmail's are: one credential, two
// first tests, the shared root and intermediate trusted once and neither
// leaf, two proofs, and a hand-over with both Mail adapters and both
// tests. Then a reading server that refuses the password sends the user
// back to Sign-in, naming that server.
func TestConnectSendAndRead(t *testing.T) {
	chain := connectPeers(t)
	const imapHost = "imap.opsdesk.test"
	imapChain := chain.Sibling(t, imapHost)
	opts := mailtest.Options{Mechs: []string{"LOGIN", "PLAIN"}, User: connectUser, Password: connectPassword}
	starttls, implicit := opts, opts
	starttls.STARTTLS, implicit.Implicit = true, true
	smtp := fmt.Sprintf("%s:%d", mailtest.Host, mailtest.SMTP(t, chain, starttls))
	imap := fmt.Sprintf("%s:%d", imapHost, mailtest.IMAP(t, imapChain, implicit))
	refusing := implicit
	refusing.Password = "another-Pa55"
	imapRefusing := fmt.Sprintf("%s:%d", imapHost, mailtest.IMAP(t, imapChain, refusing))

	credBackends(t, func(t *testing.T, home string) {
		ks := filepath.Join(home, "tenant.jks")
		t.Setenv(ownkeystore.PasswordEnv, "changeit-ks")
		t.Setenv("OPSDESK_PASSWORD", connectPassword)
		name := credName(t, "opsdesk_mail")
		code, out, errs := connectRunOut(t, connectUser, "--smtp", smtp, "--imap", "imaps://"+imap, "--read", "imap",
			"--connect-to", "127.0.0.1", "--keystore", ks, "--credential", name, "--yes", "--json")
		var res struct {
			OK                              bool
			Server, ReadServer              struct{ Protocol, Address string }
			FirstTest, ReadFirstTest, Proof struct{ OK bool }
			ReadProof                       struct {
				OK     bool
				Checks []struct{ Name, Value string }
			}
			Trust struct {
				Items []struct {
					Role      string
					SubjectDN string
					Proposed  bool
				}
			}
			Added    []struct{ Alias, Outcome string }
			HandOver struct {
				Credential           struct{ Name string }
				Adapter, ReadAdapter struct{ Protocol, Address, Protection, CredentialName string }
				Test, ReadTest       struct{ Tab, Host string }
				Text                 string
			}
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || !res.OK {
			t.Fatalf("exit %d %v\n%s\n%s", code, err, out, errs)
		}
		if res.Server.Protocol != "SMTP" || res.Server.Address != smtp || res.ReadServer.Protocol != "IMAP" || res.ReadServer.Address != imap ||
			!res.FirstTest.OK || !res.ReadFirstTest.OK || !res.Proof.OK || !res.ReadProof.OK {
			t.Errorf("servers and tests: %+v", res)
		}
		var items []string
		for _, it := range res.Trust.Items {
			items = append(items, fmt.Sprintf("%s %s %v", it.Role, it.SubjectDN, it.Proposed))
		}
		wantItems := []string{"Server certificate CN=" + mailtest.Host + " false", "Server certificate CN=" + imapHost + " false",
			"Intermediate certificate CN=Opsdesk Test CA 1O1, O=Opsdesk Test Trust, C=DE true", "Root certificate CN=Opsdesk Test Root R1, O=Opsdesk Test Trust, C=DE true"}
		if strings.Join(items, "\n") != strings.Join(wantItems, "\n") {
			t.Errorf("trust items:\n%s\nwant\n%s", strings.Join(items, "\n"), strings.Join(wantItems, "\n"))
		}
		if len(res.Added) != 2 || res.Added[0].Outcome != "added" || res.Added[1].Outcome != "added" {
			t.Errorf("added %+v", res.Added)
		}
		sums, _ := keytoolList(t, ks, "changeit-ks")
		if len(sums) != 2 || sums["opsdesk_test_ca_1o1"] != certs.SHA256(chain.Intermediate.Cert) || sums["opsdesk_test_root_r1"] != certs.SHA256(chain.Root.Cert) {
			t.Errorf("keytool lists %v", sums)
		}
		h := res.HandOver
		if h.Credential.Name != name || h.Adapter.Protocol != "SMTP" || h.Adapter.Address != smtp || h.Adapter.CredentialName != name ||
			h.ReadAdapter.Protocol != "IMAP" || h.ReadAdapter.Address != imap || h.ReadAdapter.Protection != "IMAPS" || h.ReadAdapter.CredentialName != name ||
			h.Test.Tab != "SMTP" || h.ReadTest.Tab != "IMAP" || h.ReadTest.Host != imapHost {
			t.Errorf("hand-over: %+v", h)
		}
		steps := stepsOf(errs)
		wantIn(t, "Address", steps[1], "Chosen: SMTP at "+smtp+".", "Chosen for reading mail too: IMAP at "+imap+", signing in with the same credential.")
		wantIn(t, "First Test", steps[3], "SMTP at "+smtp+":", "IMAP at "+imap+":", "dn=CN="+mailtest.Host, "dn=CN="+imapHost)
		wantIn(t, "Proof", steps[5], "SMTP at "+smtp+":", "IMAP at "+imap+":")
		if n := strings.Count(steps[5], "Server Certificate: Valid"); n != 2 {
			t.Errorf("proof: %d valid certificates, want 2:\n%s", n, steps[5])
		}
		if n := strings.Count(steps[5], "Authentication: Successful"); n != 2 {
			t.Errorf("proof: %d sign-ins, want 2:\n%s", n, steps[5])
		}
		for _, line := range []string{"3. Mail adapter (receiver: it sends mail), Connection tab", "4. Mail adapter (sender: it reads mail), Connection tab",
			"   Address: " + imap, "5. Connectivity Tests: SMTP tab, then Send", "6. Connectivity Tests: IMAP tab, then Send"} {
			if !hasLine(h.Text, line) {
				t.Errorf("hand-over lacks %q:\n%s", line, h.Text)
			}
		}

		// The reading server refuses the password: exit 1, back to
		// Sign-in for IMAP, though SMTP took it.
		code, out, _ = connectRunOut(t, connectUser, "--smtp", smtp, "--imap", "imaps://"+imapRefusing, "--read", "imap",
			"--connect-to", "127.0.0.1", "--keystore", ks, "--credential", name)
		if code != 1 || !strings.Contains(out, "Go back to Sign-in (step 2) for IMAP at "+imapRefusing) || strings.Contains(out, "Step 6 of 6") {
			t.Errorf("IMAP refusing: exit %d\n%s", code, out)
		}
	})
}
