#!/usr/bin/env bash
# upgrade_scenario.sh — proves bzld --upgrade converts a ledger written by the previous schema
# (tests/fixtures/schema2: the demo ledger with posted, voided and reversed declarations, made
# by bzld at ba43bc2, see make.sh there) without changing an answer: bzld refuses the old
# ledger and names the command; --upgrade converts it and says how many rows; a second
# --upgrade has nothing to do; the upgraded ledger passes bzl verify with the same journal head,
# and its balances and item histories (running balances included) equal, byte for byte, what
# the old bzld answered;
# a declaration submitted afterwards extends the item's history. It also refuses to upgrade
# a ledger that a running bzld serves. Then a schema-3 ledger (tests/fixtures/schema3) gains
# its loss totals: verification's loss columns equal the hand-worked figures below. (check_storage
# covers resuming an interrupted upgrade and refusing a version it does not convert.)
#   usage: upgrade_scenario.sh BZLD BZL SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 src=$3
fix=$src/tests/fixtures/schema2
tmp=$(mktemp -d /tmp/bzl-upgrade-XXXXXX)
export BZL_SOCKET=$tmp/data/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid
start() {
  "$bzld" --foreground --data "$tmp/data" --socket "$BZL_SOCKET" 2>>"$tmp/bzld.log" &
  pid=$!
  for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bzld did not start: $(cat "$tmp/bzld.log")" >&2; exit 1
}
stop() { kill "$pid"; wait "$pid"; pid=; }

mkdir "$tmp/data"
gzip -d -c "$fix/data.mdb.gz" >"$tmp/data/data.mdb"

"$bzld" --foreground --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/refused.log"
check "bzld refuses a schema-2 ledger" test $? -ne 0
check "the refusal names both versions" grep -q "schema version 2, this build reads 5" "$tmp/refused.log"
check "the refusal names the command" grep -q -- "run bzld --upgrade" "$tmp/refused.log"

"$bzld" --upgrade --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/upgrade.log"
check "bzld --upgrade exits 0" test $? -eq 0
check "--upgrade says what it did" \
  grep -Eq "from schema version 2 to 5: [1-9][0-9]* balance rows rewritten, [1-9][0-9]* history rows moved, loss totals of [1-9][0-9]* consuming entries derived \(0 whose.*values per currency derived from [1-9][0-9]* journal entries" "$tmp/upgrade.log"
"$bzld" --upgrade --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/again.log"
check "a second --upgrade exits 0" test $? -eq 0
check "a second --upgrade has nothing to do" grep -q "at schema version 5 already" "$tmp/again.log"

start
"$bzld" --upgrade --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/busy.log"
check "--upgrade refuses a ledger bzld is serving" test $? -ne 0
check "the busy refusal names the running bzld" grep -q "another bzld (pid $pid)" "$tmp/busy.log"
"$bzl" verify >"$tmp/verify.txt" 2>&1
check "bzl verify passes on the upgraded ledger" test $? -eq 0
check "verify reports the old bzld's journal head and counts (the journal is untouched)" \
  cmp -s "$fix/verify.txt" "$tmp/verify.txt"
# The old bzld's balances had one value; schema 5 keeps it per currency. Every figure is as the
# old bzld printed it, and the currencies' values sum to its value (the fixture's lines are
# all 502, so each item with value holds exactly that one).
same_balances() { python3 -c '
import json, sys
from decimal import Decimal
old, new = (json.load(open(p)) for p in sys.argv[1:3])
assert len(old) == len(new), "item count"
for o, n in zip(old, new):
    for k in ("book", "kind", "item", "qty", "pending_in", "pending_out", "available"):
        assert o[k] == n[k], (k, o, n)
    assert Decimal(o["value"]) == sum(Decimal(v["value"]) for v in n["values"]), (o, n)
    assert [v["currency"] for v in n["values"]] == (["502"] if Decimal(o["value"]) else []), n
' "$1" "$2"; }
for book in H72012400001 H72012400002; do
  "$bzl" --json balance --book $book >"$tmp/balance-$book.json"
  check "balances of $book unchanged, their value now per currency" \
    same_balances "$fix/balance-$book.json" "$tmp/balance-$book.json"
done
for h in H72012400001-material-1 H72012400001-material-2 H72012400002-material-1; do
  IFS=- read -r book kind item <<<"$h"
  "$bzl" --json history --book "$book" --kind "$kind" --item "$item" >"$tmp/history-$h.json"
  check "history of $h unchanged" cmp -s "$fix/history-$h.json" "$tmp/history-$h.json"
done
# The old ledger's seven history rows of material 1 end at a running balance the fixture
# records; a new import of 10 appends an eighth row 10 above it.
last_running() { grep -o '"balance": *"[^"]*"' "$1" | tail -1 | sed 's/.*: *"\(.*\)"/\1/'; }
before=$(last_running "$fix/history-H72012400001-material-1.json")
rows=$(grep -c '"seq"' "$fix/history-H72012400001-material-1.json")
printf '[{"id": "LZOIL-2026-0100", "enterprise": "6201230001", "book": "H72012400001", "kind": "material", "direction": "in", "trade_mode": "5015", "date": "2026-03-28", "lines": [{"item": 1, "qty": "10", "unit": "035", "value": "5", "currency": "502"}]}]\n' >"$tmp/new.json"
"$bzl" submit "$tmp/new.json" >/dev/null 2>&1
check "a declaration after the upgrade is accepted" test $? -eq 0
"$bzl" --json history --book H72012400001 --kind material --item 1 >"$tmp/after.json"
check "the new row is appended to the item's history" \
  test "$(grep -c '"seq"' "$tmp/after.json")" -eq $((rows + 1))
check "its running balance continues the old rows'" \
  test "$(last_running "$tmp/after.json")" = "$(awk -v b="$before" 'BEGIN{printf "%.5f", b + 10}' | sed 's/0*$//; s/\.$//')"
"$bzl" verify >/dev/null 2>&1
check "bzl verify still passes" test $? -eq 0
stop

# Schema 3 → 4 (tests/fixtures/schema3, made by bzld at 09cefc5): the loss columns become
# period totals at each line's own norm. The old bzld showed material 1's losses at the
# unused v3's rates (reconcile-old.csv: 370 × 30 % = 111, 370 × 20 % = 74). By hand, per line
# (consumption, tangible, intangible of material 1; 单耗 is 1 in every P1 version, 2 in P2's):
#   EXP-1 P1 100 v1 (10 %, 5 %):   100, 10, 5      EXP-2 P2 50 v1 (15 %, 5 %): 100, 15, 5
#   EXP-3 P1 200 v2 (20 %, 10 %):  200, 40, 20     EXP-4 P1 50 v2, reversed: 0, 0, 0
#   RET-1 P1 30 returned under v1: −30, −3, −1.5
#   material 1: 370, 62, 28.5; material 2 (P2 v1, 5 %, 0 %): 100 × 5 % = 5, 0.
fix3=$src/tests/fixtures/schema3
rm -rf "$tmp/data"
mkdir "$tmp/data"
gzip -d -c "$fix3/data.mdb.gz" >"$tmp/data/data.mdb"
check "the old bzld's loss columns were one norm's (the defect the upgrade mends)" \
  grep -q '^H72012400001,1,.*,370,111,74,' "$fix3/reconcile-old.csv"
"$bzld" --foreground --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/refused3.log"
check "bzld refuses a schema-3 ledger naming both versions" \
  grep -q "schema version 3, this build reads 5" "$tmp/refused3.log"
"$bzld" --upgrade --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/upgrade3.log"
check "--upgrade from 3 exits 0" test $? -eq 0
check "--upgrade derives the losses of the six consuming entries, all reproduced" \
  grep -q "from schema version 3 to 5: 0 balance rows rewritten, 0 history rows moved, loss totals of 6 consuming entries derived (0 whose" "$tmp/upgrade3.log"
# (The pending PEND-1 reserves only, so it is not a consuming entry and is in no total.)
start
# --wide --csv: every category column in the old positions, as reconcile-old.csv has them.
"$bzl" reconcile --book H72012400001 --period 2026-03 --wide --csv >"$tmp/reconcile3.csv"
check "material 1's losses are each line's own: 62 and 28.5" \
  grep -q '^H72012400001,1,.*,370,62,28.5,0,0,0,9630,' "$tmp/reconcile3.csv"
check "material 2's losses: 5 and 0" grep -q '^H72012400001,2,.*,100,5,0,0,0,0,4900,' "$tmp/reconcile3.csv"
# Entries journaled before the upgrade carry no intangible-loss effects; posting or reversing
# one moves the loss totals as the upgrade derived them:
#   post PEND-1 (P2 10 v1, 单耗 2): material 1 +20, +3, +1 → 390, 65, 29.5; material 2 +20, +1
#   reverse EXP-3 (P1 200 v2): −200, −40, −20 → 190, 25, 9.5
#   then EXP-5, after the upgrade, P1 10 under v3 (in force from 03-28: 30 %, 20 %): +10, +3, +2
#   → 200, 28, 11.5; books 10000 − 200 = 9800 and 5000 − 120 = 4880.
"$bzl" post --enterprise 6201230001 PEND-1 >/dev/null 2>"$tmp/err"
check "the pre-upgrade pending export posts" test $? -eq 0
"$bzl" reconcile --book H72012400001 --period 2026-03 --wide --csv >"$tmp/reconcile3p.csv"
check "posting it adds its losses, intangible included: 390, 65, 29.5" \
  grep -q '^H72012400001,1,.*,390,65,29.5,' "$tmp/reconcile3p.csv"
"$bzl" reverse --enterprise 6201230001 EXP-3 --reason "declared twice" >/dev/null 2>"$tmp/err"
check "a pre-upgrade export is reversed" test $? -eq 0
printf '{"id":"EXP-5","enterprise":"6201230001","book":"H72012400001","kind":"product","direction":"out","trade_mode":"5015","date":"2026-03-29","lines":[{"item":1,"qty":"10","unit":"035","value":"10","currency":"502"}]}\n' >"$tmp/exp5.json"
"$bzl" submit "$tmp/exp5.json" >/dev/null 2>&1
check "an export after the upgrade is accepted" test $? -eq 0
"$bzl" reconcile --book H72012400001 --period 2026-03 --wide --csv >"$tmp/reconcile3b.csv"
check "the reversal takes its losses back and the new export adds its own: 200, 28, 11.5" \
  grep -q '^H72012400001,1,.*,200,28,11.5,0,0,0,9800,' "$tmp/reconcile3b.csv"
check "material 2 after the post: 120, 6, 0" \
  grep -q '^H72012400001,2,.*,120,6,0,0,0,0,4880,' "$tmp/reconcile3b.csv"
"$bzl" verify >/dev/null 2>&1
check "bzl verify passes on the upgraded schema-3 ledger" test $? -eq 0
stop

scenario_end upgrade_scenario
