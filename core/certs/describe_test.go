package certs_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

var (
	oidCN    = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO     = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOU    = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidL     = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidST    = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidC     = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidEmail = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidOrgID = asn1.ObjectIdentifier{2, 5, 4, 97}
)

// trickyCert has a subject with everything that makes DN printing go wrong:
// a comma, a plus, quotes, non-ASCII letters, an e-mail address, an
// attribute Java has no keyword for, and a multi-valued RDN.
func trickyCert(t testing.TB) *x509.Certificate {
	subject := pkix.RDNSequence{
		{{Type: oidC, Value: "CH"}},
		{{Type: oidST, Value: "Zürich"}},
		{{Type: oidL, Value: "Zürich"}},
		{{Type: oidO, Value: "Google, Inc."}},
		{{Type: oidOU, Value: "R&D + \"Ops\""}, {Type: oidOU, Value: "Mail"}},
		{{Type: oidOrgID, Value: "VATCH-123"}},
		{{Type: oidEmail, Value: asn1.RawValue{Tag: asn1.TagIA5String, Bytes: []byte("postmaster@example.com")}}},
		{{Type: oidCN, Value: "smtp.example.com"}},
	}
	raw, err := asn1.Marshal(subject)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := certtest.Template(pkix.Name{})
	tmpl.RawSubject = raw
	tmpl.DNSNames = []string{"smtp.example.com", "*.example.com"}
	tmpl.EmailAddresses = []string{"postmaster@example.com"}
	return certtest.Sign(t, tmpl, certtest.RSAKey(t, 2048), nil).Cert
}

// keytoolPrint runs keytool -printcert on cert and returns its fields.
func keytoolPrint(t *testing.T, cert *x509.Certificate) map[string]string {
	keytool := certtest.Tool(t, "keytool")
	file := filepath.Join(t.TempDir(), "c.cer")
	if err := os.WriteFile(file, cert.Raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(keytool, "-J-Duser.language=en", "-J-Duser.country=US", "-printcert", "-v", "-file", file)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "JAVA_TOOL_OPTIONS=-Dfile.encoding=UTF-8 -Dstdout.encoding=UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keytool: %v\n%s", err, out)
	}
	fields := map[string]string{}
	re := regexp.MustCompile(`(?m)^\s*(Owner|Issuer|Serial number|SHA1|SHA256|Signature algorithm name): (.*)$`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		if _, seen := fields[m[1]]; !seen {
			fields[m[1]] = strings.TrimSpace(m[2])
		}
	}
	return fields
}

func TestDescribeMatchesKeytool(t *testing.T) {
	chain := certtest.NewChain(t, "smtp.example.com")
	cases := map[string]*x509.Certificate{
		"tricky subject": trickyCert(t),
		"leaf (EC)":      chain.Leaf.Cert,
		"root (RSA)":     chain.Root.Cert,
	}
	for name, cert := range cases {
		t.Run(name, func(t *testing.T) {
			want := keytoolPrint(t, cert)
			d := certs.Describe(cert)
			got := map[string]string{
				"Owner":                    d.SubjectDN,
				"Issuer":                   d.IssuerDN,
				"Serial number":            d.SerialNumber,
				"SHA1":                     d.SHA1,
				"SHA256":                   d.SHA256,
				"Signature algorithm name": d.SignatureAlgorithm,
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: got %q, keytool says %q", k, got[k], w)
				}
			}
			if len(want) != len(got) {
				t.Errorf("keytool printed %d of the %d fields: %v", len(want), len(got), want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	chain := certtest.NewChain(t, "smtp.example.com")
	leaf := certs.Describe(chain.Leaf.Cert)
	root := certs.Describe(chain.Root.Cert)
	inter := certs.Describe(chain.Intermediate.Cert)

	if leaf.KeyDescription != "EC P-256" || leaf.KeyType != "EC" || leaf.KeySize != 256 {
		t.Errorf("leaf key = %q %q %d", leaf.KeyDescription, leaf.KeyType, leaf.KeySize)
	}
	if root.KeyDescription != "RSA 2048" || root.KeySize != 2048 {
		t.Errorf("root key = %q", root.KeyDescription)
	}
	if leaf.IsCA || !root.IsCA || !inter.IsCA {
		t.Errorf("IsCA: leaf %v root %v intermediate %v", leaf.IsCA, root.IsCA, inter.IsCA)
	}
	if leaf.SelfSigned || !root.SelfSigned || inter.SelfSigned {
		t.Errorf("SelfSigned: leaf %v root %v intermediate %v", leaf.SelfSigned, root.SelfSigned, inter.SelfSigned)
	}
	wantSANs := "DNS:smtp.example.com DNS:localhost IP:127.0.0.1"
	if got := strings.Join(leaf.SubjectAltNames, " "); got != wantSANs {
		t.Errorf("SANs = %q, want %q", got, wantSANs)
	}
	if !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(leaf.SHA256) {
		t.Errorf("SHA-256 fingerprint %q is not keytool's format", leaf.SHA256)
	}
	if leaf.SHA256 != certs.SHA256(chain.Leaf.Cert) {
		t.Error("SHA256 helper disagrees with Describe")
	}
	now := time.Now()
	if leaf.ExpiresWithin(now, 30*24*time.Hour) || !leaf.ExpiresWithin(now, 400*24*time.Hour) {
		t.Error("ExpiresWithin is wrong for a one-year certificate")
	}

	ed := certtest.Sign(t, certtest.Template(pkix.Name{CommonName: "ed"}), ed25519Key(t), nil)
	if d := certs.Describe(ed.Cert); d.KeyDescription != "Ed25519" || d.SignatureAlgorithm != "Ed25519" {
		t.Errorf("Ed25519 described as %q / %q", d.KeyDescription, d.SignatureAlgorithm)
	}
}

// TestNotValidAt: the one rule the import preview, Add Certificate, Update
// and the Connectivity window's Add to Keystore say validity with.
func TestNotValidAt(t *testing.T) {
	from := time.Date(2022, 4, 1, 12, 0, 0, 0, time.UTC)
	until := time.Date(2023, 4, 1, 12, 0, 0, 0, time.UTC)
	d := certs.Description{ValidFrom: from, ValidUntil: until}
	tests := []struct {
		name string
		now  time.Time
		want string // "" when valid
	}{
		{"valid", time.Date(2022, 10, 1, 0, 0, 0, 0, time.UTC), ""},
		{"the last second", until, ""},
		{"the first second", from, ""},
		{"expired", until.Add(time.Second), "This certificate expired on Apr 1, 2023 — the tenant will not trust a server that sends it. You can still import it."},
		{"long expired", until.AddDate(3, 0, 0), "expired on Apr 1, 2023"},
		{"not valid yet", from.Add(-time.Second), "This certificate is not valid until Apr 1, 2022 — until then the tenant will not trust a server that sends it. You can still import it."},
		{"the date where the user is", until.Add(13 * time.Hour).In(time.FixedZone("UTC+13", 13*3600)), "expired on Apr 2, 2023"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := d.NotValidAt(tt.now)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("NotValidAt = %q, want %q", got, tt.want)
			}
		})
	}
}
