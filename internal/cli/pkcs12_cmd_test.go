package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

// Issue 14: a PKCS#12 keystore as keytool writes it by default (key pairs
// and trusted certificates) is listed, shown and saved as JKS by the
// keystore commands; changing it is refused with a sentence, file intact.
func TestKeystoreCommandsOnAPKCS12Keystore(t *testing.T) {
	keytool := certtest.Tool(t, "keytool")
	dir := t.TempDir()
	p12 := filepath.Join(dir, "modern.p12")
	for i := 1; i <= 2; i++ {
		if out, err := exec.Command(keytool, "-genkeypair", "-storetype", "PKCS12", "-keystore", p12, "-storepass", "p12-pass",
			"-alias", fmt.Sprintf("client%d", i), "-keyalg", "EC", "-dname", fmt.Sprintf("CN=client%d", i)).CombinedOutput(); err != nil {
			t.Fatalf("keytool: %v\n%s", err, out)
		}
	}
	ca := filepath.Join(dir, "ca.pem")
	_ = os.WriteFile(ca, certtest.CA(t, "Partner Root").PEM(), 0o644)
	if out, err := exec.Command(keytool, "-importcert", "-noprompt", "-keystore", p12, "-storepass", "p12-pass", "-alias", "partner", "-file", ca).CombinedOutput(); err != nil {
		t.Fatalf("keytool: %v\n%s", err, out)
	}
	before, _ := os.ReadFile(p12)
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", "p12-pass")

	code, out, errs := ksRun(t, "list", "--keystore", p12)
	if code != 0 || !strings.Contains(out, "client1") || !strings.Contains(out, "client2") || !strings.Contains(out, "partner") {
		t.Fatalf("list: exit %d\n%s\n%s", code, out, errs)
	}
	code, _, errs = ksRun(t, "delete", "partner", "--keystore", p12)
	if code != 1 || !strings.Contains(errs, "PKCS#12 keystore, which Opsdesk reads but does not change") {
		t.Fatalf("delete: exit %d: %s", code, errs)
	}
	// "Save as JKS": a keystore the tenant takes, which keytool reads.
	t.Setenv("OPSDESK_COPY_PASSWORD", "upload-pass")
	jks := filepath.Join(dir, "upload.jks")
	code, out, errs = ksRun(t, "download", "--keystore", p12, "--out", jks)
	if code != 0 || !strings.Contains(out, "with 3 entries") {
		t.Fatalf("download: exit %d\n%s\n%s", code, out, errs)
	}
	list, err := exec.Command(keytool, "-list", "-keystore", jks, "-storepass", "upload-pass").CombinedOutput()
	if err != nil || strings.Count(string(list), "PrivateKeyEntry") != 2 || strings.Count(string(list), "trustedCertEntry") != 1 {
		t.Fatalf("keytool -list of the saved JKS: %v\n%s", err, list)
	}
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", "wrong-pass")
	if code, _, errs = ksRun(t, "list", "--keystore", p12); code != 1 || !strings.Contains(errs, "the password is wrong") {
		t.Fatalf("wrong password: exit %d: %s", code, errs)
	}
	if after, _ := os.ReadFile(p12); !bytes.Equal(before, after) {
		t.Error("the PKCS#12 file was changed")
	}
}
