package keystore_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// mergeFixture: a target holding an SAP entry, "shared" and "mine"; a
// source holding "shared" (another certificate), "new", and a copy of
// "mine"'s certificate under another alias.
func mergeFixture(t *testing.T) (target *keystore.Keystore, source string) {
	dir := t.TempDir()
	sap, shared, mine, shared2, fresh := certtest.CA(t, "sap"), certtest.CA(t, "shared"), certtest.CA(t, "mine"), certtest.CA(t, "shared2"), certtest.CA(t, "fresh")

	// The target gets its SAP entry the way a tenant's system.jks has it:
	// written by keytool, since Opsdesk refuses SAP aliases.
	targetPath := filepath.Join(dir, "system.jks")
	keytool(t, "-importcert", "-noprompt", "-storetype", "JKS", "-keystore", targetPath, "-storepass", "target-pass", "-alias", "sap_cloud_root",
		"-file", writeFile(t, dir, "sap.cer", sap.Cert.Raw))
	target, err := keystore.Open(targetPath, []byte("target-pass"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(target.Close)
	if _, err := target.AddCertificates([]keystore.Candidate{{Cert: shared.Cert, Alias: "shared"}, {Cert: mine.Cert, Alias: "mine"}}); err != nil {
		t.Fatal(err)
	}

	src, err := keystore.Create(filepath.Join(dir, "source.jks"), []byte("source-pass"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.AddCertificates([]keystore.Candidate{{Cert: shared2.Cert, Alias: "shared"}, {Cert: fresh.Cert, Alias: "new"}, {Cert: mine.Cert, Alias: "mine-copy"}}); err != nil {
		t.Fatal(err)
	}
	return target, src.Path()
}

func outcomes(s keystore.Summary) string {
	var parts []string
	for _, r := range s.Results {
		parts = append(parts, r.Alias+"="+string(r.Outcome))
	}
	return strings.Join(parts, " ")
}

func TestMerge(t *testing.T) {
	cases := []struct {
		name    string
		opt     keystore.MergeOptions
		summary string
		after   string
	}{
		{"Add", keystore.MergeOptions{Mode: keystore.Add},
			"mine-copy=duplicate new=added shared=preserved", "mine,new,sap_cloud_root,shared"},
		{"Add, overwrite existing entries", keystore.MergeOptions{Mode: keystore.Add, Overwrite: true},
			"mine-copy=duplicate new=added shared=overwritten", "mine,new,sap_cloud_root,shared"},
		{"Replace", keystore.MergeOptions{Mode: keystore.Replace},
			"sap_cloud_root=preserved mine-copy=added new=added shared=added mine=removed", "mine-copy,new,sap_cloud_root,shared"},
		{"read-only source", keystore.MergeOptions{Mode: keystore.Add},
			"mine-copy=duplicate new=added shared=preserved", "mine,new,sap_cloud_root,shared"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, source := mergeFixture(t)
			if tc.name != "read-only source" {
				tc.opt.Password = []byte("source-pass")
			}
			sum, err := target.Merge(source, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := outcomes(sum); got != tc.summary {
				t.Errorf("summary %q, want %q", got, tc.summary)
			}
			if got := strings.Join(aliases(target), ","); got != tc.after {
				t.Errorf("entries %q, want %q", got, tc.after)
			}
			if got := keytoolFingerprints(t, target.Path(), "target-pass"); len(got) != len(target.Entries()) {
				t.Errorf("keytool lists %v", got)
			}
		})
	}
}

func TestMergeRefusals(t *testing.T) {
	target, source := mergeFixture(t)
	if _, err := target.Merge(source, keystore.MergeOptions{Password: []byte("wrong-pass")}); !errors.Is(err, keystore.ErrWrongPassword) {
		t.Errorf("wrong source password: %v", err)
	}
	if _, err := target.Merge(target.Path(), keystore.MergeOptions{}); err == nil {
		t.Error("merged a keystore into itself")
	}
	pem := writeFile(t, t.TempDir(), "cert.pem", certtest.CA(t, "c").PEM())
	if _, err := target.Merge(pem, keystore.MergeOptions{}); !errors.Is(err, keystore.ErrNotKeystore) || !strings.Contains(err.Error(), "is a certificate") {
		t.Errorf("merge of a certificate file: %v", err)
	}
	// A key pair cannot come from a source opened without its password.
	dir := t.TempDir()
	withKey := writeFile(t, dir, "withkey.jks", sample(t, "source-pass"))
	sum, err := target.Merge(withKey, keystore.MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sum.Results {
		if r.Alias == "server" && (r.Outcome != keystore.Rejected || !strings.Contains(r.Reason, "password")) {
			t.Errorf("key pair from a read-only source: %s %s", r.Outcome, r.Reason)
		}
	}
}
