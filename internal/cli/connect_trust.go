package cli

import (
	"bufio"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/opsdesk/opsdesk/core/keystore"
	"github.com/opsdesk/opsdesk/core/mailsetup"
	"github.com/opsdesk/opsdesk/core/ownkeystore"
)

// openKeystore opens the keystore the certificates go to: --keystore FILE
// or the app's own. Before the Trust step (create false) it is opened
// only when it exists, for the first test to show whether its chain is
// trusted already; the Trust step creates it.
func (r *connectRun) openKeystore(create bool) error {
	if r.ks != nil {
		return nil
	}
	s := &streams{stdin: r.stdin, stdout: r.out, stderr: r.stderr}
	if r.keystore == "" {
		if path, err := ownkeystore.Path(); err != nil {
			return err
		} else if _, err := os.Stat(path); err != nil && !create {
			return nil
		}
		o, err := openOwnKeystoreWith(s, func() (ownkeystore.Keyring, error) { return r.store, nil })
		if err != nil {
			return err
		}
		r.ks = forCommand(o.Keystore, r.stderr)
		r.j.Keystore = r.ks.Path()
		return nil
	}
	_, statErr := os.Stat(r.keystore)
	if statErr != nil && !create {
		return nil
	}
	var pw []byte
	var err error
	if statErr != nil {
		pw, err = newSecret(ownkeystore.PasswordEnv, "keystore password", r.stdin, r.stderr)
	} else {
		pw, err = secret(ownkeystore.PasswordEnv, "Keystore password: ", r.stdin, r.stderr)
	}
	if errors.Is(err, errNoTerminal) {
		return errors.New("no keystore password: set " + ownkeystore.PasswordEnv + " or run in a terminal to be asked")
	}
	if err != nil {
		return err
	}
	defer clear(pw)
	var ks *keystore.Keystore
	if statErr != nil {
		ks, err = keystore.Create(r.keystore, pw)
		if err == nil {
			r.say("Created the keystore %s.", r.keystore)
		}
	} else {
		ks, err = keystore.Open(r.keystore, pw)
	}
	if err != nil {
		return err
	}
	r.ks = forCommand(ks, r.stderr)
	r.j.Keystore = r.ks.Path()
	return nil
}

// trust is step 4: the proposal over the chains of all the account's
// servers, each certificate once with why, the question, and the
// certificates added.
func (r *connectRun) trust(chains ...[]*x509.Certificate) ([]keystore.Result, error) {
	p := mailsetup.ProposeTrustAll(chains...)
	r.j.Trust = trustOf(p)
	for _, it := range p.Items {
		mark := "[ ]"
		if it.Proposed {
			mark = "[x]"
		}
		r.say("%s %s: %s", mark, it.Role, mailsetup.CertName(it.Cert))
		r.say("    %s", it.Why)
	}
	if p.Note != "" {
		r.say("%s", p.Note)
	}
	chosen := p.Chosen()
	if len(chosen) == 0 {
		return nil, nil
	}
	missing := chosen
	if r.ks != nil {
		missing = mailsetup.NotYetIn(r.ks, chosen)
	}
	if len(missing) > 0 && !r.yes {
		where := "the app's keystore"
		if r.keystore != "" {
			where = r.keystore
		}
		ok, err := r.confirm(fmt.Sprintf("Add the %d certificate(s) marked [x] to %s? [y/N] ", len(missing), where))
		switch {
		case errors.Is(err, errNoTerminal):
			return nil, r.stop(mailsetup.StepTrust, "Nothing was added to the keystore: add --yes to accept the proposed certificates when no one is at a terminal to answer.")
		case err != nil:
			return nil, err
		case !ok:
			return nil, r.stop(mailsetup.StepTrust, "Nothing was added to the keystore, so the proof cannot pass: run this again and answer y, or add the certificates yourself with opsdesk keystore import.")
		}
	}
	if err := r.openKeystore(true); err != nil {
		return nil, err
	}
	results, err := mailsetup.AddTrust(r.ks, chosen)
	if err != nil {
		return nil, err
	}
	r.j.Added = addedOf(results)
	for _, res := range results {
		switch res.Outcome {
		case keystore.Added:
			r.say("Added %s to %s as %s.", mailsetup.CertName(res.Cert), r.ks.Path(), res.Alias)
		case keystore.Duplicate:
			r.say("%s is in %s already, as %s: not added twice.", mailsetup.CertName(res.Cert), r.ks.Path(), res.Existing)
		default:
			r.say("%s was not added: %s", mailsetup.CertName(res.Cert), res.Reason)
		}
	}
	return results, nil
}

// confirm asks a yes/no question on the terminal; no is the default.
func (r *connectRun) confirm(question string) (bool, error) {
	f, ok := r.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false, errNoTerminal
	}
	fmt.Fprint(r.stderr, question)
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes", nil
}
