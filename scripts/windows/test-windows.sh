#!/usr/bin/env bash
# The Windows lane (make test-windows; .ci/run runs it after the Linux
# tests): Opsdesk's Windows build, run under Wine on Linux.
#
#   1. shim     builds bcryptprimitives.dll (bcryptprimitives.c) with MinGW:
#               Go 1.22+ programs need its ProcessPrng, Debian's Wine 8 lacks it
#   2. prefix   a throwaway Wine prefix (never ~/.wine) for a user named
#               "Jörg Müller", so every profile path has a space and umlauts
#   3. build    GOOS=windows go test -c for every package with tests (cgo with
#               MinGW-w64: app/ links Fyne's GL driver)
#   4. tests    runs each test binary under Wine in its package folder; the
#               keyring tests use Wine's Credential Manager; counts and every
#               skipped test with its reason
#   5. setup    scripts/dist.sh windows: the real setup.exe (about 7 minutes
#               cold, most of it compiling GLFW; cached after)
#   6. install  setup.exe /S; the files, the Start-menu shortcut, the
#               uninstall entry and the "Open with Opsdesk" registry keys,
#               pointing at the installed opsdesk.exe
#   7. session  the installed opsdesk.com in cmd.exe: keystore import, list,
#               export (keytool on Linux reads what it wrote), credentials
#               add, list, edit and delete in Credential Manager, an SMTP test
#               against the loopback test server with --credential
#   8. gui      opsdesk.exe under Xvfb: its Home window appears; "Open with
#               Opsdesk" (the registry's command) opens a certificate in the
#               Keystore window; the app's own keystore goes under %APPDATA%
#   9. remove   uninstall.exe /S, then nothing of the installation is left
#
# Kept between runs in bin/windows-lane: the shim DLL, the overlay, the test
# binaries and their logs; the Go build cache does the rest. Knobs:
#   OPSDESK_WINDOWS_LANE=tests|setup  only phases 1-4, or 1-2 and 5-9
#   OPSDESK_WINDOWS_LANE_SETUP=FILE   install this setup.exe instead of
#                                     building one (phase 5)
#   OPSDESK_XVFB_DISPLAY=N            Xvfb on :N instead of the first free one
set -euo pipefail
umask 022
cd "$(dirname "$0")/../.."
ROOT=$PWD

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi

CACHE=$ROOT/bin/windows-lane
mkdir -p "$CACHE"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/opsdesk-windows.XXXXXX")
LANE_START=$SECONDS

# The Windows user: a space and letters outside ASCII in every profile path
# (%USERPROFILE%, %APPDATA%, %TEMP%), as a German user's are.
WIN_USER="Jörg Müller"
export WINEPREFIX=$TMP/prefix WINEARCH=win64 WINEDEBUG=-all
# No Mono or Gecko installer dialogs while the prefix is made, and no
# winemenubuilder: with a display, it copies the Start-menu shortcut and
# file types into the Linux desktop's menus in ~/.local and ~/.config.
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
export USER=$WIN_USER
# Wine converts file names and arguments between UTF-16 and the Unix
# locale's character set: UTF-8, whatever the machine's locale.
export LC_ALL=C.UTF-8
unset LANGUAGE

xvfb_pid="" server_pid="" bridge_pid=""
cleanup() {
  local rc=$?
  wineserver -k 2>/dev/null || true
  local pid
  for pid in "$server_pid" "$bridge_pid" "$xvfb_pid"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
  return "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "test-windows: $*" >&2; exit 1; }
step() { echo "--- $*"; }
phase_times=()
phase() {
  local name=$1 start=$SECONDS
  shift
  echo "=== windows: $name"
  "$@"
  phase_times+=("$name $((SECONDS - start))s")
  echo "=== windows: $name took $((SECONDS - start))s"
}

# --- 1. the shim DLL ---------------------------------------------------------
SHIM_SRC=scripts/windows/bcryptprimitives.c
SHIM=$CACHE/bcryptprimitives.dll
build_shim() {
  local want have=""
  want=$({ sha256sum "$SHIM_SRC"; x86_64-w64-mingw32-gcc --version | head -1; } | sha256sum | cut -d' ' -f1)
  [ -f "$SHIM.sha256" ] && have=$(cat "$SHIM.sha256")
  if [ -f "$SHIM" ] && [ "$have" = "$want" ]; then
    echo "bcryptprimitives.dll: cached ($SHIM)"
  else
    x86_64-w64-mingw32-gcc -O2 -shared -s -o "$SHIM" "$SHIM_SRC" -ladvapi32
    echo "$want" >"$SHIM.sha256"
  fi
  x86_64-w64-mingw32-objdump -p "$SHIM" >"$TMP/shim.headers"
  grep -q '\] ProcessPrng$' "$TMP/shim.headers" || fail "bcryptprimitives.dll does not export ProcessPrng"
  echo "bcryptprimitives.dll exports ProcessPrng ($(stat -c %s "$SHIM") bytes)"
}

# --- 2. the Wine prefix ------------------------------------------------------
make_prefix() {
  wine --version
  wineboot -i >"$TMP/wineboot.log" 2>&1 || { cat "$TMP/wineboot.log"; fail "wineboot failed"; }
  wineserver -w
  cp "$SHIM" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
  PROFILE="$WINEPREFIX/drive_c/users/$WIN_USER"
  [ -d "$PROFILE" ] || fail "the prefix has no profile for $WIN_USER: $(ls "$WINEPREFIX/drive_c/users")"
  # Wine links Documents, Desktop, Downloads… to the Linux home folder:
  # what the lane saves in Documents would land in ~. Folders of their own.
  local d
  for d in "$PROFILE"/*; do
    if [ -L "$d" ]; then
      rm "$d"
      mkdir "$d"
    fi
  done
  echo "prefix $WINEPREFIX, user profile C:\\users\\$WIN_USER"
}

# --- 3. the test binaries ----------------------------------------------------
# Wine 8 answers NtSetInformationFile(FileDispositionInformationEx) with
# STATUS_NOT_IMPLEMENTED, which Go 1.26's os.RemoveAll does not take as
# "use the older way" (it does for STATUS_INVALID_INFO_CLASS, what Windows
# before 10 1607 answers), so every t.TempDir failed to clean up. The test
# binaries are built with that one status added to the fallback, through
# -overlay; Opsdesk itself never calls os.RemoveAll, and setup.exe is built
# from the unchanged standard library.
make_overlay() {
  local src dst
  src=$(go env GOROOT)/src/internal/syscall/windows/at_windows.go
  dst=$CACHE/overlay/at_windows.go.txt # not .go: bin/ is inside the module
  mkdir -p "$CACHE/overlay"
  sed 's#^\(\t\t\)STATUS_NOT_SUPPORTED: *// the file system#\1NTStatus(0xC0000002), // STATUS_NOT_IMPLEMENTED: Wine 8 (scripts/windows/test-windows.sh)\n&#' "$src" >"$dst.new"
  [ "$(diff "$src" "$dst.new" | grep -c '^>')" -eq 1 ] ||
    fail "cannot patch $src for Wine: Go's os.RemoveAll changed; see make_overlay"
  cmp -s "$dst.new" "$dst" 2>/dev/null && rm "$dst.new" || mv "$dst.new" "$dst"
  printf '{"Replace":{"%s":"%s"}}\n' "$src" "$dst" >"$CACHE/overlay/overlay.json"
}

TESTBIN=$CACHE/tests
build_tests() {
  make_overlay
  rm -rf "$TESTBIN" && mkdir -p "$TESTBIN"
  # One go command for all packages, so both cores build in parallel;
  # -trimpath as fyne build --release uses, so that GLFW's C code, the
  # slow part, is compiled once for both.
  GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
    go test -c -trimpath -overlay "$CACHE/overlay/overlay.json" -o "$TESTBIN/" ./...
  ls "$TESTBIN"
}

# --- 4. the tests under Wine -------------------------------------------------
# keytool and openssl, which the tests run to check what Opsdesk writes,
# are Linux programs here: Wine starts them but hands back no handle and no
# output. internal/cmd/winebridge is both ends of a loopback bridge to them.
start_bridge() {
  local token
  go build -o "$CACHE/winebridge" ./internal/cmd/winebridge
  mkdir -p "$CACHE/unixtools"
  GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -o "$CACHE/unixtools/keytool.exe" ./internal/cmd/winebridge
  cp "$CACHE/unixtools/keytool.exe" "$CACHE/unixtools/openssl.exe"
  token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  OPSDESK_WINE_BRIDGE_TOKEN=$token "$CACHE/winebridge" -prefix "$WINEPREFIX" -tools keytool,openssl >"$TMP/bridge.addr" 2>"$TMP/bridge.log" &
  bridge_pid=$!
  for _ in $(seq 100); do [ -s "$TMP/bridge.addr" ] && break; sleep 0.1; done
  [ -s "$TMP/bridge.addr" ] || { cat "$TMP/bridge.log"; fail "the keytool bridge did not start"; }
  export OPSDESK_WINE_BRIDGE=$(head -1 "$TMP/bridge.addr") OPSDESK_WINE_BRIDGE_TOKEN=$token
  # Wine puts WINEPATH before its own PATH; Z: is the Linux root.
  export WINEPATH="Z:${CACHE//\//\\}\\unixtools"
  echo "keytool.exe and openssl.exe on Wine's PATH ($WINEPATH) run the Linux tools through $OPSDESK_WINE_BRIDGE"
}

total_pass=0 total_fail=0 total_skip=0 top_pass=0 top_fail=0 top_skip=0 failed_pkgs=()
run_tests() {
  local dir name bin log start rc counts
  : >"$TMP/skipped"
  printf '%-14s %6s %14s %6s %6s %6s %6s\n' package tests "with subtests" passed failed skipped time | tee "$TMP/table"
  while read -r name dir; do
    bin=$TESTBIN/$name.test.exe
    [ -f "$bin" ] || continue
    log=$CACHE/logs/$name.log
    mkdir -p "$CACHE/logs"
    start=$SECONDS
    for attempt in 1 2; do
      rc=0
      (cd "$dir" && CI=true OPSDESK_TEST_WINE=1 OPSDESK_TEST_WINCRED=1 \
        timeout 1200 wine "$bin" -test.v -test.count=1 -test.timeout=15m) >"$log" 2>&1 || rc=$?
      # Wine's own failure to start the program (its server went away:
      # "wine client error", and not one test ran) is retried once, said so.
      if [ "$rc" -ne 0 ] && grep -q '^wine client error' "$log" && ! grep -q -- '^=== RUN' "$log" && [ "$attempt" -eq 1 ]; then
        echo "--- $name: Wine did not start the test binary ($(grep -m1 '^wine client error' "$log")); once more"
        wineserver -k 2>/dev/null || true
        continue
      fi
      break
    done
    # Every "--- PASS/FAIL/SKIP" line is a test or a subtest; unindented
    # ones are top-level tests. A skip's reason is the line logged before it.
    counts=$(awk -v pkg="$name" -v skipped="$TMP/skipped" '
      /^ *--- (PASS|FAIL|SKIP): / {
        top = ($0 !~ /^ /); split($0, f, " "); kind = f[2]
        all[kind]++; if (top) tops[kind]++
        if (kind == "SKIP:") { sub(/^ +/, "", last); print pkg "." f[3] ": " last >> skipped }
        next
      }
      /^ +[^ -]/ { last = $0 }
      END { printf "%d %d %d %d %d %d", all["PASS:"], all["FAIL:"], all["SKIP:"], tops["PASS:"], tops["FAIL:"], tops["SKIP:"] }' "$log")
    read -r p f s tp tf ts <<<"$counts"
    total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
    top_pass=$((top_pass + tp)) top_fail=$((top_fail + tf)) top_skip=$((top_skip + ts))
    if [ "$rc" -ne 0 ] || [ "$f" -gt 0 ] || ! tail -n 3 "$log" | grep -q '^PASS$'; then
      failed_pkgs+=("$name")
      echo "--- $name failed (exit $rc); the end of $log:"
      grep -E -- '--- FAIL|panic:|^FAIL|timed out' "$log" | head -40 || true
      tail -n 30 "$log"
    fi
    printf '%-14s %6d %14d %6d %6d %6d %5ds\n' "$name" $((tp + tf + ts)) $((p + f + s)) "$p" "$f" "$s" $((SECONDS - start)) | tee -a "$TMP/table"
  done < <(go list -f '{{.ImportPath}} {{.Dir}}' ./... | sed 's#^[^ ]*/##')
  echo
  echo "Windows tests under Wine: $((top_pass + top_fail + top_skip)) tests ($top_pass passed, $top_fail failed, $top_skip skipped);" \
    "with subtests $((total_pass + total_fail + total_skip)) ($total_pass passed, $total_fail failed, $total_skip skipped)"
  if [ -s "$TMP/skipped" ]; then
    echo "Skipped under Wine, with the reason each gave:"
    sed 's/^/  /' "$TMP/skipped"
  fi
  cp "$TMP/table" "$CACHE/logs/summary.txt"
  [ ${#failed_pkgs[@]} -eq 0 ] || fail "tests failed under Wine in: ${failed_pkgs[*]} (logs in $CACHE/logs)"
}

LANE=${OPSDESK_WINDOWS_LANE:-all}
case $LANE in all | tests | setup) ;; *) fail "OPSDESK_WINDOWS_LANE is tests, setup or unset" ;; esac
phase "shim: bcryptprimitives.dll" build_shim
phase "prefix" make_prefix
if [ "$LANE" != setup ]; then
  phase "build the test binaries (GOOS=windows go test -c)" build_tests
  phase "bridge to keytool and openssl" start_bridge
  phase "run the tests under Wine" run_tests
fi
if [ "$LANE" != tests ]; then
  . scripts/windows/setup-session.sh
fi

echo "=== windows: phases: ${phase_times[*]}; total $((SECONDS - LANE_START))s"
