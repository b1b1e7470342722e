package main

import (
	"os"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/problem"
)

// lookupCredential fills req's user and password from a stored User
// Credentials artifact. The caller zeroes req.Password after the test.
func lookupCredential(name string, req *connectivity.Request) error {
	s, err := openCredentials(os.Stdin, os.Stderr)
	if err != nil {
		return err
	}
	e, err := s.Entry(name)
	if err != nil {
		return err
	}
	if e.Type != credentials.UserCredentials {
		return &problem.Error{Source: name, Kind: credentials.ErrWrongType, What: "is " + string(e.Type) + " security material, not User Credentials",
			Hint: "Name a User Credentials artifact with --credential."}
	}
	user, pw, err := s.Lookup(name)
	if err != nil {
		return err
	}
	req.User, req.Password = user, pw
	return nil
}
