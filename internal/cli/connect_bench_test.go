package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
)

// BenchmarkConnectFlow times the whole "opsdesk connect" against the
// loopback SMTP server: settings, the credential stored in the encrypted
// keyring file, the first test, root and intermediate added to a new JKS,
// the proof, the hand-over. Each round starts from a new keystore and a
// new credential, as a user connecting an account does. Inside
// scripts/with-secret-service.sh the credential goes to the Secret Service.
//
//	go test ./internal/cli -run '^$' -bench ConnectFlow -benchtime 20x
//	bash scripts/with-secret-service.sh go test ./internal/cli -run '^$' -bench ConnectFlow -benchtime 20x
func BenchmarkConnectFlow(b *testing.B) {
	chain := mailtest.NewChain(b)
	roots := filepath.Join(b.TempDir(), "roots.pem")
	if err := os.WriteFile(roots, chain.Root.PEM(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Setenv("SSL_CERT_FILE", roots)
	port := mailtest.SMTP(b, chain, mailtest.Options{STARTTLS: true, Gmail: true, Mechs: []string{"PLAIN"}, User: connectUser, Password: connectPassword})
	home := b.TempDir()
	b.Setenv("OPSDESK_HOME", home)
	backend := "file"
	if os.Getenv("OPSDESK_TEST_SECRET_SERVICE") == "1" {
		backend = "secret-service" // inside scripts/with-secret-service.sh: the real keyring
	}
	b.Setenv(credentials.BackendEnv, backend)
	b.Setenv(credentials.FilePasswordEnv, "bench-file-keyring")
	b.Setenv(ownkeystore.PasswordEnv, "changeit-ks")
	b.Setenv("OPSDESK_PASSWORD", connectPassword)
	server := fmt.Sprintf("%s:%d", mailtest.Host, port)
	b.ResetTimer()
	for i := range b.N {
		name := fmt.Sprintf("bench_%d", i)
		var out, errs bytes.Buffer
		code := Run([]string{"connect", connectUser, "--smtp", server, "--connect-to", "127.0.0.1", "--yes", "--credential", name,
			"--keystore", filepath.Join(home, name+".jks")}, strings.NewReader(""), &out, &errs)
		if code != 0 {
			b.Fatalf("exit %d\n%s\n%s", code, out.String(), errs.String())
		}
		b.StopTimer()
		Run([]string{"credentials", "delete", name}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		b.StartTimer()
	}
}
