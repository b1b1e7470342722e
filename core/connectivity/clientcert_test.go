package connectivity_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// TestTLSClientCertificateFromTheKeystore: the TLS tab's "Authenticate
// with Client Certificate" uses a key pair of the keystore.
func TestTLSClientCertificateFromTheKeystore(t *testing.T) {
	chain := mailtest.NewChain(t)
	clientCA := certtest.CA(t, "Client CA")
	key := certtest.ECKey(t)
	tmpl := certtest.Template(pkix.Name{CommonName: "opsdesk-client"})
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	client := certtest.Sign(t, tmpl, key, &clientCA)

	// The key pair arrives as a .p12 and is merged in, as a user would.
	dir := t.TempDir()
	p12, err := pkcs12.Modern.Encode(key, client.Cert, []*x509.Certificate{clientCA.Cert}, "p12-pass")
	if err != nil {
		t.Fatal(err)
	}
	p12Path := filepath.Join(dir, "client.p12")
	if err := os.WriteFile(p12Path, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	ks, err := keystore.Create(filepath.Join(dir, "k.jks"), []byte("changeit"))
	if err != nil {
		t.Fatal(err)
	}
	defer ks.Close()
	if _, err := ks.Merge(p12Path, keystore.MergeOptions{Password: []byte("p12-pass")}); err != nil {
		t.Fatal(err)
	}
	cert, err := ks.TLSCertificate("opsdesk-client", nil)
	if err != nil {
		t.Fatalf("%v (entries %v)", err, ks.Entries())
	}

	pool := x509.NewCertPool()
	pool.AddCert(clientCA.Cert)
	serverCfg := &tls.Config{Certificates: []tls.Certificate{chain.TLS}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	port := mailtest.Raw(t, func(c net.Conn) {
		tc := tls.Server(c, serverCfg)
		if tc.Handshake() == nil {
			tc.Write([]byte("hello\n"))
		}
	})
	req := connectivity.Request{Protocol: connectivity.TLS, Host: mailtest.Host, ConnectTo: "127.0.0.1", Port: port,
		VerifyCertificate: true, Trusted: chain.Trusted(), ClientCert: &cert}
	if r := connectivity.Run(context.Background(), req); !r.OK() {
		t.Fatalf("with the client certificate: %+v %v", r.Checks, r.Err)
	}
	// Without it: TLS 1.3 servers refuse after the handshake, and the
	// test must still see the refusal.
	req.ClientCert = nil
	r := connectivity.Run(context.Background(), req)
	if r.OK() || r.Explanation == nil || !strings.Contains(r.Explanation.What, "client certificate") {
		t.Fatalf("without the client certificate: %+v %v %+v", r.Checks, r.Err, r.Explanation)
	}
}
