#!/usr/bin/env bash
# repair_scenario.sh — proves a bonded repair book (保税维修, issue 19; docs/LEDGER.md "Bonded
# repair") end to end through the bzl CLI: goods to repair come in from abroad (3 units) and
# from outside the zone (2 units) with repair materials; work orders are opened one unit each
# (a sixth beyond the units received is refused), completed as repaired or unrepairable with
# the materials they used and the old parts they gave (more parts than were replaced, and a
# completion of a work order that is not open, are refused with specific messages); the goods
# go back to their origins (a return to the wrong origin is refused, WRONG_ORIGIN); the parts
# of the foreign goods are re-exported (0864) and those of the outside goods gate-registered
# (0050), some destroyed (0400), while a domestic sale of parts (0844), a re-export of outside
# parts and a gate registration of foreign parts are refused; reconcile shows every account of
# next-wave.md C.3 per item and origin with the figures worked out below, all holding; the
# part left past the configured disposal period appears in `repair overdue` (due soon, then
# past due, by bzld.conf [zone]) and in the nightly report's exceptions; verify recomputes the
# repair accounts and work orders from the journal, and a repair row or a work order changed
# behind bzld's back is named by it;
# the audit trail names the work orders; 1371 and origin are refused on a general book.
#   usage: repair_scenario.sh BZLD BZL BZL_NIGHTLY BZL_TAMPER
set -uo pipefail
bzld=$1 bzl=$2 nightly=$3 tamper=$4
tmp=$(mktemp -d /tmp/bzl-repair-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock BZL=$bzl
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

# The zone's disposal period is 60 days, listed 10 days before its end (bzld.conf(5) [zone]).
cat >"$tmp/bzld.conf" <<EOF
[zone]
repair_disposal_days = 60
repair_warn_days = 10
EOF
start() {
  "$bzld" --foreground --config "$tmp/bzld.conf" --data "$tmp/data" --socket "$BZL_SOCKET" \
    2>>"$tmp/bzld.log" &
  pid=$!
  for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
}
stop() { kill "$pid" && wait "$pid" 2>/dev/null; pid=; }
start

E=6201230001 RB=H72012400009 GB=H72012400001
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $E --uscc 91620100MA71AB1C2F --name "Zone Repair Co."
run book open --book $RB --enterprise $E --usage repair
run book open --book $GB --enterprise $E
run item add --book $RB --kind product --seq 1 --hs 8537101190 --name "CNC controller" --unit 001
run item add --book $RB --kind material --seq 1 --hs 8538900000 --name "servo board" --unit 007
run item add --book $RB --kind material --seq 2 --hs 8414599099 --name "cooling fan" --unit 007
run item add --book $GB --kind material --seq 1 --hs 8538900000 --name "servo board" --unit 007

check "book show says repair and work-order" \
  bash -c "'$bzl' --json book show $RB | grep -q '\"usage\": \"repair\"' &&
           '$bzl' --json book show $RB | grep -q '\"verify\": \"work-order\"'"
"$bzl" book open --book H72012400008 --enterprise $E --usage repair --period-days 800 >"$tmp/out" 2>&1
check "a repair book's period beyond 730 days is refused" grep -q "at most 730 days" "$tmp/out"
"$bzl" book open --book C72012400008 --enterprise $E --usage repair >"$tmp/out" 2>&1
check "a repair book that is not an H-book is refused" grep -q "a repair book is a zone H-book" "$tmp/out"

# decl ID BOOK KIND DIR MODE DATE ORIGIN ITEM QTY UNIT: one one-line declaration file.
decl() {
  local origin=""
  [ -n "$7" ] && origin=",\"origin\":\"$7\""
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"%s","date":"%s"%s,"lines":[{"item":%s,"qty":"%s","unit":"%s","value":"100","currency":"502"}]}\n' \
    "$1" "$E" "$2" "$3" "$4" "$5" "$6" "$origin" "$8" "$9" "${10}" >"$tmp/$1.json"
}
ok() { decl "$@"; "$bzl" submit "$tmp/$1.json" >"$tmp/out" 2>&1 || { echo "submit $1 refused: $(cat "$tmp/out")" >&2; exit 1; }; }
# refused ID STATUS TEXT DECL-ARGS...: the declaration is refused with STATUS and TEXT.
refused() {
  local id=$1 status=$2 text=$3; shift 3
  decl "$id" "$@"
  "$bzl" submit "$tmp/$id.json" >"$tmp/out" 2>&1
  local rc=$?
  check "$id refused ($status)" bash -c "[ $rc -eq 1 ] && grep -q '$status' '$tmp/out' && grep -q -- '$text' '$tmp/out'"
}

# Receipts: 3 units from abroad, 2 from outside the zone, and repair materials (servo board 10,
# cooling fan 20).
ok RA $RB product in 1371 2026-01-05 abroad 1 3 001
ok RO $RB product in 1371 2026-01-06 outside 1 2 001
ok MA1 $RB material in 1371 2026-01-06 abroad 1 10 007
ok MA2 $RB material in 1371 2026-01-06 abroad 2 20 007
refused G1 FLOW_NOT_ALLOWED "for repair books" $GB material in 1371 2026-01-06 "" 1 1 007
refused G2 INVALID_ARGUMENT "only for declarations on a repair book" $GB material in 5015 2026-01-06 abroad 1 1 007
refused R0 INVALID_ARGUMENT "needs origin abroad or outside" $RB product in 1371 2026-01-06 "" 1 1 001
decl RP $RB product in 1371 2026-01-06 abroad 1 1 001
sed -i 's/"lines"/"pending":true,"lines"/' "$tmp/RP.json"
"$bzl" submit "$tmp/RP.json" >"$tmp/out" 2>&1
check "a pending declaration on a repair book is refused" \
  bash -c "grep -q FLOW_NOT_ALLOWED '$tmp/out' && grep -q 'posted at once' '$tmp/out'"

# Work orders: one unit each; the abroad units are 3, so a fourth abroad work order is refused.
wo() { "$bzl" --json workorder open --book $RB --item 1 --origin "$1" --date "$2" >"$tmp/wo" 2>&1; }
wo abroad 2026-01-10 && wo abroad 2026-01-10 && wo outside 2026-01-10 && wo outside 2026-01-10 &&
  wo abroad 2026-01-11
check "five work orders open, numbered 1..5" \
  bash -c "'$bzl' workorder list --book $RB --csv | tail -n +2 | cut -d, -f2,4,5 | paste -sd' ' |
           grep -qx '1,abroad,open 2,abroad,open 3,outside,open 4,outside,open 5,abroad,open'"
"$bzl" workorder open --book $RB --item 1 --origin abroad --date 2026-01-11 >"$tmp/out" 2>&1
check "a work order without a unit awaiting repair is refused" \
  bash -c "grep -q INSUFFICIENT_BALANCE '$tmp/out' && grep -q 'no unit of item 1 from abroad is awaiting repair' '$tmp/out'"
"$bzl" workorder open --book $GB --item 1 --origin abroad --date 2026-01-11 >"$tmp/out" 2>&1
check "a work order on a general book is refused" grep -q "is not a repair book" "$tmp/out"

done_wo() { "$bzl" workorder complete --book $RB "$@" >"$tmp/out" 2>&1 || { echo "complete $*: $(cat "$tmp/out")" >&2; exit 1; }; }
done_wo --workorder 1 --repaired --date 2026-01-12 --materials 1=1,2=2 --parts 1=1 --parts 2=2
done_wo --workorder 2 --repaired --date 2026-01-12 --materials 1=1 --parts 1=1
done_wo --workorder 3 --repaired --date 2026-01-13 --materials 2=1 --parts 2=1
done_wo --workorder 4 --unrepairable --date 2026-01-13 --materials 2=1 --parts 2=1
"$bzl" workorder complete --book $RB --workorder 5 --repaired --date 2026-01-14 \
  --materials 1=1 --parts 1=2 >"$tmp/out" 2>&1
check "more parts than were replaced is refused" grep -q "more old parts of item 1 than were replaced" "$tmp/out"
"$bzl" workorder complete --book $RB --workorder 5 --repaired --date 2026-01-14 \
  --materials 1=11 >"$tmp/out" 2>&1
check "materials beyond those on hand are refused" \
  bash -c "grep -q INSUFFICIENT_BALANCE '$tmp/out' && grep -q 'repair material 1 on hand is less' '$tmp/out'"
"$bzl" workorder complete --book $RB --workorder 1 --repaired --date 2026-01-14 >"$tmp/out" 2>&1
check "completing a completed work order is refused" \
  bash -c "grep -q STATE_CONFLICT '$tmp/out' && grep -q 'work order 1 of book $RB is not open: it was completed as repaired on 2026-01-12' '$tmp/out'"
"$bzl" workorder complete --book $RB --workorder 99 --unrepairable --date 2026-01-14 >"$tmp/out" 2>&1
check "completing a work order never opened is refused" \
  grep -q "has no work order 99: a completion needs an open work order" "$tmp/out"
check "workorder show prints the lines of work order 1" \
  bash -c "'$bzl' workorder show --book $RB --workorder 1 --csv | tail -1 |
           grep -qx '$RB,1,1,abroad,repaired,2026-01-10,2026-01-12,1=1 2=2,1=1 2=2'"

# Returns: outside's repaired and unrepairable units go back outside (2); a third return outside
# would take units that came from abroad: refused. Then abroad's 2 repaired go back abroad.
ok X1 $RB product out 1371 2026-01-20 outside 1 2 001
refused X2 WRONG_ORIGIN "those on hand came from abroad" $RB product out 1371 2026-01-20 outside 1 1 001
ok X3 $RB product out 1371 2026-01-20 abroad 1 2 001
refused X4 INSUFFICIENT_BALANCE "fewer repaired or unrepairable goods from abroad" $RB product out 1371 2026-01-20 abroad 1 1 001

# Parts: abroad's servo boards (2) re-exported; outside's fans: 1 gate-registered, 1 destroyed;
# abroad's fans (2): 1 destroyed, 1 left. Domestic sale and the wrong disposal per origin refused.
ok P1 $RB material out 0864 2026-01-21 abroad 1 2 007
refused P2 FLOW_NOT_ALLOWED "never sold domestically" $RB material out 0844 2026-01-21 abroad 2 1 007
refused P3 FLOW_NOT_ALLOWED "never sold domestically" $RB material out 5200 2026-01-21 outside 2 1 007
ok P4 $RB material out 0050 2026-01-21 outside 2 1 007
ok P5 $RB material out 0400 2026-01-21 outside 2 1 007
ok P6 $RB material out 0400 2026-01-22 abroad 2 1 007
refused P7 WRONG_ORIGIN "are not re-exported" $RB material out 0864 2026-01-22 outside 2 1 007
refused P8 WRONG_ORIGIN "may be gate-registered" $RB material out 0050 2026-01-22 abroad 2 1 007
refused P9 WRONG_ORIGIN "those on hand came from abroad" $RB material out 0400 2026-01-22 outside 2 1 007
refused P10 INSUFFICIENT_BALANCE "fewer old and broken parts from abroad" $RB material out 0400 2026-01-22 abroad 2 2 007

# reconcile: by hand — servo board: 10 in, consumed 1 + 1 = 2, on hand 8; fan: 20 in, consumed
# 2 + 1 + 1 = 4, on hand 16. Parts: servo abroad 1 + 1 = 2 generated, 2 re-exported, 0; fan
# abroad 2 generated, 1 destroyed, 1; fan outside 1 + 1 = 2, 1 gated + 1 destroyed, 0.
# Goods: abroad received 3, completed 2 repaired, awaiting 1 (work order 5 open), repaired
# 2 - 2 returned = 0; outside received 2, 1 repaired + 1 unrepairable, both returned; in the
# zone 5 - 4 = 1 = the book balance.
"$bzl" reconcile --book $RB --period 2026-01 --csv >"$tmp/recon.csv"
row() { grep -q "^$RB,$1\$" "$tmp/recon.csv" || { echo "  missing: $1" >&2; return 1; }; }
check "reconcile: repair materials" \
  bash -c "$(declare -f row); RB=$RB tmp=$tmp
           row 'material,1,,repair materials,10,2,8,yes,.*' && row 'material,2,,repair materials,20,4,16,yes,.*'"
check "reconcile: old parts per origin" \
  bash -c "$(declare -f row); RB=$RB tmp=$tmp
           row 'material,1,abroad,old parts,2,2,0,yes,.*' && row 'material,2,abroad,old parts,2,1,1,yes,.*' &&
           row 'material,2,outside,old parts,2,2,0,yes,.*'"
check "reconcile: goods per origin" \
  bash -c "$(declare -f row); RB=$RB tmp=$tmp
           row 'product,1,abroad,awaiting repair,3,2,1,yes,.*1.00000 under work orders' &&
           row 'product,1,abroad,repaired,2,2,0,yes,.*' && row 'product,1,abroad,unrepairable,0,0,0,yes,.*' &&
           row 'product,1,outside,awaiting repair,2,2,0,yes,.*' && row 'product,1,outside,repaired,1,1,0,yes,.*' &&
           row 'product,1,outside,unrepairable,1,1,0,yes,.*' && row 'product,1,,goods in the zone,0,0,1,yes,.*'"
check "reconcile: every account holds" \
  bash -c "[ \$(tail -n +2 '$tmp/recon.csv' | grep -c ',NO,') -eq 0 ] && [ \$(tail -n +2 '$tmp/recon.csv' | wc -l) -eq 12 ]"
"$bzl" reconcile --book $RB --period 2026-01 >"$tmp/recon.txt"
check "reconcile's table says 0 accounts not holding" grep -q "0 accounts not holding" "$tmp/recon.txt"

# Overdue: abroad's fans came out of work order 1 on 2026-01-12 (2), one destroyed (FIFO from
# that oldest lot): 1 left, due 2026-01-12 + 60 = 2026-03-13; listed from 10 days before.
"$bzl" repair overdue --as-of 2026-03-02 --csv >"$tmp/od1"
check "nothing listed 11 days before the limit" test "$(tail -n +2 "$tmp/od1" | wc -l)" -eq 0
"$bzl" repair overdue --as-of 2026-03-03 --csv >"$tmp/od2"
check "due soon 10 days before the limit" \
  grep -qx "$RB,2,abroad,1,2026-01-12,2,1,2026-03-13,due soon" "$tmp/od2"
"$bzl" repair overdue --book $RB --as-of 2026-03-14 --csv >"$tmp/od3"
check "past due the day after the limit, and the only lot listed" \
  bash -c "grep -qx '$RB,2,abroad,1,2026-01-12,2,1,2026-03-13,past due' '$tmp/od3' && [ \$(tail -n +2 '$tmp/od3' | wc -l) -eq 1 ]"
"$bzl" repair overdue --book $GB >"$tmp/out" 2>&1
check "overdue of a general book is refused" grep -q "is not a repair book" "$tmp/out"

# The nightly report (today, long after the limit) lists the part among its exceptions.
"$nightly" --out "$tmp/night" --period 2026-01 >"$tmp/night.log" 2>&1
check "nightly: repair-overdue.csv and an exception row for the part" \
  bash -c "grep -q '^$RB,2,abroad,1,2026-01-12,2,1,2026-03-13,past due' '$tmp/night/latest/repair-overdue.csv' &&
           grep -q '^repair_overdue,$E,.*,$RB,2,.*past due' '$tmp/night/latest/exceptions.csv'"

# verify recomputes the repair accounts; the audit trail says what the work orders did.
check "verify agrees" bash -c "'$bzl' verify | grep -q '^OK'"
"$bzl" audit --action workorder_complete >"$tmp/audit"
check "audit names the completions" \
  grep -q "work order 4 of $RB completed unrepairable 2026-01-13: 1 material line, 1 part line" "$tmp/audit"
check "a repair-book declaration is not reversed" \
  bash -c "'$bzl' reverse --enterprise $E X3 --reason test 2>&1 | grep -q 'correct it with a new declaration'"

# A repair row changed behind bzld's back (bzld stopped): verify names the table and row.
stop
"$tamper" "$tmp/data" add repair 0 100000 >/dev/null
start
"$bzl" verify >"$tmp/verify" 2>&1
check "verify names a tampered repair row" \
  bash -c "grep -q BROKEN '$tmp/verify' && grep -q 'repair $RB' '$tmp/verify'"
# Put it back; then change work order 1's item behind bzld's back: verify names the work orders.
stop
"$tamper" "$tmp/data" add repair 0 -100000 >/dev/null
start
check "verify agrees again once the row is put back" bash -c "'$bzl' verify | grep -q '^OK'"
stop
"$tamper" "$tmp/data" add workorder 0 1 >/dev/null
start
"$bzl" verify >"$tmp/verify" 2>&1
check "verify names a tampered work order" \
  bash -c "grep -q BROKEN '$tmp/verify' && grep -q 'workorder' '$tmp/verify'"

scenario_end repair_scenario
