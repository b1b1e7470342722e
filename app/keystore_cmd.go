package main

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/credentials"
	"github.com/opsdesk/opsdesk/core/keystore"
)

const keystoreUsage = `Usage: opsdesk keystore COMMAND [arguments] [--keystore FILE]

Without --keystore: the app's own keystore, OPSDESK_HOME/keystore.jks, made on
first use with a password that the operating system's keyring keeps.

Commands:
  list                       list the entries [--json]
  show ALIAS                 show one entry in detail [--json]
  import FILE...             add the certificates in .cer/.crt/.pem/.der/.p7b/.zip files
                             [--alias ALIAS]; creates the keystore if it does not exist
  export ALIAS               write an entry as .cer (a key pair's chain as .p7b)
                             [--out FILE, - for standard output] [--der]
  rename OLD NEW             give an entry a new alias
  update ALIAS FILE          give an entry new certificates from a .cer/.pem/.p7b/.zip:
                             a renewed certificate, or a CA's reply to a key pair's
                             signing request (the key stays)
  delete ALIAS               delete an entry
  merge SOURCE               bring in the entries of a .jks/.p12/.pfx
                             [--replace] [--overwrite]
  create-keypair ALIAS       generate a key pair with a self-signed certificate, as
                             Create ▾ Key Pair does: --cn NAME [--key rsa2048|rsa3072|
                             rsa4096|ec256|ec384] [--days N (365)] [--san DNS:host,IP:addr]
                             [--ou OU] [--org O] [--locality L] [--state ST]
                             [--country CC] [--email ADDRESS]
  csr ALIAS                  write a certificate signing request (PKCS#10) for a key
                             pair [-o FILE, - for standard output; default ALIAS.csr]
  backup                     save a backup copy [--list] [--restore NAME]
  passwd                     change the keystore password
  download --out FILE        save a copy to upload to Cloud Integration, protected by
                             a new password, and check it against the tenant's limits

Passwords: OPSDESK_KEYSTORE_PASSWORD, or a prompt on the terminal (the app's
  own keystore: the keyring).
  --no-password opens the keystore read-only without checking its integrity.
  merge: OPSDESK_SOURCE_PASSWORD (empty: open the source without its password).
  passwd: OPSDESK_NEW_KEYSTORE_PASSWORD; download: OPSDESK_COPY_PASSWORD.
  A key pair whose key has a password of its own: OPSDESK_KEY_PASSWORD.
`

// ksCommand is one run of "opsdesk keystore …".
type ksCommand struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	path       string
	noPassword bool
	asJSON     bool
	alias      string
	out        string
	der        bool
	replace    bool
	overwrite  bool
	list       bool
	restore    string
	keyPair    keystore.KeyPairOptions
	keyType    string
	days       int
	sans       sanList

	own   bool               // no --keystore: the app's own keystore
	creds *credentials.Store // where the own keystore's password came from, if the keyring
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func runKeystore(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, keystoreUsage)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	// Listing 10,000 entries is 10,000 lines: buffer them, rather than
	// make a system call per table cell.
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	c := &ksCommand{stdin: stdin, stdout: out, stderr: stderr}
	sub := args[0]
	fs := flag.NewFlagSet("opsdesk keystore "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.path, "keystore", "", "the keystore file (.jks)")
	fs.BoolVar(&c.noPassword, "no-password", false, "open read-only without the password")
	fs.BoolVar(&c.asJSON, "json", false, "print JSON")
	fs.StringVar(&c.alias, "alias", "", "alias for the imported certificate")
	fs.StringVar(&c.out, "out", "", "output file")
	fs.BoolVar(&c.der, "der", false, "write binary DER instead of base64")
	fs.BoolVar(&c.replace, "replace", false, "replace all entries you own")
	fs.BoolVar(&c.overwrite, "overwrite", false, "overwrite entries with the same alias")
	fs.BoolVar(&c.list, "list", false, "list backups")
	fs.StringVar(&c.restore, "restore", "", "restore the named backup")
	fs.StringVar(&c.out, "o", "", "output file (as --out)")
	fs.StringVar(&c.keyPair.CommonName, "cn", "", "Common Name of a new key pair")
	fs.StringVar(&c.keyPair.OrganizationalUnit, "ou", "", "Organizational Unit")
	fs.StringVar(&c.keyPair.Organization, "org", "", "Organization")
	fs.StringVar(&c.keyPair.Locality, "locality", "", "Locality")
	fs.StringVar(&c.keyPair.Province, "state", "", "State/Province")
	fs.StringVar(&c.keyPair.Country, "country", "", "two-letter Country")
	fs.StringVar(&c.keyPair.Email, "email", "", "E-mail")
	fs.StringVar(&c.keyType, "key", string(keystore.RSA2048), "key type")
	fs.IntVar(&c.days, "days", 365, "days the certificate is valid")
	fs.Var(&c.sans, "san", "Subject Alternative Names, comma-separated; may be repeated")

	pos, err := parseInterspersed(fs, args[1:])
	if err == nil && c.path == "" {
		c.own = true
		c.path, err = ownKeystorePath()
	}
	if err == nil {
		err = c.run(sub, pos)
	}
	out.Flush() // what succeeded is printed before the error that followed
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "opsdesk keystore %s: %s. Run \"opsdesk keystore help\" for usage.\n", sub, ue.msg)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "opsdesk: %s\n", err)
		return exitFail
	}
}

// parseInterspersed lets flags come after positional arguments, as in
// "opsdesk keystore show ALIAS --keystore FILE".
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func wantArgs(pos []string, n int, names string) error {
	if len(pos) != n {
		return usageError{fmt.Sprintf("expected %s", names)}
	}
	return nil
}

func (c *ksCommand) run(sub string, pos []string) error {
	switch sub {
	case "list":
		if err := wantArgs(pos, 0, "no arguments"); err != nil {
			return err
		}
		return c.withStore(false, c.listEntries)
	case "show":
		if err := wantArgs(pos, 1, "one ALIAS"); err != nil {
			return err
		}
		return c.withStore(false, func(k *keystore.Keystore) error { return c.show(k, pos[0]) })
	case "import":
		if len(pos) == 0 {
			return usageError{"expected at least one certificate FILE"}
		}
		return c.importFiles(pos)
	case "export":
		if err := wantArgs(pos, 1, "one ALIAS"); err != nil {
			return err
		}
		return c.withStore(false, func(k *keystore.Keystore) error { return c.export(k, pos[0]) })
	case "rename":
		if err := wantArgs(pos, 2, "OLD and NEW aliases"); err != nil {
			return err
		}
		return c.withStore(true, func(k *keystore.Keystore) error { return c.rename(k, pos[0], pos[1]) })
	case "update":
		if err := wantArgs(pos, 2, "ALIAS and FILE"); err != nil {
			return err
		}
		return c.withStore(true, func(k *keystore.Keystore) error { return c.update(k, pos[0], pos[1]) })
	case "delete":
		if err := wantArgs(pos, 1, "one ALIAS"); err != nil {
			return err
		}
		return c.withStore(true, func(k *keystore.Keystore) error {
			if err := k.Delete(pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Deleted %s.\n", strings.ToLower(pos[0]))
			return nil
		})
	case "merge":
		if err := wantArgs(pos, 1, "one SOURCE keystore"); err != nil {
			return err
		}
		return c.withStore(true, func(k *keystore.Keystore) error { return c.merge(k, pos[0]) })
	case "create-keypair":
		if err := wantArgs(pos, 1, "one ALIAS"); err != nil {
			return err
		}
		if strings.TrimSpace(c.keyPair.CommonName) == "" {
			return usageError{"--cn NAME is required"}
		}
		if c.days < 1 {
			return usageError{"--days must be at least 1"}
		}
		kt, err := keystore.ParseKeyType(c.keyType)
		if err != nil {
			return usageError{strings.TrimSuffix(err.Error(), ".")}
		}
		c.keyPair.Alias, c.keyPair.Key = pos[0], kt
		c.keyPair.SubjectAltNames = c.sans
		c.keyPair.ValidUntil = time.Now().Truncate(time.Second).AddDate(0, 0, c.days)
		return c.withStore(true, c.createKeyPair)
	case "csr":
		if err := wantArgs(pos, 1, "one ALIAS"); err != nil {
			return err
		}
		return c.withStore(false, func(k *keystore.Keystore) error { return c.signingRequest(k, pos[0]) })
	case "backup":
		if err := wantArgs(pos, 0, "no arguments"); err != nil {
			return err
		}
		return c.withStore(c.restore != "", c.backup)
	case "passwd":
		if err := wantArgs(pos, 0, "no arguments"); err != nil {
			return err
		}
		return c.withStore(true, c.passwd)
	case "download":
		if err := wantArgs(pos, 0, "no arguments"); err != nil {
			return err
		}
		if c.out == "" {
			return usageError{"--out FILE is required"}
		}
		return c.withStore(true, c.download)
	}
	return usageError{fmt.Sprintf("unknown command %q", sub)}
}

// withStore opens the keystore, with its password unless --no-password was
// given and the command only reads.
func (c *ksCommand) withStore(writes bool, fn func(*keystore.Keystore) error) error {
	var k *keystore.Keystore
	var err error
	if c.noPassword {
		if writes {
			return usageError{"--no-password opens the keystore read-only; this command changes it"}
		}
		k, err = keystore.OpenReadOnly(c.path)
		if err == nil {
			fmt.Fprintln(c.stderr, "Opened without the password: the entries are shown, but the keystore's integrity was not verified.")
		}
	} else if c.own {
		k, err = c.openOwn()
	} else {
		var pw []byte
		pw, err = c.storePassword()
		if err != nil {
			return err
		}
		k, err = keystore.Open(c.path, pw)
		zero(pw)
	}
	if err != nil {
		return err
	}
	defer k.Close()
	return fn(forCommand(k, c.stderr))
}

// forCommand sets how a command's changes meet other programs changing
// the same keystore: a script may run several commands on one keystore at
// once, so each change applies itself to the file as it is by then, and
// a command kept waiting says why.
func forCommand(k *keystore.Keystore, stderr io.Writer) *keystore.Keystore {
	k.SetWriteOptions(keystore.WriteOptions{FollowDisk: true, Waiting: func() {
		fmt.Fprintf(stderr, "Waiting for another program to finish changing %s…\n", k.Path())
	}})
	return k
}

func (c *ksCommand) storePassword() ([]byte, error) {
	pw, err := secret("OPSDESK_KEYSTORE_PASSWORD", "Keystore password: ", c.stdin, c.stderr)
	if errors.Is(err, errNoTerminal) {
		return nil, errors.New("no keystore password: set OPSDESK_KEYSTORE_PASSWORD, run in a terminal to be asked, or use --no-password to look without changing anything")
	}
	return pw, err
}

// entryJSON is the --json form of an entry.
type entryJSON struct {
	Alias              string    `json:"alias"`
	Type               string    `json:"type"`
	SubjectDN          string    `json:"subjectDN"`
	IssuerDN           string    `json:"issuerDN"`
	SerialNumber       string    `json:"serialNumber"`
	ValidFrom          time.Time `json:"validFrom"`
	ValidUntil         time.Time `json:"validUntil"`
	SHA1               string    `json:"sha1"`
	SHA256             string    `json:"sha256"`
	KeyType            string    `json:"keyType"`
	KeySize            int       `json:"keySize"`
	SignatureAlgorithm string    `json:"signatureAlgorithm"`
	SAPOwned           bool      `json:"sapOwned"`
	LastModified       time.Time `json:"lastModified"`
	SubjectAltNames    []string  `json:"subjectAlternativeNames,omitempty"`
	Chain              []string  `json:"chain,omitempty"` // subject DNs, for show
	Error              string    `json:"error,omitempty"`
}

// describeEntries describes each entry's own certificate, on every core.
func describeEntries(entries []keystore.Entry) []certs.Description {
	list := make([]*x509.Certificate, len(entries))
	for i, e := range entries {
		list[i] = e.Certificate()
	}
	return certs.DescribeAll(list)
}

func toJSON(e keystore.Entry, d certs.Description) entryJSON {
	j := entryJSON{Alias: e.Alias, Type: string(e.Type), SAPOwned: e.SAPOwned, LastModified: e.LastModified.UTC()}
	if e.Certificate() == nil {
		j.Error = "the certificate cannot be read"
		if len(e.ChainErrors) > 0 && e.ChainErrors[0] != nil {
			j.Error += ": " + e.ChainErrors[0].Error()
		}
		return j
	}
	j.SubjectDN, j.IssuerDN, j.SerialNumber = d.SubjectDN, d.IssuerDN, d.SerialNumber
	j.ValidFrom, j.ValidUntil = d.ValidFrom.UTC(), d.ValidUntil.UTC()
	j.SHA1, j.SHA256 = d.SHA1, d.SHA256
	j.KeyType, j.KeySize, j.SignatureAlgorithm = d.KeyType, d.KeySize, d.SignatureAlgorithm
	j.SubjectAltNames = d.SubjectAltNames
	return j
}

func (c *ksCommand) listEntries(k *keystore.Keystore) error {
	entries := k.Entries()
	if c.asJSON {
		out := make([]entryJSON, len(entries))
		for i, d := range describeEntries(entries) {
			out[i] = toJSON(entries[i], d)
		}
		return c.printJSON(out)
	}
	fmt.Fprintf(c.stdout, "Entries (%d)\n", len(entries))
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "Alias\tType\tValid Until\tSubject DN")
	now := time.Now()
	for _, e := range entries {
		alias := e.Alias
		if e.SAPOwned {
			alias += " (SAP)"
		}
		until, subject := "?", "(certificate cannot be read)"
		if cert := e.Certificate(); cert != nil {
			until = cert.NotAfter.Format("2006-01-02")
			if cert.NotAfter.Before(now) {
				until += " EXPIRED"
			}
			subject = certs.JavaDN(cert.RawSubject)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", alias, e.Type, until, subject)
	}
	return tw.Flush()
}

func (c *ksCommand) printJSON(v any) error {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (c *ksCommand) show(k *keystore.Keystore, alias string) error {
	e, err := k.Entry(alias)
	if err != nil {
		return err
	}
	j := toJSON(e, describeEntries([]keystore.Entry{e})[0])
	for _, cert := range e.Chain {
		if cert != nil {
			j.Chain = append(j.Chain, certs.JavaDN(cert.RawSubject))
		}
	}
	if c.asJSON {
		return c.printJSON(j)
	}
	owner := "Tenant Administrator"
	if e.SAPOwned {
		owner = "SAP"
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	row("Alias", j.Alias)
	row("Owner", owner)
	row("Type", j.Type)
	row("Last Modified At", j.LastModified.Format(time.RFC3339))
	if j.Error != "" {
		row("Certificate", j.Error)
		return tw.Flush()
	}
	row("Serial Number", j.SerialNumber)
	row("Subject DN", j.SubjectDN)
	row("Issuer DN", j.IssuerDN)
	row("Key Type", j.KeyType)
	row("Key Size", fmt.Sprint(j.KeySize))
	row("Signature Algorithm", j.SignatureAlgorithm)
	row("Valid From", j.ValidFrom.Format(time.RFC3339))
	row("Valid Until", j.ValidUntil.Format(time.RFC3339))
	row("SHA-1 Fingerprint", j.SHA1)
	row("SHA-256 Fingerprint", j.SHA256)
	if len(j.SubjectAltNames) > 0 {
		row("Subject Alternative Names", strings.Join(j.SubjectAltNames, ", "))
	}
	for i, dn := range j.Chain {
		row(fmt.Sprintf("Chain [%d]", i), dn)
	}
	return tw.Flush()
}

func (c *ksCommand) importFiles(files []string) error {
	var batch certs.Batch
	for _, f := range files {
		batch.Add(certs.ReadFile(f, filepath.Base(f)))
	}
	for _, p := range batch.Problems {
		fmt.Fprintf(c.stderr, "Skipped: %s\n", p)
	}
	if len(batch.Certificates) == 0 {
		return errors.New("no certificate was found in the files given, so nothing was imported")
	}
	cands := make([]keystore.Candidate, len(batch.Certificates))
	for i, f := range batch.Certificates {
		cands[i].Cert = f.Cert
		// With --alias, a chain is named as Cloud Integration names the
		// parts of a split chain: alias, alias_1, alias_2.
		if c.alias != "" {
			cands[i].Alias = keystore.ChainAlias(c.alias, i)
		}
	}

	k, err := c.openOrCreate()
	if err != nil {
		return err
	}
	defer k.Close()
	results, err := k.AddCertificates(cands)
	if err != nil {
		return err
	}
	rejected := 0
	for _, r := range results {
		d := certs.Describe(r.Cert)
		switch r.Outcome {
		case keystore.Added:
			fmt.Fprintf(c.stdout, "Added %s: %s (SHA-256 %s)\n", r.Alias, d.SubjectDN, d.SHA256)
		case keystore.Duplicate:
			fmt.Fprintf(c.stdout, "Already there as %s: %s\n", r.Existing, d.SubjectDN)
		default:
			rejected++
			fmt.Fprintf(c.stderr, "Not added: %s %s\n", d.SubjectDN, r.Reason)
		}
	}
	if rejected > 0 || len(batch.Problems) > 0 {
		return fmt.Errorf("%d of the certificates and files given could not be imported (see above)", rejected+len(batch.Problems))
	}
	return nil
}

func (c *ksCommand) openOrCreate() (*keystore.Keystore, error) {
	if c.noPassword {
		return nil, usageError{"--no-password opens the keystore read-only; import changes it"}
	}
	if c.own {
		k, err := c.openOwn()
		if err != nil {
			return nil, err
		}
		return forCommand(k, c.stderr), nil
	}
	pw, err := c.storePassword()
	if err != nil {
		return nil, err
	}
	defer zero(pw)
	if _, statErr := os.Lstat(c.path); errors.Is(statErr, os.ErrNotExist) {
		k, err := keystore.Create(c.path, pw)
		if err == nil {
			fmt.Fprintf(c.stdout, "Created the keystore %s.\n", c.path)
			return forCommand(k, c.stderr), nil
		}
		// Another command created it a moment ago: add to that one.
		if !errors.Is(err, keystore.ErrExists) {
			return nil, err
		}
	}
	k, err := keystore.Open(c.path, pw)
	if err != nil {
		return nil, err
	}
	return forCommand(k, c.stderr), nil
}

func (c *ksCommand) export(k *keystore.Keystore, alias string) error {
	x, err := k.Export(alias, c.der)
	if err != nil {
		return err
	}
	return c.write(x)
}

// write puts an exported file where --out says: standard output for "-",
// else the file named, else the file's own name in this folder.
func (c *ksCommand) write(x keystore.Exported) error {
	if c.out == "-" {
		_, err := c.stdout.Write(x.Data)
		return err
	}
	out := c.out
	if out == "" {
		out = x.FileName
	}
	if err := os.WriteFile(out, x.Data, 0o644); err != nil {
		return fmt.Errorf("could not write %s: %w", out, err)
	}
	fmt.Fprintf(c.stdout, "Wrote %s.\n", out)
	return nil
}

func (c *ksCommand) rename(k *keystore.Keystore, oldAlias, newAlias string) error {
	var keyPass []byte
	if v, ok := os.LookupEnv("OPSDESK_KEY_PASSWORD"); ok {
		keyPass = []byte(v)
		defer zero(keyPass)
	}
	if err := k.Rename(oldAlias, newAlias, keyPass); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Renamed %s to %s.\n", strings.ToLower(oldAlias), strings.ToLower(newAlias))
	return nil
}

// update is "opsdesk keystore update": the Update row action.
func (c *ksCommand) update(k *keystore.Keystore, alias, file string) error {
	batch := certs.ReadFile(file, filepath.Base(file))
	if len(batch.Certificates) == 0 {
		if len(batch.Problems) > 0 {
			return batch.Problems[0]
		}
		return fmt.Errorf("%s holds no certificate, so nothing was updated", file)
	}
	given := make([]*x509.Certificate, len(batch.Certificates))
	for i, f := range batch.Certificates {
		given[i] = f.Cert
	}
	var keyPass []byte
	if v, ok := os.LookupEnv("OPSDESK_KEY_PASSWORD"); ok {
		keyPass = []byte(v)
		defer zero(keyPass)
	}
	e, err := k.Update(alias, given, keyPass)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Updated %s: %s, valid until %s.\n", e.Alias, certs.Describe(e.Certificate()).SubjectDN,
		e.Certificate().NotAfter.Format("Jan 2, 2006"))
	return nil
}

func (c *ksCommand) merge(k *keystore.Keystore, source string) error {
	pw, err := secret("OPSDESK_SOURCE_PASSWORD", "Password of "+filepath.Base(source)+" (empty if it has none): ", c.stdin, c.stderr)
	if err != nil && !errors.Is(err, errNoTerminal) {
		return err
	}
	defer zero(pw)
	if len(pw) == 0 {
		pw = nil // open the source without its password
	}
	opt := keystore.MergeOptions{Mode: keystore.Add, Overwrite: c.overwrite, Password: pw}
	if c.replace {
		opt.Mode = keystore.Replace
	}
	sum, err := k.Merge(source, opt)
	if err != nil {
		return err
	}
	for _, o := range []keystore.Outcome{keystore.Added, keystore.Overwritten, keystore.Preserved, keystore.Removed, keystore.Duplicate, keystore.Rejected} {
		fmt.Fprintf(c.stdout, "%s: %d\n", capitalize(string(o)), sum.Count(o))
		for _, r := range sum.Results {
			if r.Outcome == o {
				fmt.Fprintf(c.stdout, "  %s %s\n", r.Alias, r.Reason)
			}
		}
	}
	return nil
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func (c *ksCommand) backup(k *keystore.Keystore) error {
	switch {
	case c.list:
		list, err := k.Backups()
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Backups (%d) in %s\n", len(list), keystore.BackupDir(k.Path()))
		for _, b := range list {
			fmt.Fprintf(c.stdout, "  %s  %s  %d bytes\n", b.Name, b.Created.Local().Format("2006-01-02 15:04:05"), b.Size)
		}
		return nil
	case c.restore != "":
		safety, err := k.Restore(c.restore)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "Restored %s (%d entries). The keystore as it was is saved as %s.\n", c.restore, len(k.Entries()), safety.Name)
		return nil
	}
	b, err := k.Backup()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Backed up %d entries to %s.\n", len(k.Entries()), b.Path)
	return nil
}

func (c *ksCommand) passwd(k *keystore.Keystore) error {
	np, err := newSecret("OPSDESK_NEW_KEYSTORE_PASSWORD", "keystore password", c.stdin, c.stderr)
	if errors.Is(err, errNoTerminal) {
		return errors.New("no new password: set OPSDESK_NEW_KEYSTORE_PASSWORD or run in a terminal to be asked")
	}
	if err != nil {
		return err
	}
	defer zero(np)
	own, err := k.ChangePassword(np)
	if err != nil {
		return err
	}
	if err := c.ownPasswordChanged(np); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "Changed the keystore password.")
	for _, a := range own {
		fmt.Fprintf(c.stdout, "The key pair %s keeps its own key password.\n", a)
	}
	return nil
}

func (c *ksCommand) download(k *keystore.Keystore) error {
	cp, err := newSecret("OPSDESK_COPY_PASSWORD", "password for the copy", c.stdin, c.stderr)
	if errors.Is(err, errNoTerminal) {
		return errors.New("no password for the copy: set OPSDESK_COPY_PASSWORD or run in a terminal to be asked")
	}
	if err != nil {
		return err
	}
	defer zero(cp)
	check, err := k.ExportForUpload(c.out, cp)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Wrote %s with %d entries.\n", c.out, check.Entries)
	for _, w := range check.Warnings {
		fmt.Fprintf(c.stdout, "Warning: %s\n", w)
	}
	return nil
}

// sanList collects --san values: repeated, or comma-separated in one.
type sanList []string

func (s *sanList) String() string { return strings.Join(*s, ",") }

func (s *sanList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*s = append(*s, part)
		}
	}
	return nil
}

// createKeyPair is "opsdesk keystore create-keypair": Create ▾ Key Pair.
func (c *ksCommand) createKeyPair(k *keystore.Keystore) error {
	e, err := k.CreateKeyPair(c.keyPair)
	if err != nil {
		return err
	}
	d := certs.Describe(e.Certificate())
	fmt.Fprintf(c.stdout, "Created the key pair %s: %s, %s, %s, valid until %s.\n",
		e.Alias, d.SubjectDN, d.KeyDescription, d.SignatureAlgorithm, d.ValidUntil.Format("2006-01-02"))
	if len(d.SubjectAltNames) > 0 {
		fmt.Fprintf(c.stdout, "Subject Alternative Names: %s\n", strings.Join(d.SubjectAltNames, ", "))
	}
	fmt.Fprintf(c.stdout, "Its certificate is self-signed: get it signed with \"opsdesk keystore csr %s\".\n", e.Alias)
	return nil
}

// signingRequest is "opsdesk keystore csr": Download Signing Request.
func (c *ksCommand) signingRequest(k *keystore.Keystore, alias string) error {
	var keyPass []byte
	if v, ok := os.LookupEnv("OPSDESK_KEY_PASSWORD"); ok {
		keyPass = []byte(v)
		defer zero(keyPass)
	}
	x, err := k.SigningRequest(alias, keyPass)
	if err != nil {
		return err
	}
	return c.write(x)
}
