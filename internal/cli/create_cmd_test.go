package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
)

// TestMergeIntoANewKeystore: as keytool -importkeystore does, merge
// creates the target keystore when it does not exist, with the password a
// new keystore gets (as import asks it), here to turn a PKCS#12 file that
// keytool wrote into a JKS that keytool reads. A merge that fails leaves
// no keystore behind.
func TestMergeIntoANewKeystore(t *testing.T) {
	keytool := certtest.Tool(t, "keytool")
	dir := t.TempDir()
	p12 := filepath.Join(dir, "client.p12")
	if out, err := exec.Command(keytool, "-genkeypair", "-storetype", "PKCS12", "-keystore", p12, "-storepass", "source-pass",
		"-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=client.example.com", "-validity", "30").CombinedOutput(); err != nil {
		t.Fatalf("keytool: %v\n%s", err, out)
	}
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)
	t.Setenv("OPSDESK_SOURCE_PASSWORD", "wrong-pass")
	jks := filepath.Join(dir, "new.jks")
	code, _, errs := ksRun(t, "merge", p12, "--keystore", jks)
	if _, err := os.Stat(jks); code != 1 || !strings.Contains(errs, "password is wrong") || !os.IsNotExist(err) {
		t.Fatalf("merge with the wrong source password: exit %d, %v\n%s", code, err, errs)
	}

	t.Setenv("OPSDESK_SOURCE_PASSWORD", "source-pass")
	code, out, errs := ksRun(t, "merge", p12, "--keystore", jks)
	if code != 0 || !strings.Contains(out, "Created the keystore "+jks) || !strings.Contains(out, "Added: 1") {
		t.Fatalf("merge into a new keystore: exit %d\n%s\n%s", code, out, errs)
	}
	list, err := exec.Command(keytool, "-list", "-v", "-keystore", jks, "-storetype", "JKS", "-storepass", testPassword).CombinedOutput()
	if err != nil || !strings.Contains(string(list), "Keystore type: JKS") || !strings.Contains(string(list), "Alias name: client") ||
		!strings.Contains(string(list), "PrivateKeyEntry") || !strings.Contains(string(list), "CN=client.example.com") {
		t.Fatalf("keytool -list of the new keystore: %v\n%s", err, list)
	}
}

// TestCreateKeyPairInANewKeystore: as keytool -genkeypair does,
// create-keypair starts a client-certificate keystore.
func TestCreateKeyPairInANewKeystore(t *testing.T) {
	keytool := certtest.Tool(t, "keytool")
	jks := filepath.Join(t.TempDir(), "client.jks")
	t.Setenv("OPSDESK_KEYSTORE_PASSWORD", testPassword)
	code, _, errs := ksRun(t, "create-keypair", "client", "--cn", "x", "--country", "Germany", "--keystore", jks)
	if _, err := os.Stat(jks); code != 1 || !os.IsNotExist(err) {
		t.Fatalf("a refused key pair: exit %d, %v\n%s", code, err, errs)
	}
	code, out, errs := ksRun(t, "create-keypair", "client", "--cn", "client.example.com", "--key", "ec256", "--keystore", jks)
	if code != 0 || !strings.Contains(out, "Created the keystore "+jks) || !strings.Contains(out, "Created the key pair client") {
		t.Fatalf("create-keypair in a new keystore: exit %d\n%s\n%s", code, out, errs)
	}
	list, err := exec.Command(keytool, "-list", "-keystore", jks, "-storepass", testPassword).CombinedOutput()
	if err != nil || !strings.Contains(string(list), "client, ") || !strings.Contains(string(list), "PrivateKeyEntry") {
		t.Fatalf("keytool -list: %v\n%s", err, list)
	}
}
