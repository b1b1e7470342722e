package keystore

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/internal/regular"
)

// maxKeyPairFile is the largest file Add ▾ Key Pair reads: a key pair is
// at most 30,720 bytes, so anything far beyond is not one.
const maxKeyPairFile = 1 << 20

// ReadKeyPairFile reads the one key pair of a PKCS#12 file (.p12, .pfx)
// with its password, for Add ▾ Key Pair; a JKS holding one key pair is
// read too. A file with several key pairs is refused: ReadKeyPairs offers
// them all. The caller zeroes password and closes the result.
func ReadKeyPairFile(path string, password []byte) (*KeyMaterial, error) {
	pairs, err := ReadKeyPairs(path, password)
	if err != nil {
		return nil, err
	}
	if len(pairs) == 1 {
		return pairs[0], nil
	}
	for _, p := range pairs {
		p.Close()
	}
	return nil, fileError(path, ErrNotKeyPair, fmt.Sprintf("holds %d key pairs; Add ▾ Key Pair adds one", len(pairs)),
		"Choose which one, or bring them all in with Add ▾ Keystore.", nil)
}

// ReadKeyPairs reads every key pair of a PKCS#12 or JKS file, each with
// the alias the file gives it (Alias; empty when it gives none), so that
// the user can pick one. Certificates that are not part of a key's chain
// are left out. The caller zeroes password and closes every result.
func ReadKeyPairs(path string, password []byte) ([]*KeyMaterial, error) {
	data, err := readKeyPairInput(path)
	if err != nil {
		return nil, err
	}
	var src []sourceEntry
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xED, 0xFE, 0xED}):
		src, err = readJKSSource(path, password)
	case len(data) > 0 && data[0] == 0x30:
		src, err = readPKCS12Source(path, data, password)
	default:
		err = notPKCS12(path, data)
	}
	if err != nil {
		return nil, err
	}
	var pairs []*KeyMaterial
	refused := ""
	for _, s := range src {
		switch {
		case s.typ != KeyPair:
		case s.problem != "":
			refused = s.problem
			clear(s.key)
		default:
			m, err := keyMaterialOf(path, s.key, s.chain)
			if err != nil {
				for _, p := range pairs {
					p.Close()
				}
				for _, rest := range src {
					clear(rest.key)
				}
				return nil, err
			}
			m.Alias = s.alias
			pairs = append(pairs, m)
		}
	}
	if len(pairs) > 0 {
		return pairs, nil
	}
	if refused != "" {
		return nil, fileError(path, ErrNotKeyPair, "holds a key pair Opsdesk cannot read", refused, nil)
	}
	return nil, fileError(path, ErrNotKeyPair, "holds certificates but no private key, so it is not a key pair",
		"Add its certificates with Add ▾ Certificate, or choose the file that holds the private key.", nil)
}

// notPKCS12 says what a file chosen as PKCS#12 is instead.
func notPKCS12(path string, data []byte) error {
	hint := "Choose the .p12 or .pfx file that holds the key pair."
	switch {
	case bytes.Contains(data, []byte("PRIVATE KEY-----")):
		hint = "It is a PEM private key: choose PEM, and give its certificate file too."
	case len(certs.Read("", data).Certificates) > 0:
		hint = "It holds a certificate without its private key: add it with Add ▾ Certificate."
	}
	return fileError(path, ErrNotKeyPair, "is not a PKCS#12 file (.p12, .pfx)", hint, nil)
}

// ReadKeyPairPEM reads a key pair from PEM: an unencrypted private key
// (PKCS#8, or the older RSA and EC forms) in keyPath, its certificate and
// chain in certPath (PEM, DER or .p7b; it may be the same file). The
// caller closes the result.
func ReadKeyPairPEM(keyPath, certPath string) (*KeyMaterial, error) {
	keyData, err := readKeyPairInput(keyPath)
	if err != nil {
		return nil, err
	}
	defer clear(keyData)
	key, extra, err := parseKeyFile(keyPath, keyData)
	if err != nil {
		return nil, err
	}
	all := extra
	if certPath != "" && !IsSame(certPath, keyPath) {
		certData, err := readKeyPairInput(certPath)
		if err != nil {
			return nil, err
		}
		b := certs.Read(certPath, certData)
		if len(b.Certificates) == 0 && len(b.Problems) > 0 {
			return nil, b.Problems[0]
		}
		for _, f := range b.Certificates {
			all = append(all, f.Cert)
		}
	}
	if len(all) == 0 {
		return nil, fileError(keyPath, ErrNotKeyPair, "holds a private key but no certificate", "Choose the certificate file that belongs to the key as well.", nil)
	}
	chain, _ := chainFor(key.Public(), all)
	if chain == nil {
		where := "the certificate file"
		if certPath != "" {
			where = fmt.Sprintf("%q", filepath.Base(certPath))
		}
		return nil, fileError(keyPath, ErrKeyMismatch, "holds a private key that belongs to none of the certificates in "+where,
			"Choose the certificate issued for this key: its public key must be the key's.", nil)
	}
	return newKeyMaterial(keyPath, key, chain)
}

func readKeyPairInput(path string) ([]byte, error) {
	data, err := regular.Read(path, maxKeyPairFile)
	var notFile *regular.NotRegularError
	var tooLarge *regular.TooLargeError
	switch {
	case errors.As(err, &notFile):
		return nil, fileError(path, ErrNotKeyPair, "is "+notFile.What+", not a key pair file", "Choose the file that holds the key pair itself.", nil)
	case errors.As(err, &tooLarge):
		return nil, fileError(path, ErrTooLarge, fmt.Sprintf("is %s, far beyond a key pair (Cloud Integration accepts at most %d bytes)", certs.HumanSize(tooLarge.Size), MaxKeyPairSize),
			"Choose the file that holds the key pair itself.", nil)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fileError(path, ErrNotFound, "does not exist", "Check the file name.", nil)
	case err != nil:
		return nil, fileError(path, ErrNotFound, "cannot be read", "Check that you may read it.", err)
	}
	if len(data) == 0 {
		return nil, fileError(path, ErrNotKeyPair, "is empty", "Choose the file that holds the key.", nil)
	}
	return data, nil
}

const errEncryptedHint = "Opsdesk reads only unencrypted PEM keys. Decrypt it first (openssl pkey -in key.pem -out plain.pem), or bundle key and certificate as PKCS#12 (openssl pkcs12 -export) and choose PKCS#12."

// parseKeyFile finds the one private key in a PEM (or DER) file, and any
// certificates beside it.
func parseKeyFile(path string, data []byte) (crypto.Signer, []*x509.Certificate, error) {
	var key any
	var found []*x509.Certificate
	rest := data
	sawPEM := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		sawPEM = true
		switch block.Type {
		case "ENCRYPTED PRIVATE KEY":
			clear(block.Bytes)
			return nil, nil, fileError(path, ErrEncryptedKey, "holds an encrypted private key", errEncryptedHint, nil)
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") {
				clear(block.Bytes)
				return nil, nil, fileError(path, ErrEncryptedKey, "holds an encrypted private key", errEncryptedHint, nil)
			}
			if key != nil {
				clear(block.Bytes)
				return nil, nil, fileError(path, ErrNotKeyPair, "holds more than one private key", "Give each key its own file.", nil)
			}
			k, err := parseKeyDER(block.Bytes)
			clear(block.Bytes)
			if err != nil {
				return nil, nil, fileError(path, ErrNotKeyPair, "holds a private key Opsdesk cannot read", "Export the key again as PKCS#8 PEM (BEGIN PRIVATE KEY).", err)
			}
			key = k
		case "OPENSSH PRIVATE KEY":
			clear(block.Bytes)
			return nil, nil, fileError(path, ErrNotKeyPair, "is an SSH key, not a key pair with a certificate",
				"Cloud Integration keeps SSH keys apart (Add ▾ SSH Key on the tenant); Opsdesk does not handle them.", nil)
		case "CERTIFICATE":
			if c, err := x509.ParseCertificate(block.Bytes); err == nil {
				found = append(found, c)
			}
		}
	}
	if key == nil && !sawPEM {
		// A binary DER key, as some tools write .key files.
		if k, err := parseKeyDER(data); err == nil {
			key = k
		}
	}
	if key == nil {
		what, hint := "holds no private key", "Choose the file with the private key: it starts with -----BEGIN PRIVATE KEY-----."
		if len(found) > 0 || len(certs.Read("", data).Certificates) > 0 {
			what = "holds a certificate but no private key"
		} else if !sawPEM && len(data) > 0 && data[0] == 0x30 {
			hint = "If it is a PKCS#12 file (.p12, .pfx), choose PKCS#12 instead."
		}
		return nil, nil, fileError(path, ErrNotKeyPair, what, hint, nil)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, fileError(path, ErrNotKeyPair, "holds a kind of private key Opsdesk cannot use", "Use an RSA or EC key.", nil)
	}
	return signer, found, nil
}

// parseKeyDER reads PKCS#8, PKCS#1 (RSA) or SEC 1 (EC), whichever it is.
func parseKeyDER(der []byte) (any, error) {
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParseECPrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS#8, PKCS#1 or SEC 1 private key: %w", err)
	}
	return k, nil
}
