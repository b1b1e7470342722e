package mailsetup

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

// want is one item of a proposal as the test expects it.
type want struct {
	cert     *x509.Certificate
	role     Role
	proposed bool
	fromHere bool
	why      []string // words the sentence must hold
}

func checkProposal(t *testing.T, p TrustProposal, items []want) {
	t.Helper()
	if len(p.Items) != len(items) {
		t.Fatalf("%d items, want %d: %+v", len(p.Items), len(items), p.Items)
	}
	for i, w := range items {
		it := p.Items[i]
		if !it.Cert.Equal(w.cert) || it.Role != w.role || it.Proposed != w.proposed || it.FromThisComputer != w.fromHere {
			t.Errorf("item %d: %s, %s, proposed %v, from this computer %v; want %s, %s, %v, %v", i,
				it.Cert.Subject.CommonName, it.Role, it.Proposed, it.FromThisComputer, w.cert.Subject.CommonName, w.role, w.proposed, w.fromHere)
		}
		for _, word := range w.why {
			if !strings.Contains(it.Why, word) {
				t.Errorf("item %d: Why %q lacks %q", i, it.Why, word)
			}
		}
		if strings.Count(it.Why, ". ") > 0 || !strings.HasSuffix(it.Why, ".") {
			t.Errorf("item %d: Why is not one sentence: %q", i, it.Why)
		}
	}
}

func TestProposeTrust(t *testing.T) {
	c := mailtest.NewChain(t)
	leaf, inter, root := c.Leaf.Cert, c.Intermediate.Cert, c.Root.Cert
	until := leaf.NotAfter.UTC().Format("Jan 2, 2006")
	unrelated := certtest.CA(t, "Unrelated Root") // RSA keys are slow to make: one for every case

	t.Run("leaf and intermediate sent, root in this computer's trust store", func(t *testing.T) {
		trustStore(t, unrelated, c.Root)
		p := ProposeTrust(sent(c))
		if !p.Complete || p.Note != "" {
			t.Errorf("Complete %v, Note %q", p.Complete, p.Note)
		}
		checkProposal(t, p, []want{
			{leaf, RoleServer, false, false, []string{mailtest.Host + "'s own certificate is replaced", "valid until " + until, "trusting its issuers"}},
			{inter, RoleIntermediate, true, false, []string{"Opsdesk Test CA 1O1 was issued by Opsdesk Test Root R1 and signed " + mailtest.Host}},
			{root, RoleRoot, true, true, []string{"Opsdesk Test Root R1 is the root the tenant must trust: it signed Opsdesk Test CA 1O1, which signed " + mailtest.Host,
				"this computer's trust store"}},
		})
		if ch := p.Chosen(); len(ch) != 2 || !ch[0].Equal(inter) || !ch[1].Equal(root) {
			t.Errorf("Chosen: %d certificates", len(ch))
		}
	})

	t.Run("the whole chain sent", func(t *testing.T) {
		trustStore(t, c.Root)
		p := ProposeTrust([]*x509.Certificate{leaf, inter, root})
		checkProposal(t, p, []want{
			{leaf, RoleServer, false, false, nil},
			{inter, RoleIntermediate, true, false, nil},
			{root, RoleRoot, true, false, []string{"is the root the tenant must trust"}},
		})
		if strings.Contains(p.Items[2].Why, "trust store") {
			t.Errorf("the root was sent, yet: %s", p.Items[2].Why)
		}
	})

	t.Run("root unknown here", func(t *testing.T) {
		trustStore(t, unrelated)
		p := ProposeTrust(sent(c))
		if p.Complete || !strings.Contains(p.Note, "does not end at a root this computer knows") ||
			!strings.Contains(p.Note, "add what the server sent") || !strings.Contains(p.Note, "ask the provider for its root") {
			t.Errorf("Complete %v, Note %q", p.Complete, p.Note)
		}
		checkProposal(t, p, []want{
			{leaf, RoleServer, false, false, nil},
			{inter, RoleIntermediate, true, false, []string{"was issued by Opsdesk Test Root R1"}},
		})
	})

	t.Run("an unknown root sent along", func(t *testing.T) {
		trustStore(t, unrelated)
		p := ProposeTrust([]*x509.Certificate{leaf, inter, root})
		checkProposal(t, p, []want{
			{leaf, RoleServer, false, false, nil},
			{inter, RoleIntermediate, true, false, nil},
			{root, RoleRoot, true, false, []string{"root the server sent", "check with the provider"}},
		})
	})

	t.Run("a self-signed server certificate", func(t *testing.T) {
		trustStore(t, unrelated)
		tmpl := certtest.Template(pkix.Name{CommonName: "mail.selfmade.test"})
		self := certtest.Sign(t, tmpl, certtest.ECKey(t), nil)
		p := ProposeTrust([]*x509.Certificate{self.Cert})
		checkProposal(t, p, []want{{self.Cert, RoleServer, true, false, []string{"mail.selfmade.test's certificate signed itself", "this very certificate"}}})
	})

	t.Run("only the server's own certificate, issuer unknown", func(t *testing.T) {
		trustStore(t, unrelated)
		p := ProposeTrust([]*x509.Certificate{leaf})
		checkProposal(t, p, []want{{leaf, RoleServer, true, false, []string{"sent only its own certificate", "Opsdesk Test CA 1O1", "provider's root"}}})
		if p.Complete {
			t.Error("complete")
		}
	})

	t.Run("nothing sent", func(t *testing.T) {
		p := ProposeTrust(nil)
		if len(p.Items) != 0 || p.Complete || !strings.Contains(p.Note, "sent no certificate") {
			t.Errorf("%+v", p)
		}
	})
}
