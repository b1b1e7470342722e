#!/usr/bin/env bash
# Builds the files a user downloads into dist/, with SHA256SUMS, prints their
# sizes, and checks them (scripts/check-dist.sh):
#   scripts/dist.sh                  everything that can be built on Linux
#   scripts/dist.sh linux            opsdesk_V-B_amd64.deb and the fyne .tar.xz
#   scripts/dist.sh windows          the per-user setup .exe (a cgo cross build:
#                                    about 7 minutes the first time)
# `make dist`, `make dist-linux` and `make dist-windows` install the Debian
# tools it needs first. The version comes from FyneApp.toml, as it does for
# `opsdesk version`, and the built Linux binary is asked to confirm it.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
ROOT=$PWD

# The official Go tarball lives here without being on PATH.
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi

FYNE_TOOLS=fyne.io/tools/cmd/fyne@v1.7.4
GO_WINRES=github.com/tc-hib/go-winres@v0.3.3
TOOLS=$ROOT/bin/tools
DIST=$ROOT/dist
LIMIT_MB=25

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(linux windows)
for t in "${targets[@]}"; do
  case $t in
    linux | windows) ;;
    *) echo "usage: $0 [linux] [windows]" >&2; exit 2 ;;
  esac
done

# toml SECTION KEY prints a value of FyneApp.toml ("" is the top level). The
# file is ours and flat, as metadata.go assumes too.
toml() {
  awk -v want="$1" -v key="$2" '
    /^[[:space:]]*\[/ { s = $0; gsub(/[][[:space:]]/, "", s); section = s; next }
    section == want {
      line = $0; sub(/^[[:space:]]+/, "", line)
      if (index(line, key) != 1) next
      rest = substr(line, length(key) + 1)
      if (rest !~ /^[[:space:]]*=/) next
      sub(/^[[:space:]]*=[[:space:]]*/, "", rest); sub(/[[:space:]]+$/, "", rest)
      gsub(/^"|"$/, "", rest); print rest; exit
    }' FyneApp.toml
}

NAME=$(toml Details Name)
APP_ID=$(toml Details ID)
VERSION=$(toml Details Version)
BUILD=$(toml Details Build)
WEBSITE=$(toml "" Website)
if ! [[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ && $BUILD =~ ^[0-9]+$ ]]; then
  # Windows version resources and NSIS need four numbers: X.Y.Z.BUILD.
  echo "dist: FyneApp.toml needs Version = \"X.Y.Z\" and Build = N (has \"$VERSION\", \"$BUILD\")" >&2
  exit 1
fi
# The build number is the Debian revision, so a new build of the same
# version still upgrades an installed package.
PKG_VERSION=$VERSION-$BUILD
# Dates inside the packages come from the last commit, so rebuilding the
# same commit gives the same files.
: "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
export SOURCE_DATE_EPOCH

DEB=opsdesk_${PKG_VERSION}_amd64.deb
TARBALL=opsdesk-$PKG_VERSION-linux-amd64.tar.xz
SETUP=opsdesk-$PKG_VERSION-windows-amd64-setup.exe

step() { echo "--- $*"; }

# The tools are pinned and kept in bin/tools, away from the user's GOPATH.
step "tools: $FYNE_TOOLS, $GO_WINRES"
mkdir -p "$TOOLS" "$DIST"
GOBIN=$TOOLS go install "$FYNE_TOOLS"
FYNE=$TOOLS/fyne
if [[ " ${targets[*]} " == *" windows "* ]]; then
  GOBIN=$TOOLS go install "$GO_WINRES"
fi

# fyne writes into the package it builds (fyne_metadata_init.go, a .syso) and
# bumps Build in FyneApp.toml after packaging. Building a copy of the sources
# keeps the working tree untouched while others work in it. fyne reads
# FyneApp.toml next to the main package, so the copy gets one in app/.
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/opsdesk-dist.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
step "copying the sources to $STAGE"
mkdir "$STAGE/src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -coz --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null |
    tar -xf - -C "$STAGE/src"
else
  tar --exclude=./.git --exclude=./bin --exclude=./dist -cf - . | tar -xf - -C "$STAGE/src"
fi
sed 's#^\([[:space:]]*Icon[[:space:]]*=[[:space:]]*"\)#\1../#' FyneApp.toml >"$STAGE/src/app/FyneApp.toml"
APP_SRC=$STAGE/src/app

# fill FILE substitutes the @NAMES@ of a packaging template.
fill() {
  sed -e "s|@VERSION@|$VERSION|g" -e "s|@DEB_VERSION@|$PKG_VERSION|g" \
    -e "s|@WEBSITE@|$WEBSITE|g" -e "s|@DATE@|$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)|g" \
    -e "s|@DEPENDS@|${DEPENDS:-}|g" -e "s|@INSTALLED_SIZE@|${INSTALLED_SIZE:-}|g" "$1"
}

build_linux() {
  local bin=$STAGE/linux/opsdesk
  mkdir -p "$STAGE/linux"
  rm -f "$DIST"/opsdesk_*_amd64.deb "$DIST"/opsdesk-*-linux-amd64.tar.xz

  step "linux: fyne build --release"
  # fyne build, not go build: it compiles in FyneApp.toml (ID, version, icon,
  # the fyneDo migration) and builds in release mode with hardening flags.
  # PIE as Debian builds its own Go programs (lintian: hardening-no-pie).
  (cd "$APP_SRC" && GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildmode=pie" "$FYNE" build --release --verbose -o "$bin")
  local got want="opsdesk $VERSION (build $BUILD)"
  got=$("$bin" version)
  if [ "$got" != "$want" ]; then
    echo "dist: the binary says \"$got\", FyneApp.toml says \"$want\"" >&2
    exit 1
  fi
  echo "$bin version: $got"

  step "linux: fyne package --target linux ($TARBALL)"
  # The tarball carries a Makefile for `make user-install` or `sudo make
  # install`, and the .desktop entry fyne writes from [LinuxAndBSD] and
  # [CanOpen], which the .deb reuses so the two never differ.
  (cd "$APP_SRC" && "$FYNE" package --target linux --release --executable "$bin")
  # fyne 1.7.4 writes Exec := "opsdesk %F" into that Makefile when [CanOpen]
  # is set, so `make install` looks for a file called "opsdesk %F". Repack
  # with the field code taken off (and with fixed owners and dates).
  local unpacked=$STAGE/tarball
  mkdir -p "$unpacked"
  tar -xJf "$APP_SRC/$NAME.tar.xz" -C "$unpacked"
  sed -i 's/^\(Exec := "[^" ]*\) %[fFuU]"$/\1"/' "$unpacked"/opsdesk/Makefile
  grep -q '^Exec := "opsdesk"$' "$unpacked"/opsdesk/Makefile || {
    echo "dist: the tarball's Makefile does not name the binary as Exec" >&2
    exit 1
  }
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -C "$unpacked" -cJf "$DIST/$TARBALL" opsdesk
  # usr/local/share/… or usr/share/…, depending on this machine.
  find "$unpacked" -path "*/share/applications/$APP_ID.desktop" -exec cp {} "$STAGE/linux/" \;

  step "linux: dpkg-deb ($DEB)"
  local deb=$STAGE/deb
  install -D -m 0755 "$bin" "$deb/usr/bin/opsdesk"
  install -D -m 0644 "$STAGE/linux/$APP_ID.desktop" "$deb/usr/share/applications/$APP_ID.desktop"
  local png size
  for png in assets/icons/*.png; do
    size=$(basename "$png" .png)
    install -D -m 0644 "$png" "$deb/usr/share/icons/hicolor/${size}x$size/apps/$APP_ID.png"
  done
  install -D -m 0644 assets/icon.svg "$deb/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
  install -d "$deb/usr/share/metainfo" "$deb/usr/share/man/man1" "$deb/usr/share/doc/opsdesk" "$deb/DEBIAN"
  fill packaging/linux/io.opsdesk.app.metainfo.xml.in >"$deb/usr/share/metainfo/$APP_ID.metainfo.xml"
  # The man pages and the shell completions come from the commands' own
  # definitions (internal/cli), as --help does, so they never disagree.
  local page
  (cd "$STAGE/src" && go run ./internal/cmd/mangen "$STAGE/man")
  for page in "$STAGE"/man/*.1; do
    gzip -9n <"$page" >"$deb/usr/share/man/man1/$(basename "$page").gz"
  done
  install -d "$deb/usr/share/bash-completion/completions" "$deb/usr/share/zsh/vendor-completions" \
    "$deb/usr/share/fish/vendor_completions.d"
  "$bin" completion bash >"$deb/usr/share/bash-completion/completions/opsdesk"
  "$bin" completion zsh >"$deb/usr/share/zsh/vendor-completions/_opsdesk"
  "$bin" completion fish >"$deb/usr/share/fish/vendor_completions.d/opsdesk.fish"
  fill packaging/linux/copyright >"$deb/usr/share/doc/opsdesk/copyright"
  {
    echo "opsdesk ($PKG_VERSION) unstable; urgency=medium"
    echo
    echo "  * Opsdesk $VERSION (build $BUILD)."
    echo
    echo " -- $(sed -n 's/^Maintainer: //p' packaging/linux/control.in)  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
  } | gzip -9n >"$deb/usr/share/doc/opsdesk/changelog.Debian.gz"

  # This package is not for Debian's archive, so there is no ITP bug to
  # close; lintian reads this file from the package itself.
  install -d "$deb/usr/share/lintian/overrides"
  echo "opsdesk: initial-upload-closes-no-bugs" >"$deb/usr/share/lintian/overrides/opsdesk"

  # The libraries the binary links against, as Debian names them, with the
  # versions this build needs (libc6, libgl1, libx11-6)...
  mkdir -p "$STAGE/shlibdeps/debian"
  printf 'Source: opsdesk\n\nPackage: opsdesk\nArchitecture: amd64\n' >"$STAGE/shlibdeps/debian/control"
  DEPENDS=$(cd "$STAGE/shlibdeps" && dpkg-shlibdeps -O "$deb/usr/bin/opsdesk" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
  [ -n "$DEPENDS" ] || { echo "dist: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
  # ...and those GLFW opens with dlopen at start-up, which dpkg-shlibdeps
  # cannot see (go-gl/glfw's x11_init.c): without them no window opens.
  DEPENDS="$DEPENDS, libx11-xcb1, libxcursor1, libxi6, libxinerama1, libxrandr2, libxrender1, libxxf86vm1"
  INSTALLED_SIZE=$(du -sk --apparent-size --exclude=DEBIAN "$deb" | cut -f1)
  fill packaging/linux/control.in >"$deb/DEBIAN/control"
  (cd "$deb" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$deb/DEBIAN/md5sums"
  find "$deb" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zxz --build "$deb" "$DIST/$DEB"
}

build_windows() {
  local exe=$STAGE/windows/opsdesk.exe
  mkdir -p "$STAGE/windows"
  rm -f "$DIST"/opsdesk-*-windows-amd64-setup.exe

  step "windows: go-winres (icon, version and manifest resources)"
  # fyne package -os windows would embed only a 512 px icon that Windows
  # shrinks for the taskbar; go-winres takes every size from assets/icons,
  # including the 16 px drawn for 16 px, and the full version block.
  "$TOOLS/go-winres" make --in "$STAGE/src/packaging/windows/winres.json" --out "$APP_SRC/rsrc" \
    --arch amd64 --product-version "$VERSION.$BUILD" --file-version "$VERSION.$BUILD"

  step "windows: fyne build --target windows --release (cgo with MinGW-w64)"
  (cd "$APP_SRC" && CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
    "$FYNE" build --target windows --release --verbose -o "$exe")

  step "windows: opsdesk.com, the console twin of opsdesk.exe"
  # cmd.exe and PowerShell prefer opsdesk.com to opsdesk.exe when the user
  # types "opsdesk": the commands then print in the console, which waits for
  # them. It is opsdesk.exe with the PE header's subsystem changed and
  # nothing else, so the two cannot drift apart.
  local com=$STAGE/windows/opsdesk.com
  (cd "$STAGE/src" && go run ./internal/cmd/pesubsystem -console "$exe" "$com")

  step "windows: makensis ($SETUP)"
  makensis -V4 -DVERSION="$VERSION" -DBUILD="$BUILD" -DWEBSITE="$WEBSITE" -DEXE="$exe" -DCOM="$com" \
    -DROOT="$STAGE/src" -DOUTFILE="$DIST/$SETUP" "$STAGE/src/packaging/windows/opsdesk.nsi" \
    >"$STAGE/makensis.log" || { cat "$STAGE/makensis.log"; exit 1; }
  # Debian's 7z lists an installer's files but cannot show its script, so
  # check what the installer does from what makensis compiled into it.
  step "windows: what the installer does (makensis -V4)"
  local want
  for want in '^InstallDir: "\$LOCALAPPDATA' '^CreateShortcut: .*SMPROGRAMS' \
    '^WriteUninstaller' 'CurrentVersion\\Uninstall\\io\.opsdesk\.app\\(DisplayName|UninstallString|DisplayIcon)=' \
    '^WriteRegStr: HKCU\\Software\\Classes\\\.(cer|jks)\\OpenWithProgids' 'Opsdesk\.(Certificate|Keystore)\\shell\\open\\command\\="\$INSTDIR'; do
    grep -E "$want" "$STAGE/makensis.log" || { echo "dist: the installer has no instruction matching $want" >&2; exit 1; }
  done
}

built=()
for t in "${targets[@]}"; do
  start=$SECONDS
  "build_$t"
  echo "--- $t built in $((SECONDS - start))s"
  built+=("$t")
done

step "checksums and sizes (dist/)"
cd "$DIST"
artefacts=()
for f in opsdesk_*_amd64.deb opsdesk-*-linux-amd64.tar.xz opsdesk-*-windows-amd64-setup.exe; do
  [ -e "$f" ] && artefacts+=("$f")
done
sha256sum -- "${artefacts[@]}" >SHA256SUMS
cat SHA256SUMS
over=0
for f in "${artefacts[@]}"; do
  bytes=$(stat -c %s "$f")
  mark=""
  if [ "$bytes" -ge $((LIMIT_MB * 1024 * 1024)) ]; then mark="  OVER the $LIMIT_MB MB target"; over=1; fi
  awk -v f="$f" -v b="$bytes" -v m="$mark" 'BEGIN { printf "%-48s %10d bytes  %5.1f MB%s\n", f, b, b / 1048576, m }'
done
cd "$ROOT"

for t in "${built[@]}"; do
  case $t in
    linux) bash scripts/check-dist.sh deb ;;
    windows) bash scripts/check-dist.sh windows ;;
  esac
done
[ "$over" -eq 0 ] || { echo "dist: an artefact is over the $LIMIT_MB MB target" >&2; exit 1; }
