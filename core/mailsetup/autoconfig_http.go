package mailsetup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/opsdesk/opsdesk/core/problem"
)

// maxRedirects bounds the redirects followed for one autoconfig file; a
// provider moving its file needs one or two.
const maxRedirects = 3

// autoconfigTransport is the default client's: short timeouts at every
// phase, so that a server that accepts the connection and then says
// nothing costs seconds, not minutes.
var autoconfigTransport = &http.Transport{
	Proxy:                  http.ProxyFromEnvironment,
	DialContext:            (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
	TLSHandshakeTimeout:    3 * time.Second,
	ResponseHeaderTimeout:  3 * time.Second,
	MaxResponseHeaderBytes: 16 << 10,
	IdleConnTimeout:        30 * time.Second,
}

func (d Detector) autoconfigURLs(domain, address string) []string {
	if d.AutoconfigURLs != nil {
		return d.AutoconfigURLs(domain, address)
	}
	return []string{
		"https://autoconfig." + domain + "/mail/config-v1.1.xml?emailaddress=" + url.QueryEscape(address),
		"https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
}

// client is the Detector's client (or the default one) with the redirect
// rule for domain: at most maxRedirects, never from https to http, and
// never away from the domain (or from the host first asked). Whoever
// answers for the domain chooses where the password will go; a redirect
// elsewhere would let someone else choose.
func (d Detector) client(domain string) *http.Client {
	c := http.Client{Transport: autoconfigTransport}
	if d.HTTP != nil {
		c = *d.HTTP
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		host := req.URL.Hostname()
		switch {
		case len(via) > maxRedirects:
			return redirectRefused(fmt.Sprintf("more than %d redirects", maxRedirects))
		case req.URL.Scheme != "https" && !(req.URL.Scheme == first.Scheme && req.URL.Host == first.Host):
			return redirectRefused("to " + req.URL.Redacted() + ", without https")
		case host != first.Hostname() && host != domain && !strings.HasSuffix(host, "."+domain):
			return redirectRefused("away from " + domain + " to " + host)
		}
		return nil
	}
	return &c
}

type autoconfigAnswer struct {
	ac    Autoconfig
	where string // host and path, as the user reads it
	err   error  // a sentence for Tried
}

// autoconfig downloads the autoconfig file from every URL at once; the
// first URL in the list that gave a usable file wins, whichever answered
// first.
func (d Detector) autoconfig(ctx context.Context, domain, address string, each time.Duration) found {
	urls := d.autoconfigURLs(domain, address)
	answers := make([]autoconfigAnswer, len(urls))
	c := d.client(domain)
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Go(func() {
			lctx, cancel := context.WithTimeout(ctx, each)
			defer cancel()
			answers[i] = fetchAutoconfig(lctx, c, u, address)
		})
	}
	wg.Wait()
	var f found
	for _, a := range answers {
		if a.err == nil {
			for i := range a.ac.Servers {
				a.ac.Servers[i].Source = "autoconfig file at " + a.where
			}
			f.servers, f.user = a.ac.Servers, a.ac.User
			return f
		}
	}
	for _, a := range answers {
		f.tried = append(f.tried, a.err.Error())
	}
	return f
}

// redirectRefused is a redirect the client did not follow, and why.
type redirectRefused string

func (e redirectRefused) Error() string { return string(e) }

// triedError is a sentence for Settings.Tried.
type triedError string

func (e triedError) Error() string { return string(e) }

func fetchAutoconfig(ctx context.Context, c *http.Client, raw, address string) autoconfigAnswer {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return autoconfigAnswer{where: raw, err: triedError("The autoconfig address " + printable(raw) + " is not a web address")}
	}
	where := u.Host + u.EscapedPath()
	fail := func(format string, a ...any) autoconfigAnswer {
		return autoconfigAnswer{where: where, err: triedError(fmt.Sprintf(format, a...))}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail("The autoconfig address %s cannot be asked", where)
	}
	req.Header.Set("Accept", "application/xml, text/xml;q=0.9")
	resp, err := c.Do(req)
	if err != nil {
		return fail("%s", whyNoAnswer(ctx, u.Host, err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode != http.StatusOK:
		return fail("No autoconfig file at %s (the server answered %s)", where, resp.Status)
	case resp.ContentLength > MaxAutoconfigSize:
		return fail("The autoconfig file at %s is larger than %d KiB, and was not read", where, MaxAutoconfigSize>>10)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxAutoconfigSize+1))
	if err != nil {
		return fail("%s", whyNoAnswer(ctx, u.Host, err))
	}
	ac, err := ParseAutoconfig(body, address)
	if err != nil {
		var pe *problem.Error
		if errors.As(err, &pe) {
			return fail("The autoconfig file at %s %s", where, strings.TrimPrefix(pe.What, "The autoconfig file "))
		}
		return fail("The autoconfig file at %s cannot be read", where)
	}
	return autoconfigAnswer{ac: ac, where: where}
}

// whyNoAnswer says in words why a web server gave no file.
func whyNoAnswer(ctx context.Context, host string, err error) string {
	var de *net.DNSError
	var rr redirectRefused
	var te interface{ Timeout() bool }
	switch {
	case errors.As(err, &rr):
		return host + " sent Opsdesk on elsewhere for the autoconfig file, which it does not follow (" + string(rr) + ")"
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &te) && te.Timeout():
		return host + " did not answer in time"
	case errors.As(err, &de) && de.IsNotFound:
		return host + " does not exist"
	}
	return host + " could not be reached"
}
