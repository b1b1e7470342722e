package connectivity

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"time"
)

// CertProblem is why a server certificate is not valid.
type CertProblem string

const (
	CertNone          CertProblem = ""
	CertMissing       CertProblem = "missing"
	CertExpired       CertProblem = "expired"
	CertNotYetValid   CertProblem = "not yet valid"
	CertUnknownIssuer CertProblem = "unknown issuer"
	CertSelfSigned    CertProblem = "self-signed"
	CertNameMismatch  CertProblem = "name mismatch"
	CertOther         CertProblem = "invalid"
)

type verdict struct {
	err          error
	kind         CertProblem
	reason       string
	systemTrusts bool
}

// verifyChain checks the chain as the tenant does: against the trusted
// certificates of the keystore, for host, at now. Whether this computer's
// own trust store would accept it is worked out beside, as information.
func verifyChain(chain []*x509.Certificate, trusted []*x509.Certificate, host string, now time.Time) verdict {
	if len(chain) == 0 {
		return verdict{err: errors.New("no certificate"), kind: CertMissing, reason: "the server sent no certificate"}
	}
	leaf := chain[0]
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	roots := x509.NewCertPool()
	for _, c := range trusted {
		roots.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if net.ParseIP(host) == nil {
		opts.DNSName = host
	}
	_, err := leaf.Verify(opts)
	if err == nil && net.ParseIP(host) != nil {
		err = leaf.VerifyHostname(host)
	}
	v := verdict{err: err}
	if err != nil {
		v.kind, v.reason = describeCertError(err, chain, now)
	}
	v.systemTrusts = systemTrusts(leaf, chain, opts)
	return v
}

func describeCertError(err error, chain []*x509.Certificate, now time.Time) (CertProblem, string) {
	var inv x509.CertificateInvalidError
	var host x509.HostnameError
	var unknown x509.UnknownAuthorityError
	switch {
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		for _, c := range chain {
			if now.Before(c.NotBefore) {
				return CertNotYetValid, fmt.Sprintf("the certificate of %s is not valid before %s", c.Subject.CommonName, c.NotBefore.UTC().Format("Jan 2, 2006"))
			}
			if now.After(c.NotAfter) {
				return CertExpired, fmt.Sprintf("the certificate of %s expired on %s", c.Subject.CommonName, c.NotAfter.UTC().Format("Jan 2, 2006"))
			}
		}
		return CertExpired, "a certificate in the chain has expired"
	case errors.As(err, &host):
		return CertNameMismatch, fmt.Sprintf("the certificate is for %s, not for %s", certNames(host.Certificate), host.Host)
	case errors.As(err, &unknown):
		leaf := chain[0]
		if len(chain) == 1 && bytes.Equal(leaf.RawIssuer, leaf.RawSubject) {
			return CertSelfSigned, "the certificate is self-signed and not in the keystore"
		}
		top := chain[len(chain)-1]
		return CertUnknownIssuer, fmt.Sprintf("the issuer %q is not among the keystore's trusted certificates", top.Issuer.CommonName)
	case errors.As(err, &inv):
		return CertOther, inv.Error()
	}
	return CertOther, err.Error()
}

func certNames(c *x509.Certificate) string {
	if len(c.DNSNames) > 0 {
		return c.DNSNames[0]
	}
	if len(c.IPAddresses) > 0 {
		return c.IPAddresses[0].String()
	}
	return c.Subject.CommonName
}
