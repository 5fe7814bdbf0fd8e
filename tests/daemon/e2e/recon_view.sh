#!/usr/bin/env bash
# recon_view.sh — proves bzl reconcile's verification view through the CLI against a real bzld.
# On the demo zone: the default table fits 120 display columns (CJK characters counted as 2, by
# a check that is shown to fail on 122), shows name, unit, in, out and consumption, and its
# footer names the one shortage; the exit status is 5; --flagged prints exactly that shortage
# (the demo's idle uncounted materials are left out, an uncounted one with stock is not);
# --sort rate orders by |rate|; --vertical prints one block per material with every figure;
# --wide is the old table and CSV byte for byte; CSV and JSON follow the view, JSON with every
# figure; failures exit 1-4, never 5. Then a zone of 3,000 books, 1,000 of them active in 2025
# and counted, one short, the rest idle until 2026: --flagged prints that one row across the
# daemon's pages and the footer names it.
#   usage: recon_view.sh BZLD BZL RECON_ZONE_LOAD SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 loader=$3 src=$4
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/bzl-rview-XXXXXX)
. "$here/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

start() { # start DIR: a bzld on DIR, its socket in $BZL_SOCKET
  mkdir -p "$1"
  export BZL_SOCKET=$1/bzld.sock
  "$bzld" --foreground --data "$1" --socket "$BZL_SOCKET" 2>"$1.log" &
  pid=$!
  for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
}

# fits120 <TEXT: every line is at most 120 display columns, East Asian wide and full-width
# characters counting 2 and combining marks 0 (Python's Unicode tables, not the CLI's).
fits120() {
  python3 -c '
import sys, unicodedata
text = sys.stdin.buffer.read().decode("utf-8")
def cols(line):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
wide = [(cols(l), l) for l in text.split("\n") if cols(l) > 120]
for w, l in wide:
    print("%d columns: %s" % (w, l), file=sys.stderr)
sys.exit(1 if wide else 0)'
}
wider_than_120() { ! fits120 2>/dev/null; }
rows() { grep -c '^[A-Z][A-Z0-9]\{11\} ' "$1"; } # table lines that start with a book number

check "the width check passes 60 CJK characters (120 columns)" \
  fits120 <<<"$(printf '千%.0s' $(seq 60))"
check "the width check fails 61 CJK characters (122 columns)" \
  wider_than_120 <<<"$(printf '千%.0s' $(seq 61))"

# ---- the demo zone ---------------------------------------------------------------------------
start "$tmp/demo"
"$src/deploy/demo/load.sh" "$bzl" >/dev/null 2>"$tmp/err" ||
  { echo "demo load failed: $(cat "$tmp/err")" >&2; exit 1; }
P=(--all --period 2025)

"$bzl" reconcile "${P[@]}" >"$tmp/table" 2>"$tmp/err"; rc=$?
check "the demo's reconcile exits 5: a material beyond tolerance (got $rc)" test "$rc" -eq 5
check "the demo's reconcile fits 120 display columns" fits120 <"$tmp/table"
check "... and has CJK characters to count (the unit 千克)" grep -q '千克' "$tmp/table"
check "the columns: book, item, name, unit, opening, in, out, consumption, book balance, …" \
  test "$(head -1 "$tmp/table" | tr -s ' ')" = \
  "book item name unit opening in out consumption book balance counted diff rate % flag"
check "one row per material: 6" test "$(rows "$tmp/table")" -eq 6
check "the shortage row in full: name, unit, in, consumption, balance, counted, diff, rate" \
  grep -Eq '^H72012400011 +1 +sunflower seed +千克 +0 +408000 +0 +390000 +18000 +17280 +-720 +-4\.0000 +shortage$' "$tmp/table"
check "the footer names the shortage" \
  grep -Fxq '# beyond tolerance: H72012400011 item 1 sunflower seed: shortage -720 千克, rate -4.0000%' "$tmp/table"
check "the footer defines in and out" \
  grep -q '^# in = import + transfer_in + leftover_in + zone_transfer_in + return_in + low_value; out = reexport' "$tmp/table"
check "the footer keeps the daemon's count" \
  grep -Fxq '# materials beyond tolerance: 1; journal records read: 0' "$tmp/table"

"$bzl" reconcile "${P[@]}" --flagged >"$tmp/flagged"; rc=$?
check "--flagged exits 5 (got $rc)" test "$rc" -eq 5
check "--flagged prints exactly one row" test "$(rows "$tmp/flagged")" -eq 1
check "... the shortage" grep -Eq '^H72012400011 +1 +sunflower seed .* shortage$' "$tmp/flagged"
check "... leaving out the three idle uncounted materials of 2026's books" \
  grep -Fxq '# --flagged: 1 of 6 materials shown (beyond tolerance, below zero, or uncounted with an opening or a movement)' "$tmp/flagged"
check "--flagged fits 120 display columns" fits120 <"$tmp/flagged"

"$bzl" reconcile "${P[@]}" --sort rate >"$tmp/sorted"; rc=$?
order() { awk '/^[BCEHT][A-Z0-9]+ +[0-9]/{printf "%s/%s ", $1, $2}' "$1"; }
check "--sort rate: -4 %, -0.1389 %, 0 %, then n/a in book order (got $(order "$tmp/sorted"))" \
  test "$(order "$tmp/sorted")" = \
  "H72012400011/1 H72012400013/1 H72012400012/1 H72012400001/1 H72012400001/2 H72012400002/1 "
check "without --sort the book order stands" test "$(order "$tmp/table" | cut -d' ' -f1)" = H72012400001/1
check "--sort rate exits 5 too" test "$rc" -eq 5

"$bzl" reconcile "${P[@]}" --vertical >"$tmp/vertical"; rc=$?
check "--vertical: one block per material" test "$(grep -c '^-\[ RECORD [0-9]* \]-*+-*$' "$tmp/vertical")" -eq 6
block4() { awk '/^-\[ RECORD/{r++; next} r==4' "$1" | sed 's/ *| */|/'; }
check "--vertical: block 4 is the shortage with every figure" \
  test "$(block4 "$tmp/vertical" | tr '\n' ';')" = \
  "book|H72012400011;item|1;name|sunflower seed;unit|035 千克;opening|0;in|408000;  import|408000;  transfer_in|0;  leftover_in|0;  zone_transfer_in|0;  return_in|0;  low_value|0;out|0;  reexport|0;  domestic_sale|0;  leftover_out|0;  destroy|0;  return_out|0;  zone_transfer_out|0;consumption|390000;  tangible_loss|11700;  intangible_loss|3900;adjust_up|0;adjust_down|0;scrap_disposed|0;book_balance|18000;counted|17280;difference|-720;difference_rate|-4.0000;flag|shortage;counted_by|customs;"
check "--vertical exits 5" test "$rc" -eq 5
"$bzl" reconcile "${P[@]}" --vertical --flagged >"$tmp/vflagged"
check "--vertical --flagged: one block" test "$(grep -c '^-\[ RECORD' "$tmp/vflagged")" -eq 1

"$bzl" reconcile "${P[@]}" --wide >"$tmp/wide"; rc=$?
check "--wide is the table as it was, byte for byte, then the lines naming materials" \
  cmp -s <(grep -v '^# beyond tolerance: ' "$tmp/wide") "$here/recon_view_wide.expected"
check "--wide names the shortage after the old footer" \
  test "$(tail -1 "$tmp/wide")" = '# beyond tolerance: H72012400011 item 1 sunflower seed: shortage -720 千克, rate -4.0000%'
check "--wide exits 5" test "$rc" -eq 5
"$bzl" reconcile "${P[@]}" --wide --csv >"$tmp/wide.csv"
check "--wide --csv is the old CSV byte for byte" cmp -s "$tmp/wide.csv" "$here/recon_view_wide_csv.expected"

"$bzl" reconcile "${P[@]}" --csv >"$tmp/view.csv"; rc=$?
check "--csv has the view's columns" test "$(head -1 "$tmp/view.csv")" = \
  book,item,name,unit,opening,in,out,consumption,book_balance,counted,difference,difference_rate,flag
check "--csv: the shortage row" \
  grep -Fxq 'H72012400011,1,sunflower seed,035,0,408000,0,390000,18000,17280,-720,-4.0000,shortage' "$tmp/view.csv"
check "--csv exits 5" test "$rc" -eq 5
"$bzl" reconcile "${P[@]}" --csv --vertical --flagged >"$tmp/long.csv"
check "--csv --vertical: book,item,column,value, one line per figure" \
  test "$(head -1 "$tmp/long.csv")/$(grep -c '^H72012400011,1,' "$tmp/long.csv")" = "book,item,column,value/29"
check "--csv --vertical: the rate" grep -Fxq 'H72012400011,1,difference_rate,-4.0000' "$tmp/long.csv"

"$bzl" --json reconcile "${P[@]}" --flagged --sort rate >"$tmp/view.json"; rc=$?
check "--json --flagged exits 5" test "$rc" -eq 5
check "--json keeps every figure of the one flagged row, name, unit, in and out included" \
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = d["rows"]
assert len(r) == 1 and len(d["columns"]) == 31, d
r = r[0]
want = {"book": "H72012400011", "name": "sunflower seed", "unit": "035", "in": "408000",
        "out": "0", "import": "408000", "consumption": "390000", "tangible_loss": "11700",
        "book_balance": "18000", "difference_rate": "-4.0000", "flag": "shortage",
        "counted_by": "customs"}
assert all(r[k] == v for k, v in want.items()), r
assert sorted(r) == sorted(d["columns"]), r
assert any(n.startswith("in = import") for n in d["notes"]), d["notes"]' "$tmp/view.json"

# Exit statuses: 0 when nothing is beyond, failures 1-4 and never 5.
"$bzl" reconcile --book H72012400012 --period 2025 >/dev/null; rc=$?
check "a book within tolerance exits 0 (got $rc)" test "$rc" -eq 0
"$bzl" reconcile --book H72012499999 --period 2025 >/dev/null 2>&1; rc=$?
check "an unknown book is a refusal, exit 1 (got $rc)" test "$rc" -eq 1
"$bzl" reconcile "${P[@]}" --sort size >/dev/null 2>"$tmp/err"; rc=$?
check "--sort size is a usage error, exit 2 (got $rc)" test "$rc" -eq 2
check "... naming what --sort takes" grep -q -- "--sort takes rate" "$tmp/err"
"$bzl" reconcile "${P[@]}" --wide --vertical >/dev/null 2>&1; rc=$?
check "--wide with --vertical is a usage error (got $rc)" test "$rc" -eq 2

# A long Chinese name and a large figure: the name is cut with ~, the line still fits, and
# the uncounted material has stock to count, so --flagged shows it beside the shortage.
long=$(printf '高纯度无氧铜杆%.0s' $(seq 8))
"$bzl" enterprise add --id 6201239999 --uscc 91620100MA71AB1C2F --name "长名企业" >/dev/null 2>&1
"$bzl" book open --book H72012409999 --enterprise 6201239999 >/dev/null 2>&1
"$bzl" item add --book H72012409999 --kind material --seq 1 --hs 7403110000 --name "$long" --unit 035 >/dev/null 2>&1
printf '{"id":"RV-LONG-1","enterprise":"6201239999","book":"H72012409999","kind":"material","direction":"in","trade_mode":"5015","date":"2025-07-01","lines":[{"item":1,"qty":"98765432.12345","unit":"035","value":"1","currency":"502"}]}\n' >"$tmp/long.json"
"$bzl" submit "$tmp/long.json" >/dev/null 2>&1
"$bzl" reconcile "${P[@]}" >"$tmp/long"
check "a 56-character Chinese name and a 14-digit figure still fit 120 columns" fits120 <"$tmp/long"
check "... the name cut, ending in ~" grep -Eq '^H72012409999 +1 +高纯度[^ ]*~ +千克 +0 +98765432\.12345 ' "$tmp/long"
"$bzl" reconcile "${P[@]}" --flagged >"$tmp/long-flagged"
check "--flagged: the shortage and the uncounted material with stock, no idle one" \
  test "$(order "$tmp/long-flagged")" = "H72012400011/1 H72012409999/1 "
"$bzl" reconcile --book H72012409999 --period 2025 --vertical >"$tmp/long-v"; rc=$?
check "--vertical shows the whole name" grep -Fxq "name|$long" <(sed 's/ *| */|/' "$tmp/long-v")
check "uncounted alone is not beyond tolerance: exit 0 (got $rc)" test "$rc" -eq 0

kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=

# ---- a zone of 3,000 books, one short ----------------------------------------------------------
# Books 1-1000 import 1000 kg in June 2025 and count it at year end, book 777 only 900 kg; books
# 1001-3000 start in 2026 (idle in 2025). Stocktakes cost the daemon most here (~8 ms each
# under ASan), hence 1,000 of them rather than 3,000.
start "$tmp/zone"
"$loader" "$BZL_SOCKET" 3000 1000 777 || { echo "loading the zone failed" >&2; exit 1; }
"$bzl" reconcile "${P[@]}" --flagged >"$tmp/zone.txt"; rc=$?
check "3,000 books: --flagged exits 5 (got $rc)" test "$rc" -eq 5
check "3,000 books: --flagged prints one row" test "$(rows "$tmp/zone.txt")" -eq 1
check "... the short book" \
  grep -Eq '^HRVZ00000777 +1 +电解铜 +千克 +0 +1000 +0 +0 +1000 +900 +-100 +-10\.0000 +shortage$' "$tmp/zone.txt"
check "... the footer names it" \
  grep -Fxq '# beyond tolerance: HRVZ00000777 item 1 电解铜: shortage -100 千克, rate -10.0000%' "$tmp/zone.txt"
check "... of 3,000 materials" grep -q '^# --flagged: 1 of 3000 materials shown' "$tmp/zone.txt"
check "3,000 books: --flagged fits 120 columns" fits120 <"$tmp/zone.txt"
"$bzl" reconcile "${P[@]}" --page-books 7 >"$tmp/zone-all"; rc=$?
check "3,000 books in pages of 7: every row, exit 5" test "$(rows "$tmp/zone-all")/$rc" = 3000/5
check "... and the footer still names the one shortage" \
  test "$(grep -c '^# beyond tolerance: ' "$tmp/zone-all")" -eq 1
check "... 999 within and 2,000 idle uncounted, none of them flagged above" \
  test "$(grep -c ' within$' "$tmp/zone-all")/$(grep -c ' uncounted$' "$tmp/zone-all")" = 999/2000
"$bzl" --json reconcile "${P[@]}" --flagged --sort rate >"$tmp/zone.json"; rc=$?
check "3,000 books: --json --flagged has the one row" \
  test "$(grep -c '"book": "HRVZ' "$tmp/zone.json")/$rc" = 1/5

kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
scenario_end recon_view
