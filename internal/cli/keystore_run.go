package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/opsdesk/opsdesk/core/certs"
	"github.com/opsdesk/opsdesk/core/keystore"
)

func (k *ksCommand) listEntries(ks *keystore.Keystore) error {
	entries := ks.Entries()
	if k.asJSON {
		return writeKeystoreList(k.stdout, ks.Path(), entries)
	}
	fmt.Fprintf(k.stdout, "Entries (%d)\n", len(entries))
	tw := tabwriter.NewWriter(k.stdout, 0, 4, 2, ' ', 0)
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

func (k *ksCommand) show(ks *keystore.Keystore, alias string) error {
	e, err := ks.Entry(alias)
	if err != nil {
		return err
	}
	var d certs.Description
	if e.Certificate() != nil {
		d = certs.Describe(e.Certificate())
	}
	j := entryOf(e, d)
	for _, cert := range e.Chain {
		if cert != nil {
			j.Chain = append(j.Chain, certs.JavaDN(cert.RawSubject))
		}
	}
	if k.asJSON {
		return writeJSON(k.stdout, keystoreShowJSON{SchemaVersion: schemaVersion, Keystore: ks.Path(), Entry: j})
	}
	owner := "Tenant Administrator"
	if e.SAPOwned {
		owner = "SAP"
	}
	tw := tabwriter.NewWriter(k.stdout, 0, 4, 2, ' ', 0)
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

func (k *ksCommand) importFiles(files []string) error {
	batch := certs.ReadFiles(files)
	for _, p := range batch.Problems {
		fmt.Fprintf(k.stderr, "Skipped: %s\n", p)
	}
	if len(batch.Certificates) == 0 {
		return errors.New("no certificate was found in the files given, so nothing was imported")
	}
	cands := make([]keystore.Candidate, len(batch.Certificates))
	for i, f := range batch.Certificates {
		cands[i].Cert = f.Cert
		// With --alias, a chain is named as Cloud Integration names the
		// parts of a split chain: alias, alias_1, alias_2.
		if k.alias != "" {
			cands[i].Alias = keystore.ChainAlias(k.alias, i)
		}
	}

	return k.withCreated(func(ks *keystore.Keystore) error { return k.add(ks, cands, len(batch.Problems)) })
}

// add adds the certificates read, saying what became of each; problems
// counts the files that held none.
func (k *ksCommand) add(ks *keystore.Keystore, cands []keystore.Candidate, problems int) error {
	results, err := ks.AddCertificates(cands)
	if err != nil {
		return err
	}
	rejected := 0
	for _, r := range results {
		d := certs.Describe(r.Cert)
		switch r.Outcome {
		case keystore.Added:
			fmt.Fprintf(k.stdout, "Added %s: %s (SHA-256 %s)\n", r.Alias, d.SubjectDN, d.SHA256)
		case keystore.Duplicate:
			fmt.Fprintf(k.stdout, "Already there as %s: %s\n", r.Existing, d.SubjectDN)
		default:
			rejected++
			fmt.Fprintf(k.stderr, "Not added: %s %s\n", d.SubjectDN, r.Reason)
		}
	}
	if rejected > 0 || problems > 0 {
		return fmt.Errorf("%d of the certificates and files given could not be imported (see above)", rejected+problems)
	}
	return nil
}

func (k *ksCommand) export(ks *keystore.Keystore, alias string) error {
	x, err := ks.Export(alias, k.der)
	if err != nil {
		return err
	}
	return k.write(x)
}

// write puts an exported file where --out says: standard output for "-",
// else the file named, else the file's own name in this folder.
func (k *ksCommand) write(x keystore.Exported) error {
	if k.out == "-" {
		_, err := k.stdout.Write(x.Data)
		return err
	}
	out := k.out
	if out == "" {
		out = x.FileName
	}
	if err := os.WriteFile(out, x.Data, 0o644); err != nil {
		return fmt.Errorf("could not write %s: %w", out, err)
	}
	fmt.Fprintf(k.stdout, "Wrote %s.\n", out)
	return nil
}

func (k *ksCommand) rename(ks *keystore.Keystore, oldAlias, newAlias string) error {
	keyPass := keyPassword()
	defer clear(keyPass)
	if err := ks.Rename(oldAlias, newAlias, keyPass); err != nil {
		return err
	}
	fmt.Fprintf(k.stdout, "Renamed %s to %s.\n", strings.ToLower(oldAlias), strings.ToLower(newAlias))
	return nil
}

// update is "opsdesk keystore update": the Update row action.
func (k *ksCommand) update(ks *keystore.Keystore, alias, file string) error {
	given, err := certs.ReadCertificates(file)
	if err != nil {
		return err
	}
	keyPass := keyPassword()
	defer clear(keyPass)
	e, err := ks.Update(alias, given, keyPass)
	if err != nil {
		return err
	}
	fmt.Fprintf(k.stdout, "Updated %s: %s, valid until %s.\n", e.Alias, certs.Describe(e.Certificate()).SubjectDN,
		e.Certificate().NotAfter.Format("Jan 2, 2006"))
	return nil
}

func (k *ksCommand) merge(ks *keystore.Keystore, source string) error {
	pw, err := secret("OPSDESK_SOURCE_PASSWORD", "Password of "+filepath.Base(source)+" (empty if it has none): ", k.stdin, k.stderr)
	if err != nil && !errors.Is(err, errNoTerminal) {
		return err
	}
	defer clear(pw)
	if len(pw) == 0 {
		pw = nil // open the source without its password
	}
	opt := keystore.MergeOptions{Mode: keystore.Add, Overwrite: k.overwrite, Password: pw}
	if k.replace {
		opt.Mode = keystore.Replace
	}
	sum, err := ks.Merge(source, opt)
	if err != nil {
		return err
	}
	for _, o := range []keystore.Outcome{keystore.Added, keystore.Overwritten, keystore.Preserved, keystore.Removed, keystore.Duplicate, keystore.Rejected} {
		fmt.Fprintf(k.stdout, "%s: %d\n", capitalize(string(o)), sum.Count(o))
		for _, r := range sum.Results {
			if r.Outcome == o {
				fmt.Fprintf(k.stdout, "  %s %s\n", r.Alias, r.Reason)
			}
		}
	}
	return nil
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func (k *ksCommand) backup(ks *keystore.Keystore) error {
	switch {
	case k.list:
		list, err := ks.Backups()
		if err != nil {
			return err
		}
		fmt.Fprintf(k.stdout, "Backups (%d) in %s\n", len(list), keystore.BackupDir(ks.Path()))
		for _, b := range list {
			fmt.Fprintf(k.stdout, "  %s  %s  %d bytes\n", b.Name, b.Created.Local().Format("2006-01-02 15:04:05"), b.Size)
		}
		return nil
	case k.restore != "":
		safety, err := ks.Restore(k.restore)
		if err != nil {
			return err
		}
		fmt.Fprintf(k.stdout, "Restored %s (%d entries). The keystore as it was is saved as %s.\n", k.restore, len(ks.Entries()), safety.Name)
		return nil
	}
	b, err := ks.Backup()
	if err != nil {
		return err
	}
	fmt.Fprintf(k.stdout, "Backed up %d entries to %s.\n", len(ks.Entries()), b.Path)
	return nil
}

func (k *ksCommand) passwd(ks *keystore.Keystore) error {
	np, err := newSecret("OPSDESK_NEW_KEYSTORE_PASSWORD", "keystore password", k.stdin, k.stderr)
	if errors.Is(err, errNoTerminal) {
		return errors.New("no new password: set OPSDESK_NEW_KEYSTORE_PASSWORD or run in a terminal to be asked")
	}
	if err != nil {
		return err
	}
	defer clear(np)
	own, err := ks.ChangePassword(np)
	if err != nil {
		return err
	}
	if k.own != nil {
		if err := k.own.PasswordChanged(np); err != nil {
			return err
		}
	}
	fmt.Fprintln(k.stdout, "Changed the keystore password.")
	for _, a := range own {
		fmt.Fprintf(k.stdout, "The key pair %s keeps its own key password.\n", a)
	}
	return nil
}

func (k *ksCommand) download(ks *keystore.Keystore) error {
	cp, err := newSecret("OPSDESK_COPY_PASSWORD", "password for the copy", k.stdin, k.stderr)
	if errors.Is(err, errNoTerminal) {
		return errors.New("no password for the copy: set OPSDESK_COPY_PASSWORD or run in a terminal to be asked")
	}
	if err != nil {
		return err
	}
	defer clear(cp)
	check, err := ks.ExportForUpload(k.out, cp)
	if err != nil {
		return err
	}
	fmt.Fprintf(k.stdout, "Wrote %s with %d entries.\n", k.out, check.Entries)
	for _, w := range check.Warnings {
		fmt.Fprintf(k.stdout, "Warning: %s\n", w)
	}
	return nil
}

// createKeyPair is "opsdesk keystore create-keypair": Create ▾ Key Pair.
func (k *ksCommand) createKeyPair(ks *keystore.Keystore) error {
	e, err := ks.CreateKeyPair(k.keyPair)
	if err != nil {
		return err
	}
	d := certs.Describe(e.Certificate())
	fmt.Fprintf(k.stdout, "Created the key pair %s: %s, %s, %s, valid until %s.\n",
		e.Alias, d.SubjectDN, d.KeyDescription, d.SignatureAlgorithm, d.ValidUntil.Format("2006-01-02"))
	if len(d.SubjectAltNames) > 0 {
		fmt.Fprintf(k.stdout, "Subject Alternative Names: %s\n", strings.Join(d.SubjectAltNames, ", "))
	}
	fmt.Fprintf(k.stdout, "Its certificate is self-signed: get it signed with \"opsdesk keystore csr %s\".\n", e.Alias)
	return nil
}

// signingRequest is "opsdesk keystore csr": Download Signing Request.
func (k *ksCommand) signingRequest(ks *keystore.Keystore, alias string) error {
	keyPass := keyPassword()
	defer clear(keyPass)
	x, err := ks.SigningRequest(alias, keyPass)
	if err != nil {
		return err
	}
	return k.write(x)
}

func (k *ksCommand) delete(ks *keystore.Keystore, alias string) error {
	if err := ks.Delete(alias); err != nil {
		return err
	}
	fmt.Fprintf(k.stdout, "Deleted %s.\n", strings.ToLower(alias))
	return nil
}
