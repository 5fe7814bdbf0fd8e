#!/usr/bin/env bash
# inv101_import.sh — times `bzl inv101 import` of LISTS generated 核注清单 of LINES lines each
# (tests/tools/inv101_gen.py) into a fresh bzld, and prints the wall time and the rate. A
# measurement, not a test: nothing is asserted beyond every list being imported (docs/INV101.md
# and docs/BENCHMARKS.md carry the figures; use a Release or RelWithDebInfo build).
#   usage: inv101_import.sh BZLD BZL [LISTS [LINES]]
set -euo pipefail
bzld=$1 bzl=$2 lists=${3:-10000} lines=${4:-20}
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/bzl-inv101b-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export BZL_SOCKET=$tmp/s.sock

python3 "$src/tests/tools/inv101_gen.py" "$tmp/inbox" "$lists" "$lines"
"$bzld" --foreground --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
"$bzl" enterprise add --id 3301230001 --uscc 91620100MA71AB1C2F --name "bench" >/dev/null
"$bzl" book open --book H33012400001 --enterprise 3301230001 >/dev/null
for i in $(seq 1 "$lines"); do
  "$bzl" item add --book H33012400001 --kind material --seq "$i" \
    --hs "91149000$(printf %02d $((i % 10)))" --name "movement $i" --unit 007 >/dev/null
done
start=$(date +%s.%N)
"$bzl" inv101 import "$tmp/inbox" >"$tmp/out" 2>"$tmp/err" || { tail -3 "$tmp/err"; exit 1; }
end=$(date +%s.%N)
tail -1 "$tmp/out"
awk -v s="$start" -v e="$end" -v n="$lists" -v l="$lines" \
  'BEGIN { t = e - s; printf "%d lists of %d lines in %.2f s: %.0f lists/s\n", n, l, t, n / t }'
