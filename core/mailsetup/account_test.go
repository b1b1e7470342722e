package mailsetup

import (
	"context"
	"crypto/x509"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

const imapHost = "imap.opsdesk.test"

// sendAndRead is an account that sends with SMTP (STARTTLS) and reads
// with IMAP (IMAPS) on loopback servers whose leafs share root and
// intermediate, as smtp.gmail.com and imap.gmail.com do.
func sendAndRead(t *testing.T) (Account, mailtest.Chain, mailtest.Chain) {
	t.Helper()
	smtpChain := mailtest.NewChain(t)
	imapChain := smtpChain.Sibling(t, imapHost)
	opts := mailtest.Options{Mechs: []string{"PLAIN", "LOGIN"}, User: testUser, Password: testPassword}
	starttls := opts
	starttls.STARTTLS = true
	implicit := opts
	implicit.Implicit = true
	a := loopbackAccount(connectivity.SMTP, mailtest.SMTP(t, smtpChain, starttls), connectivity.STARTTLSMandatory)
	a.Read = Server{Protocol: connectivity.IMAP, Host: imapHost, Port: mailtest.IMAP(t, imapChain, implicit), Protection: connectivity.Implicit, Source: SourceTyped}
	a.Credential = a.CredentialName(nil)
	return a, smtpChain, imapChain
}

// runAll runs the account's tests, each server's in the order of
// Servers, as the window and the command do.
func runAll(a Account, verify bool, trusted []*x509.Certificate, password string) []*connectivity.Result {
	var out []*connectivity.Result
	for _, sv := range a.Servers() {
		req := a.RequestFor(sv, verify)
		req.Trusted = trusted
		if verify {
			req.User, req.Password = testUser, []byte(password)
		}
		out = append(out, connectivity.Run(context.Background(), req))
	}
	return out
}

// TestSendAndRead walks the flow for an account that sends and reads
// mail: two first tests, one trust proposal listing the shared root and
// intermediate once, two proofs, and a hand-over with both adapters.
func TestSendAndRead(t *testing.T) {
	a, smtpChain, _ := sendAndRead(t)
	trustStore(t, smtpChain.Root)
	if a.Credential != "opsdesk_mail" || a.Protocols() != "SMTP and IMAP" || len(a.Servers()) != 2 {
		t.Fatalf("account: %q %q %v", a.Credential, a.Protocols(), a.Servers())
	}

	first := runAll(a, false, nil, "")
	for i, res := range first {
		if !res.OK() || len(res.Chain) != 2 {
			t.Fatalf("first test %d: %s (%v), chain of %d", i, res.Verdict().Headline, res.Err, len(res.Chain))
		}
	}
	if first[1].Protocol != connectivity.IMAP || first[1].Chain[0].Subject.CommonName != imapHost {
		t.Fatalf("second test: %s %s", first[1].Protocol, first[1].Chain[0].Subject.CommonName)
	}

	p := ProposeTrustAll(first[0].Chain, first[1].Chain)
	var roles []string
	for _, it := range p.Items {
		roles = append(roles, string(it.Role)+"="+CertName(it.Cert)+"/"+map[bool]string{true: "proposed", false: "shown"}[it.Proposed])
	}
	want := []string{"Server certificate=mail.opsdesk.test/shown", "Server certificate=" + imapHost + "/shown",
		"Intermediate certificate=Opsdesk Test CA 1O1/proposed", "Root certificate=Opsdesk Test Root R1/proposed"}
	if strings.Join(roles, "\n") != strings.Join(want, "\n") || !p.Complete || p.Note != "" {
		t.Fatalf("proposal (complete %v, note %q):\n%s\nwant\n%s", p.Complete, p.Note, strings.Join(roles, "\n"), strings.Join(want, "\n"))
	}

	ks, err := keystore.Create(filepath.Join(t.TempDir(), "keystore.jks"), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	added, err := AddTrust(ks, p.Chosen())
	if err != nil || len(added) != 2 || added[0].Outcome != keystore.Added || added[1].Outcome != keystore.Added {
		t.Fatalf("added %+v, %v", added, err)
	}
	trusted := connectivity.TrustedFrom(ks.Entries())

	proofs := runAll(a, true, trusted, testPassword)
	if step, why := GoBackToFirst(proofs); step != 0 || why != "" {
		t.Fatalf("both proofs should pass: %v %q", step, why)
	}
	for _, res := range proofs {
		if c, ok := res.Check("Server Certificate"); !ok || !c.OK {
			t.Errorf("%s: certificate not validated: %+v", res.Protocol, res.Checks)
		}
		if c, ok := res.Check("Authentication"); !ok || !c.OK {
			t.Errorf("%s: not signed in: %+v", res.Protocol, res.Checks)
		}
	}

	h := NewHandOver(a, added, ks.Path())
	if len(h.Adapters) != 2 || !h.Adapters[0].Sends() || h.Adapters[1].Sends() || h.Adapters[1].Address != imapHost+":"+strconv.Itoa(a.Read.Port) ||
		h.Adapters[1].Protection != "IMAPS" || h.Adapters[0].CredentialName != "opsdesk_mail" || h.Adapters[1].CredentialName != "opsdesk_mail" ||
		h.Adapters[1].Test.Tab != "IMAP" || !h.Adapters[1].Test.ValidCertificateRequired || len(h.Entries) != 2 {
		t.Fatalf("hand-over: %+v", h)
	}
	text := h.Text()
	for _, line := range []string{"3. Mail adapter (receiver: it sends mail), Connection tab", "4. Mail adapter (sender: it reads mail), Connection tab",
		"   Address: " + imapHost + ":" + strconv.Itoa(a.Read.Port), "5. Connectivity Tests: SMTP tab, then Send", "6. Connectivity Tests: IMAP tab, then Send"} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("text lacks %q:\n%s", line, text)
		}
	}
	if strings.Count(text, "1. Security Material") != 1 || strings.Count(text, "Alias: ") != 2 {
		t.Errorf("one credential and two certificates expected:\n%s", text)
	}
	md, page := h.Markdown(), h.HTML()
	for _, s := range []string{"## 4. Mail adapter (sender: it reads mail)", "## 6. Connectivity Tests: IMAP tab"} {
		if !strings.Contains(md, s) {
			t.Errorf("Markdown lacks %q", s)
		}
	}
	if !strings.Contains(page, "<h2>6. Connectivity Tests: IMAP tab, then Send</h2>") {
		t.Error("HTML lacks the IMAP test")
	}
	var headings []string
	for _, s := range h.Sections() {
		if strings.HasPrefix(s.Heading, "4. ") || strings.HasPrefix(s.Heading, "6. ") {
			headings = append(headings, s.Heading+" "+s.Fields[0].Value)
		}
	}
	if strings.Join(headings, "|") != "4. Mail adapter (sender: it reads mail), Connection tab "+imapHost+":"+strconv.Itoa(a.Read.Port)+
		"|6. Connectivity Tests: IMAP tab, then Send "+imapHost {
		t.Errorf("sections: %q", headings)
	}
}

// TestGoBackToFirst: the first server whose test did not pass decides,
// and with two servers the sentence names it.
func TestGoBackToFirst(t *testing.T) {
	a, smtpChain, _ := sendAndRead(t)
	trusted := smtpChain.Trusted()
	for _, c := range []struct {
		name    string
		results func() []*connectivity.Result
		step    Step
		words   []string
		without []string
	}{
		{"both pass", func() []*connectivity.Result { return runAll(a, true, trusted, testPassword) }, 0, nil, nil},
		{"neither trusted: the first server's", func() []*connectivity.Result { return runAll(a, true, nil, testPassword) },
			StepTrust, []string{"Go back to Trust (step 4) for SMTP at mail.opsdesk.test:"}, []string{"IMAP"}},
		{"the reading server refuses the password", func() []*connectivity.Result {
			r := runAll(a, true, trusted, testPassword)
			r[1] = runAll(Account{ConnectTo: a.ConnectTo, Server: a.Read}, true, trusted, "wrong")[0]
			return r
		}, StepSignIn, []string{"Go back to Sign-in (step 2) for IMAP at " + imapHost + ":", "did not accept the user name and password"}, nil},
		{"one server alone is not named", func() []*connectivity.Result { return runAll(a, true, nil, testPassword)[:1] },
			StepTrust, []string{"Go back to Trust (step 4) and add"}, []string{" for SMTP"}},
		{"a test not run is skipped", func() []*connectivity.Result { return []*connectivity.Result{nil, nil} }, 0, nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			step, why := GoBackToFirst(c.results())
			if step != c.step {
				t.Fatalf("GoBackToFirst = %v %q, want %v", step, why, c.step)
			}
			for _, w := range c.words {
				if !strings.Contains(why, w) {
					t.Errorf("%q lacks %q", why, w)
				}
			}
			for _, w := range c.without {
				if strings.Contains(why, w) {
					t.Errorf("%q has %q", why, w)
				}
			}
			if step != 0 && (strings.Count(why, ". ") > 0 || !strings.HasSuffix(why, ".")) {
				t.Errorf("not one sentence: %q", why)
			}
		})
	}
}

// TestProposeTrustAll: certificates listed once across chains, in the
// order first seen; a single chain is ProposeTrust's proposal.
func TestProposeTrustAll(t *testing.T) {
	c := mailtest.NewChain(t)
	other := mailtest.NewChain(t) // another provider's: its own root
	sib := c.Sibling(t, imapHost)
	trustStore(t, c.Root, other.Root)
	for _, tc := range []struct {
		name     string
		chains   [][]*x509.Certificate
		proposed int
		items    int
	}{
		{"one chain", [][]*x509.Certificate{sent(c)}, 2, 3},
		{"siblings share root and intermediate", [][]*x509.Certificate{sent(c), sent(sib)}, 2, 4},
		{"the same server twice", [][]*x509.Certificate{sent(c), sent(c)}, 2, 3},
		{"two providers", [][]*x509.Certificate{sent(c), sent(other)}, 4, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ProposeTrustAll(tc.chains...)
			if len(p.Items) != tc.items || len(p.Chosen()) != tc.proposed || !p.Complete {
				t.Errorf("%d items, %d proposed, complete %v; want %d, %d", len(p.Items), len(p.Chosen()), p.Complete, tc.items, tc.proposed)
			}
		})
	}
	p := ProposeTrustAll(sent(c), nil)
	if p.Complete || !strings.Contains(p.Note, "sent no certificate") || len(p.Chosen()) != 2 {
		t.Errorf("a chain missing: complete %v, note %q", p.Complete, p.Note)
	}
}
