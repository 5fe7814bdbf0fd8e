#!/usr/bin/env bash
# csv_injection.sh — text a client registered cannot become a spreadsheet formula in bzl's CSV
# (red-team finding 12 of issue 13): an area named =HYPERLINK("x") comes out of
# `report var --by area --csv` as the cell '=HYPERLINK("x") (a leading ', as OWASP's CSV
# injection advice says), while negative figures stay plain numbers a sheet can add up.
#   usage: csv_injection.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
tmp=$(mktemp -d /tmp/bzl-csvinj-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id 6201230001 --uscc 91620100MA71AB1C2F --name "Eq Co." \
  --area '=HYPERLINK("x")'
run enterprise add --id 6201230002 --uscc 91620100MA72CD3E4K --name "At Co." --area '@SUM(A1)'
run book open --book H72012400001 --enterprise 6201230001
run book open --book H72012400002 --enterprise 6201230002
for b in H72012400001 H72012400002; do
  run item add --book $b --kind material --seq 1 --hs 1206009000 --name seed --unit 035
  cat >"$tmp/$b.json" <<JSON
{"id":"I-$b","enterprise":"620123000${b: -1}","book":"$b","kind":"material","direction":"in",
 "trade_mode":"5015","date":"2026-03-01",
 "lines":[{"item":1,"qty":"10","unit":"035","value":"100","currency":"502"}]}
JSON
  run submit "$tmp/$b.json"
done
"$bzl" report var --period 2026 --by area --csv >"$tmp/out.csv"
# The cells as a spreadsheet reads them (RFC 4180 quoting undone by Python's csv module).
cell() { python3 -c 'import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    for c in row:
        if sys.argv[2] in c: print(c)' "$tmp/out.csv" "$1"; }
check "the =HYPERLINK area is neutralised inside its cell" \
  test "$(cell 'HYPERLINK')" = "'=HYPERLINK(\"x\")"
check "an @ area is neutralised too" test "$(cell 'SUM(A1)')" = "'@SUM(A1)"
check "a negative figure stays a plain number" grep -q ',-100\.0000,' "$tmp/out.csv"

kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0 on SIGTERM" test "$rc" -eq 0
scenario_end csv_injection
