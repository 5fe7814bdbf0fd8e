#!/usr/bin/env bash
# transfer_scenario.sh — proves a deep-processing transfer (深加工结转, issue 19; docs/LEDGER.md
# "Transfers") between two enterprises through the bzl CLI: both sides record three delivery
# batches and one return in their delivery registers (a return beyond what was delivered is
# refused); the receiving side files its imports first; an export naming a missing import, or
# one that differs in quantity, trade mode or HS code, or a pending import, is refused with
# TRANSFER_MISMATCH naming the field; the matching exports are accepted; `transfers report`
# shows delivered-not-declared and declared-not-delivered per side and item with the figures
# worked out below, ages undeclared deliveries first in first out and flags the one past 90
# days (not the day before), filters by counterpart; verify recomputes the delivery register
# from the journal and names a record changed behind bzld's back; the audit trail names each
# record.
#   usage: transfer_scenario.sh BZLD BZL BZL_TAMPER
set -uo pipefail
bzld=$1 bzl=$2 tamper=$3
tmp=$(mktemp -d /tmp/bzl-transfer-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

start() {
  "$bzld" --foreground --data "$tmp/data" --socket "$BZL_SOCKET" 2>>"$tmp/bzld.log" &
  pid=$!
  for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
}
stop() { kill "$pid" && wait "$pid" 2>/dev/null; pid=; }
start

S=6201230001 R=6201230002 SB=H72012400011 RB=H72012400012
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $S --uscc 91620100MA71AB1C2F --name "Zone Wafer Co."
run enterprise add --id $R --uscc 91350100M000100Y43 --name "Zone Module Co."
run book open --book $SB --enterprise $S
run book open --book $RB --enterprise $R
run item add --book $SB --kind material --seq 1 --hs 8542319000 --name "wafer" --unit 007
run item add --book $SB --kind product --seq 1 --hs 8542319000 --name "chip" --unit 007
run item add --book $SB --kind product --seq 2 --hs 8542399000 --name "module" --unit 007
run item add --book $RB --kind material --seq 1 --hs 8542319000 --name "chip" --unit 007
run item add --book $RB --kind material --seq 2 --hs 8542399000 --name "module" --unit 007
run item add --book $RB --kind material --seq 3 --hs 8541100000 --name "diode" --unit 007
run bom set --book $SB --product 1 --material 1 --version V1 --net 1 --tangible-loss 0 --intangible-loss 0
run bom set --book $SB --product 2 --material 1 --version V1 --net 2 --tangible-loss 0 --intangible-loss 0

# decl ID ENT BOOK KIND DIR MODE DATE EXTRA QTY ITEM: a one-line declaration file.
decl() {
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"%s","date":"%s"%s,"lines":[{"item":%s,"qty":"%s","unit":"007","value":"100","currency":"502"}]}\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "${10}" "$9" >"$tmp/$1.json"
}
ok() { decl "$@"; "$bzl" submit "$tmp/$1.json" >"$tmp/out" 2>&1 || { echo "submit $1 refused: $(cat "$tmp/out")" >&2; exit 1; }; }
refused() { # refused ID FIELD TEXT DECL-ARGS...
  local id=$1 field=$2 text=$3; shift 3
  decl "$id" "$@"
  "$bzl" --json submit "$tmp/$id.json" >"$tmp/out" 2>&1
  local rc=$?
  says() { [ "$rc" -eq 1 ] && grep -q TRANSFER_MISMATCH "$tmp/out" &&
    grep -q "\"field\": \"$field\"" "$tmp/out" && grep -qF -- "$text" "$tmp/out"; }
  check "$id refused: TRANSFER_MISMATCH on $field" says || cat "$tmp/out" >&2
}
to() { printf ',"related_book":"%s","related_id":"%s"' "$1" "$2"; }

ok I0 $S $SB material in 5015 2026-01-01 "" 1000 1

# Deliveries of chips (S's product 1 = R's material 1), both registers: 100 on 01-05, 02-05 and
# 03-05, 30 returned on 03-10.
deliver() { # deliver DATE QTY [--return]
  run delivery record --book $SB --counterpart-book $RB --kind product --item 1 --qty "$2" --date "$1" ${3:-}
  run delivery record --book $RB --counterpart-book $SB --kind material --item 1 --qty "$2" --date "$1" ${3:-}
}
deliver 2026-01-05 100 && deliver 2026-02-05 100 && deliver 2026-03-05 100 && deliver 2026-03-10 30 --return
"$bzl" delivery record --book $SB --counterpart-book $RB --kind product --item 1 --qty 271 \
  --date 2026-03-11 --return >"$tmp/out" 2>&1
check "a return beyond the 270 delivered is refused" \
  bash -c "grep -q INSUFFICIENT_BALANCE '$tmp/out' && grep -q 'a return of more of item 1 than was delivered' '$tmp/out'"

# Exports naming imports: the import is filed first.
refused X0 related_id "has no import IMP1: the receiving side's import is filed first" \
  $S $SB product out 0654 2026-02-11 "$(to $RB IMP1)" 150 1
ok IMP1 $R $RB material in 0654 2026-02-10 "$(printf ',"related_book":"%s"' $SB)" 150 1
ok IMP2 $R $RB material in 0654 2026-03-01 "$(printf ',"related_book":"%s"' $SB)" 40 2
ok IMP3 $R $RB material in 0654 2026-03-01 "$(printf ',"related_book":"%s"' $SB)" 5 3
decl IMP4 $R $RB material in 0654 2026-03-01 ',"pending":true' 5 1
run submit "$tmp/IMP4.json"
refused X1 qty "quantity 140 differs from the import's 150" $S $SB product out 0654 2026-02-11 "$(to $RB IMP1)" 140 1
refused X2 trade_mode "trade mode 0255 differs from the import's 0654" $S $SB product out 0255 2026-02-11 "$(to $RB IMP1)" 150 1
refused X3 hs "HS code 8542319000 differs from the import's 8541100000" $S $SB product out 0654 2026-03-02 "$(to $RB IMP3)" 5 1
refused X4 related_id "is not approved (posted)" $S $SB product out 0654 2026-03-02 "$(to $RB IMP4)" 5 1
ok XA $S $SB product out 0654 2026-02-11 "$(to $RB IMP1)" 150 1
ok XB $S $SB product out 0654 2026-03-02 "$(to $RB IMP2)" 40 2

# The report by hand, as of 2026-05-07: chips delivered 100 + 100 + 100 - 30 = 270 (the
# return takes back from the 03-05 batch: 70 left of it), declared 150, so 120 delivered not
# declared; FIFO: 150 covers 01-05's 100 and 50 of 02-05's, leaving 50 of 02-05 (91 days old:
# over the 90 days) and 70 of 03-05 (63 days). Modules: 40 declared, none delivered. Diodes
# (R only): 5 declared by IMP3, none delivered. IMP4 is pending: not counted.
"$bzl" transfers report --as-of 2026-05-07 --csv >"$tmp/rep"
check "transfers report: every row as worked out" diff - "$tmp/rep" <<EOF
book,counterpart,kind,item,delivered,declared,delivered_not_declared,declared_not_delivered,oldest_undeclared,age_days,over_limit,flag
$SB,$RB,product,1,270,150,120,0,2026-02-05,91,50,over limit
$SB,$RB,product,2,0,40,0,40,,,0,
$RB,$SB,material,1,270,150,120,0,2026-02-05,91,50,over limit
$RB,$SB,material,2,0,40,0,40,,,0,
$RB,$SB,material,3,0,5,0,5,,,0,
EOF
"$bzl" transfers report --as-of 2026-05-06 --counterpart $RB --csv >"$tmp/rep2"
check "on the 90th day nothing is over the limit; --counterpart keeps the sending side" diff - "$tmp/rep2" <<EOF
book,counterpart,kind,item,delivered,declared,delivered_not_declared,declared_not_delivered,oldest_undeclared,age_days,over_limit,flag
$SB,$RB,product,1,270,150,120,0,2026-02-05,90,0,
$SB,$RB,product,2,0,40,0,40,,,0,
EOF
"$bzl" transfers report --as-of 2026-03-07 --counterpart $RB --csv >"$tmp/rep3"
check "as of a date before the return and before XB: what was recorded by then" \
  grep -qx "$SB,$RB,product,1,300,150,150,0,2026-02-05,30,0," "$tmp/rep3"

check "transfers unmatched still answers" "$bzl" transfers unmatched
check "verify recomputes the delivery register" bash -c "'$bzl' verify | grep -q '^OK'"
"$bzl" audit --action delivery >"$tmp/audit"
check "audit names deliveries and returns" \
  bash -c "grep -q 'delivery $SB product 1 to $RB: 100 on 2026-01-05' '$tmp/audit' &&
           grep -q 'return $RB material 1 from $SB: 30 on 2026-03-10' '$tmp/audit'"

stop
"$tamper" "$tmp/data" add delivery 0 100000 >/dev/null
start
"$bzl" verify >"$tmp/verify" 2>&1
check "verify names a tampered delivery record" \
  bash -c "grep -q BROKEN '$tmp/verify' && grep -q 'delivery' '$tmp/verify'"

scenario_end transfer_scenario
