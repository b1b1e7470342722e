package keystore

import (
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"

	"github.com/opsdesk/opsdesk/core/problem"
)

// Update gives an entry new certificates under the same alias, as the
// tenant's Update row action does:
//   - a Certificate entry takes the one certificate given (a renewed
//     server certificate, a rotated root);
//   - a Key Pair keeps its private key and takes the chain whose first
//     certificate belongs to that key: a CA's answer to the entry's
//     signing request, as keytool -importcert imports a reply. The chain
//     is completed from the given certificates and then from the
//     keystore's trusted ones.
//
// keyPassword is the key's own password, nil for the keystore's. SAP's
// entries and read-only keystores are refused; on any refusal the file
// is as it was.
func (k *Keystore) Update(alias string, given []*x509.Certificate, keyPassword []byte) (updated Entry, err error) {
	err = k.write(func() error {
		updated, err = k.update(alias, given, keyPassword)
		return err
	})
	return updated, err
}

func (k *Keystore) update(alias string, given []*x509.Certificate, keyPassword []byte) (Entry, error) {
	e, err := k.editable(alias)
	if err != nil {
		return Entry{}, err
	}
	if len(given) == 0 {
		return Entry{}, &problem.Error{Kind: ErrNotOne, What: "There is no certificate to update " + e.Alias + " with",
			Hint: "Choose a file that holds the new certificate."}
	}
	now := time.Now()
	if e.Type == Certificate {
		if len(given) != 1 {
			return Entry{}, &problem.Error{Kind: ErrNotOne,
				What: fmt.Sprintf("The file holds %d certificates; a certificate entry is updated with one", len(given)),
				Hint: "Choose the file of the one certificate, or add the others with Add ▾ Certificate."}
		}
		if other, ok := k.AliasOf(given[0]); ok {
			if other == e.Alias {
				return e, nil // the same certificate: nothing to change
			}
			return Entry{}, &problem.Error{Kind: ErrAliasTaken, What: fmt.Sprintf("This certificate is already in the keystore as %q", other),
				Hint: "Choose the renewed certificate, or delete " + other + " first."}
		}
		err = k.change(func(lib jks.KeyStore) error {
			lib.DeleteEntry(e.stored)
			return lib.SetTrustedCertificateEntry(e.Alias, trusted(given[0].Raw, now))
		})
	} else {
		err = k.updateKeyPair(e, given, keyPassword, now)
	}
	if err != nil {
		return Entry{}, err
	}
	return k.Entry(e.Alias)
}

func (k *Keystore) updateKeyPair(e Entry, given []*x509.Certificate, keyPassword []byte, now time.Time) error {
	entry, kp, err := k.privateKey(e, keyPassword)
	if err != nil {
		return err
	}
	defer clear(entry.PrivateKey)
	defer clear(kp)
	key, err := x509.ParsePKCS8PrivateKey(entry.PrivateKey)
	if err != nil {
		return &problem.Error{Kind: ErrNotKeyPair, What: fmt.Sprintf("The private key of %q cannot be read", e.Alias),
			Hint: "Create the key pair again, or add it again from its PKCS#12 file.", Detail: err.Error()}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return &problem.Error{Kind: ErrNotKeyPair, What: fmt.Sprintf("The private key of %q is of a kind Opsdesk cannot use", e.Alias)}
	}
	// The given certificates first, so that they win over the keystore's
	// own; the keystore's trusted certificates then complete the chain.
	all := append([]*x509.Certificate(nil), given...)
	for _, other := range k.entries {
		if other.Type == Certificate && other.Certificate() != nil {
			all = append(all, other.Certificate())
		}
	}
	chain, _ := chainFor(signer.Public(), all)
	if chain == nil {
		return &problem.Error{Kind: ErrKeyMismatch,
			What: fmt.Sprintf("None of the certificates belongs to the private key of %q", e.Alias),
			Hint: "Choose the certificate the CA issued for this key pair's signing request."}
	}
	entry.CreationTime = now
	entry.CertificateChain = make([]jks.Certificate, len(chain))
	for i, c := range chain {
		entry.CertificateChain[i] = jks.Certificate{Type: "X.509", Content: c.Raw}
	}
	return k.change(func(lib jks.KeyStore) error {
		lib.DeleteEntry(e.stored)
		// Under the same key password: Update changes no secret.
		return lib.SetPrivateKeyEntry(e.Alias, entry, kp)
	})
}
