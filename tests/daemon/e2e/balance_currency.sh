#!/usr/bin/env bash
# balance_currency.sh — proves `bzl balance` never adds values in different currencies (issue
# 14): a material imported in three currencies (3000 CNY, 1.05 USD, 1000 EUR — the figures the
# issue reported summed to an unlabelled 4001.05) shows one value per currency in the table,
# in CSV (every column on each currency's line) and in JSON ("values"); a product export that
# consumes a quarter of the material at average cost takes a quarter of each currency; the
# reversal gives each back exactly; the item's name and unit are on every row; `bzl verify`
# agrees with the split; a missing book or item is the daemon's refusal, not an empty table.
#   usage: balance_currency.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
tmp=$(mktemp -d /tmp/bzl-currency-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

E=6201230001 B=H72012400001
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $E --uscc 91620100MA71AB1C2F --name "Zone Widget Co."
run book open --book $B --enterprise $E
run item add --book $B --kind material --seq 1 --hs 7208510000 --name "steel sheet" --unit 035
run item add --book $B --kind product --seq 1 --hs 8479899990 --name "widget" --unit 001 --mode OEM
run bom set --book $B --product 1 --material 1 --version v1 --net 1 --tangible-loss 0 --intangible-loss 0

# Customs numeric currency codes (customs-domain.md §2.5): 142 CNY, 300 EUR, 502 USD.
decl() { # decl ID KIND DIR ITEM QTY UNIT VALUE CURRENCY
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"5015","date":"2026-03-10","lines":[{"item":%s,"qty":"%s","unit":"%s","value":"%s","currency":"%s"}]}\n' \
    "$1" $E $B "$2" "$3" "$4" "$5" "$6" "$7" "$8"
}
{
  decl IMP-CNY material in 1 100 035 3000 142
  decl IMP-USD material in 1 50 035 1.05 502
  decl IMP-EUR material in 1 50 035 1000 300
} | sed -n '1s/^/[/; $!s/$/,/; $s/$/]/; p' >"$tmp/imports.json"
"$bzl" submit "$tmp/imports.json" >/dev/null 2>"$tmp/err"
check "three imports in three currencies are accepted" test $? -eq 0

"$bzl" balance --book $B --kind material >"$tmp/table"
check "the table shows no unlabelled sum of the three" bash -c "! grep -q 4001.05 '$tmp/table'"
# The material's first line carries its name, unit and quantity with the first currency (in
# code order: 142, 300, 502); each further currency is a line of its own.
check "the first line: name, unit, qty 200, 3000 in 142" \
  grep -Eq '^H72012400001 +material +1 +steel sheet +035 +200 +3000 +142 +0 +0 +200$' "$tmp/table"
check "a line of 1000 in 300" grep -Eq '^ +1000 +300 *$' "$tmp/table"
check "a line of 1.05 in 502" grep -Eq '^ +1.05 +502 *$' "$tmp/table"
check "the table has the header and three lines" test "$(wc -l <"$tmp/table")" -eq 4

"$bzl" balance --book $B --kind material --csv >"$tmp/csv"
check "CSV: the header" \
  test "$(head -1 "$tmp/csv")" = "book,kind,item,name,unit,qty,value,currency,pending_in,pending_out,available"
check "CSV: every currency's line stands alone" test "$(sed -n '2,4p' "$tmp/csv")" = \
"H72012400001,material,1,steel sheet,035,200,3000,142,0,0,200
H72012400001,material,1,steel sheet,035,200,1000,300,0,0,200
H72012400001,material,1,steel sheet,035,200,1.05,502,0,0,200"

"$bzl" --json balance --book $B --kind material --item 1 >"$tmp/json"
values() { python3 -c 'import json,sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 1 and "value" not in rows[0], rows
print(" ".join(v["currency"] + "=" + v["value"] for v in rows[0]["values"]), rows[0]["name"], rows[0]["unit"])' "$1"; }
check "JSON: values per currency, name and unit, no summed value" \
  test "$(values "$tmp/json")" = "142=3000 300=1000 502=1.05 steel sheet 035"

# An export of 50 widgets consumes 50 of the 200 (单耗 1) at average cost: a quarter of each
# currency — 750 CNY, 250 EUR, 0.2625 USD — leaving 2250, 750, 0.7875.
decl EXP-1 product out 1 50 001 5000 502 >"$tmp/export.json"
"$bzl" submit "$tmp/export.json" >/dev/null 2>"$tmp/err"
check "the export is accepted" test $? -eq 0
"$bzl" --json balance --book $B --kind material --item 1 >"$tmp/json"
check "the export took a quarter of each currency" \
  test "$(values "$tmp/json")" = "142=2250 300=750 502=0.7875 steel sheet 035"
"$bzl" verify >"$tmp/verify" 2>&1
check "verify agrees with the split" test $? -eq 0

"$bzl" reverse --enterprise $E EXP-1 --reason "declared twice" >/dev/null 2>"$tmp/err"
check "the export is reversed" test $? -eq 0
"$bzl" --json balance --book $B --kind material --item 1 >"$tmp/json"
check "the reversal gives each currency back exactly" \
  test "$(values "$tmp/json")" = "142=3000 300=1000 502=1.05 steel sheet 035"
"$bzl" verify >"$tmp/verify" 2>&1
check "verify still agrees" test $? -eq 0

"$bzl" --json balance --book $B --kind product >"$tmp/json"
check "an item without value lists no currency" \
  python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); assert r[0]["values"] == [] and r[0]["name"] == "widget"' "$tmp/json"
"$bzl" balance --book H72012409999 >"$tmp/out" 2>"$tmp/err"
rc=$?
check "a missing book is refused (exit 1), not an empty table" test $rc -eq 1
check "…with the daemon's message" grep -q "NOT_FOUND: book H72012409999 does not exist" "$tmp/err"
"$bzl" balance --book $B --kind material --item 7 >"$tmp/out" 2>"$tmp/err"
check "a missing item is refused" grep -q "NOT_FOUND: item 7 is not in book $B" "$tmp/err"

scenario_end balance_currency
