#!/usr/bin/env bash
# cli_csv_scenario.sh — proves that a CSV declaration file groups its rows into declarations
# by (enterprise, id), as the JSON form and the daemon identify a declaration: two enterprises'
# declarations with the same id are accepted from one CSV file, adjacent or apart, and each
# moves its own book by the declared quantities, exactly as their JSON twin (which then
# replays); while one enterprise's id whose rows are not together is still refused (exit 4)
# naming the file and the line, and nothing of that file is posted.
#   usage: cli_csv_scenario.sh BZLD BZL SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2
tmp=$(mktemp -d /tmp/bzl-csv-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

A=6201230001 B=6201230002 BA=H72012400001 BB=H72012400002
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" ||
        { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $A --uscc 91620100MA71AB1C2F --name "Zone Widget Co."
run enterprise add --id $B --uscc 91620100MA72CD3E4K --name "Zone Assembly Co."
run book open --book $BA --enterprise $A
run book open --book $BB --enterprise $B
run item add --book $BA --kind material --seq 1 --hs 7208510000 --name "steel sheet" --unit 035
run item add --book $BA --kind material --seq 2 --hs 3926909090 --name "plastic part" --unit 007
run item add --book $BB --kind material --seq 1 --hs 8542319000 --name "chip" --unit 007

# qty BOOK ITEM → the material's balance on BOOK, from the JSON output.
qty() { "$bzl" --json balance --book "$1" --kind material --item "$2" |
        sed -n 's/.*"qty": *"\([^"]*\)".*/\1/p'; }
balances() { echo "$(qty $BA 1)/$(qty $BA 2)/$(qty $BB 1)"; } # every balance the file moves
header='id,enterprise,book,kind,direction,trade_mode,date,item,qty,unit,value,currency'
# row ID ENTERPRISE BOOK ITEM QTY UNIT: one import row of a material, value 1 per unit, USD.
row() {
  printf '%s,%s,%s,material,in,5015,2026-03-02,%s,%s,%s,%s,502\n' "$1" "$2" "$3" "$4" "$5" "$6" "$5"
}

# Both enterprises use id D-1 (adjacent rows; A's has two lines) and D-2 (rows apart, A's D-3
# between them):
#   BA material 1: D-1 100 + D-2 10 + D-3 1 = 111 kg; BA material 2: D-1 20 pieces
#   BB material 1: D-1 40 + D-2 4 = 44 pieces
{
  echo "$header"
  row D-1 $A $BA 1 100 035
  row D-1 $A $BA 2 20 007
  row D-1 $B $BB 1 40 007
  row D-2 $A $BA 1 10 035
  row D-3 $A $BA 1 1 035
  row D-2 $B $BB 1 4 007
} >"$tmp/pair.csv"
"$bzl" --json submit "$tmp/pair.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "one id under two enterprises in one CSV exits 0" test "$rc" -eq 0
check "the CSV is five declarations, each accepted" \
  test "$(grep -c '"status": "OK"' "$tmp/out")" -eq 5
check "none of the five is taken for a replay" \
  test "$(grep -c '"replayed": false' "$tmp/out")" -eq 5
check "A's book moved by A's rows only: 111 and 20" test "$(qty $BA 1)/$(qty $BA 2)" = 111/20
check "B's book moved by B's rows only: 44" test "$(qty $BB 1)" = 44

# The JSON twin names the same five (enterprise, id) declarations: each replays, none posts.
line() { # line ITEM QTY UNIT
  printf '{"item":%s,"qty":"%s","unit":"%s","value":"%s","currency":"502"}' "$1" "$2" "$3" "$2"
}
decl() { # decl ID ENTERPRISE BOOK LINE...
  local id=$1 ent=$2 book=$3; shift 3
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"material","direction":"in",' \
    "$id" "$ent" "$book"
  printf '"trade_mode":"5015","date":"2026-03-02","lines":[%s]}' "$(IFS=,; echo "$*")"
}
printf '[%s,\n%s,\n%s,\n%s,\n%s]\n' \
  "$(decl D-1 $A $BA "$(line 1 100 035)" "$(line 2 20 007)")" \
  "$(decl D-1 $B $BB "$(line 1 40 007)")" "$(decl D-2 $A $BA "$(line 1 10 035)")" \
  "$(decl D-3 $A $BA "$(line 1 1 035)")" "$(decl D-2 $B $BB "$(line 1 4 007)")" >"$tmp/pair.json"
"$bzl" --json submit "$tmp/pair.json" >"$tmp/out" 2>&1; rc=$?
check "the JSON twin exits 0" test "$rc" -eq 0
check "the JSON twin replays all five: CSV and JSON group alike" \
  test "$(grep -c '"replayed": true' "$tmp/out")" -eq 5
check "the JSON twin posts nothing more" test "$(balances)" = 111/20/44

# One enterprise's id whose rows are apart is still one declaration split: refused, naming
# the file and the line where it appears again (5) and where it began (2).
{
  echo "$header"
  row R-1 $A $BA 1 7 035
  row R-1 $B $BB 1 7 007
  row R-2 $A $BA 1 7 035
  row R-1 $A $BA 2 7 007
} >"$tmp/split.csv"
"$bzl" submit "$tmp/split.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "a repeated (enterprise, id) apart exits 4" test "$rc" -eq 4
check "the refusal names the file and the line" grep -q 'split.csv:5: id: ' "$tmp/err"
check "the refusal says it appears again, and where it began" \
  grep -q "R-1 of enterprise $A appears again.*line 2)" "$tmp/err"
check "the refusal blames only that row" test "$(grep -c 'split.csv:' "$tmp/err")" -eq 1
check "nothing of the refused file is posted" test "$(balances)" = 111/20/44

# Adjacent rows of one (enterprise, id) must still agree on the declaration's columns.
{
  echo "$header"
  row S-1 $A $BA 1 7 035
  row S-1 $A $BB 2 7 007
} >"$tmp/differ.csv"
"$bzl" submit "$tmp/differ.csv" >/dev/null 2>"$tmp/err"; rc=$?
check "rows of one declaration that differ exit 4" test "$rc" -eq 4
check "the difference is named by file, line and column" \
  grep -q 'differ.csv:3: book: ' "$tmp/err"

kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0 on SIGTERM" test "$rc" -eq 0

scenario_end cli_csv_scenario
