# Shared by the scripts in this folder: source it, don't run it.

# need COMMAND PACKAGE installs PACKAGE with apt-get when COMMAND is
# missing (through sudo unless root): a fresh machine has none of the tools.
need() {
  command -v "$1" >/dev/null 2>&1 && return
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "$(basename "$0"): installing $2"
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2"
}

# gui_sandbox FILE_PASSWORD makes a throwaway home in $tmp for everything
# the app and Fyne write (preferences, the app's keystore, an encrypted file
# keyring with FILE_PASSWORD), so no real keyring or preferences are
# touched, gives it a private D-Bus session bus ($bus_pid), and arranges for
# the app ($app_pid), Xvfb ($xvfb_pid), a test server ($server_pid, if any)
# and the bus to be stopped and $tmp removed on exit.
gui_sandbox() {
  tmp=$(mktemp -d)
  xvfb_pid="" app_pid="" bus_pid=""
  trap gui_cleanup EXIT
  trap 'exit 130' INT TERM
  export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config" XDG_CACHE_HOME="$tmp/home/.cache"
  export XDG_DATA_HOME="$tmp/home/.local/share" XDG_RUNTIME_DIR="$tmp/run"
  mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  export OPSDESK_HOME="$tmp/opsdesk"
  export OPSDESK_KEYRING_BACKEND=file OPSDESK_KEYRING_FILE_PASSWORD="$1"
  unset OPSDESK_KEYSTORE_PASSWORD
  # A session bus of its own, stopped with the rest: without one, the app's
  # D-Bus client would autolaunch a bus (where dbus-x11 is installed) that
  # outlives the run.
  need dbus-daemon dbus
  local bus
  bus=$(dbus-daemon --session --fork --print-address=1 --print-pid=1)
  export DBUS_SESSION_BUS_ADDRESS="${bus%%$'\n'*}"
  bus_pid="${bus##*$'\n'}"
}

gui_cleanup() {
  # Each stop on its own: under set -e a failing last command of an &&
  # list (wait returns the killed process's 143) would end the trap there
  # and leave the rest running.
  local pid
  for pid in "${server_pid:-}" "$app_pid" "$xvfb_pid" "${bus_pid:-}"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true # the bus forked: not our child, nothing to wait for
  done
  rm -rf "$tmp"
  return 0
}

# start_xvfb SCREEN starts a private X server and exports DISPLAY: on a free
# display (-displayfd picks one), or on OPSDESK_XVFB_DISPLAY (":95") where
# the machine sets aside a display number of its own. Either way Xvfb
# writes the number to fd 3 once it accepts clients; a display in use
# makes it exit with the reason instead.
start_xvfb() {
  local display=()
  [ -z "${OPSDESK_XVFB_DISPLAY:-}" ] || display=(":${OPSDESK_XVFB_DISPLAY#:}")
  Xvfb ${display[@]+"${display[@]}"} -displayfd 3 -screen 0 "$1" -nolisten tcp 3>"$tmp/display" 2>"$tmp/xvfb.log" &
  xvfb_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.1; done
  [ -s "$tmp/display" ] || { echo "$(basename "$0"): Xvfb did not start:" >&2; cat "$tmp/xvfb.log" >&2; exit 1; }
  export DISPLAY=":$(head -n1 "$tmp/display")"
}
