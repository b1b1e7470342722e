package credentials

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
	"github.com/godbus/dbus"
)

const ourSecretTool = "secret-tool"

func secretTool(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(ourSecretTool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("secret-tool is not installed; .ci/run must install libsecret-tools (make deps)")
		}
		t.Skip("skipped: secret-tool is not installed (make deps installs libsecret-tools)")
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("secret-tool %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestSecretServiceShowsItemsAndKeepsThemOffDisk: what Opsdesk stores is an
// item of the login keyring, which other tools see; the data folder holds
// no trace of the secret; items of other programs are never listed.
func TestSecretServiceShowsItemsAndKeepsThemOffDisk(t *testing.T) {
	requireSecretService(t)
	ts := openTest(t, "secret-service")
	name := uniq(t, ts.Store, "visible")
	password := []byte("Zq-visible-" + name)
	if _, err := ts.Add(Entry{Name: name, Type: UserCredentials, User: "ops@example.com"}, password); err != nil {
		t.Fatal(err)
	}
	out := secretTool(t, "", "search", "--all", "profile", materialKey(name))
	if !strings.Contains(out, "label = "+materialKey(name)) {
		t.Fatalf("secret-tool does not see the item:\n%s", out)
	}
	if hits := filesContaining(t, ts.home, password); len(hits) > 0 {
		t.Fatalf("the password is in %v", hits)
	}

	// Another program's item in the same collection is not ours to list.
	secretTool(t, "someone else's secret", "store", "--label=Someone else", "application", "other-app")
	t.Cleanup(func() { secretTool(t, "", "clear", "application", "other-app") })
	// An item under our prefix that Opsdesk did not write is listed as an
	// error, so that it can be seen and deleted, and nothing else breaks.
	odd := uniq(t, ts.Store, "odd")
	secretTool(t, "not json", "store", "--label="+materialKey(odd), "profile", materialKey(odd))
	list, err := ts.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if strings.Contains(e.Name, "Someone") || strings.Contains(e.Name, "other-app") {
			t.Errorf("listed another program's item: %+v", e)
		}
	}
	good, bad := mine(list, name), mine(list, odd)
	if len(good) != 1 || good[0].Status != Deployed || len(bad) != 1 || bad[0].Status != Error || bad[0].Problem == "" {
		t.Fatalf("list: %+v", list)
	}
	_, _, err = ts.Lookup(odd)
	wantProblem(t, err, ErrDamaged)
	if err := ts.Delete(odd); err != nil {
		t.Fatalf("delete an unreadable item: %v", err)
	}
}

// TestSecretServiceLocked: a locked login keyring whose unlock prompt
// cannot be shown (no display here, so the service dismisses it: a refusal)
// is reported at once, and everything stored is still there once it is
// unlocked.
func TestSecretServiceLocked(t *testing.T) {
	requireSecretService(t)
	ts := openTest(t, "secret-service", func(o *Options) { o.Timeout = 10 * time.Second })
	name := uniq(t, ts.Store, "locked")
	if _, err := ts.Add(Entry{Name: name, Type: UserCredentials, User: "u"}, []byte("locked-secret")); err != nil {
		t.Fatal(err)
	}
	lockLogin(t)
	t.Cleanup(func() { unlockLogin(t) })

	start := time.Now()
	_, err := ts.List()
	pe := wantProblem(t, err, ErrRefused)
	t.Logf("%s (after %s)", pe.Error(), time.Since(start).Round(time.Millisecond))
	if !strings.Contains(pe.Error(), "locked") || time.Since(start) > 5*time.Second {
		t.Errorf("message: %q after %s", pe.Error(), time.Since(start))
	}
	_, err = ts.Add(Entry{Name: uniq(t, ts.Store, "more"), Type: UserCredentials, User: "u"}, []byte("x"))
	wantProblem(t, err, ErrRefused)
	_, _, err = ts.Lookup(name)
	wantProblem(t, err, ErrRefused)
	_, err = Open(ts.opt)
	wantProblem(t, err, ErrRefused)

	unlockLogin(t)
	if u, pw, err := ts.Lookup(name); err != nil || u != "u" || string(pw) != "locked-secret" {
		t.Fatalf("after unlocking: %q %q %v", u, pw, err)
	}
}

func lockLogin(t *testing.T) {
	t.Helper()
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err = conn.Object(secretsName, secretsPath).Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{loginCollection}).Store(&locked, &prompt)
	if err != nil || prompt != "/" {
		t.Fatalf("lock the login keyring: %v %v", err, prompt)
	}
}

// unlockLogin unlocks without a prompt, with the password the wrapper
// script gave the throwaway login keyring, through gnome-keyring's own
// interface for that.
func unlockLogin(t *testing.T) {
	t.Helper()
	conn, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	svc := conn.Object(secretsName, secretsPath)
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatal(err)
	}
	defer conn.Object(secretsName, session).Call("org.freedesktop.Secret.Session.Close", 0)
	secret := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(os.Getenv("OPSDESK_TEST_LOGIN_PASSWORD")), "text/plain"}
	err = svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, loginCollection, secret).Store()
	if err != nil {
		t.Fatalf("unlock the login keyring: %v", err)
	}
}

// hanging is a keyring waiting for an answer that never comes, as one
// behind an unanswered prompt does.
type hanging struct{ keyring.Keyring }

func (hanging) Keys() ([]string, error) { select {} }

func TestSecretServiceNotAnsweringIsReported(t *testing.T) {
	requireSecretService(t)
	ts := openTest(t, "secret-service", func(o *Options) {
		o.Timeout = 300 * time.Millisecond
		o.wrap = func(r keyring.Keyring) keyring.Keyring { return hanging{r} }
	})
	_, err := ts.List()
	pe := wantProblem(t, err, ErrLocked)
	if !strings.Contains(pe.Error(), "did not answer within") {
		t.Errorf("message: %q", pe.Error())
	}
}
