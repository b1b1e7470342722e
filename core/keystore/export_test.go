package keystore

import "testing"

// LowerPKCS12Limit lowers the key-derivation rounds a PKCS#12 file may ask
// for until t ends: fuzzing mutates the counts, and a million rounds per
// input would leave it no time for anything else.
func LowerPKCS12Limit(t testing.TB, n int) {
	old := maxPKCS12Iterations
	maxPKCS12Iterations = n
	t.Cleanup(func() { maxPKCS12Iterations = old })
}
