package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/opsdesk/opsdesk/core/connectivity"
	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/problem"
)

const testUsage = `Usage: opsdesk test smtp|imap|pop3|tls --host HOST [options]

  --port P                 default: 587/465 (SMTP), 143/993 (IMAP), 110/995 (POP3), 443 (TLS)
  --protection MODE        off | smtps/imaps/pop3s | starttls-mandatory | starttls-optional
  --auth MODE              none | plain | encrypted (CRAM-MD5)
  --user U                 the password comes from OPSDESK_PASSWORD or a prompt
  --credential NAME        a stored User Credentials artifact
  --no-verify              do not require a valid server certificate (the tutorial's first run)
  --keystore FILE          check the certificate against this keystore (OPSDESK_KEYSTORE_PASSWORD);
                           without it, the app's own keystore (see "opsdesk keystore help")
  --save-chain FILE.zip    save the server's certificate chain as a ZIP of .cer files
  --import-chain           add the server's certificate chain to the keystore
  --timeout D              the whole test's limit (default 60s)
  --json                   print the whole result as JSON
  --transcript             print the conversation (secrets shown as ***)
  SMTP: --from ADDR --to ADDR   check mail addresses (MAIL FROM, RCPT TO, then RSET; no mail is sent)
  IMAP: --list-folders | --mailbox FOLDER
  POP3: --check-mailbox
  TLS:  --client-cert ALIAS     authenticate with a key pair from the keystore

Exit codes: 0 every requested check passed, 1 otherwise, 2 usage error.
`

type testCommand struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	req                    connectivity.Request
	protection, auth       string
	credential, keystore   string
	saveChain, clientCert  string
	importChain, noVerify  bool
	asJSON, showTranscript bool
	timeout                time.Duration
}

func runTest(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, testUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c := &testCommand{stdin: stdin, stdout: stdout, stderr: stderr}
	proto, ok := map[string]connectivity.Protocol{"smtp": connectivity.SMTP, "imap": connectivity.IMAP, "pop3": connectivity.POP3, "tls": connectivity.TLS}[strings.ToLower(args[0])]
	if !ok {
		fmt.Fprintf(stderr, "opsdesk test: unknown test %q; choose smtp, imap, pop3 or tls.\n", args[0])
		return exitUsage
	}
	c.req.Protocol = proto
	fs := flag.NewFlagSet("opsdesk test "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.req.Host, "host", "", "")
	fs.IntVar(&c.req.Port, "port", 0, "")
	fs.StringVar(&c.protection, "protection", "", "")
	fs.StringVar(&c.auth, "auth", "", "")
	fs.StringVar(&c.req.User, "user", "", "")
	fs.StringVar(&c.credential, "credential", "", "")
	fs.BoolVar(&c.noVerify, "no-verify", false, "")
	fs.StringVar(&c.keystore, "keystore", "", "")
	fs.StringVar(&c.saveChain, "save-chain", "", "")
	fs.BoolVar(&c.importChain, "import-chain", false, "")
	fs.DurationVar(&c.timeout, "timeout", 60*time.Second, "")
	fs.BoolVar(&c.asJSON, "json", false, "")
	fs.BoolVar(&c.showTranscript, "transcript", false, "")
	fs.StringVar(&c.req.From, "from", "", "")
	fs.StringVar(&c.req.To, "to", "", "")
	fs.BoolVar(&c.req.ListFolders, "list-folders", false, "")
	fs.StringVar(&c.req.Mailbox, "mailbox", "", "")
	fs.BoolVar(&c.req.CheckMailbox, "check-mailbox", false, "")
	fs.StringVar(&c.clientCert, "client-cert", "", "")
	fs.StringVar(&c.req.ConnectTo, "connect-to", "", "") // for tests and odd networks: reach HOST at this address

	pos, err := parseInterspersed(fs, args[1:])
	if err == nil && len(pos) > 0 {
		err = usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if err == nil {
		err = c.check()
	}
	var code int
	if err == nil {
		code, err = c.run()
	}
	var ue usageError
	switch {
	case err == nil:
		return code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "opsdesk test %s: %s. Run \"opsdesk test help\" for usage.\n", args[0], ue.msg)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "opsdesk: %s\n", err)
		return exitFail
	}
}

// check turns the flags into a request, refusing what does not fit.
func (c *testCommand) check() error {
	r := &c.req
	if strings.TrimSpace(r.Host) == "" {
		return usageError{"--host is required"}
	}
	var bad *problem.Error
	if errors.As(connectivity.CheckPort(r.Port), &bad) {
		return usageError{fmt.Sprintf("--port %d %s", r.Port, bad.What)}
	}
	if c.timeout <= 0 {
		// The request would quietly take 0 or less for the 60 s default,
		// which is not what was typed.
		return usageError{fmt.Sprintf("--timeout %s is not a time limit; give one such as 30s", c.timeout)}
	}
	implicit := strings.ToLower(string(r.Protocol)) + "s"
	switch strings.ToLower(c.protection) {
	case "":
		r.Protection = connectivity.STARTTLSMandatory
		if r.Protocol == connectivity.TLS {
			r.Protection = connectivity.Implicit
		}
	case "off":
		r.Protection = connectivity.Off
	case implicit:
		r.Protection = connectivity.Implicit
	case "starttls-mandatory":
		r.Protection = connectivity.STARTTLSMandatory
	case "starttls-optional":
		r.Protection = connectivity.STARTTLSOptional
	default:
		return usageError{fmt.Sprintf("--protection %q is not one of off, %s, starttls-mandatory, starttls-optional", c.protection, implicit)}
	}
	switch strings.ToLower(c.auth) {
	case "":
		r.Auth = connectivity.AuthNone
		if r.User != "" || c.credential != "" {
			r.Auth = connectivity.AuthPlain
		}
	case "none":
		r.Auth = connectivity.AuthNone
	case "plain":
		r.Auth = connectivity.AuthPlain
	case "encrypted":
		r.Auth = connectivity.AuthEncrypted
	default:
		return usageError{fmt.Sprintf("--auth %q is not one of none, plain, encrypted", c.auth)}
	}
	if r.Auth != connectivity.AuthNone && r.User == "" && c.credential == "" {
		return usageError{"authentication needs --user or --credential"}
	}
	if r.Protocol != connectivity.SMTP && (r.From != "" || r.To != "") {
		return usageError{"--from and --to are for SMTP tests"}
	}
	if (r.From == "") != (r.To == "") {
		return usageError{"--from and --to go together"}
	}
	if r.Protocol != connectivity.IMAP && (r.ListFolders || r.Mailbox != "") {
		return usageError{"--list-folders and --mailbox are for IMAP tests"}
	}
	if r.ListFolders && r.Mailbox != "" {
		return usageError{"choose --list-folders or --mailbox, not both"}
	}
	if c.clientCert != "" && r.Protocol != connectivity.TLS {
		return usageError{"--client-cert is for TLS tests"}
	}
	r.VerifyCertificate = !c.noVerify && r.Protection != connectivity.Off
	r.Timeouts.Total = c.timeout
	return nil
}

func (c *testCommand) run() (int, error) {
	ks, err := c.openKeystore()
	if err != nil {
		return 0, err
	}
	if ks != nil {
		defer ks.Close()
		c.req.Trusted = connectivity.TrustedFrom(ks.Entries())
		if c.clientCert != "" {
			cert, err := ks.TLSCertificate(c.clientCert, nil)
			if err != nil {
				return 0, err
			}
			c.req.ClientCert = &cert
		}
	}
	if err := c.password(); err != nil {
		return 0, err
	}
	defer zero(c.req.Password)

	// Ctrl-C cancels the test cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res := connectivity.Run(ctx, c.req)

	if c.asJSON {
		if err := c.printJSON(res); err != nil {
			return 0, err
		}
	} else {
		c.print(res)
	}
	if c.saveChain != "" && len(res.Chain) > 0 {
		zip, err := connectivity.ChainZip(res.Chain)
		if err == nil {
			err = os.WriteFile(c.saveChain, zip, 0o644)
		}
		if err != nil {
			return 0, fmt.Errorf("could not save the chain to %s: %w", c.saveChain, err)
		}
		fmt.Fprintf(c.stderr, "Saved the certificate chain to %s.\n", c.saveChain)
	}
	if c.importChain && len(res.Chain) > 0 {
		results, err := ks.AddCertificates(connectivity.ChainCandidates(ks, res.Chain))
		if err != nil {
			return 0, err
		}
		for _, r := range results {
			switch r.Outcome {
			case keystore.Added:
				fmt.Fprintf(c.stderr, "Added %s to the keystore.\n", r.Alias)
			case keystore.Duplicate:
				fmt.Fprintf(c.stderr, "Already in the keystore as %s.\n", r.Existing)
			default:
				fmt.Fprintf(c.stderr, "Not added: %s\n", r.Reason)
			}
		}
	}
	if !res.OK() {
		return exitFail, nil
	}
	return exitOK, nil
}

// openKeystore opens the keystore whose trusted certificates the server's
// chain is checked against: --keystore, or else the app's own keystore —
// made on first use only when the test is to write to it or take a key
// from it. Without any keystore, no certificate is trusted.
func (c *testCommand) openKeystore() (*keystore.Keystore, error) {
	if c.keystore != "" {
		pw, err := secret("OPSDESK_KEYSTORE_PASSWORD", "Keystore password: ", c.stdin, c.stderr)
		if errors.Is(err, errNoTerminal) {
			return nil, errors.New("no keystore password: set OPSDESK_KEYSTORE_PASSWORD or run in a terminal to be asked")
		}
		if err != nil {
			return nil, err
		}
		defer zero(pw)
		k, err := keystore.Open(c.keystore, pw)
		if err != nil {
			return nil, err
		}
		return forCommand(k, c.stderr), nil
	}
	path, err := ownKeystorePath()
	if err != nil {
		return nil, err
	}
	if _, statErr := os.Stat(path); statErr != nil && !c.importChain && c.clientCert == "" {
		return nil, nil
	}
	own := &ksCommand{stdin: c.stdin, stdout: io.Discard, stderr: c.stderr, path: path, own: true}
	k, err := own.openOwn()
	if err != nil {
		return nil, err
	}
	return forCommand(k, c.stderr), nil
}

// password fills the request's password from the credential or the user.
func (c *testCommand) password() error {
	if c.req.Auth == connectivity.AuthNone {
		return nil
	}
	if c.credential != "" {
		return lookupCredential(c.credential, &c.req)
	}
	pw, err := secret("OPSDESK_PASSWORD", "Password for "+c.req.User+": ", c.stdin, c.stderr)
	if errors.Is(err, errNoTerminal) {
		return errors.New("no password: set OPSDESK_PASSWORD, run in a terminal to be asked, or use --credential")
	}
	c.req.Password = pw
	return err
}

func (c *testCommand) print(r *connectivity.Result) {
	w := c.stdout
	// The verdict first, by the rule the window's headline follows.
	fmt.Fprintln(w, r.Verdict().Headline)
	banner := r.Banner
	if r.Address != "" && r.Reached {
		banner += " (" + r.Address + ")"
	}
	fmt.Fprintln(w, banner)
	for _, ch := range r.Checks {
		line := ch.Name + ": " + ch.Value
		if ch.Name == "STARTTLS" && r.TLSVersion != "" {
			line += fmt.Sprintf(" (%s, %s)", r.TLSVersion, r.Cipher)
		}
		if ch.Note != "" {
			line += " — " + ch.Note
		}
		fmt.Fprintln(w, line)
	}
	if r.Protection == connectivity.Implicit && r.TLSVersion != "" {
		fmt.Fprintf(w, "TLS: %s, %s\n", r.TLSVersion, r.Cipher)
	}
	for _, f := range r.Folders {
		fmt.Fprintf(w, "  %s\n", f)
	}
	if e := r.Explanation; e != nil {
		fmt.Fprintf(w, "\nWhat happened: %s\nWhat to do: %s\n", e.What, e.Next)
		if e.ServerText != "" {
			fmt.Fprintf(w, "The server's words: %s\n", strings.ReplaceAll(e.ServerText, "\n", "\n  "))
		}
	}
	if len(r.Chain) > 0 {
		fmt.Fprintln(w, "\nServer Certificate Chain")
		for i, cert := range r.Chain {
			for j, l := range connectivity.CertificateLines(cert) {
				prefix := "     "
				if j == 0 {
					prefix = fmt.Sprintf("  [%d]", i)
				}
				fmt.Fprintf(w, "%s %s\n", prefix, l)
			}
		}
	}
	var phases []string
	for _, p := range r.Phases {
		phases = append(phases, fmt.Sprintf("%s %s", p.Name, p.Duration.Round(time.Millisecond)))
	}
	fmt.Fprintf(w, "\nTook %s: %s\n", r.Elapsed.Round(time.Millisecond), strings.Join(phases, ", "))
	if c.showTranscript {
		fmt.Fprintln(w, "\nTranscript")
		for _, l := range r.Transcript {
			dir := "C:"
			if l.FromServer {
				dir = "S:"
			}
			fmt.Fprintf(w, "  %s %s\n", dir, l.Text)
		}
	}
}

// resultJSON is the --json form of a result.
type resultJSON struct {
	*connectivity.Result
	Chain       [][]string `json:"Chain"`
	Err         string     `json:"Err,omitempty"`
	OK          bool
	Verdict     string // the headline, as printed and shown in the window
	ElapsedMS   int64
	PhasesMS    map[string]int64
	Transcript  []string
	Explanation *connectivity.Explanation
}

func (c *testCommand) printJSON(r *connectivity.Result) error {
	out := resultJSON{Result: r, OK: r.OK(), Verdict: r.Verdict().Headline, ElapsedMS: r.Elapsed.Milliseconds(), PhasesMS: map[string]int64{}, Explanation: r.Explanation}
	for _, cert := range r.Chain {
		out.Chain = append(out.Chain, connectivity.CertificateLines(cert))
	}
	if r.Err != nil {
		out.Err = r.Err.Error()
	}
	for _, p := range r.Phases {
		out.PhasesMS[p.Name] += p.Duration.Milliseconds()
	}
	for _, l := range r.Transcript {
		dir := "C: "
		if l.FromServer {
			dir = "S: "
		}
		out.Transcript = append(out.Transcript, dir+l.Text)
	}
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
