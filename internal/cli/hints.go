package cli

import (
	"errors"

	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

// cliHints are the command line's own next steps for errors whose core
// hint names the window's way (Add ▾ Certificate, Download) or none.
var cliHints = []struct {
	kind error
	hint string
}{
	{keystore.ErrIsCertificate, `Import it with "opsdesk keystore import".`},
	{keystore.ErrIsPKCS12, `Bring its entries in with "opsdesk keystore merge".`},
	{keystore.ErrPKCS12ReadOnly, `Save it as JKS with "opsdesk keystore download --out FILE", or merge it into one with "opsdesk keystore merge".`},
	{keystore.ErrKeyPassword, "Set " + keyPasswordEnv + " to the key's password."},
	{credentials.ErrNoKeystorePassword, "Or name another keystore with --keystore."},
	{credentials.ErrNotFound, `Run "opsdesk credentials list" to see the names.`},
}

// withHint is the error as the command line says it: with its own next
// step added to the core's hint.
func withHint(err error) string {
	pe, ok := err.(*problem.Error)
	if !ok {
		return err.Error()
	}
	for _, h := range cliHints {
		if errors.Is(err, h.kind) {
			c := *pe
			if c.Hint != "" {
				c.Hint += " "
			}
			c.Hint += h.hint
			return c.Error()
		}
	}
	return err.Error()
}
