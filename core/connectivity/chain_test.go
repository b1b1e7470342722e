package connectivity_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

func TestChainZipAndCandidates(t *testing.T) {
	chain := mailtest.NewChain(t)
	list := chain.Certificates()
	list = append(list, chain.Leaf.Cert) // a server sending a certificate twice
	zip, err := connectivity.ChainZip(list)
	if err != nil {
		t.Fatal(err)
	}
	b := certs.Read("chain.zip", zip)
	if len(b.Problems) != 0 || len(b.Certificates) != 4 {
		t.Fatalf("the ZIP reads back as %d certificates, problems %v", len(b.Certificates), b.Problems)
	}
	var names []string
	for _, f := range b.Certificates {
		names = append(names, strings.TrimPrefix(f.Source, "chain.zip/"))
	}
	want := "mail.opsdesk.test.cer opsdesk_test_ca_1o1.cer opsdesk_test_root_r1.cer mail.opsdesk.test_2.cer"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("names %q, want %q", got, want)
	}

	ks, err := keystore.Create(filepath.Join(t.TempDir(), "k.jks"), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	cands := connectivity.ChainCandidates(ks, chain.Certificates())
	res, err := ks.AddCertificates(cands)
	if err != nil || len(res) != 3 || res[0].Alias != "mail.opsdesk.test" {
		t.Fatalf("%+v %v", res, err)
	}
	lines := strings.Join(connectivity.CertificateLines(chain.Leaf.Cert), "\n")
	for _, want := range []string{"dn=CN=mail.opsdesk.test", "issuerDN=CN=Opsdesk Test CA 1O1, O=Opsdesk Test Trust, C=DE",
		"subjectAlternativeNames=DNSName=mail.opsdesk.test, DNSName=localhost, IPAddress=127.0.0.1", "validUntil=", "serialNumber=0x", "SHA-256="} {
		if !strings.Contains(lines, want) {
			t.Errorf("lines lack %q:\n%s", want, lines)
		}
	}
}
