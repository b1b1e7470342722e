package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
)

// ksCommand is one run of "opsdesk keystore …": the flags of whichever
// command runs, and the keystore it opened.
type ksCommand struct {
	*streams

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

	own *ownkeystore.Opened // the app's own keystore, when no --keystore was given and it is open
}

func keystoreCommand(s *streams) *cobra.Command {
	k := &ksCommand{streams: s}
	g := group(s, &cobra.Command{
		Use:   "keystore",
		Short: "inspect and change a keystore",
		Long: `Inspect and change a Java keystore.

Without --keystore: the app's own keystore, OPSDESK_HOME/keystore.jks, made
on first use with a password that the operating system's keyring keeps.

Passwords: OPSDESK_KEYSTORE_PASSWORD, or a prompt on the terminal (the app's
own keystore: the keyring). merge: OPSDESK_SOURCE_PASSWORD (empty: open the
source without its password). passwd: OPSDESK_NEW_KEYSTORE_PASSWORD;
download: OPSDESK_COPY_PASSWORD. A key pair whose key has a password of its
own: OPSDESK_KEY_PASSWORD.`,
	})
	g.PersistentFlags().StringVar(&k.path, "keystore", "", "the keystore `FILE` (.jks, .p12, .pfx); without it, the app's own keystore")
	jsonFlag := func(fs *pflag.FlagSet) {
		fs.BoolVar(&k.asJSON, "json", false, "print JSON (see the JSON section of the README)")
	}
	readOnly := func(fs *pflag.FlagSet) {
		fs.BoolVar(&k.noPassword, "no-password", false, "open the keystore read-only without its password, as keytool does, without checking its integrity")
	}
	outFlag := func(what string) func(*pflag.FlagSet) {
		return func(fs *pflag.FlagSet) { fs.StringVarP(&k.out, "out", "o", "", what) }
	}
	withStore := func(writes bool, fn func(*keystore.Keystore, []string) error) func(*cobra.Command, []string) error {
		return func(_ *cobra.Command, args []string) error {
			return k.withStore(writes, func(ks *keystore.Keystore) error { return fn(ks, args) })
		}
	}
	g.AddCommand(
		command(&cobra.Command{Use: "list", Short: "list the entries", Args: noArgs,
			RunE: withStore(false, func(ks *keystore.Keystore, _ []string) error { return k.listEntries(ks) })},
			jsonFlag, readOnly),
		command(&cobra.Command{Use: "show ALIAS", Short: "show one entry in detail", Args: exactArgs(1, "one ALIAS"),
			RunE: withStore(false, func(ks *keystore.Keystore, a []string) error { return k.show(ks, a[0]) })},
			jsonFlag, readOnly),
		command(&cobra.Command{Use: "import FILE...", Short: "add the certificates in .cer/.crt/.pem/.der/.p7b/.zip files; creates the keystore if it does not exist",
			Args: func(_ *cobra.Command, args []string) error {
				if len(args) == 0 {
					return usagef("expected at least one certificate FILE")
				}
				return nil
			},
			RunE: func(_ *cobra.Command, args []string) error { return k.importFiles(args) }},
			func(fs *pflag.FlagSet) {
				fs.StringVar(&k.alias, "alias", "", "the alias of the certificate (of a chain: ALIAS, ALIAS_1, …)")
			}),
		command(&cobra.Command{Use: "export ALIAS", Short: "write an entry as .cer (a key pair's chain as .p7b)", Args: exactArgs(1, "one ALIAS"),
			RunE: withStore(false, func(ks *keystore.Keystore, a []string) error { return k.export(ks, a[0]) })},
			outFlag("the `FILE` to write, - for standard output (default: the entry's own file name)"), readOnly,
			func(fs *pflag.FlagSet) { fs.BoolVar(&k.der, "der", false, "write binary DER instead of base64") }),
		command(&cobra.Command{Use: "rename OLD NEW", Short: "give an entry a new alias", Args: exactArgs(2, "OLD and NEW aliases"),
			RunE: withStore(true, func(ks *keystore.Keystore, a []string) error { return k.rename(ks, a[0], a[1]) })}),
		command(&cobra.Command{Use: "update ALIAS FILE", Short: "give an entry new certificates: a renewed certificate, or a CA's reply to a key pair's signing request",
			Args: exactArgs(2, "ALIAS and FILE"),
			RunE: withStore(true, func(ks *keystore.Keystore, a []string) error { return k.update(ks, a[0], a[1]) })}),
		command(&cobra.Command{Use: "delete ALIAS", Short: "delete an entry", Args: exactArgs(1, "one ALIAS"),
			RunE: withStore(true, func(ks *keystore.Keystore, a []string) error { return k.delete(ks, a[0]) })}),
		command(&cobra.Command{Use: "merge SOURCE", Short: "bring in the entries of a .jks/.p12/.pfx; creates the keystore if it does not exist", Args: exactArgs(1, "one SOURCE keystore"),
			RunE: func(_ *cobra.Command, a []string) error {
				return k.withCreated(func(ks *keystore.Keystore) error { return k.merge(ks, a[0]) })
			}},
			func(fs *pflag.FlagSet) {
				fs.BoolVar(&k.replace, "replace", false, "replace all entries you own with the source's")
				fs.BoolVar(&k.overwrite, "overwrite", false, "overwrite entries with the same alias")
			}),
		k.keyPairCommand(&cobra.Command{Use: "create-keypair ALIAS", Short: "generate a key pair with a self-signed certificate, as Create ▾ Key Pair does; creates the keystore if it does not exist",
			Args: exactArgs(1, "one ALIAS"), RunE: func(_ *cobra.Command, args []string) error { return k.createKeyPairCommand(args[0]) }}),
		command(&cobra.Command{Use: "csr ALIAS", Short: "write a certificate signing request (PKCS#10) for a key pair", Args: exactArgs(1, "one ALIAS"),
			RunE: withStore(false, func(ks *keystore.Keystore, a []string) error { return k.signingRequest(ks, a[0]) })},
			outFlag("the `FILE` to write, - for standard output (default: ALIAS.csr)"), readOnly),
		command(&cobra.Command{Use: "backup", Short: "save a backup copy, list the backups, or restore one", Args: noArgs,
			RunE: func(*cobra.Command, []string) error { return k.withStore(k.restore != "", k.backup) }},
			readOnly, func(fs *pflag.FlagSet) {
				fs.BoolVar(&k.list, "list", false, "list the backups")
				fs.StringVar(&k.restore, "restore", "", "restore the backup `NAME`")
			}),
		command(&cobra.Command{Use: "passwd", Short: "change the keystore password", Args: noArgs,
			RunE: withStore(true, func(ks *keystore.Keystore, _ []string) error { return k.passwd(ks) })}),
		command(&cobra.Command{Use: "download --out FILE", Short: "save a copy to upload to Cloud Integration, protected by a new password, checked against the tenant's limits",
			Args: noArgs, RunE: func(*cobra.Command, []string) error {
				if k.out == "" {
					return usagef("--out FILE is required")
				}
				return k.withStore(true, k.download)
			}},
			outFlag("the `FILE` to write")),
	)
	return g
}

// command adds the flags to c: each command declares its own, so that one
// it does not take is refused.
func command(c *cobra.Command, flags ...func(*pflag.FlagSet)) *cobra.Command {
	for _, f := range flags {
		f(c.Flags())
	}
	return c
}

// keyPairCommand gives create-keypair its flags: the fields of Create ▾
// Key Pair.
func (k *ksCommand) keyPairCommand(c *cobra.Command) *cobra.Command {
	fs := c.Flags()
	fs.StringVar(&k.keyPair.CommonName, "cn", "", "the Common Name (required)")
	fs.StringVar(&k.keyPair.OrganizationalUnit, "ou", "", "the Organizational Unit")
	fs.StringVar(&k.keyPair.Organization, "org", "", "the Organization")
	fs.StringVar(&k.keyPair.Locality, "locality", "", "the Locality")
	fs.StringVar(&k.keyPair.Province, "state", "", "the State or Province")
	fs.StringVar(&k.keyPair.Country, "country", "", "the two-letter Country code")
	fs.StringVar(&k.keyPair.Email, "email", "", "the e-mail address")
	fs.StringVar(&k.keyType, "key", string(keystore.RSA2048), "the key `TYPE`: rsa2048, rsa3072, rsa4096, ec256 or ec384")
	fs.IntVar(&k.days, "days", 365, "the days the certificate is valid")
	fs.Var(&k.sans, "san", "Subject Alternative Names, comma-separated (DNS:host,IP:addr); may be repeated")
	names := make([]string, len(keystore.KeyTypes))
	for i, t := range keystore.KeyTypes {
		names[i] = string(t)
	}
	completeValues(c, "key", names...)
	return c
}

// createKeyPairCommand checks create-keypair's flags, then creates.
func (k *ksCommand) createKeyPairCommand(alias string) error {
	if strings.TrimSpace(k.keyPair.CommonName) == "" {
		return usagef("--cn NAME is required")
	}
	if k.days < 1 {
		return usagef("--days must be at least 1")
	}
	kt, err := keystore.ParseKeyType(k.keyType)
	if err != nil {
		return usagef("%s", strings.TrimSuffix(err.Error(), "."))
	}
	k.keyPair.Alias, k.keyPair.Key = alias, kt
	k.keyPair.SubjectAltNames = k.sans
	k.keyPair.ValidUntil = time.Now().Truncate(time.Second).AddDate(0, 0, k.days)
	if err := k.keyPair.Check(); err != nil { // before a new keystore is made for it
		return err
	}
	return k.withCreated(k.createKeyPair)
}

// withStore opens the keystore, with its password unless --no-password was
// given and the command only reads.
func (k *ksCommand) withStore(writes bool, fn func(*keystore.Keystore) error) error {
	var ks *keystore.Keystore
	var err error
	switch {
	case k.noPassword:
		if writes {
			return usagef("--no-password opens the keystore read-only; this command changes it")
		}
		ks, err = keystore.OpenReadOnly(k.path)
		if err == nil {
			fmt.Fprintln(k.stderr, "Opened without the password: the entries are shown, but the keystore's integrity was not verified.")
		}
	case k.path == "":
		ks, err = k.openOwn()
	default:
		var pw []byte
		if pw, err = k.storePassword(); err != nil {
			return err
		}
		ks, err = keystore.Open(k.path, pw)
		clear(pw)
	}
	if err != nil {
		return err
	}
	defer ks.Close()
	return fn(forCommand(ks, k.stderr))
}

// openOwn opens the app's own keystore, creating it on first use.
func (k *ksCommand) openOwn() (*keystore.Keystore, error) {
	o, err := openOwnKeystore(k.streams)
	if err != nil {
		return nil, err
	}
	k.own = o
	return o.Keystore, nil
}

// openOwnKeystore opens the app's own keystore, its password from the
// keyring (asked on the terminal when that is an encrypted file), and
// says so when it was created.
func openOwnKeystore(s *streams) (*ownkeystore.Opened, error) {
	return openOwnKeystoreWith(s, func() (ownkeystore.Keyring, error) {
		st, err := openCredentials(s.stdin, s.stderr)
		if err != nil {
			return nil, err
		}
		return st, nil
	})
}

// openOwnKeystoreWith is openOwnKeystore with the keyring given: a
// command that has opened it already (connect) does not have the user
// type the keyring file's password twice.
func openOwnKeystoreWith(s *streams, keyring func() (ownkeystore.Keyring, error)) (*ownkeystore.Opened, error) {
	path, err := ownkeystore.Path()
	if err != nil {
		return nil, err
	}
	o, err := ownkeystore.Open(path, keyring)
	if err != nil {
		return nil, err
	}
	if o.Created {
		// stderr: standard output may be JSON.
		fmt.Fprintf(s.stderr, "Created the app's keystore %s; its password is kept in %s.\n", path, o.Where)
	}
	return o, nil
}

// forCommand sets how a command's changes meet other programs changing
// the same keystore: a script may run several commands on one keystore at
// once, so each change applies itself to the file as it is by then, and
// a command kept waiting says why.
func forCommand(ks *keystore.Keystore, stderr io.Writer) *keystore.Keystore {
	ks.SetWriteOptions(keystore.WriteOptions{FollowDisk: true, Waiting: func() {
		fmt.Fprintf(stderr, "Waiting for another program to finish changing %s…\n", ks.Path())
	}})
	return ks
}

func (k *ksCommand) storePassword() ([]byte, error) {
	pw, err := secret(ownkeystore.PasswordEnv, "Keystore password: ", k.stdin, k.stderr)
	if errors.Is(err, errNoTerminal) {
		return nil, errors.New("no keystore password: set OPSDESK_KEYSTORE_PASSWORD, run in a terminal to be asked, or use --no-password to look without changing anything")
	}
	return pw, err
}

// withCreated runs fn on the keystore a command adds entries to (import,
// merge, create-keypair), creating it when it does not exist, with the
// password a new keystore gets from OPSDESK_KEYSTORE_PASSWORD or the
// terminal, as keytool -importcert, -importkeystore and -genkeypair do.
// When fn fails and the keystore it created is still empty, the file is
// removed again: a failed command leaves nothing behind.
func (k *ksCommand) withCreated(fn func(*keystore.Keystore) error) error {
	ks, created, err := k.openOrCreate()
	if err != nil {
		return err
	}
	defer ks.Close()
	err = fn(forCommand(ks, k.stderr))
	if err != nil && created && len(ks.Entries()) == 0 {
		ks.Close()
		if os.Remove(k.path) == nil {
			fmt.Fprintf(k.stderr, "Removed the new keystore %s again: nothing went into it.\n", k.path)
		}
	}
	return err
}

// openOrCreate opens the keystore, creating it when it does not exist, and
// says whether it did.
func (k *ksCommand) openOrCreate() (*keystore.Keystore, bool, error) {
	if k.path == "" {
		ks, err := k.openOwn()
		return ks, false, err
	}
	pw, err := k.storePassword()
	if err != nil {
		return nil, false, err
	}
	defer clear(pw)
	if _, statErr := os.Lstat(k.path); errors.Is(statErr, os.ErrNotExist) {
		ks, err := keystore.Create(k.path, pw)
		if err == nil {
			fmt.Fprintf(k.stdout, "Created the keystore %s.\n", k.path)
			return ks, true, nil
		}
		// Another command created it a moment ago: add to that one.
		if !errors.Is(err, keystore.ErrExists) {
			return nil, false, err
		}
	}
	ks, err := keystore.Open(k.path, pw)
	return ks, false, err
}

// sanList collects --san values: repeated, or comma-separated in one.
type sanList []string

func (s *sanList) String() string { return strings.Join(*s, ",") }
func (s *sanList) Type() string   { return "names" }

func (s *sanList) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*s = append(*s, part)
		}
	}
	return nil
}
