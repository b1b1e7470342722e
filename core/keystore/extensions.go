package keystore

import (
	"path/filepath"
	"slices"
	"strings"
)

// Extensions are the names a keystore file ends in: JKS (.jks, and
// .keystore, keytool's own examples' name) and PKCS#12 (.p12, .pfx). A
// dropped or opened file with one of them is a keystore to open or merge,
// not certificates to import.
var Extensions = []string{".jks", ".p12", ".pfx", ".keystore"}

// IsKeystoreFile tells a keystore file from a file of certificates by its
// name.
func IsKeystoreFile(path string) bool {
	return slices.Contains(Extensions, strings.ToLower(filepath.Ext(path)))
}
