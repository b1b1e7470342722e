package certs_test

import (
	"errors"
	"testing"

	"github.com/opsdesk/opsdesk/core/certs"
)

// FuzzRead feeds arbitrary bytes to the reader a user's files go through.
// It must never panic, every problem must be one of the typed errors with a
// sentence to show, and every certificate returned must describe.
func FuzzRead(f *testing.F) {
	for _, tc := range buildInputs(f) {
		if len(tc.data) < 64<<10 {
			f.Add(tc.data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := certs.Read("fuzz.cer", data)
		for _, p := range b.Problems {
			if p.Kind == nil || p.What == "" {
				t.Fatalf("problem without kind or sentence: %#v", p)
			}
			var e *certs.Error
			if !errors.As(p, &e) {
				t.Fatal("problem is not a *certs.Error")
			}
		}
		for _, c := range b.Certificates {
			d := certs.Describe(c.Cert)
			if d.SHA256 == "" || d.SubjectDN == "" && len(c.Cert.RawSubject) > 2 {
				t.Fatalf("certificate describes badly: %+v", d)
			}
			_ = certs.SuggestAlias(c.Cert, nil)
		}
	})
}
