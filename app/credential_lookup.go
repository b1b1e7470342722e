package main

import (
	"errors"

	"github.com/opsdesk/opsdesk/core/connectivity"
)

// lookupCredential fills req's user and password from a stored User
// Credentials artifact.
func lookupCredential(name string, req *connectivity.Request) error {
	return errors.New("stored credentials (Security Material) are not available in this version yet; use --user with OPSDESK_PASSWORD instead")
}
