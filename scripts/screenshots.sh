#!/usr/bin/env bash
# Saves the README's screenshots (docs/screenshot-*.png) from the REAL app:
# bin/opsdesk under a private Xvfb, light theme, a throwaway OPSDESK_HOME with
# a demo keystore and demo credentials in an encrypted-file keyring (no real
# keyring, keystore or Fyne preferences are touched). Each window is opened
# the way a user does it, by clicking its tile on Home.
# Run it with "make screenshots", which builds bin/opsdesk and installs
# Xvfb, xdotool, ImageMagick and openssl when missing. Xvfb takes the first
# free display; OPSDESK_XVFB_DISPLAY=:95 makes it use that one instead.
#
# The pictures: Home; Security Material with a row selected; its Create
# OAuth2 Authorization Code form with Microsoft 365's preset and a tenant;
# the Authorize dialog waiting for the browser; the Keystore
# with an entry's details; a passed and a failed Connectivity test (the
# loopback mail server below, the second with a credential whose password
# it refuses); the six steps of Connect a Mail Account against the same
# server; and the import dialog of the app started with a partner's
# files, as "Open with" starts it, one of them expired.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=docs
SCREEN=1600x1000x24

. scripts/lib.sh
need Xvfb xvfb
need xdotool xdotool
need import imagemagick
need openssl openssl
need zip zip
[ -x bin/opsdesk ] || { echo "screenshots: bin/opsdesk missing; run make screenshots" >&2; exit 1; }

# 1. A throwaway home for everything the app and Fyne write. Go keeps its
# caches where they were, so the test server below builds from them.
export GOMODCACHE="$(go env GOMODCACHE)" GOCACHE="$(go env GOCACHE)"
gui_sandbox screenshots-demo
export LANG=C.UTF-8
# The app's own data folder where a user's is (~/.config/opsdesk), so the
# Keystore window shows the path a user sees rather than a temporary one.
unset OPSDESK_HOME

# 2. Demo certificates: a CA, servers it signed, one expiring soon, one expired.
certs="$tmp/certs"
mkdir -p "$certs"
cert() { # NAME SUBJECT DAYS [start offset for an expired one]
  local name=$1 subj=$2 days=$3
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
    -keyout "$certs/$name.key" -out "$certs/$name.pem" -subj "$subj" -days "$days" 2>/dev/null
}
signed() { # NAME SUBJECT DAYS: signed by demo-ca
  local name=$1 subj=$2 days=$3
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$certs/$name.key" -out "$certs/$name.csr" -subj "$subj" 2>/dev/null
  openssl x509 -req -in "$certs/$name.csr" -CA "$certs/demo-ca.pem" -CAkey "$certs/demo-ca.key" \
    -CAcreateserial -days "$days" -sha256 -out "$certs/$name.pem" 2>/dev/null
}
cert demo-ca "/C=DE/O=Example Corp/CN=Example Corp Root CA" 3650
signed smtp "/C=DE/O=Example Corp/CN=smtp.example.com" 365
signed imap "/C=DE/O=Example Corp/CN=imap.example.com" 20
cert gmail "/C=US/O=Google Trust Services/CN=GTS Root R1" 7300
# expired NAME SUBJECT: signed by demo-ca, valid for one day ten days ago
# (openssl x509 -not_before needs 3.4; openssl ca takes dates since 1.0).
expired() {
  local name=$1 subj=$2
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$certs/$name.key" -out "$certs/$name.csr" -subj "$subj" 2>/dev/null
  if [ ! -e "$certs/ca.cnf" ]; then
    mkdir -p "$certs/ca/newcerts" && : >"$certs/ca/index.txt" && echo 1000 >"$certs/ca/serial"
    cat >"$certs/ca.cnf" <<EOF
[ca]
default_ca = demo
[demo]
dir = $certs/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
unique_subject = no
policy = any
[any]
commonName = supplied
EOF
  fi
  local start end
  start=$(date -u -d '-10 days' +%y%m%d%H%M%SZ) end=$(date -u -d '-9 days' +%y%m%d%H%M%SZ)
  openssl ca -batch -config "$certs/ca.cnf" -cert "$certs/demo-ca.pem" -keyfile "$certs/demo-ca.key" \
    -startdate "$start" -enddate "$end" -preserveDN -notext -in "$certs/$name.csr" -out "$certs/$name.pem" 2>/dev/null || true
}
expired legacy "/C=DE/O=Example Corp/CN=legacy.example.com"
for c in demo-ca smtp imap gmail legacy; do
  [ -s "$certs/$c.pem" ] && bin/opsdesk keystore import "$certs/$c.pem" >/dev/null
done
bin/opsdesk keystore create-keypair client.example.com --cn client.example.com --org "Example Corp" --country DE --key ec256 >/dev/null
bin/opsdesk keystore list

# What a partner sends, opened with Opsdesk (the last picture): their chain as a
# .zip (their root CA and mail server) and the certificate of a relay that
# expired last week, which the import dialog flags.
open_with="$tmp/open-with"
mkdir -p "$open_with"
cert partner-ca "/C=FR/O=Partner SA/CN=Partner SA Root CA" 3650
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$certs/partner-mail.key" -out "$certs/partner-mail.csr" -subj "/C=FR/O=Partner SA/CN=mail.partner.example" 2>/dev/null
openssl x509 -req -in "$certs/partner-mail.csr" -CA "$certs/partner-ca.pem" -CAkey "$certs/partner-ca.key" \
  -CAcreateserial -days 397 -sha256 -out "$certs/partner-mail.pem" 2>/dev/null
(cd "$certs" && cp partner-ca.pem partner-root-ca.cer && cp partner-mail.pem mail.partner.example.cer &&
  zip -q "$open_with/partner-chain.zip" partner-root-ca.cer mail.partner.example.cer)
expired relay "/C=DE/O=Example Corp/CN=relay.example.com"
[ -s "$certs/relay.pem" ] && openssl x509 -in "$certs/relay.pem" -outform der -out "$open_with/relay.example.com.cer"

# 3. Demo Security Material.
OPSDESK_PASSWORD=demo-app-password bin/opsdesk credentials add gmail_smtp --user ops@example.com \
  --description "Gmail SMTP for alert mails" >/dev/null
OPSDESK_PASSWORD=demo-password bin/opsdesk credentials add imap_inbox --user inbox@example.com \
  --description "Mailbox polled for replies" >/dev/null
OPSDESK_PASSWORD=demo-token bin/opsdesk credentials add-parameter api_token \
  --description "Token for the ticket system" >/dev/null
# The same account with the password it had before: the failed test.
OPSDESK_PASSWORD=old-app-password bin/opsdesk credentials add gmail_smtp_old --user ops@example.com \
  --description "Before the App Password was renewed" >/dev/null
OPSDESK_CLIENT_SECRET=demo-client-secret bin/opsdesk credentials add-oauth2 m365_mailbox --provider microsoft365 \
  --tenant-id contoso.onmicrosoft.com --client-id 0e8f5b1c-7d2a-4c3e-9a61-2b4f8d6e1a70 --user ops@contoso.com \
  --description "Shared mailbox, basic authentication off" >/dev/null
bin/opsdesk credentials list

# A loopback SMTP server with STARTTLS and a generated root → intermediate →
# leaf chain (the benchmark's), accepting gmail_smtp's demo account, so the
# Connectivity Tests picture shows a real test's Response.
# It sends its leaf and intermediate only, as Gmail does; its root goes to
# root.pem, this computer's trust store as the app sees it (SSL_CERT_FILE),
# as GTS Root R1 is in a real one: Connect a Mail Account completes the
# chain from there.
go build -o "$tmp/mailserver" ./internal/cmd/mailserver
MAILSERVER_PASSWORD=demo-app-password "$tmp/mailserver" -user ops@example.com -root "$tmp/root.pem" -imap-port "$tmp/imap-port" >"$tmp/port" &
server_pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/root.pem" ] || { echo "screenshots: the mail server did not start" >&2; exit 1; }

# 4. A private X server on a free display (-displayfd picks one).
start_xvfb "$SCREEN"
echo "screenshots: Xvfb on $DISPLAY"

# 5. The real app, light theme. Authorize opens the sign-in page with
# xdg-open; the app finds this stand-in first, which only notes the
# address (Xvfb has no browser, and none may outlive the run).
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nprintf "%%s\\n" "$1" >>"%s"\n' "$tmp/opened" >"$tmp/bin/xdg-open"
chmod +x "$tmp/bin/xdg-open"
PATH="$tmp/bin:$PATH" SSL_CERT_FILE="$tmp/root.pem" FYNE_THEME=light bin/opsdesk >"$tmp/app.log" 2>&1 &
app_pid=$!

# find_window REGEX: the id of the visible window whose name matches.
find_window() {
  local id
  id=$(timeout 20 xdotool search --sync --onlyvisible --name "$1" | head -n1) || true
  [ -n "$id" ] || { echo "screenshots: no window named '$1'; app log:" >&2; cat "$tmp/app.log" >&2; exit 1; }
  echo "$id"
}
# shoot ID FILE: wait for the window to settle, then save it as a PNG of
# 256 colours, undithered: a third of the size (they are committed), and
# the same to the eye, since a window has few colours besides the text's
# anti-aliasing.
shoot() {
  xdotool windowraise "$1"
  sleep 2.5 # keystore and keyring open in the background; let the counts arrive
  import -window "$1" "$tmp/shot.png"
  convert "$tmp/shot.png" -strip -dither None -colors 256 -define png:compression-level=9 "PNG8:$OUT/$2"
  echo "screenshots: $OUT/$2 ($(identify -format '%wx%h' "$OUT/$2"), $(($(stat -c %s "$OUT/$2") / 1024)) KiB)"
}
# Every window has a menu bar 27 pixels high above its content.
MENU=27
# click_tile N: click the Nth tile (0-based) on Home. Home's layout: the menu
# bar, padding, the Connect a Mail Account banner, the "Manage Security"
# heading, then 240x150 tiles (ui/home.go, tileSize).
click_tile() {
  xdotool windowraise "$home"
  sleep 0.3
  xdotool mousemove --window "$home" $((8 + 120 + $1 * 244)) $((MENU + 265)) click 1
}

home=$(find_window '^Opsdesk$')
xdotool windowmove "$home" 0 0
shoot "$home" screenshot-home.png

click_tile 0
win=$(find_window '^Security Material')
# Select gmail_smtp (the second row): its row is marked across the table,
# and Edit and Undeploy are enabled.
sleep 1
xdotool mousemove --window "$win" 100 $((MENU + 184)) click 1
xdotool mousemove --window "$win" 900 $((MENU + 500))
shoot "$win" screenshot-security-material.png

# Add ▾ OAuth2 Authorization Code with Microsoft 365's preset and a tenant,
# in a window tall enough for the whole form: its fields and the sentence
# about both redirect URLs.
xdotool windowmove "$win" 0 0
xdotool windowsize "$win" 1000 900
sleep 0.5
xdotool mousemove --window "$win" 565 94 click 1 && sleep 0.5  # Add ▾
xdotool mousemove --window "$win" 630 172 click 1 && sleep 1   # OAuth2 Authorization Code
field() { xdotool type --delay 10 "$1"; xdotool key Tab; sleep 0.2; }
field m365_servicedesk                   # Name (focused)
field "Service desk's shared mailbox"    # Description
xdotool key Tab                          # Provider: Microsoft 365, the preset
field contoso.onmicrosoft.com            # Tenant: into both URLs
xdotool key Tab Tab Tab Tab              # past the URLs, the expiry and the Redirect URL
field 0e8f5b1c-7d2a-4c3e-9a61-2b4f8d6e1a70 # Client ID
field demo-client-secret                 # Client Secret
xdotool key Tab                          # Send As
xdotool type --delay 10 servicedesk@contoso.com # User Name: Deploy is enabled
xdotool mousemove --window "$win" 990 890
shoot "$win" screenshot-oauth2-form.png
xdotool key Escape && sleep 0.5

# Authorize on m365_mailbox (the fifth row): the dialog that waits for the
# browser. There is no browser here: the app finds the stand-in xdg-open
# first on its PATH, which notes the address and returns.
xdotool mousemove --window "$win" 100 $((MENU + 301)) click 1 && sleep 0.5
xdotool mousemove --window "$win" 660 94 click 1               # Authorize
for _ in $(seq 50); do [ -s "$tmp/opened" ] && break; sleep 0.1; done
[ -s "$tmp/opened" ] || { echo "screenshots: Authorize opened no sign-in page; log:" >&2; cat "$tmp/app.log" >&2; exit 1; }
xdotool mousemove --window "$win" 990 890
shoot "$win" screenshot-oauth2-authorize.png
xdotool key Escape # Cancel: the app stops waiting and closes its listener
sleep 1

click_tile 1
win=$(find_window '^Keystore')
# Select smtp.example.com (the sixth row) so its details show below.
xdotool windowmove "$win" 0 0
sleep 0.5
xdotool mousemove --window "$win" 100 $((MENU + 384)) click 1
xdotool mousemove --window "$win" 600 $((MENU + 440))
shoot "$win" screenshot-keystore.png

click_tile 2
win=$(find_window '^Connectivity Tests')
# The tutorial's first test, as a user clicks it: Host and Port, Plain
# User/Password with gmail_smtp, Valid Server Certificate Required off, Send,
# then open the Server Certificate Chain. Positions are those of the SMTP tab
# in a 1240x760 window at 0,0, below the menu bar (ui/connectivity_form.go's
# order of fields).
xdotool windowmove "$win" 0 0
xdotool windowsize "$win" 1240 760
sleep 0.5
at() { xdotool mousemove --window "$win" "$1" $((MENU + $2)) click 1; sleep 0.4; }
at 350 143 && xdotool type --delay 10 localhost             # Host
at 250 183 && xdotool key ctrl+a && xdotool type --delay 10 "$(cat "$tmp/port")" # Port
at 350 339 && at 250 451                                    # Authentication ▾ Plain User/Password
at 300 378 && at 200 413                                    # Credential Name ▾ gmail_smtp
at 160 535                                                  # Valid Server Certificate Required: off
at 45 574                                                   # Send
sleep 2
at 677 436                                                  # Server Certificate Chain, below the verdict and the check lines
xdotool mousemove --window "$win" 1000 750
shoot "$win" screenshot-connectivity.png

# The same test with gmail_smtp_old, whose password the server refuses:
# the verdict of a failed test, what happened and what to do.
at 300 378 && at 200 450                                    # Credential Name ▾ gmail_smtp_old, the second
at 45 574                                                   # Send
sleep 2
xdotool mousemove --window "$win" 1000 750
shoot "$win" screenshot-connectivity-failed.png

# Connect a Mail Account, from the banner above Home's tiles, as a user
# walks it: ops@example.com on Google Workspace (Provider chosen: the
# table's servers, no network), sending and reading (IMAP) mail, Host and
# Port of each then changed to the loopback servers (SMTP with STARTTLS,
# IMAPS); the App Password under gmail_mail, the one credential of both;
# the two first tests; Trust proposing the shared root and intermediate
# once; the two proofs; the hand-over with both Mail adapters. Positions are those of a 1000x860 window at 0,0 (ui/connect*.go).
xdotool windowraise "$home"
sleep 0.3
xdotool mousemove --window "$home" 700 $((MENU + 70)) click 1   # Connect a Mail Account…
win=$(find_window '^Connect a Mail Account')
xdotool windowmove "$win" 0 0
xdotool windowsize "$win" 1000 860
sleep 0.5
next_step() { at 960 806; sleep "${1:-1.5}"; }                  # Next, or the step's primary button
xdotool type --delay 10 ops@example.com                          # E-mail Address (focused)
at 560 250 && at 225 323                                         # Provider ▾ Gmail / Google Workspace
xdotool key Return                                               # Find Settings
sleep 1
at 349 397                                                       # Read mail too, with IMAP
xdotool mousemove --window "$win" 990 850
shoot "$win" screenshot-connect-address.png
at 330 543 && xdotool key ctrl+a && xdotool type --delay 10 localhost         # SMTP Host (left)
at 300 583 && xdotool key ctrl+a && xdotool type --delay 10 "$(cat "$tmp/port")" # SMTP Port
at 790 498 && xdotool key ctrl+a && xdotool type --delay 10 localhost         # IMAP Host (right; Gmail has one IMAP server)
at 790 537 && xdotool key ctrl+a && xdotool type --delay 10 "$(cat "$tmp/imap-port")" # IMAP Port
xdotool key Tab
next_step
xdotool type --delay 10 demo-app-password                        # App Password (focused)
xdotool mousemove --window "$win" 990 850
shoot "$win" screenshot-connect-signin.png
xdotool key Return                                               # Next: stored, then the first test
sleep 2
shoot "$win" screenshot-connect-first-test.png
next_step
shoot "$win" screenshot-connect-trust.png
next_step 2.5                                                    # Add to Keystore, then the proof
shoot "$win" screenshot-connect-proof.png
next_step
shoot "$win" screenshot-connect-handover.png
next_step                                                        # Done

kill -0 "$app_pid" 2>/dev/null || { echo "screenshots: the app exited; log:" >&2; cat "$tmp/app.log" >&2; exit 1; }

# 6. "Open with": the app started again with a partner's files, as a file
# manager starts it; the import dialog offers them for the app's own
# keystore once it has opened.
kill "$app_pid" && wait "$app_pid" 2>/dev/null || true
app_pid=""
files=("$open_with/partner-chain.zip")
[ -s "$open_with/relay.example.com.cer" ] && files+=("$open_with/relay.example.com.cer")
(cd "$open_with" && FYNE_THEME=light exec "$OLDPWD/bin/opsdesk" "${files[@]}") >"$tmp/app.log" 2>&1 &
app_pid=$!
win=$(find_window '^Keystore')
xdotool windowmove "$win" 0 0
xdotool mousemove --window "$win" 1200 740
shoot "$win" screenshot-open-with.png

kill -0 "$app_pid" 2>/dev/null || { echo "screenshots: the app exited; log:" >&2; cat "$tmp/app.log" >&2; exit 1; }
echo "screenshots: done"
