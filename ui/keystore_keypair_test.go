package ui

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/keystore"
)

func TestCreateKeyPairDialog(t *testing.T) {
	h, w := openKeystoreWindow(t, tutorialKeystore(t))
	if w.createBtn.Disabled() || w.createBtn.Text != "Create" {
		t.Fatal("no Create ▾ button")
	}
	d := w.onCreateKeyPair()
	if !d.create.Disabled() || !strings.Contains(d.status.Text, "alias is empty") {
		t.Fatalf("an empty form: disabled=%v, %q", d.create.Disabled(), d.status.Text)
	}
	if d.algorithm.Selected != "RSA" || d.size.Selected != "2048" || d.signature.Selected != "SHA256withRSA" {
		t.Errorf("defaults %s %s %s", d.algorithm.Selected, d.size.Selected, d.signature.Selected)
	}
	if until := d.validUntil.Date; until == nil || until.Year() != time.Now().Year()+1 {
		t.Errorf("Valid Until defaults to %v, want a year from now", until)
	}
	test.Type(d.cn, "Client.Example.com")
	if d.alias.Text != "client.example.com" {
		t.Errorf("alias suggested from the CN: %q", d.alias.Text)
	}
	for _, tc := range []struct{ field, text, says string }{
		{"alias", "old", "already exists"},
		{"alias", "sap_client", "belongs to SAP"},
		{"country", "Germany", "two-letter country code"},
		{"sans", "DNS:bad host", "not a valid host name"},
	} {
		e := map[string]interface{ SetText(string) }{"alias": d.alias, "country": d.country, "sans": d.sans}[tc.field]
		e.SetText(tc.text)
		if !d.create.Disabled() || !strings.Contains(d.status.Text, tc.says) {
			t.Errorf("%s %q: disabled=%v, %q", tc.field, tc.text, d.create.Disabled(), d.status.Text)
		}
		if strings.Contains(d.status.Text, "\n") {
			t.Errorf("the reason is more than one line: %q", d.status.Text)
		}
		e.SetText(map[string]string{"alias": "client.example.com", "country": "DE", "sans": "client.example.com, IP:192.0.2.7"}[tc.field])
	}
	d.algorithm.SetSelected("EC")
	if d.size.Selected != "P-256" || d.signature.Selected != "SHA256withECDSA" || len(d.signature.Options) != 3 {
		t.Errorf("EC offers %s %v", d.size.Selected, d.signature.Options)
	}
	d.org.SetText("Opsdesk")
	if d.create.Disabled() || d.status.Text != "" {
		t.Fatalf("a valid form: disabled, %q", d.status.Text)
	}
	test.Tap(d.create)
	settle(t, h)
	if !w.model.Has("client.example.com") {
		t.Fatalf("not created: %v\n%s", aliases(w.model), overlayText(w.win))
	}
	row := rowOf(t, w, "client.example.com")
	if got := cellAt(w, row, 1).label.Text; got != "Key Pair" {
		t.Errorf("Type %q", got)
	}
	if got := cellAt(w, row, 4).label.Text; got != "CN=Client.Example.com, O=Opsdesk, C=DE" {
		t.Errorf("Subject DN %q", got)
	}
	if w.selected != "client.example.com" || !w.keyPairBtn.Visible() {
		t.Errorf("details of %q, key pair menu shown=%v", w.selected, w.keyPairBtn.Visible())
	}
	mustContain(t, "details", joined(w.details), "EC", "SHA256withECDSA", "DNS:client.example.com", "IP:192.0.2.7")
	if !cellAt(w, row, colActions).more.Visible() || cellAt(w, rowOf(t, w, "old"), colActions).more.Visible() {
		t.Error("the key pair actions belong to Key Pair rows only")
	}
	// Cancel while the key is being generated: nothing is added.
	d = w.onCreateKeyPair()
	d.algorithm.SetSelected("EC")
	test.Type(d.cn, "cancelled.example.com")
	d.cancelled = true // what Cancel sets; set before, as the key may be ready at once
	test.Tap(d.create)
	settle(t, h)
	if w.model.Has("cancelled.example.com") {
		t.Error("a cancelled key pair was added")
	}
}

func TestAddKeyPairFromPKCS12File(t *testing.T) {
	path := tutorialKeystore(t)
	h, w := openKeystoreWindow(t, path)
	chain := certtest.NewChain(t, "client.example.com")
	data, err := pkcs12.Modern.Encode(chain.Leaf.Key, chain.Leaf.Cert, []*x509.Certificate{chain.Intermediate.Cert, chain.Root.Cert}, "p12-pass")
	if err != nil {
		t.Fatal(err)
	}
	p12 := filepath.Join(t.TempDir(), "client.p12")
	os.WriteFile(p12, data, 0o600)
	before, _ := os.ReadFile(path)

	d := w.onAddKeyPair()
	if d.format.Selected != formatPKCS12 || !d.confirm.Disabled() {
		t.Fatal("the dialog does not start at PKCS#12 with Confirm disabled")
	}
	d.p12Path = p12
	d.password.SetText("wrong-pass")
	d.load()
	settle(t, h)
	mustContain(t, "status", d.status.Text, "the password is wrong")
	if !d.confirm.Disabled() {
		t.Error("Confirm is enabled after a wrong password")
	}
	d.password.SetText("p12-pass")
	d.load()
	settle(t, h)
	if d.alias.Text != "client.example.com" {
		t.Errorf("suggested alias %q", d.alias.Text)
	}
	mustContain(t, "preview", joined(d.preview), "CN=client.example.com", "CN=Opsdesk Test CA 1O1", "Validity", "Chain Length", "3 certificates")
	if d.confirm.Disabled() {
		t.Fatalf("Confirm disabled: %q", d.status.Text)
	}
	d.alias.SetText("sap_client")
	if !d.confirm.Disabled() || !strings.Contains(d.status.Text, "belongs to SAP") {
		t.Errorf("SAP alias: %q", d.status.Text)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the keystore changed before Confirm")
	}
	d.alias.SetText("Client")
	test.Tap(d.confirm)
	settle(t, h)
	if !w.model.Has("client") || w.model.Rows[w.model.byAlias["client"]].Entry.Type != keystore.KeyPair {
		t.Fatalf("not added: %v\n%s", aliases(w.model), overlayText(w.win))
	}
	if e := w.model.Rows[w.model.byAlias["client"]].Entry; len(e.Chain) != 3 {
		t.Errorf("chain of %d", len(e.Chain))
	}

	// PEM: a key that is not the certificate's is said so.
	dir := t.TempDir()
	other := certtest.NewChain(t, "other.example.com")
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(other.Leaf.Key)
	keyFile := filepath.Join(dir, "other.key")
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600)
	certFile := filepath.Join(dir, "client.pem")
	os.WriteFile(certFile, chain.Leaf.PEM(), 0o600)
	d = w.onAddKeyPair()
	d.format.SetSelected(formatPEM)
	d.keyPath, d.certPath = keyFile, certFile
	d.load()
	settle(t, h)
	mustContain(t, "status", d.status.Text, "belongs to none of the certificates in \"client.pem\"")
	if !d.confirm.Disabled() {
		t.Error("Confirm enabled for a key that does not match")
	}
}

func TestKeyPairRowActions(t *testing.T) {
	path := tutorialKeystore(t)
	k, err := keystore.Open(path, []byte(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateKeyPair(keystore.KeyPairOptions{Alias: "client", Key: keystore.EC256, CommonName: "client.example.com",
		SubjectAltNames: []string{"client.example.com"}}); err != nil {
		t.Fatal(err)
	}
	k.Close()
	h, w := openKeystoreWindow(t, path)
	saved := map[string][]byte{}
	w.save = func(title, name string, data []byte) { saved[name] = data }

	menu := w.keyPairMenu("client")
	var labels []string
	for _, it := range menu.Items {
		labels = append(labels, it.Label)
		it.Action()
		settle(t, h)
	}
	if strings.Join(labels, "|") != "Download Certificate Chain|Download Root Certificate|Download Signing Request" {
		t.Errorf("menu %v", labels)
	}
	if top := w.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("an error was shown: %s", overlayText(w.win))
	}
	if b := certs.Read("client.p7b", saved["client.p7b"]); len(b.Certificates) != 1 || b.Certificates[0].Cert.Subject.CommonName != "client.example.com" {
		t.Errorf("client.p7b: %+v", b)
	}
	if b := certs.Read("client_rootCA.cer", saved["client_rootCA.cer"]); len(b.Certificates) != 1 {
		t.Errorf("client_rootCA.cer: %+v", b)
	}
	block, _ := pem.Decode(saved["client.csr"])
	if block == nil {
		t.Fatalf("client.csr: %q", saved["client.csr"])
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil || csr.CheckSignature() != nil || csr.Subject.CommonName != "client.example.com" || len(csr.DNSNames) != 1 {
		t.Errorf("client.csr: %v", err)
	}
	if len(saved) != 3 {
		t.Errorf("saved %d files", len(saved))
	}
}
