package certs_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509/pkix"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

func ed25519Key(t testing.TB) crypto.Signer {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSafeName(t *testing.T) {
	cases := map[string]string{
		"smtp.gmail.com":         "smtp.gmail.com",
		"GTS Root R1":            "gts_root_r1",
		"GTS CA 1O1":             "gts_ca_1o1",
		"*.gmail.com":            "wildcard.gmail.com",
		"Zürich / Mail: CA":      "z_rich_mail_ca",
		"../../etc/passwd":       "etc_passwd",
		"  ":                     "certificate",
		"...":                    "certificate",
		"CON":                    "cert_con",
		"nul.example":            "cert_nul.example",
		"WR2":                    "wr2",
		strings.Repeat("a", 300): strings.Repeat("a", certs.MaxAliasLength),
	}
	for in, want := range cases {
		if got := certs.SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSuggestAlias(t *testing.T) {
	mk := func(name pkix.Name, dns ...string) *certtest.Issued {
		tmpl := certtest.Template(name)
		tmpl.DNSNames = dns
		i := certtest.Sign(t, tmpl, ed25519Key(t), nil)
		return &i
	}
	taken := map[string]bool{"smtp.gmail.com": true, "smtp.gmail.com_2": true}
	isTaken := func(a string) bool { return taken[a] }

	cases := []struct {
		cert *certtest.Issued
		want string
	}{
		{mk(pkix.Name{CommonName: "smtp.gmail.com"}), "smtp.gmail.com_3"},
		{mk(pkix.Name{CommonName: "GTS Root R1", Organization: []string{"Google Trust Services LLC"}}), "gts_root_r1"},
		{mk(pkix.Name{Organization: []string{"No CN Ltd"}}, "mail.example.org"), "mail.example.org"},
		{mk(pkix.Name{Organization: []string{"No CN Ltd"}}), "no_cn_ltd"},
		{mk(pkix.Name{CommonName: "SAP Global Root CA"}), "cert_sap_global_root_ca"},
		{mk(pkix.Name{CommonName: "HCICertificate X"}), "cert_hcicertificate_x"},
	}
	for _, tc := range cases {
		got := certs.SuggestAlias(tc.cert.Cert, isTaken)
		if got != tc.want {
			t.Errorf("SuggestAlias(%s) = %q, want %q", tc.cert.Cert.Subject, got, tc.want)
		}
		if certs.IsSAPOwned(got) {
			t.Errorf("suggested alias %q is SAP-owned", got)
		}
	}
}

func TestIsSAPOwned(t *testing.T) {
	for alias, want := range map[string]bool{
		"sap_cloudintegrationcertificate": true,
		"SAP_Passport":                    true,
		"hcicertificate1":                 true,
		"sapling":                         false,
		"my_sap_cert":                     false,
	} {
		if got := certs.IsSAPOwned(alias); got != want {
			t.Errorf("IsSAPOwned(%q) = %v", alias, got)
		}
	}
}
