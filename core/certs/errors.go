package certs

import (
	"errors"

	"github.com/opsdesk/opsdesk/core/problem"
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
type Error = problem.Error

const hintChooseCert = "Choose the .cer, .crt, .pem or .p7b file that holds the certificate."

func notCertificate(source, what, hint string) *Error {
	if hint == "" {
		hint = hintChooseCert
	}
	return &Error{Source: source, Kind: ErrNotCertificate, What: "is " + what + ", not a certificate", Hint: hint}
}
