package credentials

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/godbus/dbus"
)

// The Secret Service as the keyring library cannot handle it: the library
// creates a missing collection (a password prompt, which fails headless)
// and waits for an unlock prompt's answer without subscribing to it, so it
// would wait for ever. Before each operation, loginReady checks that the
// login collection exists and is unlocked, unlocking it through the prompt
// the service shows, subscribed properly and with a time limit.
const (
	secretsName     = "org.freedesktop.secrets"
	secretsPath     = dbus.ObjectPath("/org/freedesktop/secrets")
	loginCollection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	promptInterface = "org.freedesktop.Secret.Prompt"
)

func loginKeyring(s *Store) func() error {
	return func() error { return loginReady(s.timeout) }
}

func loginReady(wait time.Duration) error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return newError(ErrUnavailable, "", "No D-Bus session is running, so the Secret Service cannot be reached",
			"Log in to a desktop session, or set OPSDESK_KEYRING_BACKEND=file to keep the secrets in an encrypted file.", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	v, err := getProperty(ctx, conn.Object(secretsName, secretsPath), "org.freedesktop.Secret.Service.Collections")
	if err != nil {
		return classifySecretService(err)
	}
	paths, _ := v.Value().([]dbus.ObjectPath)
	if !slices.Contains(paths, loginCollection) {
		return newError(ErrUnavailable, "", "The Secret Service has no login keyring",
			"Create a keyring named Login in your keyring program (such as Passwords and Keys), or set OPSDESK_KEYRING_BACKEND=file.", nil)
	}
	locked, err := isLocked(ctx, conn)
	if err != nil || !locked {
		return err
	}
	return unlock(ctx, conn, wait)
}

func getProperty(ctx context.Context, o dbus.BusObject, name string) (dbus.Variant, error) {
	var v dbus.Variant
	i := len(name) - 1
	for i > 0 && name[i] != '.' {
		i--
	}
	err := o.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, name[:i], name[i+1:]).Store(&v)
	return v, err
}

func isLocked(ctx context.Context, conn *dbus.Conn) (bool, error) {
	v, err := getProperty(ctx, conn.Object(secretsName, loginCollection), "org.freedesktop.Secret.Collection.Locked")
	if err != nil {
		return false, classifySecretService(err)
	}
	locked, _ := v.Value().(bool)
	return locked, nil
}

// unlock asks the service to unlock the login keyring, which shows the
// user a password prompt, and waits for the answer.
func unlock(ctx context.Context, conn *dbus.Conn, wait time.Duration) error {
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	svc := conn.Object(secretsName, secretsPath)
	err := svc.CallWithContext(ctx, "org.freedesktop.Secret.Service.Unlock", 0, []dbus.ObjectPath{loginCollection}).Store(&unlocked, &prompt)
	if err != nil {
		return classifySecretService(err)
	}
	if prompt != "/" {
		match := []dbus.MatchOption{dbus.WithMatchInterface(promptInterface), dbus.WithMatchMember("Completed"), dbus.WithMatchObjectPath(prompt)}
		if err := conn.AddMatchSignal(match...); err != nil {
			return classifySecretService(err)
		}
		defer conn.RemoveMatchSignal(match...)
		signals := make(chan *dbus.Signal, 8)
		conn.Signal(signals)
		defer conn.RemoveSignal(signals)
		p := conn.Object(secretsName, prompt)
		if err := p.CallWithContext(ctx, promptInterface+".Prompt", 0, "").Store(); err != nil {
			return classifySecretService(err)
		}
		dismissed, answered := waitForPrompt(ctx, signals, prompt)
		if !answered {
			p.Call(promptInterface+".Dismiss", dbus.FlagNoReplyExpected)
			return lockedError(fmt.Sprintf("no one unlocked it within %s", wait.Round(time.Second)))
		}
		if dismissed {
			return newError(ErrRefused, "", "The login keyring is locked, and unlocking it was cancelled or could not be asked for",
				"Unlock it in your keyring program (such as Passwords and Keys), or log out and in again, then try again."+nothingChanged, nil)
		}
	}
	ctx2, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if locked, err := isLocked(ctx2, conn); err != nil {
		return err
	} else if locked {
		return lockedError("it is still locked after the prompt")
	}
	return nil
}

func waitForPrompt(ctx context.Context, signals <-chan *dbus.Signal, prompt dbus.ObjectPath) (dismissed, answered bool) {
	for {
		select {
		case <-ctx.Done():
			return false, false
		case sig := <-signals:
			if sig == nil || sig.Path != prompt || sig.Name != promptInterface+".Completed" {
				continue
			}
			if len(sig.Body) > 0 {
				dismissed, _ = sig.Body[0].(bool)
			}
			return dismissed, true
		}
	}
}

func lockedError(why string) error {
	return newError(ErrLocked, "", "The login keyring is locked: "+why,
		"Unlock it when your desktop asks (or in Passwords and Keys), then try again."+nothingChanged, nil)
}

// classifySecretService turns an error talking to the Secret Service into
// what happened.
func classifySecretService(err error) error {
	if e := classifyPlatform(err); e != nil {
		return e
	}
	return newError(ErrFailed, "", "The Secret Service could not be used",
		"Try again; if it keeps failing, set OPSDESK_KEYRING_BACKEND=file."+nothingChanged, err)
}

// classifyPlatform recognises the errors of D-Bus and the Secret Service,
// and returns nil for any other.
func classifyPlatform(err error) error {
	var de dbus.Error
	if !errors.As(err, &de) {
		if errors.Is(err, context.DeadlineExceeded) {
			return newError(ErrLocked, "", "The Secret Service did not answer in time",
				"If a window asks you to unlock the keyring, answer it, then try again."+nothingChanged, err)
		}
		return nil
	}
	switch de.Name {
	case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner",
		"org.freedesktop.DBus.Error.Spawn.ChildExited", "org.freedesktop.DBus.Error.Spawn.ExecFailed":
		return newError(ErrUnavailable, "", "No Secret Service (keyring service) is running",
			"Start your desktop's keyring (such as GNOME Keyring or KWallet), or set OPSDESK_KEYRING_BACKEND=file.", err)
	case "org.freedesktop.Secret.Error.IsLocked":
		return lockedError("the Secret Service refused to use it")
	case "org.freedesktop.DBus.Error.AccessDenied", "org.freedesktop.DBus.Error.NotSupported", "org.freedesktop.DBus.Error.AuthFailed":
		return newError(ErrRefused, "", "The Secret Service refused access to the login keyring",
			"Check your keyring program's settings, or set OPSDESK_KEYRING_BACKEND=file."+nothingChanged, err)
	case "org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout", "org.freedesktop.DBus.Error.TimedOut":
		return newError(ErrLocked, "", "The Secret Service did not answer in time",
			"If a window asks you to unlock the keyring, answer it, then try again."+nothingChanged, err)
	}
	return newError(ErrFailed, "", "The Secret Service reported an error",
		"Try again; if it keeps failing, set OPSDESK_KEYRING_BACKEND=file."+nothingChanged, err)
}
