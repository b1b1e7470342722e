package ui

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

// TestUpdateRenewsACertificateAndTakesTheCAsReply drives Update as a user
// does: a renewed certificate replaces an expired one under its alias, and
// a key pair takes the certificate a CA issued for its signing request,
// keeping its key; a certificate for another key is explained and changes
// nothing.
func TestUpdateRenewsACertificateAndTakesTheCAsReply(t *testing.T) {
	path := tutorialKeystore(t)
	k, err := keystore.Open(path, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "client", Key: keystore.EC256, CommonName: "client.example.com"}); err != nil {
		t.Fatal(err)
	}
	csr, err := k.SigningRequest("client", nil)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	h, w := openKeystoreWindow(t, path)
	dir := t.TempDir()
	writePEM := func(name string, list ...*x509.Certificate) string {
		var data []byte
		for _, c := range list {
			data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	update := func(alias, file string) {
		t.Helper()
		w.updateFrom(alias, file)
		settle(t, h)
		mustContain(t, "confirmation", overlayText(w.win), "Update “"+alias+"” with what "+filepath.Base(file)+" holds")
		tapOverlayButton(t, w.win, "Update")
		settle(t, h)
	}

	// A renewed certificate for the expired "old".
	if h.keystore.Model().Expired != 1 {
		t.Fatalf("expired before: %d", h.keystore.Model().Expired)
	}
	renewed := certValid(t, "Old Server", time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0))
	update("old", writePEM("renewed.pem", renewed))
	if r := w.model.row("old"); r == nil || r.Expiry != expiryFine || w.model.Expired != 0 {
		t.Fatalf("after the update: %+v, %d expired", r, w.model.Expired)
	}
	mustContain(t, "tile", h.keystoreTile.text(), "6  entries", "1 expires within 30 days")

	// The CA's reply to client's signing request.
	block, _ := pem.Decode(csr.Data)
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ca := certtest.CA(t, "Update Test CA")
	tmpl := certtest.Template(pkix.Name{CommonName: "client.example.com"})
	tmpl.NotAfter = time.Now().AddDate(0, 6, 0)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, req.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := x509.ParseCertificate(der)

	// First a certificate for another key: explained, nothing written.
	before, _ := os.ReadFile(path)
	update("client", writePEM("wrong.pem", renewed))
	mustContain(t, "error", overlayText(w.win), "None of the certificates belongs to the private key")
	tapOverlayButton(t, w.win, "Close")
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a refused update changed the keystore file")
	}

	update("client", writePEM("client-signed.pem", signed, ca.Cert))
	r := w.model.row("client")
	if r == nil || r.Entry.Type != keystore.KeyPair || len(r.Entry.Chain) != 2 || r.Entry.Chain[1].Subject.CommonName != "Update Test CA" {
		t.Fatalf("key pair after the update: %+v", r)
	}
	if w.selected != "client" {
		t.Errorf("details show %q", w.selected)
	}
	if w.win.Canvas().Overlays().Top() != nil {
		t.Errorf("left open: %s", overlayText(w.win))
	}
}

// TestTLSTestWithAKeyPairCreatedInTheApp: a key pair made with Create ▾
// Key Pair is offered at once as the TLS tab's client certificate, and
// the server sees exactly that certificate.
func TestTLSTestWithAKeyPairCreatedInTheApp(t *testing.T) {
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	d := w.onCreateKeyPair()
	d.cn.SetText("opsdesk-client")
	d.algorithm.SetSelected("EC")
	if d.create.Disabled() {
		t.Fatalf("Create disabled: %q", d.status.Text)
	}
	d.onCreate()
	settle(t, h)
	r := w.model.row("opsdesk-client")
	if r == nil || r.Entry.Type != keystore.KeyPair {
		t.Fatalf("no key pair after Create: %v", w.model.Rows)
	}

	chain := mailtest.NewChain(t)
	seen := make(chan []byte, 1)
	port := mailtest.Raw(t, func(c net.Conn) {
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{chain.TLS}, ClientAuth: tls.RequireAnyClientCert})
		if tc.Handshake() == nil {
			if peer := tc.ConnectionState().PeerCertificates; len(peer) > 0 {
				seen <- peer[0].Raw
			}
			_, _ = tc.Write([]byte("hello\n"))
		}
	})
	c := connectivityFor(t, h)
	tab := c.tab(connectivity.TLS)
	if !slices.Contains(tab.clientAlias.Options, "opsdesk-client") {
		t.Fatalf("the TLS tab offers %v", tab.clientAlias.Options)
	}
	test.Type(tab.host, mailtest.Host)
	tab.port.SetText(strconv.Itoa(port))
	tab.verify.SetChecked(false)
	tab.clientCert.SetChecked(true)
	tab.clientAlias.SetSelected("opsdesk-client")
	mustContain(t, "response", send(t, h, tab), "Successfully reached host")
	select {
	case got := <-seen:
		if !bytes.Equal(got, r.Entry.Certificate().Raw) {
			t.Error("the server saw another certificate than the key pair's")
		}
	default:
		t.Error("the server saw no client certificate")
	}
}
