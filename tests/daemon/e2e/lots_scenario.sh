#!/usr/bin/env bash
# lots_scenario.sh — proves SPECIFIC lots and the lot listing end to end through the bzl CLI
# (docs/TAX.md "Lots"): on a SPECIFIC book, outflows name the receipt lines they take from, in a
# JSON file and in a CSV file (column lots/批次), and take exactly those; an outflow naming none
# takes FIFO; a lot that does not exist, of another item, or holding too little is refused
# naming the line and the lot, and a malformed lots cell is refused naming the file line before
# anything is sent; the listing shows each lot's receipt and line, currency, USD value, origin
# and age; --ageing sums the lots into age buckets (default 0-90, 91-180, 181-365, >365 days;
# --buckets sets them); and verify proves Σ lots = balance after all of it.
#   usage: lots_scenario.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
tmp=$(mktemp -d /tmp/bzl-lots-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

A=6201230002 BK=E72012400019
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $A --uscc 91620100MA71AB1C2F --name "Wafer Co." --area "core bonded zone"
run book open --book $BK --enterprise $A
run item add --book $BK --kind material --seq 1 --hs 8542319000 --name "wafers" --unit 035
run item add --book $BK --kind material --seq 2 --hs 8542319000 --name "dies" --unit 035
run lots-method --book $BK --method SPECIFIC

# rc ID DATE ITEM QTY USD COUNTRY: a receipt (0615) of one line in USD with its USD value and
# origin.
rc() {
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"material","direction":"in","trade_mode":"0615","date":"%s","lines":[{"item":%s,"qty":"%s","unit":"035","value":"%s","currency":"502","usd":"%s","country":"%s"}]}\n' \
    "$1" $A $BK "$2" "$3" "$4" "$5" "$5" "$6" >"$tmp/$1.json"
  run submit "$tmp/$1.json"
}
# Ages to 2026-06-30: R1 394 days, R2 211, R4 149, R3 76.
rc R1 2025-06-01 1 100 100 502
rc R2 2025-12-01 1 100 150 392
rc R3 2026-04-15 1 100 200 410
rc R4 2026-02-01 1 100 120 156
rc R5 2026-02-01 2 100 100 156

# out ID DATE QTY LOTS-JSON: a re-export (0664) of material 1 naming lots.
out() {
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"material","direction":"out","trade_mode":"0664","date":"%s","lines":[{"item":1,"qty":"%s","unit":"035","value":"0","currency":"502"%s}]}\n' \
    "$1" $A $BK "$2" "$3" "${4:+,\"lots\":$4}" >"$tmp/$1.json"
  "$bzl" submit "$tmp/$1.json" >"$tmp/out" 2>&1
}

# O1 names R2 for 30 and R3 for 10 (JSON): R2 keeps 70, R3 90, R1 (the oldest) all 100.
out O1 2026-05-01 40 '[{"receipt":"R2","line":1,"qty":"30"},{"receipt":"R3","line":1,"qty":"10"}]'
check "O1 naming two lots is accepted" grep -q '1 OK' "$tmp/out"
"$bzl" --json declaration show --enterprise $A O1 >"$tmp/o1.json"
check "declaration show gives back the lots O1 named" \
  test "$(tr -d ' \n' <"$tmp/o1.json" | grep -o '"lots":\[[^]]*\]')" = \
  '"lots":[{"receipt":"R2","line":1,"qty":"30"},{"receipt":"R3","line":1,"qty":"10"}]'
# O2 names R4 for 20 in a CSV file, by the Chinese column name 批次.
printf 'id,enterprise,book,kind,direction,trade_mode,date,item,qty,unit,value,currency,批次\nO2,%s,%s,material,out,0664,2026-05-02,1,20,035,0,502,R4:1:20\n' \
  $A $BK >"$tmp/o2.csv"
"$bzl" submit "$tmp/o2.csv" >"$tmp/out" 2>&1
check "O2 naming a lot in CSV is accepted" grep -q '1 OK' "$tmp/out"
# O3 names nothing: FIFO, so the oldest, R1, gives 5.
out O3 2026-05-03 5
check "O3 naming no lot is accepted" grep -q '1 OK' "$tmp/out"

# Refusals, each naming the line and the lot; none of them moves anything.
out B1 2026-05-04 5 '[{"receipt":"NOPE","line":1,"qty":"5"}]'
check "a lot that does not exist: NOT_FOUND" grep -q 'NOT_FOUND' "$tmp/out"
check "… naming the lot" grep -q 'lot NOPE line 1 does not exist' "$tmp/out"
out B2 2026-05-04 5 '[{"receipt":"R5","line":1,"qty":"5"}]'
check "a lot of another item: LOT_MISMATCH" grep -q 'LOT_MISMATCH' "$tmp/out"
check "… naming line, lot and both items" grep -q 'line 1: the lot R5 line 1 is material 2 received into book .*, not material 1' "$tmp/out"
out B3 2026-05-04 100 '[{"receipt":"R3","line":1,"qty":"100"}]'
check "a lot holding too little: LOT_MISMATCH" grep -q 'LOT_MISMATCH' "$tmp/out"
check "… saying what it holds" grep -q 'holds 90, less than the 100' "$tmp/out"
out B4 2026-05-04 5 '[{"receipt":"R3","line":1,"qty":"4"}]'
check "lots not adding up to the line: INVALID_ARGUMENT" grep -q 'its lots hold 4 but the line takes 5' "$tmp/out"
printf 'id,enterprise,book,kind,direction,trade_mode,date,item,qty,unit,value,currency,lots\nB5,%s,%s,material,out,0664,2026-05-04,1,20,035,0,502,R4-20\n' \
  $A $BK >"$tmp/b5.csv"
"$bzl" submit "$tmp/b5.csv" >"$tmp/out" 2>&1
rc=$?
check "a malformed lots cell: exit 4, nothing sent" test "$rc" = 4
check "… naming the file line and the column" grep -q 'b5.csv:2: lots: lot 1 "R4-20" is not RECEIPT:LINE:QTY' "$tmp/out"
out B6 2026-05-04 5 '[{"receipt":"R3","line":1,"qty":"1,5"}]'
check "a lot quantity that is no decimal: refused naming its JSON path" \
  grep -q 'B6.json: decls\[0\].lines\[0\].lots\[0\].qty: "1,5" is not a plain decimal' "$tmp/out"

# The listing to 2026-06-30: every lot with its receipt line, currency, USD value, origin, age.
"$bzl" lots --csv --book $BK --item 1 --as-of 2026-06-30 >"$tmp/lots.csv"
check "R1 gave 5 by FIFO (95 left), 394 days old, from 502" \
  grep -Eq '^material,1,[0-9]+,2025-06-01,394,100,95,100,95,R1,1,502,100,502$' "$tmp/lots.csv"
check "R2 gave exactly the 30 named (70 left), 211 days" \
  grep -Eq '^material,1,[0-9]+,2025-12-01,211,100,70,150,105,R2,1,502,150,392$' "$tmp/lots.csv"
check "R4 gave exactly the 20 named in CSV (80 left), 149 days" \
  grep -Eq '^material,1,[0-9]+,2026-02-01,149,100,80,120,96,R4,1,502,120,156$' "$tmp/lots.csv"
check "R3 gave exactly the 10 named (90 left), 76 days" \
  grep -Eq '^material,1,[0-9]+,2026-04-15,76,100,90,200,180,R3,1,502,200,410$' "$tmp/lots.csv"
lsum=$(awk -F, 'NR > 1 { s += $7 } END { print s }' "$tmp/lots.csv")
"$bzl" balance --csv --book $BK --kind material --item 1 >"$tmp/bal.csv"
check "the lots sum to the balance (95 + 70 + 80 + 90 = 335)" test "$lsum" = 335
check "… which is the book balance" grep -q ',335,' "$tmp/bal.csv"

# Ageing to 2026-06-30 by the default buckets: one row per item and bucket.
"$bzl" lots --ageing --csv --book $BK --as-of 2026-06-30 >"$tmp/age.csv"
check "ageing header" grep -q '^kind,item,bucket,lots,remaining$' "$tmp/age.csv"
check "ageing 0-90: R3's 90" grep -q '^material,1,0-90,1,90$' "$tmp/age.csv"
check "ageing 91-180: R4's 80" grep -q '^material,1,91-180,1,80$' "$tmp/age.csv"
check "ageing 181-365: R2's 70" grep -q '^material,1,181-365,1,70$' "$tmp/age.csv"
check "ageing >365: R1's 95" grep -q '^material,1,>365,1,95$' "$tmp/age.csv"
check "ageing of material 2: R5's 100" grep -q '^material,2,91-180,1,100$' "$tmp/age.csv"
"$bzl" lots --ageing --csv --book $BK --item 1 --as-of 2026-06-30 --buckets 200 >"$tmp/age2.csv"
check "--buckets 200: 0-200 holds R3 and R4" grep -q '^material,1,0-200,2,170$' "$tmp/age2.csv"
check "--buckets 200: >200 holds R1 and R2" grep -q '^material,1,>200,2,165$' "$tmp/age2.csv"
"$bzl" lots --ageing --book $BK --buckets 90,30 >"$tmp/out" 2>&1
rc=$?
check "falling bucket bounds are a usage error" test "$rc" = 2
"$bzl" lots --book $BK --buckets 90 >"$tmp/out" 2>&1
rc=$?
check "--buckets without --ageing is a usage error" test "$rc" = 2

"$bzl" verify >"$tmp/out" 2>&1
check "verify proves the lots against the balances" grep -qi 'ok\|verified' "$tmp/out"

scenario_end lots_scenario
