#!/usr/bin/env bash
# report_totals.sh — proves that every total `bzl report share` and `bzl report modes` print
# equals the sum of the rows they print, to the cent, in the table, --csv and --json alike: the
# test parses what the CLI printed and adds the rows itself with exact decimals (Python's
# decimal), never trusting the daemon's arithmetic. The data is the demo zone (deploy/demo/
# zone.sh), whose monthly shares summed to 2389949.48 while the printed total said .49.
#   usage: report_totals.sh BZLD BZL SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 src=$3
tmp=$(mktemp -d /tmp/bzl-tot-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
"$src/deploy/demo/zone.sh" "$bzl" >"$tmp/zone.log" 2>&1 || { cat "$tmp/zone.log" >&2; exit 1; }

# sums FORMAT KIND < OUTPUT: parses a report in FORMAT (table, csv, json) and checks its totals:
# share — the "total" row's bonded_usd and general_usd against the sum of the month rows;
# modes — each ZONE row's four *_usd against the sum of its bucket's enterprise rows. Prints
# "ok N" (N totals checked) or the first mismatch.
cat >"$tmp/sums.py" <<'PY'
import csv, io, json, sys
from decimal import Decimal

fmt, kind = sys.argv[1], sys.argv[2]
text = sys.stdin.read()
if fmt == "json":
    rows = json.loads(text)["rows"]
else:
    lines = [l for l in text.splitlines() if l and not l.startswith("#")]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    else:
        head = lines[0].split()
        rows = [dict(zip(head, l.split())) for l in lines[1:]]
checked = 0
if kind == "share":
    months = [r for r in rows if r["month"] != "total"]
    total = [r for r in rows if r["month"] == "total"]
    assert len(total) == 1 and len(months) > 0, "one total row and some months"
    for col in ("bonded_usd", "general_usd"):
        s = sum(Decimal(r[col]) for r in months)
        if s != Decimal(total[0][col]):
            print(f"{col}: the months add up to {s}, the total says {total[0][col]}")
            sys.exit(1)
        checked += 1
else:
    bucket = {}
    for r in rows:
        cols = [c for c in r if c.endswith("_usd")]
        if r["enterprise"] == "ZONE":
            for c in cols:
                s = bucket.get(c, Decimal(0))
                if s != Decimal(r[c]):
                    print(f"{r['bucket']} {c}: the enterprises add up to {s}, ZONE says {r[c]}")
                    sys.exit(1)
                checked += 1
            bucket = {}
        else:
            for c in cols:
                bucket[c] = bucket.get(c, Decimal(0)) + Decimal(r[c])
print("ok", checked)
PY
# total FORMAT KIND ARGS...: runs the report in FORMAT and checks it.
total() {
  local fmt=$1 kind=$2; shift 2
  local flag=()
  [ "$fmt" = csv ] && flag=(--csv)
  if [ "$fmt" = json ]; then
    "$bzl" --json report "$kind" "$@" >"$tmp/out" 2>"$tmp/err"
  else
    "$bzl" report "$kind" "$@" "${flag[@]}" >"$tmp/out" 2>"$tmp/err"
  fi
  python3 "$tmp/sums.py" "$fmt" "$kind" <"$tmp/out" >"$tmp/verdict" 2>&1
  grep -q '^ok [1-9]' "$tmp/verdict" || { echo "  $fmt $kind $*: $(cat "$tmp/verdict")" >&2; false; }
}

for fmt in table csv json; do
  check "share by month, $fmt: the total is the sum of the printed months" \
    total $fmt share --period 2025 --granularity month
  check "share by quarter, $fmt: the total is the sum of the printed quarters" \
    total $fmt share --period 2025
  check "modes by month, $fmt: each ZONE row is the sum of its printed enterprises" \
    total $fmt modes --period 2025 --granularity month
  check "modes by quarter, $fmt: each ZONE row is the sum of its printed enterprises" \
    total $fmt modes --period 2025
done
# The figure the issue found: the twelve months of 2025 sum to 2389949.48.
"$bzl" report share --period 2025 --granularity month --csv >"$tmp/out"
check "the share total is 2389949.48, the twelve months' sum" \
  grep -q '^total,2389949.48,5400000.00,' "$tmp/out"

scenario_end report_totals
