#!/usr/bin/env bash
# ledger_scenario.sh — proves the bonded ledger end to end through the bzl CLI: one zone
# enterprise (H-book, unit-consumption) with two materials, two products and a versioned BOM;
# import, export by a named BOM version and by the version in force, a deep-processing transfer
# to a second enterprise (matched), material domestic sale, re-export, destruction, return out
# and in, scrap sale within and beyond the tangible-loss allowance, a pending declaration posted
# and another voided, a reversal, a resubmission, an id reused with other content, a declaration
# in a closed period, a trade mode the book type does not allow and an outflow beyond what is
# available. Every final balance equals the hand computation in the comments, every rejection
# leaves balances and journal exactly as they were, and the transcript of final figures equals
# tests/daemon/e2e/ledger_scenario.expected.
#   usage: ledger_scenario.sh BZLD BZL SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 src=$3
tmp=$(mktemp -d /tmp/bzl-ledger-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

A=6201230001 B=6201230002 BA=H72012400001 BB=H72012400002
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $A --uscc 91620100MA71AB1C2F --name "Zone Widget Co." --area "core bonded zone"
run enterprise add --id $B --uscc 91350100M000100Y43 --name "Zone Assembly Co."
run book open --book $BA --enterprise $A
run book open --book $BB --enterprise $B
run item add --book $BA --kind material --seq 1 --hs 7208510000 --name "steel sheet" --unit 035
run item add --book $BA --kind material --seq 2 --hs 3926909090 --name "plastic part" --unit 007
run item add --book $BA --kind product --seq 1 --hs 8479899990 --name "widget" --unit 001 --mode OEM
run item add --book $BA --kind product --seq 2 --hs 8479899990 --name "gadget" --unit 001 --mode OEM
run item add --book $BB --kind material --seq 1 --hs 8479899990 --name "gadget" --unit 001
# BOM. product 1 v1: material 1 净耗 0.95 with 5% tangible loss → 单耗 1.000000000;
# material 2 净耗 2 → 2. product 1 v2 (from 2026-03-15): material 1 净耗 2.5, 3% + 1% →
# 2.604166667; material 2 净耗 2. product 2 v1: material 1 净耗 0.5, bonded share 0.8 →
# u = 0.4; material 2 净耗 1.
run bom set --book $BA --product 1 --material 1 --version v1 --net 0.95 --tangible-loss 5 --intangible-loss 0
run bom set --book $BA --product 1 --material 2 --version v1 --net 2 --tangible-loss 0 --intangible-loss 0
run bom set --book $BA --product 1 --material 1 --version v2 --net 2.5 --tangible-loss 3 --intangible-loss 1 --from 2026-03-15
run bom set --book $BA --product 1 --material 2 --version v2 --net 2 --tangible-loss 0 --intangible-loss 0 --from 2026-03-15
run bom set --book $BA --product 2 --material 1 --version v1 --net 0.5 --tangible-loss 0 --intangible-loss 0 --bonded-share 0.8
run bom set --book $BA --product 2 --material 2 --version v1 --net 1 --tangible-loss 0 --intangible-loss 0
ucns=$("$bzl" --json bom list --book $BA --product 1 | tr -d ' \n')
check "v2 unit consumption is 2.604166667" grep -q '"unit_consumption":"2.604166667","from":"2026-03-15"' <<<"$ucns"
check "v1 unit consumption is 1.000000000" grep -q '"unit_consumption":"1.000000000"' <<<"$ucns"

# decl FILE ID ENT BOOK KIND DIR MODE DATE LINES [EXTRA-JSON]
decl() {
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"%s","direction":"%s","trade_mode":"%s","date":"%s","lines":[%s]%s}\n' \
    "$2" "$3" "$4" "$5" "$6" "$7" "$8" "$9" "${10:-}" >"$tmp/$1.json"
}
line() { printf '{"item":%s,"qty":"%s","unit":"%s","value":"%s","currency":"502"%s}' "$1" "$2" "$3" "$4" "${5:-}"; }
submit() { "$bzl" submit "$tmp/$1.json" >"$tmp/out" 2>"$tmp/err"; }
accepted() { submit "$1" && grep -q "$2" "$tmp/out"; }
qty() { "$bzl" --json balance --book "$1" --kind "$2" --item "$3" | sed -n 's/.*"qty": *"\([^"]*\)".*/\1/p'; }
field() { "$bzl" --json balance --book "$1" --kind "$2" --item "$3" | sed -n "s/.*\"$4\": *\"\\([^\"]*\\)\".*/\\1/p"; }
state() { "$bzl" --json balance --book $BA; "$bzl" --json balance --book $BB; "$bzl" --json scrap --book $BA;
          "$bzl" --json stats | grep -o '"journal_entries": *[0-9]*'; }
# refused NAME STATUS FILE: the declaration is refused with STATUS and changes nothing.
refused() {
  local before after rc
  before=$(state)
  submit "$3"; rc=$?
  after=$(state)
  check "$1 exits 1" test "$rc" -eq 1
  check "$1 is $2" grep -q "$2" "$tmp/err"
  check "$1 leaves balances and journal as they were" test "$before" = "$after"
}

# 1. import: material 1 10000 kg (value 50000), material 2 5000 pieces (value 2500).
decl imp1 A-IMP-1 $A $BA material in 5015 2026-03-02 "$(line 1 10000 035 50000),$(line 2 5000 007 2500)"
check "import accepted" accepted imp1 A-IMP-1
imp1_seq=$(awk '/A-IMP-1/ {for (i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) {print $i; exit}}' "$tmp/out")
# 2. export 1000 widgets by v1: material 1 −1000 (tangible loss 1000 × 1 × 5% = 50 scrap
#    allowance), material 2 −2000.
decl exp1 A-EXP-1 $A $BA product out 5015 2026-03-05 "$(line 1 1000 001 30000 ',"bom_version":"v1"')"
check "export by v1 accepted" accepted exp1 A-EXP-1
check "export by v1 consumed 1000 of material 1" test "$(qty $BA material 1)" = "9000"
# 3. export 100 widgets on 03-20, no version: v2 is in force. material 1 −round5(100 ×
#    2.604166667) = −260.41667, tangible round5(100 × 2.604166667 × 3/100) = 7.8125;
#    material 2 −200.
decl exp2 A-EXP-2 $A $BA product out 5015 2026-03-20 "$(line 1 100 001 3000)"
check "export by the version in force accepted" accepted exp2 A-EXP-2
check "v2 consumption is 260.41667" test "$(qty $BA material 1)" = "8739.58333"
# 4. deep-processing transfer of 500 gadgets to enterprise B (0654): material 1 −500 × 0.4 =
#    −200, material 2 −500; B's material in, naming A's declaration, filed first (the export
#    naming it is checked against it, next-wave.md D.2).
decl dpb B-DP-1 $B $BB material in 0654 2026-03-10 "$(line 1 500 001 9000)" ',"related_book":"H72012400001","related_id":"A-DP-1"'
check "transfer in accepted" accepted dpb B-DP-1
decl dp1 A-DP-1 $A $BA product out 0654 2026-03-10 "$(line 2 500 001 9000)" ',"related_book":"H72012400002","related_id":"B-DP-1"'
check "transfer out accepted" accepted dp1 A-DP-1
decl dpx B-DP-2 $B $BB material in 0654 2026-03-11 "$(line 1 10 001 180)" ',"related_book":"H72012400001","related_id":"A-DP-9"'
check "unpaired transfer in accepted" accepted dpx B-DP-2
um=$("$bzl" transfers unmatched)
check "matched transfer not listed" bash -c "! grep -q 'A-DP-1\|B-DP-1' <<<\"\$1\"" _ "$um"
check "unpaired transfer listed" grep -q "B-DP-2.*no counterpart" <<<"$um"
# 5. material domestic sale (zone second-line exit 5000): material 2 −100.
decl ds1 A-DS-1 $A $BA material out 5000 2026-03-11 "$(line 2 100 007 50)"
check "domestic sale accepted" accepted ds1 A-DS-1
# 6. re-export (0664): material 1 −100.   7. destruction (0200): material 2 −50.
decl rx1 A-RX-1 $A $BA material out 0664 2026-03-12 "$(line 1 100 035 500)"
check "re-export accepted" accepted rx1 A-RX-1
decl dst1 A-DST-1 $A $BA material out 0200 2026-03-13 "$(line 2 50 007 25)"
check "destruction accepted" accepted dst1 A-DST-1
# 8. return out and in (0700): material 1 −30 then +30.
decl reto A-RET-O $A $BA material out 0700 2026-03-14 "$(line 1 30 035 150)"
check "return out accepted" accepted reto A-RET-O
decl reti A-RET-I $A $BA material in 0700 2026-03-16 "$(line 1 30 035 150)"
check "return in accepted" accepted reti A-RET-I
# 9. scrap sale (5200 区内边角调出) of 40 kg of material 1: allowance 50 + 7.8125 = 57.8125,
#    17.8125 remains; the material balance does not move. A second sale of 20 exceeds it.
before=$(qty $BA material 1)
decl scr1 A-SCR-1 $A $BA material out 5200 2026-03-21 "$(line 1 40 035 80)"
check "scrap sale within the allowance accepted" accepted scr1 A-SCR-1
check "scrap sale leaves the material balance" test "$(qty $BA material 1)" = "$before"
decl scr2 A-SCR-2 $A $BA material out 5200 2026-03-22 "$(line 1 20 035 40)"
refused "scrap sale beyond the allowance" SCRAP_ALLOWANCE_EXCEEDED scr2
check "scrap refusal names what remains" grep -q "17.8125" "$tmp/err"
# 10. pending import of 1000 pieces of material 2, then posted.
decl imp2 A-IMP-2 $A $BA material in 5015 2026-03-23 "$(line 2 1000 007 500)" ',"pending":true'
check "pending import accepted" accepted imp2 A-IMP-2
check "pending import reserves pending in" test "$(field $BA material 2 pending_in)" = "1000"
check "post accepted" "$bzl" post --enterprise $A A-IMP-2 >/dev/null
check "post moved pending into posted" test "$(field $BA material 2 pending_in)" = "0"
#     pending export of 100 gadgets (v1): material 1 pending out 40, material 2 100; voided.
decl exp3 A-EXP-3 $A $BA product out 5015 2026-03-24 "$(line 2 100 001 1800)" ',"pending":true'
check "pending export accepted" accepted exp3 A-EXP-3
check "pending export reserves material 1" test "$(field $BA material 1 pending_out)" = "40"
check "void accepted" "$bzl" void --enterprise $A A-EXP-3 >/dev/null
check "void released the reservation" test "$(field $BA material 1 pending_out)" = "0"
check "a voided declaration cannot be posted" bash -c "! '$bzl' post --enterprise $A A-EXP-3 2>&1 | grep -q OK"
# 11. reversal of the domestic sale: material 2 +100, referencing the original.
check "reversal accepted" "$bzl" reverse --enterprise $A A-DS-1 --reason "sold in error" >/dev/null
check "reversing twice is STATE_CONFLICT" bash -c "'$bzl' reverse --enterprise $A A-DS-1 --reason again 2>&1 | grep -q STATE_CONFLICT"
check "declaration show says reversed" bash -c "'$bzl' declaration show --enterprise $A A-DS-1 | grep -q 'reversed'"
# 12. resubmission of A-IMP-1: the same sequence, nothing posted.
submit imp1
check "resubmission replays the same sequence" grep -q "A-IMP-1.*$imp1_seq.*replayed" "$tmp/out"
# 13. the same id with other content.
decl imp1b A-IMP-1 $A $BA material in 5015 2026-03-02 "$(line 1 10001 035 50000),$(line 2 5000 007 2500)"
refused "id reused with other content" ID_REUSED imp1b
# 14. a declaration dated in a closed period.
check "period close accepted" "$bzl" period close --book $BA --through 2026-02-28 >/dev/null
decl old1 A-OLD-1 $A $BA material in 5015 2026-02-20 "$(line 1 1 035 5)"
refused "declaration in a closed period" PERIOD_CLOSED old1
# 15. a trade mode the H-book does not allow (0615 is for C and E books).
decl bad1 A-BAD-1 $A $BA material in 0615 2026-03-25 "$(line 1 1 035 5)"
refused "trade mode not allowed on an H-book" FLOW_NOT_ALLOWED bad1
# 16. an outflow beyond what is available: material 2 has 3250 (below).
decl big1 A-BIG-1 $A $BA material out 0664 2026-03-26 "$(line 2 999999 007 1)"
refused "outflow beyond available" INSUFFICIENT_BALANCE big1
check "refusal names the available 3250" grep -q "3250 available" "$tmp/err"

# Final balances, by hand:
#   A material 1: 10000 − 1000 − 260.41667 − 200 − 100 − 30 + 30 = 8439.58333
#   A material 2: 5000 − 2000 − 200 − 500 − 100 − 50 + 1000 + 100 = 3250
#   A products: not stocked on a unit-consumption book = 0
#   B material 1: 500 + 10 = 510
#   scrap allowance of A material 1: generated 57.8125, used 40, remaining 17.8125
# Values (declared on direct lines; consumption by norm moves value at average cost):
#   A material 2: 2500 − 1000 − 100 (1500×200/3000) − 250
#                 (1400×500/2800) − 50 − 25 + 500 + 50 = 1625
#   A material 1: 50000 − 5000 − 1302.08335 (45000×260.41667/9000) − 1000 (43697.91665×200/
#                 8739.58333) − 500 − 150 + 150 = 42197.91665
#   B material 1: 9000 + 180 = 9180
check "A material 1 final" test "$(qty $BA material 1)" = "8439.58333"
check "A material 2 final" test "$(qty $BA material 2)" = "3250"
check "A product 1 final" test "$(qty $BA product 1)" = "0"
check "B material 1 final" test "$(qty $BB material 1)" = "510"
{
  "$bzl" balance --book $BA
  "$bzl" balance --book $BB
  "$bzl" scrap --book $BA
  "$bzl" history --book $BA --kind material --item 2
} >"$tmp/transcript"
check "transcript equals the expected output" diff -u "$src/tests/daemon/e2e/ledger_scenario.expected" "$tmp/transcript"
# The stats name request kinds as the request table does (logs, audit and access rules use the
# same words): a post is "post", never the proto field's name post_declaration.
"$bzl" stats >"$tmp/stats.txt"
check "stats count the posts under the table's name" grep -q '^requests\[post OK\] ' "$tmp/stats.txt"
check "stats never use the proto field's name" \
  bash -c "! grep -Eq '^requests\[(post|void|reverse|reject)_declaration ' '$tmp/stats.txt'"
[ -n "${BZL_SCENARIO_TRANSCRIPT:-}" ] && cp "$tmp/transcript" "$BZL_SCENARIO_TRANSCRIPT"

kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0 on SIGTERM" test "$rc" -eq 0
scenario_end ledger_scenario
