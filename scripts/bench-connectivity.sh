#!/usr/bin/env bash
# Times a whole STARTTLS SMTP test, "opsdesk test smtp", side by side with
# "openssl s_client -starttls smtp -showcerts" against the same loopback
# server (internal/cmd/mailserver: go-smtp with a generated chain), and
# prints the ratio. Target: opsdesk no slower than 1.2x. It also prints one
# transcript, to show that the test makes no round trip SMTP does not need.
# It reports; a missed target still exits 0. Run it with "make bench".
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=1.2

. scripts/lib.sh
need hyperfine hyperfine
need openssl openssl
need jq jq
command -v go >/dev/null || PATH=/usr/local/go/bin:$PATH

tmp=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

go build -o bin/opsdesk ./app
go build -o "$tmp/mailserver" ./internal/cmd/mailserver
"$tmp/mailserver" >"$tmp/port" &
server=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")

export LANG=C LC_ALL=C
opsdesk="bin/opsdesk test smtp --host mail.opsdesk.test --connect-to 127.0.0.1 --port $port --protection starttls-mandatory --no-verify"
openssl="openssl s_client -starttls smtp -showcerts -connect 127.0.0.1:$port -servername mail.opsdesk.test"

echo "== One opsdesk run, with its transcript"
$opsdesk --transcript | sed -n '/^Took/,$p'

echo
echo "== opsdesk test smtp vs openssl s_client -starttls smtp"
hyperfine -N --warmup 3 --runs 30 --output=null --style basic \
  -n "opsdesk test smtp" "$opsdesk" -n "openssl s_client" "$openssl" \
  --export-markdown "$tmp/t.md" --export-json "$tmp/t.json" >/dev/null
cat "$tmp/t.md"
ratio=$(jq -r '.results[0].mean / .results[1].mean' "$tmp/t.json")
printf 'ratio opsdesk/openssl: %.2fx (target: at most %sx)\n' "$ratio" "$TARGET"
if awk -v r="$ratio" -v t="$TARGET" 'BEGIN { exit !(r <= t) }'; then echo "target met"; else echo "target MISSED"; fi
