#!/usr/bin/env bash
# ship_scenario.sh — bzl-ship into a throw-away PostgreSQL (Debian's postgresql-15 on a Unix
# socket in a temp dir): the demo ledger arrives whole — as many rows in bzl_entry as `bzl
# verify` counts, sequences 1..N, each prev_hash the hash before it (checked in SQL), the
# cursor at the head with verify's head hash, every declaration line and effect `bzl journal`
# shows — and a second run ships nothing twice; entries written afterwards ship on the next
# run; --status names the cursor and the lag; bad command lines exit 2, an unreachable daemon
# or database exits 3 and writes nothing.
#   usage: ship_scenario.sh BZLD BZL BZL-SHIP SRC
set -uo pipefail
bzld=$1 bzl=$2 ship=$3 src=$4
tmp=$(mktemp -d /tmp/bzl-ship-XXXXXX)
chmod 755 "$tmp"
export BZL_SOCKET=$tmp/bzld.sock
. "$src/tests/daemon/e2e/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid
. "$src/tests/ship/pg.sh"
pg_skip_unless
trap 'pg_stop immediate; cleanup' EXIT
pg_start
db="host=$tmp/pg user=bzl dbname=postgres"

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
"$src/deploy/demo/load.sh" "$bzl" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }

check "bzl-ship ships the demo zone" "$ship" --zone LZ --db "$db" --batch 7
n=$("$bzl" --json verify | sed -n 's/.*"entries": *\([0-9]*\).*/\1/p')
head_hash=$("$bzl" --json verify | sed -n 's/.*"head_hash": *"\([0-9a-f]*\)".*/\1/p')
check "bzl_entry holds every entry once" test "$(pg -c "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM bzl_entry WHERE zone = 'LZ'")" = "$n|$n|1|$n"
check "the hash chain holds in SQL" test "$(pg -c "
  SELECT count(*) FROM bzl_entry e LEFT JOIN bzl_entry p ON p.zone = e.zone AND p.seq = e.seq - 1
  WHERE e.zone = 'LZ' AND e.prev_hash IS DISTINCT FROM coalesce(p.hash, decode(repeat('00', 32), 'hex'))")" = 0
check "the cursor is at verify's head" test "$(pg -c "SELECT seq || ' ' || encode(hash, 'hex') FROM bzl_cursor WHERE zone = 'LZ'")" = "$n $head_hash"
lines=$("$bzl" --json journal | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(sum(len(r.get("declaration", {}).get("lines", [])) for r in rows), sum(len(r.get("effects", [])) for r in rows))')
check "every declaration line and effect arrived" test "$(pg -c "SELECT (SELECT count(*) FROM bzl_line) || ' ' || (SELECT count(*) FROM bzl_effect)")" = "$lines"
check "a line keeps its exact decimals" test "$(pg -c "SELECT l.qty || ' ' || l.value || ' ' || l.currency FROM bzl_line l JOIN bzl_entry e USING (zone, seq) WHERE e.decl_id = 'OIL-2507-EXP'")" = "13000 24700 502"

check "a second run ships nothing" "$ship" --zone LZ --db "$db"
check "… and duplicates nothing" test "$(pg -c "SELECT count(*) FROM bzl_entry")" = "$n"
"$bzl" rates set --month 2026-02 --currency 502 --cny 7.05 >/dev/null
check "a new entry ships on the next run" "$ship" --zone LZ --db "$db"
check "… as entry n+1, chained" test "$(pg -c "SELECT count(*) FROM bzl_entry e JOIN bzl_entry p ON p.zone = e.zone AND p.seq = e.seq - 1 AND p.hash = e.prev_hash WHERE e.seq = $((n + 1)) AND e.type = 'rate' AND e.cny = 7.05")" = 1
"$bzl" rates set --month 2026-03 --currency 502 --cny 7.06 >/dev/null
"$ship" --zone LZ --db "$db" --status >"$tmp/status" 2>&1
check "--status names the cursor and the lag" grep -q "zone LZ: shipped through entry $((n + 1)) (hash [0-9a-f]\{64\}) .*zone head $((n + 2)) now; lag 1 entries" "$tmp/status"

for bad in "--db x" "--zone LZ" "--zone bad/zone --db x" "--zone LZ --db x --batch 0" "--zone LZ --db x --batch 5000" "--zone LZ --db x --linger 60001" "--zone LZ --db x --linger -1" "--zone LZ --db x extra"; do
  # shellcheck disable=SC2086 # each is a command line
  "$ship" $bad >/dev/null 2>&1; rc=$?
  check "bzl-ship $bad is a usage error (exit 2)" test "$rc" -eq 2
done
"$ship" --zone LZ --db "$db" --socket "$tmp/nowhere.sock" 2>"$tmp/err"; rc=$?
check "an unreachable daemon exits 3" test "$rc" -eq 3
check "… saying so" grep -q "cannot reach the daemon" "$tmp/err"
"$ship" --zone LZ --db "host=$tmp/nowhere user=bzl" 2>"$tmp/err"; rc=$?
check "an unreachable database exits 3" test "$rc" -eq 3
check "… saying so" grep -q "cannot connect to the warehouse" "$tmp/err"
check "nothing was written by the failed runs" test "$(pg -c "SELECT count(*) FROM bzl_entry")" = "$((n + 1))"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0" test "$rc" -eq 0
check "the sanitizer reported nothing in bzld" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$tmp/bzld.log'"
scenario_end ship_scenario
