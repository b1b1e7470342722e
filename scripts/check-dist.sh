#!/usr/bin/env bash
# Checks the files scripts/dist.sh wrote to dist/, printing what it looked at:
#   scripts/check-dist.sh deb          contents, lintian, .desktop and AppStream
#                                      validators
#   scripts/check-dist.sh install-deb  dpkg -i: opsdesk on PATH prints the
#                                      version of FyneApp.toml (CI; uninstalls
#                                      again unless it was installed before)
#   scripts/check-dist.sh windows      7z listing of the setup .exe; icon and
#                                      version resources of the opsdesk.exe it
#                                      installs (dist.sh checks what the
#                                      installer does as makensis compiles it)
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID=io.opsdesk.app
VERSION=$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"[[:space:]]*$/\1/p' FyneApp.toml | head -1)
BUILD=$(sed -n 's/^[[:space:]]*Build[[:space:]]*=[[:space:]]*\([0-9]*\)[[:space:]]*$/\1/p' FyneApp.toml | head -1)
WANT_VERSION="opsdesk $VERSION (build $BUILD)"

fail() { echo "check-dist: $*" >&2; exit 1; }
step() { echo "--- $*"; }
# one GLOB: the single dist/ file it matches.
one() {
  local matches=(dist/$1)
  [ -e "${matches[0]}" ] || fail "no dist/$1; run make dist first"
  [ ${#matches[@]} -eq 1 ] || fail "several dist/$1: ${matches[*]}"
  echo "${matches[0]}"
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/opsdesk-check.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

check_deb() {
  local deb
  deb=$(one "opsdesk_${VERSION}-${BUILD}_amd64.deb")
  step "dpkg-deb --info $deb"
  dpkg-deb --info "$deb"
  step "dpkg-deb --contents $deb"
  dpkg-deb --contents "$deb" | tee "$TMP/contents"
  local path size
  for path in usr/bin/opsdesk usr/share/applications/$APP_ID.desktop \
    usr/share/metainfo/$APP_ID.metainfo.xml usr/share/icons/hicolor/scalable/apps/$APP_ID.svg \
    usr/share/man/man1/opsdesk.1.gz usr/share/man/man1/opsdesk-keystore-list.1.gz \
    usr/share/bash-completion/completions/opsdesk usr/share/zsh/vendor-completions/_opsdesk \
    usr/share/fish/vendor_completions.d/opsdesk.fish; do
    grep -q " \./$path\$" "$TMP/contents" || fail "$deb lacks /$path"
  done
  for size in 16 24 32 48 64 128 256 512; do
    path=usr/share/icons/hicolor/${size}x$size/apps/$APP_ID.png
    grep -q " \./$path\$" "$TMP/contents" || fail "$deb lacks /$path"
  done
  dpkg-deb --field "$deb" Depends | grep -q 'libgl1' || fail "$deb does not depend on libgl1"
  echo "binary, desktop entry, AppStream metadata, icons (16-512 px, scalable), man pages and shell completions present"

  step "lintian $deb"
  # --fail-on error: warnings are printed but do not fail the check.
  lintian --fail-on error --display-info "$deb"
  echo "lintian: no errors"

  dpkg-deb -x "$deb" "$TMP/root"
  step "desktop-file-validate"
  desktop-file-validate "$TMP/root/usr/share/applications/$APP_ID.desktop"
  cat "$TMP/root/usr/share/applications/$APP_ID.desktop"
  step "appstreamcli validate --no-net"
  appstreamcli validate --no-net "$TMP/root/usr/share/metainfo/$APP_ID.metainfo.xml"
}

install_deb() {
  local deb sudo="" before got
  deb=$(one "opsdesk_${VERSION}-${BUILD}_amd64.deb")
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  before=$(dpkg-query -W -f='${Status}' opsdesk 2>/dev/null || true)
  step "dpkg -i $deb"
  $sudo dpkg -i "$deb"
  hash -r
  step "command -v opsdesk; opsdesk version"
  command -v opsdesk || fail "opsdesk is not on PATH after dpkg -i"
  got=$(opsdesk version)
  echo "$got"
  [ "$got" = "$WANT_VERSION" ] || fail "opsdesk version printed \"$got\", want \"$WANT_VERSION\""
  # Leave the machine as it was unless Opsdesk was installed before.
  if [[ $before != *installed* ]]; then
    step "dpkg -r opsdesk (it was not installed before the check)"
    $sudo dpkg -r opsdesk
  fi
}

check_windows() {
  local setup
  setup=$(one "opsdesk-${VERSION}-${BUILD}-windows-amd64-setup.exe")
  step "7z l $setup"
  7z l "$setup" | tee "$TMP/listing"
  grep -q ' opsdesk\.exe$' "$TMP/listing" || fail "$setup does not contain opsdesk.exe"
  grep -q ' opsdesk\.com$' "$TMP/listing" || fail "$setup does not contain opsdesk.com, the console twin"
  grep -q ' uninstall\.exe$' "$TMP/listing" || fail "$setup does not write an uninstaller"

  # A per-user installer must not ask for elevation: Windows reads that from
  # the manifest of the setup .exe itself.
  step "the setup .exe's manifest: requestedExecutionLevel"
  7z x -tPE -so "$setup" .rsrc/MANIFEST/1 2>/dev/null | grep -o '<requestedExecutionLevel[^>]*>' | tee "$TMP/level"
  grep -q 'level="asInvoker"' "$TMP/level" || fail "$setup asks for administrator rights"

  step "resources of the opsdesk.exe inside the installer"
  7z e -o"$TMP/exe" "$setup" opsdesk.exe >/dev/null
  7z l "$TMP/exe/opsdesk.exe" | grep -E '\.rsrc' | tee "$TMP/rsrc"
  grep -q 'ICON' "$TMP/rsrc" || fail "opsdesk.exe has no icon resource"
  grep -q 'version.txt' "$TMP/rsrc" || fail "opsdesk.exe has no version resource"
  local version_txt
  version_txt=$(awk '/version\.txt$/ { print $NF; exit }' "$TMP/rsrc")
  step "7z x -so opsdesk.exe $version_txt"
  7z x -so "$TMP/exe/opsdesk.exe" "$version_txt" | iconv -f UTF-16LE -t UTF-8 | tee "$TMP/version.txt"
  grep -q "ProductVersion.*$VERSION\.$BUILD" "$TMP/version.txt" || fail "opsdesk.exe's version is not $VERSION.$BUILD"
  step "subsystems: opsdesk.exe windowed, opsdesk.com for the console, otherwise the same"
  7z e -o"$TMP/exe" "$setup" opsdesk.com >/dev/null
  # Read whole, then matched: grep -q would stop reading early, and under
  # pipefail objdump's broken pipe would fail the check.
  objdump -p "$TMP/exe/opsdesk.exe" >"$TMP/exe.headers"
  objdump -p "$TMP/exe/opsdesk.com" >"$TMP/com.headers"
  grep -q 'Subsystem.*(Windows GUI)' "$TMP/exe.headers" || fail "opsdesk.exe is not a windowed program"
  grep -q 'Subsystem.*(Windows CUI)' "$TMP/com.headers" || fail "opsdesk.com is not a console program"
  local differ
  differ=$({ cmp -l "$TMP/exe/opsdesk.exe" "$TMP/exe/opsdesk.com" || true; } | wc -l) # cmp fails when they differ, as they must
  [ "$differ" -eq 1 ] || fail "opsdesk.com differs from opsdesk.exe in $differ bytes, not just the subsystem"
  echo "opsdesk.exe: Windows GUI; opsdesk.com: Windows CUI; 1 byte apart"
  if command -v wrestool >/dev/null 2>&1; then
    step "wrestool -l opsdesk.exe (3 icon, 14 group icon, 16 version, 24 manifest)"
    wrestool -l "$TMP/exe/opsdesk.exe"
  fi

  if [ "${OPSDESK_CHECK_DIST_WINE:-}" = 0 ]; then
    echo "(the installer is run by the Windows lane, make test-windows, not here)"
  elif command -v wine >/dev/null 2>&1; then
    run_in_wine "$setup"
  else
    echo "(wine is not installed: the installer was not run; apt-get install wine64 wine to run it)"
  fi
}

# With Wine (which make dist does not install: apt-get install wine64 wine),
# also run the installer and then the uninstaller, silently, in a throw-away
# Wine prefix, and read back what each left behind. Starting opsdesk.exe
# needs the Windows lane's bcryptprimitives.dll (Go needs Windows 10's, which
# Wine 8 lacks): make test-windows runs the installed programs, and sets
# OPSDESK_CHECK_DIST_WINE=0 so that this part is not done twice.
run_in_wine() {
  local setup=$1 xvfb="" inst key
  command -v xvfb-run >/dev/null 2>&1 && xvfb="xvfb-run -a"
  # winemenubuilder would copy the shortcut into the Linux desktop's menus.
  export WINEPREFIX=$TMP/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
  step "wine $setup /S (silent install, then what it left)"
  $xvfb wine "$setup" /S 2>/dev/null || fail "the installer failed under Wine"
  inst=$(find "$WINEPREFIX/drive_c/users" -type d -path '*/AppData/Local/Programs/Opsdesk' | head -1)
  [ -n "$inst" ] || fail "nothing was installed in %LOCALAPPDATA%\\Programs\\Opsdesk"
  ls -l "$inst"
  find "$WINEPREFIX/drive_c/users" -path '*/Start Menu/Programs/Opsdesk.lnk' | grep . || fail "no Start-menu shortcut"
  for key in 'Software\Microsoft\Windows\CurrentVersion\Uninstall\io.opsdesk.app' \
    'Software\Classes\.cer\OpenWithProgids' 'Software\Classes\.jks\OpenWithProgids' \
    'Software\Classes\Opsdesk.Keystore\shell\open\command'; do
    wine reg query "HKCU\\$key" 2>/dev/null | tr -d '\r' | grep . || fail "no HKCU\\$key"
  done
  step "wine uninstall.exe /S (then nothing of it is left)"
  $xvfb wine "$inst/uninstall.exe" /S 2>/dev/null || fail "the uninstaller failed under Wine"
  # The uninstaller runs from a copy in %TEMP%: wait for it to finish.
  wineserver -w
  [ ! -e "$inst" ] || fail "the uninstaller left $inst"
  for key in 'Software\Microsoft\Windows\CurrentVersion\Uninstall\io.opsdesk.app' \
    'Software\Classes\Opsdesk.Keystore' 'Software\Classes\.jks\OpenWithProgids'; do
    if wine reg query "HKCU\\$key" >/dev/null 2>&1; then fail "the uninstaller left HKCU\\$key"; fi
  done
  wineserver -k 2>/dev/null || true
  echo "installed per user, registered, and uninstalled without a trace"
}

case ${1:-} in
  deb) check_deb ;;
  install-deb) install_deb ;;
  windows) check_windows ;;
  *) echo "usage: $0 deb|install-deb|windows" >&2; exit 2 ;;
esac
