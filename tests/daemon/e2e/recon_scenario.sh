#!/usr/bin/env bash
# recon_scenario.sh — proves verification (核销) end to end through the bzl CLI: one E-book
# (unit consumption) through two periods with every material category an E-book allows
# non-zero in the first (the zone-only in-zone transfers are covered by check_recon), a
# stocktake counting a product through its norm, verification figures equal to the hand
# computation below, zero journal records read, a period close that freezes January and carries
# its closing balance into February's opening, and bzl-nightly's per-book CSV equal to
# `bzl reconcile --json` figure for figure; then the journal entries of rates and the
# stocktake in `bzl audit`, and the value-added ratio by product on a second book (March).
#   usage: recon_scenario.sh BZLD BZL BZL_NIGHTLY SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 nightly=$3
tmp=$(mktemp -d /tmp/bzl-recon-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

A=6201230001 BK=E72012400003
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $A --uscc 91620100MA71AB1C2F --name "Sunflower Oil Co." --area "core bonded zone"
run book open --book $BK --enterprise $A
run item add --book $BK --kind material --seq 1 --hs 1206009000 --name "sunflower seed" --unit 035
run item add --book $BK --kind product --seq 1 --hs 1512110000 --name "sunflower oil" --unit 035 --mode OEM
# 净耗 0.9 with 5 % tangible + 5 % intangible loss: 单耗 = 0.9 / (1 - 0.10) = 1.000000000.
run bom set --book $BK --product 1 --material 1 --version 1 --net 0.9 --tangible-loss 5 --intangible-loss 5

n=0
# mv KIND DIR MODE DATE ITEM QTY: one declaration of one line (value 1 per unit, USD).
mv() {
  n=$((n + 1))
  printf '{"id":"D%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"%s","date":"%s","lines":[{"item":%s,"qty":"%s","unit":"035","value":"%s","currency":"502"}]}\n' \
    $n $A $BK "$1" "$2" "$3" "$4" "$5" "$6" "$6" >"$tmp/d$n.json"
  "$bzl" submit "$tmp/d$n.json" >"$tmp/out" 2>&1 || { echo "declaration $n refused: $(cat "$tmp/out")" >&2; exit 1; }
}
# January, material 1:
#   inflows  import 0615 1000, transfer in 0654 200, leftover in 0657 100, return in 0700 50,
#            low-value 0815 20                                               = 1370
#   outflows re-export 0664 30, domestic sale 0644 40, leftover out 0657 60, destruction 0200
#            10, return out 0700 25                                          =  165
#   consumption: product export 0615 of 300 × 1.0                            =  300
#   adjustments: up 0030 15, down 0040 5
#   book balance = 0 + 1370 - 165 - 300 + 15 - 5 = 915
#   losses: tangible 300 × 5 % = 15, intangible 300 × 5 % = 15
mv material in 0615 2026-01-05 1 1000
mv material in 0654 2026-01-06 1 200
mv material in 0657 2026-01-07 1 100
mv material in 0700 2026-01-08 1 50
mv material in 0815 2026-01-09 1 20
mv material out 0664 2026-01-10 1 30
mv material out 0644 2026-01-11 1 40
mv material out 0657 2026-01-12 1 60
mv material out 0200 2026-01-13 1 10
mv material out 0700 2026-01-14 1 25
mv material in 0030 2026-01-15 1 15
mv material out 0040 2026-01-16 1 5
mv product out 0615 2026-01-20 1 300
# Stocktake on 2026-01-31: 800 of material 1 and 100 of product 1 (→ 100 × 1.0 = 100):
# counted 900; difference 900 - 915 = -15; rate -15 / 915 × 100 = -1.63934… → -1.6393 %:
# a shortage beyond the default 0.5 % tolerance.
printf '{"book":"%s","date":"2026-01-31","lines":[{"kind":"material","item":1,"qty":"800"},{"kind":"product","item":1,"qty":"100","bom_version":"1"}]}\n' $BK >"$tmp/st.json"
"$bzl" stocktake submit "$tmp/st.json" >"$tmp/out" 2>&1
check "stocktake converts the product by its norm" grep -Eq '^'$BK' +2026-01-31 +1 +900 +800 +100 ' "$tmp/out"

get() { # get JSON-FILE FIELD: the field of the first row
  sed -n "s/^ *\"$2\": *\"\([^\"]*\)\".*/\1/p" "$1" | head -1
}
"$bzl" --json reconcile --book $BK --period 2026-01 >"$tmp/jan.json"
for kv in opening=0 import=1000 transfer_in=200 leftover_in=100 return_in=50 low_value=20 \
          reexport=30 domestic_sale=40 leftover_out=60 destroy=10 return_out=25 consumption=300 \
          tangible_loss=15 intangible_loss=15 adjust_up=15 adjust_down=5 book_balance=915 \
          counted=900 difference=-15 difference_rate=-1.6393 flag=shortage; do
  check "January ${kv%%=*} is ${kv#*=}" test "$(get "$tmp/jan.json" "${kv%%=*}")" = "${kv#*=}"
done
check "verification read no journal record" grep -q '"journal_reads": 0' "$tmp/jan.json"
"$bzl" --json reconcile --book $BK --period 2026-01-01..2026-01-31 >"$tmp/jan2.json"
check "DATE..DATE of whole months equals YYYY-MM" cmp -s "$tmp/jan.json" "$tmp/jan2.json"
"$bzl" reconcile --book $BK --period 2026-01-05..2026-01-20 >/dev/null 2>"$tmp/err"
check "a part-month period is refused, saying why" grep -q "not whole months" "$tmp/err"

# The nightly job's per-book CSV carries the same figures as reconcile --json.
"$nightly" --out "$tmp/nightly" --period 2026-01 >"$tmp/nightly.out" 2>&1; rc=$?
check "nightly exits 5 when a book is beyond tolerance" test "$rc" -eq 5
check "nightly prints a summary line per book" grep -q "^$BK .*beyond tolerance: 1" "$tmp/nightly.out"
csv_as_json() { # the CSV's header and first row as "name=value" lines
  awk -F, 'NR==1{for(i=1;i<=NF;i++)h[i]=$i} NR==2{for(i=1;i<=NF;i++)print h[i]"="$i}' "$1"
}
json_pairs() { sed -n 's/^ *"\([a-z_]*\)": *"\([^"]*\)",\{0,1\}$/\1=\2/p' "$1"; }
# The nightly CSV has every column of reconcile --json, in its order: the --wide CSV's, then
# the name, unit, in and out of the 120-column view.
check "nightly CSV equals reconcile --json figure for figure" \
  test "$(csv_as_json "$tmp/nightly/latest/book-$BK.csv")" = "$(json_pairs "$tmp/jan.json")"
check "reconcile --json also has the name, unit, in and out" \
  test "$(json_pairs "$tmp/jan.json" | grep -E '^(name|unit|in|out)=' | tr '\n' ' ')" = \
  "name=sunflower seed unit=035 in=1370 out=165 "
check "nightly wrote the HTML report" test -s "$tmp/nightly/latest/report.html"
# Lot ageing at the period's end (docs/TAX.md): every lot of material 1 was received in
# January, so all 915 (its balance) are 0-90 days old on 2026-01-31.
check "nightly's lot ageing: material 1's 915 all 0-90 days old" \
  grep -Eq "^$BK,material,1,0-90,[0-9]+,915$" "$tmp/nightly/latest/lot-ageing.csv"
check "the page shows the lot ageing" grep -q '<h2 id="lots">Lot ageing</h2>' "$tmp/nightly/latest/report.html"
check "… with material 1's 915 under 0-90 days" grep -Eq '<td class="n">915 \([0-9]+\)</td>' "$tmp/nightly/latest/report.html"

# Close January: it freezes, and February opens with the carried balance 915.
run period close --book $BK --through 2026-01-31
printf '{"id":"LATE","enterprise":"%s","book":"%s","kind":"material","direction":"in","trade_mode":"0615","date":"2026-01-30","lines":[{"item":1,"qty":"1","unit":"035","value":"1","currency":"502"}]}\n' $A $BK >"$tmp/late.json"
"$bzl" submit "$tmp/late.json" >"$tmp/out" 2>&1
check "January is frozen after the close" grep -q PERIOD_CLOSED "$tmp/out"
# February: import 500, export 200 (consumption 200): book = 915 + 500 - 200 = 1215.
mv material in 0615 2026-02-03 1 500
mv product out 0615 2026-02-17 1 200
"$bzl" --json reconcile --book $BK --period 2026-02 >"$tmp/feb.json"
check "February opens with the carried 915" test "$(get "$tmp/feb.json" opening)" = 915
check "February book balance is 1215" test "$(get "$tmp/feb.json" book_balance)" = 1215
check "February is uncounted" test "$(get "$tmp/feb.json" flag)" = uncounted
bal=$("$bzl" --json balance --book $BK --kind material --item 1 | sed -n 's/.*"qty": *"\([^"]*\)".*/\1/p')
check "the ledger balance agrees with the verified book balance" test "$bal" = 1215
"$bzl" --json reconcile --book $BK --period 2026-Q1 >"$tmp/q1.json"
check "Q1 sums both months: book 1215, consumption 500" \
  test "$(get "$tmp/q1.json" book_balance)/$(get "$tmp/q1.json" consumption)" = 1215/500

# Who set a rate and who submitted the stocktake is in the journal (entry types 12-14).
run rates set --month 2026-03 --currency 502 --cny 7.2
run rates set --month 2026-03 --currency 300 --cny 7.92
"$bzl" rates set --month 2026-03 --currency 300 --cny 7.92 >"$tmp/out" 2>&1
check "setting the same rate again is unchanged" grep -q unchanged "$tmp/out"
"$bzl" audit >"$tmp/audit" 2>&1
check "audit shows the stocktake" grep -q "stocktake $BK 2026-01-31, 2 lines" "$tmp/audit"
check "audit shows who set the EUR rate, once" test "$(grep -c "rate 2026-03 300 7.92" "$tmp/audit")" = 1
check "audit names the rate's uid" grep -q "$(id -u).*rate 2026-03 502 7.2" "$tmp/audit"
"$bzl" verify >"$tmp/out" 2>&1
check "verify proves the journal with the new entries" test $? -eq 0

# Value-added ratio by product: a second book, E72012400004, in March 2026.
# Norms (bonded share 1): product 1 = material 1 单耗 2 (net 1.8, 10 % tangible loss) + material
# 2 单耗 0.25; product 2 = material 2 单耗 1; product 3 = material 3 单耗 1.
# I flows in March: m1 import 1000 for 3000 USD, m1 import 500 for 2000 EUR = 2000 × 7.92 / 7.2
#   = 2200 USD → m1 1500 for 5200 USD; m2 import 200 for 1000 USD, transfer in (0654) 100 for
#   800 USD → m2 300 for 1800 USD (200 for 1000 without transfers). m3 is imported in February
#   only: no March price.
# E flows in March: product 1 export 120 for 2000 USD + transfer out (0654) 30 for 450 USD;
#   product 2 export 50 for 200 USD; product 3 export 10 for 100 USD.
# Default (transfers count):
#   product 1: E 2450; consumed m1 = 120 × 2 + 30 × 2 = 300, m2 = 30 + 7.5 = 37.5;
#              I = 300 × 5200 / 1500 + 37.5 × 1800 / 300 = 1040 + 225 = 1265;
#              var (2450 − 1265) / 1265 = 93.6759 %, net (2450 − 1265) / 2450 = 48.3673 %
#   product 2: E 200; I = 50 × 1800 / 300 = 300; var −33.3333 %, net −50.0000 %
#   product 3: E 100; m3 has no March import: I = 0, var n/a, net 100.0000 %, and a note
# --exclude-transfers:
#   product 1: E 2000; I = 240 × 5200 / 1500 + 30 × 1000 / 200 = 832 + 150 = 982;
#              var 1018 / 982 = 103.6660 %, net 1018 / 2000 = 50.9000 %
#   product 2: E 200; I = 50 × 5 = 250; var −20.0000 %, net −25.0000 %
BK2=E72012400004
run book open --book $BK2 --enterprise $A
for m in 1 2 3; do
  run item add --book $BK2 --kind material --seq $m --hs 8542319000 --name "part $m" --unit 007
  run item add --book $BK2 --kind product --seq $m --hs 8473302000 --name "module $m" --unit 007 --mode ODM
done
run bom set --book $BK2 --product 1 --material 1 --version 1 --net 1.8 --tangible-loss 10 --intangible-loss 0
run bom set --book $BK2 --product 1 --material 2 --version 1 --net 0.25 --tangible-loss 0 --intangible-loss 0
run bom set --book $BK2 --product 2 --material 2 --version 1 --net 1 --tangible-loss 0 --intangible-loss 0
run bom set --book $BK2 --product 3 --material 3 --version 1 --net 1 --tangible-loss 0 --intangible-loss 0
# mv2 KIND DIR MODE DATE ITEM QTY VALUE CURRENCY
mv2() {
  n=$((n + 1))
  printf '{"id":"D%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"%s","date":"%s","lines":[{"item":%s,"qty":"%s","unit":"007","value":"%s","currency":"%s"}]}\n' \
    $n $A $BK2 "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" >"$tmp/d$n.json"
  "$bzl" submit "$tmp/d$n.json" >"$tmp/out" 2>&1 || { echo "declaration $n refused: $(cat "$tmp/out")" >&2; exit 1; }
}
mv2 material in 0615 2026-02-10 3 100 100 502
mv2 material in 0615 2026-03-02 1 1000 3000 502
mv2 material in 0615 2026-03-03 1 500 2000 300
mv2 material in 0615 2026-03-04 2 200 1000 502
mv2 material in 0654 2026-03-05 2 100 800 502
mv2 product out 0615 2026-03-20 1 120 2000 502
mv2 product out 0654 2026-03-21 1 30 450 502
mv2 product out 0615 2026-03-22 2 50 200 502
mv2 product out 0615 2026-03-23 3 10 100 502
"$bzl" report var --csv --period 2026-03 --by product >"$tmp/var.csv" 2>&1
check "product 1: E 2450, I 1265, 93.6759 %, 48.3673 %" grep -q "^$BK2/1,2450.00,1265.00,93.6759,48.3673" "$tmp/var.csv"
check "product 2: E 200, I 300, -33.3333 %, -50.0000 %" grep -q "^$BK2/2,200.00,300.00,-33.3333,-50.0000" "$tmp/var.csv"
check "product 3: no March import price, I 0, n/a" grep -q "^$BK2/3,100.00,0.00,n/a,100.0000" "$tmp/var.csv"
"$bzl" report var --period 2026-03 --by product >"$tmp/var.txt" 2>&1
check "the note names the unpriced material" grep -q "$BK2/3 (material 3)" "$tmp/var.txt"
"$bzl" report var --csv --period 2026-03 --by product --exclude-transfers >"$tmp/varx.csv" 2>&1
check "without transfers, product 1: E 2000, I 982, 103.6660 %, 50.9000 %" grep -q "^$BK2/1,2000.00,982.00,103.6660,50.9000" "$tmp/varx.csv"
check "without transfers, product 2: E 200, I 250, -20.0000 %, -25.0000 %" grep -q "^$BK2/2,200.00,250.00,-20.0000,-25.0000" "$tmp/varx.csv"

# A back-dated outflow: material 1 of BK2 re-exported (0664) 50 on 2026-01-15, accepted because
# the posted balance (1500, imported in March) covers it; January's book is 0 − 50 = −50, an
# exception of its own whatever was counted, and the nightly job says so and exits 5.
mv2 material out 0664 2026-01-15 1 50 50 502
"$bzl" reconcile --book $BK2 --period 2026-01 --wide --csv >"$tmp/neg.csv" 2>&1; rc=$?
check "a book balance below zero is flagged negative_book" \
  grep -q "^$BK2,1,0,.*,-50,n/a,n/a,n/a,negative_book$" "$tmp/neg.csv"
check "reconcile exits 5 for it: complete, and a material needs the officer" test "$rc" -eq 5
"$bzl" reconcile --book $BK2 --period 2026-01 --flagged >"$tmp/neg.txt" 2>&1
check "the footer names it, book balance and unit" \
  grep -Eq "^# book balance below zero: $BK2 item 1 part 1: -50 个$" "$tmp/neg.txt"
"$nightly" --out "$tmp/nightly-neg" --period 2026-01 >"$tmp/nightly-neg.out" 2>&1; rc=$?
check "nightly counts it in the book's summary line" \
  grep -q "^$BK2 materials: 3, beyond tolerance: 0, uncounted: 2, .*, negative book balance: 1$" "$tmp/nightly-neg.out"
check "nightly exits 5 on a negative book balance" test "$rc" -eq 5
check "its exceptions list the material below zero, -50" \
  test "$(grep -c "^negative_book,.*,$BK2,1,.*,-50,,," "$tmp/nightly-neg/latest/exceptions.csv")" -eq 1
check "the report counts it" \
  grep -q '<a href="#exc-negative_book">Book balance below zero</a></td><td class="n">1</td>' \
  "$tmp/nightly-neg/latest/report.html"

scenario_end recon_scenario
