#!/usr/bin/env bash
# Loads the demo zone of the zone plan (reference/zone-plan.md) through the bzl CLI: three
# processing-trade enterprises over the four quarters of 2025, with monthly customs rates,
# general-trade totals for the processing-trade share, business-mode upgrades and a year-end
# stocktake with one shortage. Safe to run again (records that exist are kept; declaration ids
# are idempotency keys; rates, trade totals and stocktakes replace themselves).
#
#   grain & oil  H72012400011  imported sunflower seed → crude sunflower oil; OEM, ODM from
#                              2025-04-01, OBM (own brand) from 2025-10-01
#   electronics  H72012400012  imported ICs → modules; ODM
#   textiles     H72012400013  Central-Asian cotton yarn → garments; OEM
#
# Per month (one import and one export declaration each):
#   oil   import 34000 kg seed (20400 USD); export 13000 kg oil (24700 USD);
#         单耗 2.4 / (1 − 4 %) = 2.5 → consumption 32500 kg, balance +1500
#   elec  import 13000 ICs (26000 USD); export 3100 modules (57000 EUR); 单耗 4 → 12400, +600
#   tex   import 7000 kg yarn (17500 USD); export 16000 shirts (48000 USD);
#         单耗 0.38 / (1 − 5 %) = 0.4 → consumption 6400 kg, +600
# Year-end book balances: oil 12 × 1500 = 18000 kg, elec 12 × 600 = 7200, tex 12 × 600 = 7200.
# Stocktake 2025-12-31: oil counts 17280 kg (difference −720, −4.0000 %: the shortage); elec
# counts 6800 ICs + 100 modules × 4 = 7200 (exact); tex counts 7190 kg (−10 / 7200 =
# −0.13888… → −0.1389 %: within the default 0.5 %).
#   usage: deploy/demo/zone.sh BZL_BINARY
set -euo pipefail
bzl=${1:?usage: zone.sh PATH/TO/bzl}
tmp=$(mktemp -d /tmp/bzl-zone-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

once() {
  local err
  if ! err=$("$bzl" "$@" 2>&1 >/dev/null); then
    case "$err" in
      *ALREADY_EXISTS*|*STATE_CONFLICT*) ;;
      *) echo "$err" >&2; return 1 ;;
    esac
  fi
}
OIL=6201230001 ELEC=6201230002 TEX=6201230003
BO=H72012400011 BE=H72012400012 BT=H72012400013
once enterprise add --id $OIL --uscc 91620100MA71AB1C2F \
  --name "Lanzhou Zone Grain & Oil Processing Co." --area "core bonded zone"
once enterprise add --id $ELEC --uscc 91620100MA72CD3E4K \
  --name "Lanzhou Zone Electronics Co." --area "airport area"
once enterprise add --id $TEX --uscc 91620100MA73EF5G6P \
  --name "Lanzhou Zone Silk Road Textiles Co." --area "rail-port area"
once book open --book $BO --enterprise $OIL
once book open --book $BE --enterprise $ELEC
once book open --book $BT --enterprise $TEX
once item add --book $BO --kind material --seq 1 --hs 1206009000 --name "sunflower seed" --unit 035
once item add --book $BO --kind product --seq 1 --hs 1512110000 --name "sunflower oil" --unit 035 --mode OEM
once item add --book $BE --kind material --seq 1 --hs 8542319000 --name "integrated circuit" --unit 007
once item add --book $BE --kind product --seq 1 --hs 8517799000 --name "communication module" --unit 007 --mode ODM
once item add --book $BT --kind material --seq 1 --hs 5205120000 --name "cotton yarn" --unit 035
once item add --book $BT --kind product --seq 1 --hs 6205200099 --name "cotton shirt" --unit 011 --mode OEM
once bom set --book $BO --product 1 --material 1 --version 1 --net 2.4 --tangible-loss 3 --intangible-loss 1
once bom set --book $BE --product 1 --material 1 --version 1 --net 4 --tangible-loss 0 --intangible-loss 0
once bom set --book $BT --product 1 --material 1 --version 1 --net 0.38 --tangible-loss 4 --intangible-loss 1
once item mode --book $BO --seq 1 --mode ODM --from 2025-04-01
once item mode --book $BO --seq 1 --mode OBM --from 2025-10-01

# Monthly customs rates (CNY per unit) and the zone's general trade (USD).
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
  "$bzl" rates set --month 2025-$m --currency 502 --cny 7.1$m >/dev/null
  "$bzl" rates set --month 2025-$m --currency 300 --cny 7.8 >/dev/null
  "$bzl" trade record --month 2025-$m --currency 502 --exports 250000 --imports 200000 >/dev/null
done

d() { # d ENT BOOK KIND DIR DATE ID ITEM QTY UNIT VALUE CURRENCY
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"5015","date":"%s","lines":[{"item":%s,"qty":"%s","unit":"%s","value":"%s","currency":"%s"}]}' \
    "$6" "$1" "$2" "$3" "$4" "$5" "$7" "$8" "$9" "${10}" "${11}"
}
{
  echo "["
  sep=
  for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
    for x in \
      "$OIL $BO material in 2025-$m-05 OIL-25$m-IMP 1 34000 035 20400 502" \
      "$OIL $BO product out 2025-$m-20 OIL-25$m-EXP 1 13000 035 24700 502" \
      "$ELEC $BE material in 2025-$m-06 ELEC-25$m-IMP 1 13000 007 26000 502" \
      "$ELEC $BE product out 2025-$m-21 ELEC-25$m-EXP 1 3100 007 57000 300" \
      "$TEX $BT material in 2025-$m-07 TEX-25$m-IMP 1 7000 035 17500 502" \
      "$TEX $BT product out 2025-$m-22 TEX-25$m-EXP 1 16000 011 48000 502"; do
      # shellcheck disable=SC2086
      printf '%s%s\n' "$sep" "$(d $x)"
      sep=,
    done
  done
  echo "]"
} >"$tmp/zone.json"
"$bzl" submit "$tmp/zone.json" >/dev/null

st() { printf '{"book":"%s","date":"2025-12-31","lines":[%s]}\n' "$1" "$2" >"$tmp/st.json"; "$bzl" stocktake submit "$tmp/st.json" >/dev/null; }
st $BO '{"kind":"material","item":1,"qty":"17280"}'
st $BE '{"kind":"material","item":1,"qty":"6800"},{"kind":"product","item":1,"qty":"100"}'
st $BT '{"kind":"material","item":1,"qty":"7190"}'
