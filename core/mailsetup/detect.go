package mailsetup

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// Detector finds an address's settings. The zero value asks this
// computer's resolver and the internet; tests point Resolver at a DNS
// server on loopback and AutoconfigURLs at an HTTP server on loopback.
type Detector struct {
	Resolver *net.Resolver // nil: the system's
	HTTP     *http.Client  // nil: a client with short timeouts
	// AutoconfigURLs lists where a domain's autoconfig XML is looked
	// for; nil: https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=…
	// and https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml.
	AutoconfigURLs func(domain, address string) []string
	// Timeout bounds the whole detection; 0: 10 seconds.
	Timeout time.Duration
}

// ErrAddress is the Kind of the errors about the address typed.
var ErrAddress = errors.New("mailsetup: not an e-mail address")

// Detect finds the settings for address: the built-in table first (no
// network), then DNS SRV records (RFC 6186), the domain's MX records
// mapped to a provider of the table, and the provider's autoconfig XML.
// providerID, when set, picks a table entry and skips detection. The error
// is for an address or provider ID that cannot be used; when nothing is
// found, Settings has no Servers and Tried says what was looked at.
func (d Detector) Detect(ctx context.Context, address, providerID string) (Settings, error) {
	panic("mailsetup: Detect not written yet")
}
