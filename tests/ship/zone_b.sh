#!/usr/bin/env bash
# zone_b.sh — a second zone for the warehouse tests, unlike deploy/demo/zone.sh in every code:
# two enterprises (one without an area), three currencies (USD, EUR 300 and HKD 110) at their own
# rates over 2026-Q1, a material held in two currencies and consumed from both, a line with its
# own USD value, a mode override, a product upgraded OEM → ODM on 2026-02-01, a pending export
# posted, a pending import voided, a posted export reversed, and the zone's general trade in two
# currencies.
#   usage: zone_b.sh BZL_BINARY SCRATCH_DIR
set -euo pipefail
bzl=${1:?usage: zone_b.sh BZL SCRATCH} tmp=${2:?usage: zone_b.sh BZL SCRATCH}
run() { "$bzl" "$@" >/dev/null; }
W=3301230001 K=3301230002 BW=H33012400001 BK=H33012400002
run enterprise add --id $W --uscc 91620100MA71AB1C2F --name "Hangzhou Zone Watch Co." --area "east bonded zone"
run enterprise add --id $K --uscc 91350100M000100Y43 --name "Hangzhou Zone Knitwear Co."
run book open --book $BW --enterprise $W
run book open --book $BK --enterprise $K
run item add --book $BW --kind material --seq 1 --hs 9114900000 --name "watch movement" --unit 007
run item add --book $BW --kind material --seq 2 --hs 7007190000 --name "sapphire glass" --unit 007
run item add --book $BW --kind product --seq 1 --hs 9102110000 --name "wrist watch" --unit 007 --mode OEM
run item add --book $BW --kind product --seq 2 --hs 9102120000 --name "diving watch" --unit 007 --mode OBM
run item add --book $BK --kind material --seq 1 --hs 5509530000 --name "wool yarn" --unit 035
run item add --book $BK --kind product --seq 1 --hs 6110110000 --name "wool sweater" --unit 011 --mode ODM
run bom set --book $BW --product 1 --material 1 --version 1 --net 1 --tangible-loss 0 --intangible-loss 0
run bom set --book $BW --product 1 --material 2 --version 1 --net 1 --tangible-loss 2 --intangible-loss 0
run bom set --book $BW --product 2 --material 1 --version 1 --net 1 --tangible-loss 0 --intangible-loss 0
run bom set --book $BK --product 1 --material 1 --version 1 --net 0.45 --tangible-loss 5 --intangible-loss 1
run item mode --book $BW --seq 1 --mode ODM --from 2026-02-01
for m in 01 02 03; do
  run rates set --month 2026-$m --currency 502 --cny 7.0$m
  run rates set --month 2026-$m --currency 300 --cny 7.73$m
  run rates set --month 2026-$m --currency 110 --cny 0.91$m
  run trade record --month 2026-$m --currency 502 --exports 120000.5 --imports 80000.25
  run trade record --month 2026-$m --currency 110 --exports 330000 --imports 10000
done
run rates set --month 2026-02 --currency 300 --cny 7.7777 # a correction: the last rate counts

line() { # line ITEM QTY UNIT VALUE CURRENCY [EXTRA]
  printf '{"item":%s,"qty":"%s","unit":"%s","value":"%s","currency":"%s"%s}' "$1" "$2" "$3" "$4" "$5" "${6:-}"
}
decl() { # decl ID ENT BOOK KIND DIR DATE LINES [EXTRA]
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"5015","date":"%s","lines":[%s]%s}' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8:-}"
}
{
  echo "["
  sep=
  for m in 01 02 03; do
    for x in \
      "$(decl W-$m-IMP $W $BW material in 2026-$m-03 "$(line 1 1000 007 12000.5 300),$(line 2 1000 007 3333.33 110)")" \
      "$(decl W-$m-EXP $W $BW product out 2026-$m-18 "$(line 1 600 007 30001.7 502),$(line 2 100 007 9000 300 ',"usd":"1234.56789"')")" \
      "$(decl K-$m-IMP $K $BK material in 2026-$m-04 "$(line 1 2000 035 41000.01 110)")" \
      "$(decl K-$m-EXP $K $BK product out 2026-$m-25 "$(line 1 3000 011 52000 300 ',"mode":"OBM"')")"; do
      printf '%s%s\n' "$sep" "$x"
      sep=,
    done
  done
  echo "]"
} >"$tmp/zone_b.json"
run submit "$tmp/zone_b.json"
# Watch movements bought in USD as well as EUR: the export after it consumes material 1 from
# both currencies in proportion (the value split the warehouse's bzl_value carries).
decl W-01-IMP-USD $W $BW material in 2026-01-20 "$(line 1 400 007 5000.03 502)" >"$tmp/p0.json"
decl W-03-EXP2 $W $BW product out 2026-03-29 "$(line 1 70 007 3500 502)" >"$tmp/p00.json"
run submit "$tmp/p0.json" "$tmp/p00.json"
decl K-03-EXP2 $K $BK product out 2026-03-27 "$(line 1 500 011 8800 110)" ',"pending":true' >"$tmp/p1.json"
decl W-03-IMP2 $W $BW material in 2026-03-28 "$(line 1 50 007 700 502)" ',"pending":true' >"$tmp/p2.json"
run submit "$tmp/p1.json" "$tmp/p2.json"
run post --enterprise $K K-03-EXP2
run void --enterprise $W W-03-IMP2 --reason "never shipped"
run reverse --enterprise $W W-02-EXP --reason "declared twice"
