#!/usr/bin/env bash
# Compares "opsdesk keystore list" (plain and --json) with "keytool -list" on a
# 10,000-entry JKS: wall time (hyperfine) and peak memory (GNU time). It reports; it is not a
# test, so a missed target still exits 0. A failing command exits non-zero.
# Run it with "make bench", which builds bin/opsdesk and installs hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."

KEYSTORE=bin/bench-10k.jks
PASSWORD=changeit
TARGET=10 # opsdesk should be at least this many times faster than keytool
MEM_TARGET_MIB=80 # peak memory of opsdesk keystore list, with and without --json

. scripts/lib.sh
need hyperfine hyperfine
need keytool default-jdk-headless
need jq jq # parses hyperfine's JSON; python3 is not on every Debian
need /usr/bin/time time # by path: plain "time" is the bash keyword
[ -x bin/opsdesk ] || { echo "bench: bin/opsdesk missing; run make bench" >&2; exit 1; }

tmp=$(mktemp -d)
gen=""
cleanup() { rm -rf "$tmp" ${gen:+"$gen"}; }
trap cleanup EXIT

# 1. The keystore, cached in bin/ because generating it takes a while.
# The generator lives inside the module so that it can import keystore-go at
# the version go.mod pins; the leading dot keeps it out of "go vet ./...".
if [ ! -s "$KEYSTORE" ]; then
  command -v go >/dev/null || PATH=/usr/local/go/bin:$PATH
  gen=$(mktemp -d ./.benchgen.XXXX)
  cat >"$gen/main.go" <<'EOF'
// Writes a JKS of 10,000 trusted certificates, all signed by one CA.
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"log"
	"math/big"
	"os"
	"time"

	jks "github.com/pavlo-v-chernykh/keystore-go/v4"
)

func main() {
	now := time.Now().Truncate(time.Second)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	ca := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Bench Root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	// One leaf key for all: signing is what we need to be fast, not key generation.
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	ks := jks.New(jks.WithOrderedAliases())
	for i := 0; i < 10000; i++ {
		cn := fmt.Sprintf("host-%05d.example.com", i)
		leaf := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i) + 2), Subject: pkix.Name{CommonName: cn, Organization: []string{"Bench"}},
			DNSNames: []string{cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &leafKey.PublicKey, caKey)
		check(err)
		check(ks.SetTrustedCertificateEntry(fmt.Sprintf("host-%05d", i), jks.TrustedCertificateEntry{
			CreationTime: now, Certificate: jks.Certificate{Type: "X.509", Content: der},
		}))
	}
	var b bytes.Buffer
	check(ks.Store(&b, []byte(os.Args[2])))
	check(os.WriteFile(os.Args[1], b.Bytes(), 0o600))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
EOF
  echo "bench: generating $KEYSTORE (10,000 certificates)"
  # Write beside the cache and rename, so an interrupted run leaves no half file.
  go run "$gen/main.go" "$KEYSTORE.part" "$PASSWORD"
  mv "$KEYSTORE.part" "$KEYSTORE"
fi

# The four commands. LANG=C for opsdesk: under C.UTF-8 Fyne prints locale
# warnings to stderr at startup, which is not what we want to time. LC_ALL
# too, as it (or LC_MESSAGES) set to C.UTF-8 would override LANG.
ops="LC_ALL=C LANG=C OPSDESK_KEYSTORE_PASSWORD=$PASSWORD bin/opsdesk keystore list --keystore $KEYSTORE"
kt="keytool -list -keystore $KEYSTORE -storepass $PASSWORD"
names=("opsdesk list" "keytool -list" "opsdesk list --json" "keytool -list -v")
cmds=("$ops" "$kt" "$ops --json" "$kt -v")

# 4. Peak memory, one run each. It goes first because it also checks that
# every command succeeds, and shows its error output if not (hyperfine hides it).
echo "== Peak memory (max RSS)"
mem_met=yes
for i in "${!cmds[@]}"; do
  if ! /usr/bin/time -o "$tmp/rss" -f %M sh -c "${cmds[$i]}" >/dev/null 2>"$tmp/err"; then
    echo "bench: '${cmds[$i]}' failed:" >&2
    cat "$tmp/err" >&2
    exit 1
  fi
  # %M is in KiB; sh -c is far smaller than either command, so it does not skew this.
  awk -v n="${names[$i]}" '{ printf "  %-22s %7.1f MiB\n", n, $1 / 1024 }' "$tmp/rss"
  # opsdesk's listings, plain and --json (which streams its entries), stay
  # under MEM_TARGET_MIB on the 10,000-entry keystore.
  if [[ ${names[$i]} == opsdesk* ]] && ! awk -v t="$MEM_TARGET_MIB" '{ exit !($1 / 1024 < t) }' "$tmp/rss"; then
    echo "  ${names[$i]}: peak memory above the ${MEM_TARGET_MIB} MiB target" >&2
    mem_met=no
  fi
done
if [ "$mem_met" = yes ]; then echo "memory target met: every opsdesk listing under ${MEM_TARGET_MIB} MiB"; else echo "memory target MISSED"; fi

# 2. and 3. Time each pair side by side, then the keytool/opsdesk ratio.
met=yes
for pair in "0 1" "2 3"; do
  read -r a b <<<"$pair"
  echo
  echo "== ${names[$a]} vs ${names[$b]}"
  # --output=null discards stdout; hyperfine also discards stderr unless --show-output.
  hyperfine --warmup 2 --runs 10 --output=null --style basic \
    -n "${names[$a]}" "${cmds[$a]}" -n "${names[$b]}" "${cmds[$b]}" \
    --export-markdown "$tmp/pair.md" --export-json "$tmp/pair.json" >/dev/null
  cat "$tmp/pair.md"
  ratio=$(jq -r '.results[1].mean / .results[0].mean' "$tmp/pair.json")
  printf 'ratio keytool/opsdesk: %.1fx\n' "$ratio"
  awk -v r="$ratio" -v t="$TARGET" 'BEGIN { exit !(r >= t) }' || met=no
done

# 5. One import into the 10,000-entry keystore, the change a script makes
# most: opsdesk (lock, re-read under the lock, atomic save) against keytool
# -importcert. Each run starts from a fresh copy, so every run really saves.
echo
echo "== import one certificate into the 10,000-entry keystore"
need openssl openssl
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bench-import" \
  -days 30 -keyout "$tmp/one.key" -out "$tmp/one.cer" 2>/dev/null
work="$tmp/work.jks"
BINARY=${BINARY:-bin/opsdesk}
hyperfine --warmup 2 --runs 15 --output=null --style basic \
  --prepare "cp $KEYSTORE $work && rm -f $tmp/.work.jks.lock" \
  -n "opsdesk import" "LC_ALL=C LANG=C OPSDESK_KEYSTORE_PASSWORD=$PASSWORD $BINARY keystore import $tmp/one.cer --alias one --keystore $work" \
  -n "keytool -importcert" "keytool -importcert -noprompt -alias one -file $tmp/one.cer -keystore $work -storepass $PASSWORD" \
  --export-markdown "$tmp/import.md" --export-json "$tmp/import.json" >/dev/null
cat "$tmp/import.md"
printf 'ratio keytool/opsdesk: %.1fx\n' "$(jq -r '.results[1].mean / .results[0].mean' "$tmp/import.json")"

echo
echo "target: opsdesk at least ${TARGET}x faster"
if [ "$met" = yes ]; then echo "target met"; else echo "target MISSED"; fi

echo
bash scripts/bench-connectivity.sh
