package keystore

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Format is a keystore file's kind.
type Format string

const (
	JKS    Format = "JKS"
	PKCS12 Format = "PKCS#12"
)

// Format is the kind of file the keystore was opened from.
func (k *Keystore) Format() Format {
	if k.pkcs12 {
		return PKCS12
	}
	return JKS
}

// keysReadable reports whether key pairs' keys can be used: opened with
// its password, or a PKCS#12 keystore, whose keys Opsdesk holds converted.
func (k *Keystore) keysReadable() bool { return !k.readOnly || k.pkcs12 }

// IsPKCS12 reports whether data looks like a PKCS#12 file rather than a
// JKS (both are what users call keystores; only the first byte tells).
func IsPKCS12(data []byte) bool { return len(data) > 0 && data[0] == 0x30 }

// OpenPKCS12 opens a PKCS#12 keystore (.p12, .pfx) with its password
// (nil for none), read-only: its entries are listed, described and
// exported as a JKS keystore's are, its key pairs can sign requests and
// authenticate, and ExportForUpload writes it all as a JKS the tenant
// takes. The file itself is never changed: Opsdesk writes JKS only.
func OpenPKCS12(path string, password []byte) (*Keystore, error) {
	data, err := readBytes(path)
	if err != nil {
		return nil, err
	}
	return openPKCS12Data(path, data, password)
}

// openPKCS12Data is OpenPKCS12 with the file's content already read.
func openPKCS12Data(path string, data, password []byte) (*Keystore, error) {
	k := &Keystore{path: path, readOnly: true, pkcs12: true, p12Password: append([]byte(nil), password...)}
	if err := k.convertPKCS12(data); err != nil {
		k.Close()
		return nil, err
	}
	return k, nil
}

// convertPKCS12 turns data, the PKCS#12 file, into an in-memory JKS
// whose keys are protected by a password of the keystore's own, never
// shown.
func (k *Keystore) convertPKCS12(data []byte) error {
	src, err := readPKCS12Source(k.path, data, k.p12Password)
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range src {
			clear(s.key)
		}
	}()
	if k.password == nil {
		b := make([]byte, 18)
		_, _ = rand.Read(b)
		k.password = []byte(base64.RawURLEncoding.EncodeToString(b))
	}
	lib := newLibrary()
	now := time.Now()
	seen := map[string]bool{}
	for _, s := range src {
		// What cannot be carried over (a key that does not decrypt, a
		// second entry under one alias) is left out, as keytool
		// -importkeystore leaves it; merging the file reports each.
		if s.problem != "" || seen[s.alias] || CheckAlias(s.alias) != nil {
			continue
		}
		seen[s.alias] = true
		if err := putEntry(lib, s, k.password, now); err != nil {
			return fileError(k.path, ErrDamaged, "cannot be converted", "Export the PKCS#12 file again.", err)
		}
	}
	var buf bytes.Buffer
	if err := lib.Store(&buf, k.password); err != nil {
		return fileError(k.path, ErrDamaged, "cannot be converted", "Export the PKCS#12 file again.", err)
	}
	raw, err := parse(buf.Bytes())
	if err != nil {
		return fileError(k.path, ErrDamaged, "cannot be converted", "Please report this.", err)
	}
	k.setEntries(buf.Bytes(), raw)
	k.lib, k.libReady = lib, true
	k.p12Data = data
	return nil
}
