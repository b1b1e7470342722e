package keystore

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/smallstep/pkcs7"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/problem"
)

// Cloud Integration's limits on what it accepts.
const (
	MaxUploadSize      = 2 << 20 // an uploaded .jks
	MaxCertificateSize = 10240   // one certificate
	MaxKeyPairSize     = 30720   // one key pair
)

// Exported is one entry written out as a file.
type Exported struct {
	FileName string // suggested: "alias.cer", or "alias.p7b" for a chain
	Data     []byte
}

// Export writes one entry as Cloud Integration's single download does: a
// certificate as a base64 (PEM) .cer, a key pair's chain as a .p7b. With
// der, the .cer holds binary DER instead. Private keys never leave.
func (k *Keystore) Export(alias string, der bool) (Exported, error) {
	e, err := k.Entry(alias)
	if err != nil {
		return Exported{}, err
	}
	raws := make([][]byte, 0, len(e.Chain))
	for i, c := range e.Chain {
		if c == nil {
			return Exported{}, &problem.Error{Kind: ErrDamaged,
				What: fmt.Sprintf("Certificate %d of %q cannot be read", i+1, e.Alias), Detail: e.ChainErrors[i].Error()}
		}
		raws = append(raws, c.Raw)
	}
	name := certs.SafeName(e.Alias)
	if e.Type == Certificate || len(raws) == 1 {
		if der {
			return Exported{FileName: name + ".cer", Data: raws[0]}, nil
		}
		return Exported{FileName: name + ".cer", Data: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: raws[0]})}, nil
	}
	p7, err := pkcs7.DegenerateCertificate(bytes.Join(raws, nil))
	if err != nil {
		return Exported{}, err
	}
	if der {
		return Exported{FileName: name + ".p7b", Data: p7}, nil
	}
	return Exported{FileName: name + ".p7b", Data: pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7})}, nil
}

// UploadCheck is what Cloud Integration would object to in a keystore.
type UploadCheck struct {
	Warnings []string
	Entries  int // how many entries the copy holds
}

// CheckUpload lists what Cloud Integration would refuse in this keystore
// if it were uploaded as it is (size given in bytes).
func (k *Keystore) CheckUpload(size int) UploadCheck {
	var c UploadCheck
	if size > MaxUploadSize {
		c.Warnings = append(c.Warnings, fmt.Sprintf("The keystore is %.1f MB; Cloud Integration accepts at most 2 MB per upload.", float64(size)/(1<<20)))
	}
	for _, e := range k.entries {
		if e.SAPOwned {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%q is an SAP-owned alias; Cloud Integration will reject that entry.", e.Alias))
		}
		total := 0
		for _, cert := range e.Chain {
			if cert == nil {
				continue
			}
			total += len(cert.Raw)
			if e.Type == Certificate && len(cert.Raw) > MaxCertificateSize {
				c.Warnings = append(c.Warnings, fmt.Sprintf("The certificate %q is %d bytes; Cloud Integration accepts at most %d.", e.Alias, len(cert.Raw), MaxCertificateSize))
			}
		}
		if e.Type == KeyPair && total > MaxKeyPairSize {
			c.Warnings = append(c.Warnings, fmt.Sprintf("The key pair %q is %d bytes; Cloud Integration accepts at most %d.", e.Alias, total, MaxKeyPairSize))
		}
	}
	return c
}

// ExportForUpload writes a copy of the keystore to path, protected by
// password (what the user will type in Cloud Integration's upload dialog),
// with every key pair's key protected by that same password. Key pairs
// whose key password differs from the store password cannot be carried
// over and are listed as warnings. It also returns what Cloud Integration
// would object to.
func (k *Keystore) ExportForUpload(path string, password []byte) (UploadCheck, error) {
	if !k.keysReadable() {
		return UploadCheck{}, k.change(nil)
	}
	cp, err := javaPassword(password)
	if err != nil {
		return UploadCheck{}, err
	}
	defer clear(cp)
	if err := checkNewPassword(cp); err != nil {
		return UploadCheck{}, err
	}
	lib, err := k.library()
	if err != nil {
		return UploadCheck{}, err
	}
	copyLib := newLibrary()
	var skipped []string
	for _, e := range k.entries {
		if e.Type == Certificate {
			entry, err := lib.GetTrustedCertificateEntry(e.stored)
			if err != nil {
				return UploadCheck{}, err
			}
			if err := copyLib.SetTrustedCertificateEntry(e.Alias, entry); err != nil {
				return UploadCheck{}, err
			}
			continue
		}
		entry, err := k.decryptKey(e, k.password)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("The key pair %q was left out: its key has a password of its own.", e.Alias))
			continue
		}
		err = copyLib.SetPrivateKeyEntry(e.Alias, entry, cp)
		clear(entry.PrivateKey)
		if err != nil {
			return UploadCheck{}, err
		}
	}
	var buf bytes.Buffer
	if err := copyLib.Store(&buf, cp); err != nil {
		return UploadCheck{}, err
	}
	if err := writeAtomic(path, buf.Bytes()); err != nil {
		return UploadCheck{}, fileError(path, ErrDamaged, "could not be written", "Check that the folder is writable and the disk is not full.", err)
	}
	check := k.CheckUpload(buf.Len())
	check.Warnings = append(skipped, check.Warnings...)
	check.Entries = len(copyLib.Aliases())
	return check, nil
}

// TLSCertificate returns a key pair as a client certificate for TLS: its
// chain and its private key, decrypted with keyPassword (UTF-8), or with
// the store password when keyPassword is nil.
func (k *Keystore) TLSCertificate(alias string, keyPassword []byte) (tls.Certificate, error) {
	e, err := k.Entry(alias)
	if err != nil {
		return tls.Certificate{}, err
	}
	if e.Type != KeyPair {
		return tls.Certificate{}, &problem.Error{Kind: ErrNoEntry,
			What: fmt.Sprintf("%q is a certificate without a private key", e.Alias), Hint: "Choose a Key Pair entry to authenticate with."}
	}
	if !k.keysReadable() {
		return tls.Certificate{}, k.change(nil)
	}
	entry, kp, err := k.privateKey(e, keyPassword)
	if err != nil {
		return tls.Certificate{}, err
	}
	clear(kp)
	defer clear(entry.PrivateKey)
	key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
	if err != nil {
		return tls.Certificate{}, &problem.Error{Kind: ErrDamaged, What: fmt.Sprintf("The private key of %q cannot be read", e.Alias), Detail: err.Error()}
	}
	cert := tls.Certificate{PrivateKey: key, Leaf: e.Certificate()}
	for _, c := range e.Chain {
		if c != nil {
			cert.Certificate = append(cert.Certificate, c.Raw)
		}
	}
	return cert, nil
}
