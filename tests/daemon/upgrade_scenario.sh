#!/usr/bin/env bash
# upgrade_scenario.sh — proves bzld --upgrade converts a ledger written by the previous schema
# (tests/fixtures/schema2: the demo ledger with posted, voided and reversed declarations, made
# by bzld at ba43bc2, see make.sh there) without changing an answer: bzld refuses the old
# ledger and names the command; --upgrade converts it and says how many rows; a second
# --upgrade has nothing to do; the upgraded ledger passes bzl verify with the same journal head,
# and its balances and item histories (running balances included) equal, byte for byte, what
# the old bzld answered;
# a declaration submitted afterwards extends the item's history. It also refuses to upgrade
# a ledger that a running bzld serves. (check_storage covers resuming an interrupted upgrade
# and refusing a version it does not convert.)
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
check "the refusal names both versions" grep -q "schema version 2, this build reads 3" "$tmp/refused.log"
check "the refusal names the command" grep -q -- "run bzld --upgrade" "$tmp/refused.log"

"$bzld" --upgrade --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/upgrade.log"
check "bzld --upgrade exits 0" test $? -eq 0
check "--upgrade says what it did" \
  grep -Eq "from schema version 2 to 3: [1-9][0-9]* balance rows rewritten, [1-9][0-9]* history rows moved" "$tmp/upgrade.log"
"$bzld" --upgrade --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/again.log"
check "a second --upgrade exits 0" test $? -eq 0
check "a second --upgrade has nothing to do" grep -q "at schema version 3 already" "$tmp/again.log"

start
"$bzld" --upgrade --data "$tmp/data" --socket "$BZL_SOCKET" 2>"$tmp/busy.log"
check "--upgrade refuses a ledger bzld is serving" test $? -ne 0
check "the busy refusal names the running bzld" grep -q "another bzld (pid $pid)" "$tmp/busy.log"
"$bzl" verify >"$tmp/verify.txt" 2>&1
check "bzl verify passes on the upgraded ledger" test $? -eq 0
check "verify reports the old bzld's journal head and counts (the journal is untouched)" \
  cmp -s "$fix/verify.txt" "$tmp/verify.txt"
for book in H72012400001 H72012400002; do
  "$bzl" --json balance --book $book >"$tmp/balance-$book.json"
  check "balances of $book unchanged" cmp -s "$fix/balance-$book.json" "$tmp/balance-$book.json"
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

scenario_end upgrade_scenario
