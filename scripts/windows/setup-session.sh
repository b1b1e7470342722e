# Phases 5-9 of the Windows lane: sourced by scripts/windows/test-windows.sh,
# whose prefix ($WINEPREFIX, $PROFILE), $TMP, phase, step and fail it uses.
# The real setup.exe is installed silently, used from cmd.exe and under
# Xvfb as a user would, and uninstalled; each check says what it looked at.

APP_ID=io.opsdesk.app
VERSION=$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"[[:space:]]*$/\1/p' FyneApp.toml | head -1)
BUILD=$(sed -n 's/^[[:space:]]*Build[[:space:]]*=[[:space:]]*\([0-9]*\)[[:space:]]*$/\1/p' FyneApp.toml | head -1)
SETUP=$ROOT/dist/opsdesk-$VERSION-$BUILD-windows-amd64-setup.exe

# Windows and Linux names of the places the session uses.
WIN_PROFILE="C:\\users\\$WIN_USER"
INST=$PROFILE/AppData/Local/Programs/Opsdesk
WIN_INST="$WIN_PROFILE\\AppData\\Local\\Programs\\Opsdesk"
DOCS="$PROFILE/Documents/Zertifikate für SMTP"
WIN_DOCS="$WIN_PROFILE\\Documents\\Zertifikate für SMTP"
SHORTCUT="$PROFILE/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Opsdesk.lnk"
CLASSES='Software\Classes'
EXTENSIONS=".cer:Opsdesk.Certificate .crt:Opsdesk.Certificate .pem:Opsdesk.Certificate .der:Opsdesk.Certificate .p7b:Opsdesk.Certificate .p7c:Opsdesk.Certificate .zip:Opsdesk.Certificate .jks:Opsdesk.Keystore .p12:Opsdesk.Keystore .pfx:Opsdesk.Keystore .keystore:Opsdesk.Keystore"

# The registry is read from an export of HKCU, a UTF-16 file: reg query's
# output is in the console's code page, which changes with the locale.
# reg_dump [FILE] exports it as UTF-8 text ($TMP/hkcu.reg unless FILE).
reg_dump() {
  local out=${1:-$TMP/hkcu.reg}
  wine reg export HKCU 'C:\hkcu.reg' /y >/dev/null 2>&1 || fail "reg export HKCU failed"
  iconv -f UTF-16LE -t UTF-8 "$WINEPREFIX/drive_c/hkcu.reg" | sed '1s/^\xEF\xBB\xBF//' | tr -d '\r' >"$out"
  rm -f "$WINEPREFIX/drive_c/hkcu.reg"
}
# reg_value KEY [NAME]: the string value NAME (the default without one) of
# HKCU\KEY in the last dump, unescaped; fails when there is none.
reg_value() {
  local line
  line=$(K="[HKEY_CURRENT_USER\\$1]" N="${2:-}" awk '
    BEGIN { key = ENVIRON["K"]; name = ENVIRON["N"]; want = (name == "") ? "@=" : "\"" name "\"=" }
    /^\[/ { inkey = ($0 == key); next }
    inkey && index($0, want) == 1 { print substr($0, length(want) + 1); found = 1; exit }
    END { exit !found }' "$TMP/hkcu.reg") || return 1
  line=${line#\"}
  line=${line%\"}
  printf '%s\n' "$line" | sed -e 's/\\\\/\x01/g' -e 's/\\"/"/g' -e 's/\x01/\\/g'
}
# reg_has KEY [NAME]: the key, or its value NAME, is in the last dump.
reg_has() {
  if [ $# -eq 2 ]; then
    reg_value "$1" "$2" >/dev/null
  else
    grep -qxF "[HKEY_CURRENT_USER\\$1]" "$TMP/hkcu.reg"
  fi
}
# credman_has TARGET: Wine's Credential Manager (which keeps its items in
# HKCU\Software\Wine\Credential Manager) holds a generic credential whose
# target name contains TARGET, in the last dump.
credman_has() {
  grep -F '[HKEY_CURRENT_USER\Software\Wine\Credential Manager\Generic: ' "$TMP/hkcu.reg" | grep -qF "$1"
}

# snapshot NAME: the user's files (but Temp) and the values in HKCU, to
# compare later. Keys without values are left out: Windows has
# HKCU\Software\Classes or ...\Uninstall before any installer runs, a fresh
# Wine prefix does not, and an empty key is no trace of Opsdesk (the keys
# that are Opsdesk's own are checked by name). The per-session Volatile
# Environment is not the installer's.
snapshot() {
  (cd "$PROFILE" && find . -path ./Temp -prune -o -print | LC_ALL=C sort) >"$TMP/$1.files"
  reg_dump "$TMP/$1.reg.raw"
  awk '/^\[/ { key = $0; shown = 0; skip = ($0 ~ /^\[HKEY_CURRENT_USER\\Volatile Environment/); next }
    skip || $0 == "" || key == "" { next }
    !shown { print key; shown = 1 }
    { print }' "$TMP/$1.reg.raw" >"$TMP/$1.reg"
}

# --- 5. setup.exe ------------------------------------------------------------
build_setup() {
  if [ -n "${OPSDESK_WINDOWS_LANE_SETUP:-}" ]; then
    SETUP=$(realpath "$OPSDESK_WINDOWS_LANE_SETUP")
    echo "OPSDESK_WINDOWS_LANE_SETUP: installing $SETUP, not building one"
  else
    # check-dist.sh's own run of the installer under Wine is a part of
    # what follows here: not twice.
    OPSDESK_CHECK_DIST_WINE=0 bash scripts/dist.sh windows
  fi
  [ -f "$SETUP" ] || fail "no $SETUP"
}

# --- 6. install, check, uninstall, check nothing is left ---------------------
install() {
  wine "$SETUP" /S || fail "setup.exe /S failed"
  wineserver -w
}
uninstall() {
  [ -x "$INST/uninstall.exe" ] || fail "no uninstall.exe in $WIN_INST"
  wine "$INST/uninstall.exe" /S || fail "uninstall.exe /S failed"
  # The uninstaller runs on from a copy in %TEMP%: wait for it.
  wineserver -w
}

check_installed() {
  local f want got ext progid
  step "files in $WIN_INST"
  for f in opsdesk.exe opsdesk.com uninstall.exe; do
    [ -f "$INST/$f" ] || fail "setup.exe did not install $f into $WIN_INST"
  done
  ls -l "$INST"
  [ -f "$SHORTCUT" ] || fail "no Start-menu shortcut"
  echo "Start menu: ${SHORTCUT#"$PROFILE/"}"
  step "the uninstall entry (Settings → Apps)"
  reg_dump
  got=$(reg_value 'Software\Microsoft\Windows\CurrentVersion\Uninstall\io.opsdesk.app' UninstallString) || got=""
  [ "$got" = "\"$WIN_INST\\uninstall.exe\"" ] || fail "UninstallString is '$got'"
  echo "UninstallString: $got"
  step "\"Open with Opsdesk\": every file type, and the command each runs"
  want="\"$WIN_INST\\opsdesk.exe\" \"%1\""
  for progid in Opsdesk.Certificate Opsdesk.Keystore 'Applications\opsdesk.exe'; do
    got=$(reg_value "$CLASSES\\$progid\\shell\\open\\command") || got=""
    [ "$got" = "$want" ] || fail "$CLASSES\\$progid\\shell\\open\\command is '$got', want '$want'"
    echo "$progid: $got"
  done
  for ext in $EXTENSIONS; do
    reg_has "$CLASSES\\${ext%%:*}\\OpenWithProgids" "${ext#*:}" || fail "${ext%%:*} does not offer ${ext#*:}"
  done
  echo "OpenWithProgids: $EXTENSIONS"
  # The command names the installed program: the file it names exists.
  [ -f "$INST/opsdesk.exe" ] && echo "the command's program exists: $WIN_INST\\opsdesk.exe"
}

install_and_remove() {
  snapshot before
  install
  check_installed
  uninstall
  snapshot after
  step "after uninstall.exe /S: the user's files and HKCU as before setup.exe"
  if ! diff -u "$TMP/before.files" "$TMP/after.files" || ! diff -u "$TMP/before.reg" "$TMP/after.reg"; then
    fail "the uninstaller left the above behind"
  fi
  echo "nothing left: the same $(wc -l <"$TMP/after.files") files and folders, and $(grep -c '^\[' "$TMP/after.reg") registry keys with values, as before"
}

# --- 7. the console session --------------------------------------------------
# ops ARGS…: "opsdesk ARGS…" typed in cmd.exe in the install folder, where
# cmd.exe picks opsdesk.com, the console program, over opsdesk.exe.
ops() {
  (cd "$INST" && wine cmd /c opsdesk "$@")
}
# run_ops WHAT CODE ARGS…: runs ops, checks its exit code (passed through
# cmd.exe, so cmd waited for it), keeps its output in $out and $err.
run_ops() {
  local what=$1 want=$2 code=0
  shift 2
  step "opsdesk $* ($what)"
  ops "$@" >"$TMP/out" 2>"$TMP/err" <"${STDIN:-/dev/null}" || code=$?
  out=$(tr -d '\r' <"$TMP/out") err=$(tr -d '\r' <"$TMP/err")
  [ -z "$out" ] || printf '%s\n' "$out"
  [ -z "$err" ] || printf 'stderr: %s\n' "$err"
  [ "$code" -eq "$want" ] || fail "exit $code, want $want"
}
must_say() { grep -qF -- "$1" <<<"$2" || fail "the output does not say '$1'"; }

session() {
  local port ks win_ks pw=M@il-pass-2026 alias
  mkdir -p "$DOCS"
  win_ks="$WIN_DOCS\\Mail Keystore.jks"
  ks="$DOCS/Mail Keystore.jks"
  export OPSDESK_KEYSTORE_PASSWORD=Keyst0re-pass
  unset OPSDESK_KEYRING_BACKEND OPSDESK_HOME OPSDESK_PASSWORD

  run_ops "cmd.exe runs opsdesk.com, waits and prints" 0 version
  [ "$out" = "opsdesk $VERSION (build $BUILD)" ] || fail "version printed '$out'"
  run_ops "an error: one sentence, exit 1 through cmd.exe" 1 keystore list --keystore "$WIN_DOCS\\missing.jks"
  must_say "missing.jks" "$err"
  [ "$(wc -l <<<"$err")" -eq 1 ] || fail "the error is not one line"

  # The loopback test server: STARTTLS, a generated chain, one account.
  go build -o "$TMP/mailserver" ./internal/cmd/mailserver
  MAILSERVER_PASSWORD=$pw "$TMP/mailserver" -user ops@example.com >"$TMP/port" 2>"$TMP/mailserver.log" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.1; done
  port=$(head -1 "$TMP/port")
  [ -n "$port" ] || { cat "$TMP/mailserver.log"; fail "the test server did not start"; }

  OPSDESK_PASSWORD=$pw run_ops "save the server's chain into a folder with an umlaut" 0 \
    test smtp --host 127.0.0.1 --port "$port" --user ops@example.com --no-verify --save-chain "$WIN_DOCS\\chain.zip"
  must_say "Successfully reached host" "$out"
  [ -s "$DOCS/chain.zip" ] || fail "no chain.zip in $WIN_DOCS"

  run_ops "import into a new keystore whose path has a space and umlauts" 0 keystore import "$WIN_DOCS\\chain.zip" --keystore "$win_ks"
  [ -s "$ks" ] || fail "no keystore at $win_ks"
  run_ops "list" 0 keystore list --keystore "$win_ks" --json
  alias=$(grep -o '"alias": *"[^"]*"' <<<"$out" | tail -1 | sed 's/.*"\([^"]*\)"$/\1/')
  [ -n "$alias" ] || fail "no alias in the list"
  step "keytool (Linux) reads the keystore opsdesk.com wrote"
  keytool -list -keystore "$ks" -storepass "$OPSDESK_KEYSTORE_PASSWORD" | tee "$TMP/keytool.list"
  grep -q "^$alias," "$TMP/keytool.list" || fail "keytool does not list $alias"

  run_ops "export as PEM" 0 keystore export "$alias" --keystore "$win_ks" --out "$WIN_DOCS\\$alias.cer"
  step "the exported PEM: its line endings, and keytool and openssl read it"
  head -1 "$DOCS/$alias.cer" | grep -qx -- '-----BEGIN CERTIFICATE-----' || fail "$alias.cer is not PEM"
  if grep -q $'\r' "$DOCS/$alias.cer"; then fail "$alias.cer has \\r\\n line endings"; fi
  echo "$alias.cer: PEM, \\n line endings (the same bytes on every system; crypt32 reads them: core/keystore/export_windows_test.go)"
  keytool -printcert -file "$DOCS/$alias.cer" | grep -E '^(Owner|Issuer):'
  openssl x509 -in "$DOCS/$alias.cer" -noout -subject

  # Credential Manager: the default keyring on Windows.
  STDIN=$TMP/pw
  printf '%s' "$pw" >"$STDIN"
  run_ops "add User Credentials to Credential Manager" 0 credentials add smtp_ops --user ops@example.com --description "Mail für Störungsmeldungen" --password-stdin
  unset STDIN
  run_ops "list" 0 credentials list
  must_say smtp_ops "$out"
  run_ops "the description's umlauts arrive whole" 0 credentials list --json
  must_say '"description": "Mail für Störungsmeldungen"' "$out"
  step "the item is in Wine's Credential Manager, not in a file"
  reg_dump
  credman_has 'Opsdesk:credentials:opsdesk/security-material/smtp_ops' || fail "Credential Manager holds no item for smtp_ops"
  grep -F 'opsdesk/security-material/smtp_ops' "$TMP/hkcu.reg"
  [ ! -e "$PROFILE/AppData/Roaming/opsdesk/keyring" ] || fail "an encrypted keyring file was made beside Credential Manager"
  run_ops "edit: read the item, then write it (this crashed under Wine)" 0 credentials edit smtp_ops --description "Mail for alerts"
  run_ops "an SMTP test with --credential and --keystore (this crashed under Wine)" 0 \
    test smtp --host 127.0.0.1 --port "$port" --credential smtp_ops --keystore "$win_ks"
  must_say "Successfully reached host" "$out"
  must_say "Server Certificate: Valid" "$out"
  must_say "Authentication: Successful" "$out"
  run_ops "delete" 0 credentials delete smtp_ops
  run_ops "list after delete" 0 credentials list --json
  if grep -q smtp_ops <<<"$out"; then fail "smtp_ops is still listed"; fi
  reg_dump
  if credman_has 'security-material/smtp_ops'; then fail "Credential Manager still holds smtp_ops"; fi
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  unset OPSDESK_KEYSTORE_PASSWORD
}

# --- 8. the windowed app under Xvfb -----------------------------------------
start_xvfb() {
  if [ -n "${OPSDESK_XVFB_DISPLAY:-}" ]; then
    Xvfb ":$OPSDESK_XVFB_DISPLAY" -screen 0 1280x900x24 -nolisten tcp 2>"$TMP/xvfb.log" &
    xvfb_pid=$!
    export DISPLAY=":$OPSDESK_XVFB_DISPLAY"
  else
    Xvfb -displayfd 3 -screen 0 1280x900x24 -nolisten tcp 3>"$TMP/display" 2>"$TMP/xvfb.log" &
    xvfb_pid=$!
    for _ in $(seq 100); do [ -s "$TMP/display" ] && break; sleep 0.1; done
    export DISPLAY=":$(head -1 "$TMP/display")"
  fi
  for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
  xdotool getdisplaygeometry >/dev/null 2>&1 || { cat "$TMP/xvfb.log"; fail "Xvfb did not start on $DISPLAY"; }
  echo "Xvfb on $DISPLAY"
}

# screenshot NAME: the screen, for a person to look at, in
# bin/windows-lane/logs/NAME.png (when ImageMagick's import is there). The
# app settles first: the window maps before its content is drawn.
screenshot() {
  command -v import >/dev/null 2>&1 || return 0
  sleep 3
  import -window root "$CACHE/logs/$1.png" 2>/dev/null && echo "screenshot: $CACHE/logs/$1.png"
}

# wait_window TITLE SECONDS: a visible window with that exact title.
wait_window() {
  local i
  for i in $(seq $(($2 * 4))); do
    if xdotool search --onlyvisible --name "^$1\$" >/dev/null 2>&1; then
      echo "window \"$1\" after $(((i + 3) / 4)) s"
      return 0
    fi
    sleep 0.25
  done
  return 1
}

gui() {
  local cer cmdline program
  step "opsdesk.exe from the install folder: its Home window"
  (cd "$PROFILE" && wine "$INST/opsdesk.exe" >"$TMP/gui.log" 2>&1 &)
  wait_window Opsdesk 90 || { cat "$TMP/gui.log"; fail "opsdesk.exe showed no window \"Opsdesk\" within 90 s"; }
  screenshot home
  step "the app's own keystore, in the data folder under %APPDATA%"
  for _ in $(seq 120); do [ -s "$PROFILE/AppData/Roaming/opsdesk/keystore.jks" ] && break; sleep 0.25; done
  [ -s "$PROFILE/AppData/Roaming/opsdesk/keystore.jks" ] || { cat "$TMP/gui.log"; fail "no keystore.jks in %APPDATA%\\opsdesk"; }
  echo "$WIN_PROFILE\\AppData\\Roaming\\opsdesk\\keystore.jks ($(stat -c %s "$PROFILE/AppData/Roaming/opsdesk/keystore.jks") bytes), its password in Credential Manager"
  reg_dump
  credman_has 'Opsdesk:credentials:opsdesk/keystore-password/' || fail "the own keystore's password is not in Credential Manager"
  wineserver -k
  wineserver -w

  # Wine 8's ShellExecute reads file types from HKLM only, not the
  # per-user HKCU\Software\Classes a per-user installer writes (start
  # /ProgIDOpen Opsdesk.Certificate says "Error"), so the command Explorer
  # would run is taken from the registry and run as CreateProcess would.
  step "\"Open with Opsdesk\" on a certificate: the registered command, as Explorer runs it"
  cer="$WIN_DOCS\\$(basename "$(ls "$DOCS"/*.cer | head -1)")"
  reg_dump
  cmdline=$(reg_value "$CLASSES\\Opsdesk.Certificate\\shell\\open\\command") || fail "no command for Opsdesk.Certificate"
  [[ $cmdline =~ ^\"([^\"]+)\"\ \"%1\"$ ]] || fail "the command '$cmdline' is not \"PROGRAM\" \"%1\""
  program=${BASH_REMATCH[1]}
  echo "$cmdline, %1 = $cer"
  (cd "$PROFILE" && wine "$program" "$cer" >"$TMP/openwith.log" 2>&1 &)
  wait_window "Keystore – Opsdesk" 90 || { cat "$TMP/openwith.log"; fail "opening $cer with Opsdesk showed no Keystore window"; }
  screenshot open-with
  wineserver -k
  wineserver -w
}

# --- 9. uninstall after use ---------------------------------------------------
remove_after_use() {
  local ext key
  uninstall
  reg_dump
  step "the installation is gone"
  [ ! -e "$INST" ] || fail "the uninstaller left $WIN_INST: $(ls -A "$INST")"
  [ ! -e "$SHORTCUT" ] || fail "the uninstaller left the Start-menu shortcut"
  for key in 'Software\Microsoft\Windows\CurrentVersion\Uninstall\io.opsdesk.app' 'Software\Opsdesk' \
    'Software\Microsoft\Windows\CurrentVersion\App Paths\opsdesk.exe' \
    'Software\Classes\Opsdesk.Certificate' 'Software\Classes\Opsdesk.Keystore' 'Software\Classes\Applications\opsdesk.exe'; do
    if reg_has "$key"; then fail "the uninstaller left HKCU\\$key"; fi
  done
  for ext in $EXTENSIONS; do
    if reg_has "$CLASSES\\${ext%%:*}\\OpenWithProgids" "${ext#*:}"; then fail "the uninstaller left ${ext%%:*} → ${ext#*:}"; fi
  done
  echo "no files, shortcut or registry keys of Opsdesk's left"
  snapshot used
  step "what stays: the user's own data, as the uninstaller promises"
  comm -13 "$TMP/before.files" "$TMP/used.files" | sed 's/^\.\//  /'
  comm -13 <(grep '^\[' "$TMP/before.reg" | LC_ALL=C sort) <(grep '^\[' "$TMP/used.reg" | LC_ALL=C sort) | sed 's/^/  /'
}

phase "setup.exe (scripts/dist.sh windows)" build_setup
# Everything from here on sees an X display, the installers too, and a Wine
# started afresh with it: windows made by a wineserver that started without
# one fail ("Failed to create helper window").
wineserver -k 2>/dev/null || true
wineserver -w
start_xvfb
phase "install, uninstall: nothing left" install_and_remove
phase "install again" install
phase "console session: opsdesk.com in cmd.exe" session
phase "opsdesk.exe under Xvfb" gui
phase "uninstall after use" remove_after_use
