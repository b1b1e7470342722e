#!/usr/bin/env bash
# Runs a command (the tests) inside a private D-Bus session with its own
# gnome-keyring-daemon, whose "login" keyring exists and is unlocked, so the
# credentials tests store, list and delete items in a real Secret Service
# without a prompt and without touching your own keyring.
#
#   scripts/with-secret-service.sh go test ./...
#
# Inside, OPSDESK_TEST_SECRET_SERVICE=1 tells the tests that the Secret
# Service is theirs to use, and OPSDESK_TEST_LOGIN_PASSWORD lets them unlock
# the login keyring again after locking it. Without dbus-run-session or
# gnome-keyring-daemon (macOS, Windows, a machine without `make deps`) the
# command runs as it is, and those tests skip, or fail under CI=true.
set -euo pipefail

if [ "${OPSDESK_SECRET_SERVICE_SESSION:-}" != inner ]; then
  if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
    echo "with-secret-service: dbus-run-session or gnome-keyring-daemon is missing (make deps installs them); running without a Secret Service" >&2
    exec "$@"
  fi
  # Run this script again as the first process of a new session bus. The
  # bus daemon, and what it starts (gcr-prompter failing for want of a
  # display when a test locks the keyring), log to a file, not the tests'
  # output; it is shown when the command fails.
  outer=$(mktemp -d)
  trap 'rm -rf "$outer"' EXIT
  printf '#!/bin/sh\nexec dbus-daemon "$@" 2>>"%s/dbus.log"\n' "$outer" >"$outer/dbus-daemon"
  chmod +x "$outer/dbus-daemon"
  rc=0
  dbus-run-session --dbus-daemon="$outer/dbus-daemon" -- \
    env OPSDESK_SECRET_SERVICE_SESSION=inner bash "$0" "$@" || rc=$?
  if [ "$rc" -ne 0 ] && [ -s "$outer/dbus.log" ]; then
    echo "with-secret-service: exit $rc; in case the keyring is why, the end of the D-Bus session's log" \
      "(gcr-prompter failing without a display is expected: a test locks the keyring):" >&2
    tail -n 20 "$outer/dbus.log" >&2
  fi
  exit "$rc"
fi
unset OPSDESK_SECRET_SERVICE_SESSION

tmp=$(mktemp -d)
keyring_pid=""
cleanup() {
  if [ -n "$keyring_pid" ]; then kill "$keyring_pid" 2>/dev/null || true; wait "$keyring_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -m 700 "$tmp/data" "$tmp/run"

# A throwaway login keyring in a throwaway folder: --unlock reads its
# password from standard input and creates the keyring when there is none.
password=$(head -c 18 /dev/urandom | base64)
printf '%s' "$password" |
  env XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" \
    gnome-keyring-daemon --foreground --unlock --components=secrets >"$tmp/keyring.log" 2>&1 &
keyring_pid=$!

bus() { dbus-send --session --print-reply=literal "$@" 2>/dev/null; }
# Ask whether the name is taken first: a message to org.freedesktop.secrets
# itself would have D-Bus start a second, locked daemon on demand.
ready=""
for _ in $(seq 100); do
  if bus --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q true &&
    bus --dest=org.freedesktop.secrets /org/freedesktop/secrets/collection/login \
      org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked | grep -q 'boolean false'; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "with-secret-service: gnome-keyring-daemon did not offer an unlocked login keyring within 10 s:" >&2
  cat "$tmp/keyring.log" >&2
  exit 1
fi

export OPSDESK_TEST_SECRET_SERVICE=1 OPSDESK_TEST_LOGIN_PASSWORD="$password"
rc=0
"$@" || rc=$?
exit "$rc"
