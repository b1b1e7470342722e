package connectivity_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/opsdesk/opsdesk/core/certs/certtest"
	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/connectivity/mailtest"
)

func fast(req connectivity.Request) connectivity.Request {
	req.Timeouts = connectivity.Timeouts{Connect: time.Second, Reply: 400 * time.Millisecond, Total: 3 * time.Second}
	return req
}

func TestHostileServers(t *testing.T) {
	chain := mailtest.NewChain(t)
	rsaKey := certtest.RSAKey(t, 2048)
	rsaTmpl := certtest.Template(pkix.Name{CommonName: "127.0.0.1"})
	rsaLeaf := certtest.Sign(t, rsaTmpl, rsaKey, &chain.Intermediate)
	rsaCert := tls.Certificate{Certificate: [][]byte{rsaLeaf.Cert.Raw}, PrivateKey: rsaKey}

	tlsServer := func(cfg *tls.Config) func(c net.Conn) {
		return func(c net.Conn) {
			tc := tls.Server(c, cfg)
			if tc.Handshake() == nil {
				tc.Write([]byte("220 hi\r\n"))
			}
		}
	}
	cases := []struct {
		name       string
		serve      func(c net.Conn)
		protection connectivity.Protection
		what       string
	}{
		{"garbage", func(c net.Conn) { c.Write([]byte("HELLO \x00\xff there\r\n")) }, connectivity.Off, "does not answer like an SMTP server"},
		{"early close", func(c net.Conn) {}, connectivity.Off, "closed the connection unexpectedly"},
		// A reset, not a close: Windows reports it as WSAECONNRESET, which
		// syscall.ECONNRESET does not match there.
		{"reset", func(c net.Conn) { c.(*net.TCPConn).SetLinger(0) }, connectivity.Off, "closed the connection unexpectedly"},
		{"never answers", func(c net.Conn) { time.Sleep(2 * time.Second) }, connectivity.Off, "stopped answering"},
		{"drips a byte at a time", func(c net.Conn) {
			for i := 0; i < 40; i++ {
				if _, err := c.Write([]byte("2")); err != nil {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}, connectivity.Off, "stopped answering"},
		{"endless line", func(c net.Conn) {
			c.Write([]byte("220 " + strings.Repeat("x", 64<<10)))
		}, connectivity.Off, "does not answer like an SMTP server"},
		{"endless multi-line reply", func(c net.Conn) {
			w := bufio.NewWriter(c)
			for i := 0; i < 100000; i++ {
				if _, err := w.WriteString("220-" + strings.Repeat("y", 60) + "\r\n"); err != nil {
					return
				}
			}
			w.Flush()
		}, connectivity.Off, "does not answer like an SMTP server"},
		{"plain text on the SMTPS port", func(c net.Conn) { c.Write([]byte("220 mail ESMTP ready\r\n")); time.Sleep(time.Second) }, connectivity.Implicit, "starts unencrypted"},
		{"only TLS 1.1", tlsServer(&tls.Config{Certificates: []tls.Certificate{chain.TLS}, MaxVersion: tls.VersionTLS11}), connectivity.Implicit, "old kind of encryption"},
		{"only RSA key exchange", tlsServer(&tls.Config{Certificates: []tls.Certificate{rsaCert}, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA}}), connectivity.Implicit, "no safe encryption method"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			port := mailtest.Raw(t, tc.serve)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			r := connectivity.Run(context.Background(), fast(request(port, tc.protection, connectivity.AuthNone, chain)))
			if time.Since(start) > 3500*time.Millisecond {
				t.Errorf("took %v, past the whole-test timeout", time.Since(start))
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 8<<20 {
				t.Errorf("allocated %d bytes against a hostile server", grew)
			}
			if r.OK() || r.Explanation == nil || !strings.Contains(r.Explanation.What, tc.what) {
				t.Fatalf("explanation %+v (err %v)", r.Explanation, r.Err)
			}
		})
	}
}

func TestNetworkFailures(t *testing.T) {
	chain := mailtest.NewChain(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()

	r := connectivity.Run(context.Background(), fast(request(closedPort, connectivity.Off, connectivity.AuthNone, chain)))
	if r.Reached || !strings.Contains(r.Explanation.What, "refused the connection") || !strings.HasPrefix(r.Banner, "Could not reach host") {
		t.Errorf("refused: %q %+v", r.Banner, r.Explanation)
	}

	req := fast(request(25, connectivity.Off, connectivity.AuthNone, chain))
	req.Host = "no-such-host.invalid"
	r = connectivity.Run(context.Background(), req)
	if r.Reached || r.Explanation == nil || !(strings.Contains(r.Explanation.What, "cannot be found") || strings.Contains(r.Explanation.What, "did not answer in time")) {
		t.Errorf("unknown name: %+v", r.Explanation)
	}

	port := mailtest.Raw(t, func(c net.Conn) { time.Sleep(5 * time.Second) })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(150*time.Millisecond, cancel)
	start := time.Now()
	req = request(port, connectivity.Off, connectivity.AuthNone, chain)
	r = connectivity.Run(ctx, req)
	if time.Since(start) > time.Second || r.Explanation == nil || !strings.Contains(r.Explanation.What, "cancelled") {
		t.Errorf("cancel took %v: %+v", time.Since(start), r.Explanation)
	}
}

func TestHostInput(t *testing.T) {
	good := map[string]struct {
		host string
		port int
	}{
		"  smtp.gmail.com  ":          {"smtp.gmail.com", 0},
		"smtp.gmail.com:587":          {"smtp.gmail.com", 587},
		"smtp://smtp.gmail.com":       {"smtp.gmail.com", 0},
		"smtps://SMTP.Gmail.com:465/": {"smtp.gmail.com", 465},
		"[2001:db8::1]:25":            {"2001:db8::1", 25},
		"2001:db8::1":                 {"2001:db8::1", 0},
		"192.0.2.10":                  {"192.0.2.10", 0},
		"mail.bücher.example":         {"mail.xn--bcher-kva.example", 0},
	}
	for in, want := range good {
		h, p, err := connectivity.NormalizeHost(in, 0)
		if err != nil || h != want.host || p != want.port {
			t.Errorf("%q: %q %d %v", in, h, p, err)
		}
	}
	for _, in := range []string{"", "   ", "someone@gmail.com", "smtp gmail com", "host:99999", "host:abc", "-bad-.example", "a..b", "gmail.com:25:26"} {
		if _, _, err := connectivity.NormalizeHost(in, 0); err == nil {
			t.Errorf("%q accepted", in)
		} else if !strings.Contains(err.Error(), ".") {
			t.Errorf("%q: %v is not a sentence", in, err)
		}
	}
	// The Port field's number, as the CLI and the form pass it; 0 is the
	// protocol's default.
	for _, port := range []int{-1, 65536, 99999} {
		if _, _, err := connectivity.NormalizeHost("smtp.gmail.com", port); !errors.Is(err, connectivity.ErrBadPort) || !strings.Contains(err.Error(), "65535") {
			t.Errorf("port %d: %v", port, err)
		}
	}
	for _, port := range []int{0, 1, 65535} {
		if _, p, err := connectivity.NormalizeHost("smtp.gmail.com", port); err != nil || p != port {
			t.Errorf("port %d: %d %v", port, p, err)
		}
	}
}

// TestIMAPLiteralSizes: a literal's size is quoted alone in the error, and
// cut short when a hostile server makes it long.
func TestIMAPLiteralSizes(t *testing.T) {
	chain := mailtest.NewChain(t)
	for _, size := range []string{"99999999", "abc", strings.Repeat("9", 1000)} {
		port := mailtest.Raw(t, func(c net.Conn) { c.Write([]byte("* OK [ALERT] {" + size + "}\r\n")) })
		req := fast(request(port, connectivity.Off, connectivity.AuthNone, chain))
		req.Protocol = connectivity.IMAP
		r := connectivity.Run(context.Background(), req)
		if r.Err == nil || r.Explanation == nil || !strings.Contains(r.Explanation.What, "does not answer like an IMAP server") {
			t.Fatalf("{%.20s}: %v %+v", size, r.Err, r.Explanation)
		}
		msg := r.Err.Error()
		if want := `a literal of "` + truncated(size, 20); !strings.Contains(msg, want) || strings.Contains(msg, "}") || len(msg) > 120 {
			t.Errorf("{%.20s}: %q does not quote just the size", size, msg)
		}
	}
}

func truncated(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
