#!/usr/bin/env bash
# tax_scenario.sh — proves the domestic-sale assessment end to end through the bzl CLI
# (docs/TAX.md): an E-book imports a material in three batches at different prices, is verified
# (period close), exports some, sells a product at home on the material basis and another on
# the product basis (tax compare shows every basis side by side), and sells scrap; tax show
# gives every figure worked by hand below; report tax totals equal the sum of the assessments;
# a reversal of a sale reverses its assessment (and the report drops it); the tariff and
# interest tables are journaled, refused when malformed, and shown in the audit trail; verify
# proves the tax rows and detects a changed assessment row.
#   usage: tax_scenario.sh BZLD BZL BZL_TAMPER
set -uo pipefail
bzld=$1 bzl=$2 tamper=$3
tmp=$(mktemp -d /tmp/bzl-tax-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

start_daemon() {
  "$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>>"$tmp/bzld.log" &
  pid=$!
  for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
}
start_daemon

A=6201230001 BK=E72012400009
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $A --uscc 91620100MA71AB1C2F --name "Film Co." --area "core bonded zone"
run book open --book $BK --enterprise $A
run item add --book $BK --kind material --seq 1 --hs 3901100000 --name "polyethylene" --unit 035
run item add --book $BK --kind product --seq 1 --hs 3923210000 --name "bags" --unit 007 --mode OEM
# 净耗 1.9 with 5 % tangible loss: 单耗 = 1.9 / 0.95 = 2.000000000 per bag.
run bom set --book $BK --product 1 --material 1 --version 1 --net 1.9 --tangible-loss 5 --intangible-loss 0

n=0
# mv KIND DIR MODE DATE ITEM QTY UNIT VALUE [EXTRA-JSON]: one declaration of one line in USD.
mv() {
  n=$((n + 1))
  printf '{"id":"D%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"%s","date":"%s"%s,"lines":[{"item":%s,"qty":"%s","unit":"%s","value":"%s","currency":"502"}]}\n' \
    $n $A $BK "$1" "$2" "$3" "$4" "${9:-}" "$5" "$6" "$7" "$8" >"$tmp/d$n.json"
  "$bzl" submit "$tmp/d$n.json" >"$tmp/out" 2>&1 || { echo "declaration $n refused: $(cat "$tmp/out")" >&2; exit 1; }
}
# Imports 0615: D1 2026-01-05 1000 kg for USD 1000 (1.00); the book is verified through
# 2026-01-31; then D2 2026-02-03 1000 kg for 1200 (1.20) and D3 2026-02-10 2000 kg for 3000
# (1.50). The current cycle's weighted average is (1200 + 3000) / 3000 = 1.40 USD per kg.
mv material in 0615 2026-01-05 1 1000 035 1000
run period close --book $BK --through 2026-01-31
mv material in 0615 2026-02-03 1 1000 035 1200
mv material in 0615 2026-02-10 1 2000 035 3000
# D4 exports 500 bags (consumes 1000 kg, leaves 50 kg of scrap allowance).
mv product out 0615 2026-02-20 1 500 007 5000

# Tables: March's USD rate 7; polyethylene duty 6.5 %, VAT 13 %; bags duty 8 %, VAT 13 %. The
# 缓税利息 rate on 2026-03 is the built-in 0.35 % (since 2012-07-06).
run rates set --month 2026-03 --currency 502 --cny 7
run tariff set --hs 3901100000 --from 2026-01-01 --duty 6.5
run tariff set --hs 3923210000 --from 2026-01-01 --duty 8 --vat 13
"$bzl" tariff set --hs 3923210000 --from 2026-01-01 --duty 8 --vat 13 >"$tmp/out" 2>&1
check "setting the same tariff again replays" grep -q unchanged "$tmp/out"
"$bzl" tariff set --hs 39232100 --from 2026-01-01 --duty 8 >"$tmp/out" 2>&1
check "a short HS code is refused naming hs" grep -q 'hs' "$tmp/out"
"$bzl" tariff set --hs 3923210000 --from 2026-01-01 --duty 8 --excise 100 >"$tmp/out" 2>&1
check "an excise of 100 % is refused naming excise" grep -q 'excise' "$tmp/out"
"$bzl" interest set --from 2026-02-30 --rate 1 >"$tmp/out" 2>&1
check "an impossible date is refused" grep -q 'from' "$tmp/out"
"$bzl" --json interest list >"$tmp/rates.json"
check "the built-in history ends at 0.35 % from 2012-07-06" \
  grep -q '"from": "2012-07-06"' "$tmp/rates.json"

# D5 2026-03-10, material basis: 100 bags for USD 800.
#   materials: 100 × 2 = 200 kg at the cycle's average: 200 × (4200 × 7) / 3000 = 1960.00 CNY
#   duty 6.5 % of 1960.00 = 127.40
#   goods: 800 × 7 = 5600.00; VAT 13 % of (5600 + 127.40) = 744.562 → 744.56
#   interest on the duty from 2026-01-31 (the close) to 2026-03-10: 38 days;
#     127.40 × 38 × 0.35 % / 360 = 0.04706… → 0.05
#   payable 127.40 + 744.56 + 0.05 = 872.01
mv product out 0644 2026-03-10 1 100 007 800 ',"duty_basis":"material"'
get() { # get JSON-FILE FIELD: the field of the row whose section is "total"
  tr -d '\n ' <"$1" | sed 's/},{/}\n{/g' | grep '"section":"total"' | sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p"
}
"$bzl" --json tax show --enterprise $A D5 >"$tmp/d5.json"
for kv in customs_value=5600.00 duty=127.40 vat=744.56 excise=0.00 interest_base=127.40 days=38 \
          interest=0.05 payable=872.01; do
  check "D5 (material basis) ${kv%%=*} is ${kv#*=}" test "$(get "$tmp/d5.json" "${kv%%=*}")" = "${kv#*=}"
done
check "D5's material row holds 200 kg at 1960.00" \
  grep -q '"customs_value": "1960.00"' "$tmp/d5.json"

# D6 2026-03-11, product basis: 50 bags for USD 400: CV 2800.00; duty 8 % = 224.00; VAT 13 % of
# 3024.00 = 393.12; no interest; payable 617.12.
mv product out 0644 2026-03-11 1 50 007 400 ',"duty_basis":"product"'
"$bzl" --json tax show --enterprise $A D6 >"$tmp/d6.json"
for kv in customs_value=2800.00 duty=224.00 vat=393.12 interest=0.00 payable=617.12; do
  check "D6 (product basis) ${kv%%=*} is ${kv#*=}" test "$(get "$tmp/d6.json" "${kv%%=*}")" = "${kv#*=}"
done

# tax compare D5, every basis at D5's dates:
#   ordinary: 200 kg at 1960.00: duty 127.40, VAT 13 % of 2087.40 = 271.362 → 271.36, tax 398.76;
#     interest 398.76 × 38 × 0.35 % / 360 = 0.1473… → 0.15; payable 398.91
#   material: as assessed: tax 871.96, payable 872.01 (chosen)
#   product: 5600.00: duty 448.00, VAT 13 % of 6048.00 = 786.24, tax 1234.24, payable 1234.24
"$bzl" tax compare --csv --enterprise $A D5 >"$tmp/cmp.csv"
check "compare: ordinary basis" grep -q '^ordinary,,1960.00,1960.00,127.40,0.00,271.36,398.76,0.15,398.91,ok$' "$tmp/cmp.csv"
check "compare: material basis, chosen" grep -q '^material,yes,5600.00,1960.00,127.40,0.00,744.56,871.96,0.05,872.01,ok$' "$tmp/cmp.csv"
check "compare: product basis" grep -q '^product,,5600.00,5600.00,448.00,0.00,786.24,1234.24,0.00,1234.24,ok$' "$tmp/cmp.csv"

# tax quote: the same sale, not sent (Q1), quoted from a JSON file and from a CSV file with the
# duty_basis and tax_date columns: the rows tax compare gave D5 (the same figures, worked
# above), the chosen basis marked, and nothing stored: the journal does not grow and Q1 is
# unknown afterwards.
printf '{"id":"Q1","enterprise":"%s","book":"%s","kind":"product","direction":"out","trade_mode":"0644","date":"2026-03-10","duty_basis":"material","lines":[{"item":1,"qty":"100","unit":"007","value":"800","currency":"502"}]}\n' \
  $A $BK >"$tmp/q1.json"
"$bzl" audit --csv >"$tmp/audit-before.csv"
"$bzl" tax quote --csv "$tmp/q1.json" >"$tmp/quote.csv" 2>"$tmp/err"
check "quote (JSON): ordinary basis as compared" grep -q '^ordinary,,1960.00,1960.00,127.40,0.00,271.36,398.76,0.15,398.91,ok$' "$tmp/quote.csv"
check "quote (JSON): material basis, chosen" grep -q '^material,yes,5600.00,1960.00,127.40,0.00,744.56,871.96,0.05,872.01,ok$' "$tmp/quote.csv"
check "quote (JSON): product basis" grep -q '^product,,5600.00,5600.00,448.00,0.00,786.24,1234.24,0.00,1234.24,ok$' "$tmp/quote.csv"
printf 'id,enterprise,book,kind,direction,trade_mode,date,征税方式,缴款书日期,item,qty,unit,value,currency\nQ1,%s,%s,product,out,0644,2026-03-10,product,2026-03-10,1,100,007,800,502\n' \
  $A $BK >"$tmp/q1.csv"
"$bzl" tax quote --csv "$tmp/q1.csv" >"$tmp/quote2.csv" 2>"$tmp/err"
check "quote (CSV, 征税方式 product): product basis chosen" grep -q '^product,yes,5600.00,5600.00,448.00,' "$tmp/quote2.csv"
check "quote (CSV): material basis not chosen" grep -q '^material,,5600.00,1960.00,127.40,' "$tmp/quote2.csv"
"$bzl" audit --csv >"$tmp/audit-after.csv"
check "a quote journals nothing" cmp -s "$tmp/audit-before.csv" "$tmp/audit-after.csv"
"$bzl" tax show --enterprise $A Q1 >"$tmp/out" 2>&1
check "a quoted declaration is not stored" grep -q 'NOT_FOUND' "$tmp/out"
printf 'id,enterprise,book,kind,direction,trade_mode,date,duty_basis,tax_date,item,qty,unit,value,currency\nQ2,%s,%s,product,out,0644,2026-03-10,material,2026-13-01,1,100,007,800,502\n' \
  $A $BK >"$tmp/q2.csv"
"$bzl" tax quote "$tmp/q2.csv" >"$tmp/out" 2>&1
rc=$?
check "a CSV tax_date that is no date: exit 4" test "$rc" = 4
check "… naming the file line and the column" grep -q 'q2.csv:2: tax_date: "2026-13-01" is not a calendar date' "$tmp/out"
printf '{"id":"Q3","enterprise":"%s","book":"%s","kind":"material","direction":"in","trade_mode":"0615","date":"2026-03-10","lines":[{"item":1,"qty":"1","unit":"035","value":"1","currency":"502"}]}\n' \
  $A $BK >"$tmp/q3.json"
"$bzl" tax quote "$tmp/q3.json" >"$tmp/out" 2>&1
check "quoting an import is refused: not a domestic sale" grep -q 'not a domestic sale' "$tmp/out"
# duty_basis belongs to a product sold at home; on an import it is refused naming the field.
sed 's/"id":"Q3"/"id":"Q4","duty_basis":"material"/' "$tmp/q3.json" >"$tmp/q4.json"
"$bzl" submit "$tmp/q4.json" >"$tmp/out" 2>&1
check "duty_basis on an import is refused naming duty_basis" grep -q 'duty_basis.*only a product sold at home' "$tmp/out"

# D7 2026-03-12 scrap (0844): 20 kg sold for USD 30: CV 210.00; duty 6.5 % = 13.65; VAT 13 % of
# 223.65 = 29.0745 → 29.07; no interest; payable 42.72.
mv material out 0844 2026-03-12 1 20 035 30
"$bzl" --json tax show --enterprise $A D7 >"$tmp/d7.json"
for kv in customs_value=210.00 duty=13.65 vat=29.07 interest=0.00 payable=42.72; do
  check "D7 (scrap) ${kv%%=*} is ${kv#*=}" test "$(get "$tmp/d7.json" "${kv%%=*}")" = "${kv#*=}"
done

# report tax: 872.01 + 617.12 + 42.72 = 1531.85, one row per basis.
"$bzl" report tax --csv --period 2026-03 >"$tmp/rep.csv"
check "report: material row" grep -q "^$A,material,1,5600.00,127.40,0.00,744.56,0.05,872.01$" "$tmp/rep.csv"
check "report: product row" grep -q "^$A,product,1,2800.00,224.00,0.00,393.12,0.00,617.12$" "$tmp/rep.csv"
check "report: scrap row" grep -q "^$A,scrap,1,210.00,13.65,0.00,29.07,0.00,42.72$" "$tmp/rep.csv"
sum=$(awk -F, 'NR > 1 { s += $9 * 100 } END { printf "%d", s }' "$tmp/rep.csv")
check "report rows sum to the three assessments (153185 fen)" test "$sum" = 153185
"$bzl" report tax --period 2026-03 >"$tmp/rep.txt"
check "report note gives the total" grep -q 'payable in all 1531.85 CNY' "$tmp/rep.txt"
"$bzl" report tax --csv --period 2026-03 --by month >"$tmp/month.csv"
msum=$(awk -F, 'NR > 1 { s += $9 * 100 } END { printf "%d", s }' "$tmp/month.csv")
check "report by month sums the same" test "$msum" = 153185
"$bzl" report tax --csv --period 2026-03 --by item >"$tmp/item.csv"
isum=$(awk -F, 'NR > 1 { s += $9 * 100 } END { printf "%d", s }' "$tmp/item.csv")
check "report by item sums the same" test "$isum" = 153185
"$bzl" report tax --period 2026-03 --by book >"$tmp/out" 2>&1
check "report --by book is refused naming by" grep -q '"book"' "$tmp/out"

# Reversing D6 reverses its assessment; the report no longer counts it.
run reverse --enterprise $A --reason "wrong basis" D6
"$bzl" tax show --enterprise $A D6 >"$tmp/out" 2>&1
check "tax show says the assessment was reversed" grep -q 'REVERSED' "$tmp/out"
"$bzl" report tax --csv --period 2026-03 >"$tmp/rep2.csv"
check "the reversed sale leaves the report" sh -c "! grep -q ',product,' '$tmp/rep2.csv'"
"$bzl" report tax --period 2026-03 >"$tmp/rep2.txt"
check "report total after the reversal is 914.73" grep -q 'payable in all 914.73 CNY' "$tmp/rep2.txt"

# Lots (E.4), FIFO by receipt date: D1's 1000 kg went out with the export (1000 kg consumed),
# D5 and D6 took 200 + 100 of D2's 1000, D6's reversal opened a lot of its own (100 kg, dated
# as D6); D3 is whole. Ages to 2026-03-31: 56, 49 and 20 days. 700 + 2000 + 100 = 2800 kg, the
# balance (4000 - 1000 - 200 - 100 + 100). Each lot names its receipt line (D2 line 1, in USD
# 502, no USD value or origin declared); the reversal's lot names the outflow it reversed (the
# product sale D6, whose norm took the material: no line of its own).
"$bzl" lots --csv --book $BK --item 1 --as-of 2026-03-31 >"$tmp/lots.csv"
check "lots: D2 keeps 700 of 1000 (value 840 of 1200)" grep -Eq '^material,1,[0-9]+,2026-02-03,56,1000,700,1200,840,D2,1,502,n/a,$' "$tmp/lots.csv"
check "lots: D3 is whole" grep -Eq '^material,1,[0-9]+,2026-02-10,49,2000,2000,3000,3000,D3,1,502,n/a,$' "$tmp/lots.csv"
check "lots: the reversal opened a lot of 100" grep -Eq '^material,1,[0-9]+,2026-03-11,20,100,100,.*,reversal of D6,,,n/a,$' "$tmp/lots.csv"
check "lots: D1 was consumed first" sh -c "! grep -q 2026-01-05 '$tmp/lots.csv'"
lsum=$(awk -F, 'NR > 1 { s += $7 } END { print s }' "$tmp/lots.csv")
check "lots sum to the balance (2800)" test "$lsum" = 2800
"$bzl" lots-method --book $BK --method AVERAGE >"$tmp/out" 2>&1
check "the lot method changes only at a verification boundary" grep -q 'verification boundary' "$tmp/out"

# Not a domestic sale; another enterprise's sale reads as missing.
"$bzl" tax show --enterprise $A D1 >"$tmp/out" 2>&1
check "an import has no assessment" grep -q 'no assessed domestic sale' "$tmp/out"

# The audit trail tells the tax entries; verify proves the tax rows.
"$bzl" audit >"$tmp/audit.txt"
check "audit shows the tariff" grep -q 'tariff 3923210000 from 2026-01-01: duty 8% vat 13% excise 0%' "$tmp/audit.txt"
check "audit shows the assessment" grep -q 'assessment of D5 of '$A' in '$BK' (material basis): tax 871.96 interest 0.05 CNY' "$tmp/audit.txt"
check "audit shows the reversal" grep -q 'assessment of D6 .* reversed' "$tmp/audit.txt"
"$bzl" verify >"$tmp/out" 2>&1
check "verify passes with the tax tables" grep -q '^OK' "$tmp/out"

# A changed assessment row on disk is detected.
kill "$pid"; wait "$pid" 2>/dev/null
"$tamper" "$tmp" add assessment 0 1 >"$tmp/out" 2>&1
check "the tamper tool changed an assessment row" test $? -eq 0
start_daemon
"$bzl" verify >"$tmp/out" 2>&1
check "verify detects the changed assessment row" grep -q 'assessment' "$tmp/out"

scenario_end tax_scenario
