package certs

import (
	"errors"
	"fmt"
)

// Sentinel errors, for callers that branch on what went wrong with errors.Is.
var (
	ErrEmpty          = errors.New("certs: empty file")
	ErrTooLarge       = errors.New("certs: file too large")
	ErrNotCertificate = errors.New("certs: not a certificate")
	ErrTruncated      = errors.New("certs: truncated")
	ErrMalformed      = errors.New("certs: malformed certificate")
)

// MaxFileSize is the largest file we read at all. Cloud Integration accepts
// 10,240 bytes per certificate; a chain ZIP is a few of those. Anything near
// this cap is not what a user meant to import, and refusing it early keeps a
// stray video or disk image from being read into memory.
const MaxFileSize = 10 << 20

// Error says what is wrong with one file, in words a non-technical user can
// act on. Source names the file (or "archive.zip/member.cer").
type Error struct {
	Source string
	Kind   error  // one of the sentinel errors above
	What   string // what the file is instead, or what is wrong: "a private key"
	Hint   string // what to do next
	Detail string // the parser's own words, for whoever needs them
}

func (e *Error) Error() string {
	name := e.Source
	if name == "" {
		name = "The file"
	} else {
		name = fmt.Sprintf("%q", name)
	}
	msg := fmt.Sprintf("%s %s.", name, e.What)
	if e.Hint != "" {
		msg += " " + e.Hint
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Kind }

const hintChooseCert = "Choose the .cer, .crt, .pem or .p7b file that holds the certificate."

func notCertificate(source, what, hint string) *Error {
	if hint == "" {
		hint = hintChooseCert
	}
	return &Error{Source: source, Kind: ErrNotCertificate, What: "is " + what + ", not a certificate", Hint: hint}
}
