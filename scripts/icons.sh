#!/usr/bin/env bash
# Renders the application icon from its SVG sources into every file that the
# app and the installers use, so a change to the drawing is one edit here:
#   assets/icon.png          512 px, embedded in the binary (metadata.go) and
#                            read by `fyne` from FyneApp.toml
#   assets/icons/NN.png      16…512 px, the Linux hicolor theme sizes and the
#                            Windows .exe icon (packaging/windows/winres.json)
#   assets/icon.ico          16…256 px, the Windows installer and uninstaller
# 16 px comes from icon-16.svg, drawn on that pixel grid; the rest from
# icon.svg. The outputs are committed, so building the installers does not
# need an SVG renderer; run this (it installs rsvg-convert and icotool when
# missing) after editing either SVG.
set -euo pipefail
cd "$(dirname "$0")/../assets"

need=""
command -v rsvg-convert >/dev/null 2>&1 || need="$need librsvg2-bin"
command -v icotool >/dev/null 2>&1 || need="$need icoutils"
if [ -n "$need" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need
fi

mkdir -p icons
rsvg-convert -w 16 -h 16 icon-16.svg -o icons/16.png
for size in 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "icons/$size.png"
done
cp icons/512.png icon.png

# Small sizes as bitmaps for old shells, 256 px as PNG (-r) to stay small.
icotool -c -o icon.ico icons/16.png icons/24.png icons/32.png icons/48.png icons/64.png -r icons/256.png

ls -l icon.png icon.ico icons/
