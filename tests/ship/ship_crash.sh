#!/usr/bin/env bash
# ship_crash.sh — exactly once under crashes: while bzl-bench writes declarations into a zone,
# `bzl-ship --follow` (a random batch size each time) is killed with SIGKILL at a random moment
# 20 times, and PostgreSQL is stopped hard (pg_ctl -m immediate) and restarted once with a
# shipper running (bzl-ship commits asynchronously by default, so that crash may lose batches it
# saw committed: they must be shipped again, once). Afterwards one more run catches up, and the
# warehouse holds every journal entry exactly once: as many rows as distinct sequences as
# `bzl verify` counts, 1..N, the hash chain unbroken in SQL, the cursor at verify's head hash,
# every declaration line, and balances equal to `bzl balance` (tests/ship/compare.py).
#   usage: ship_crash.sh BZLD BZL BZL-SHIP BZL-BENCH SRC [KILLS]
set -uo pipefail
bzld=$1 bzl=$2 ship=$3 bench=$4 src=$5 kills=${6:-20}
tmp=$(mktemp -d /tmp/bzl-shipcrash-XXXXXX)
chmod 755 "$tmp"
export BZL_SOCKET=$tmp/bzld.sock
. "$src/tests/daemon/e2e/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid
. "$src/tests/ship/pg.sh"
pg_skip_unless
load= shipper=
trap 'for p in $load $shipper; do kill -9 "$p" 2>/dev/null; done; pg_stop immediate; cleanup' EXIT
pg_start
db="host=$tmp/pg user=bzl dbname=postgres"

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
# The zone takes writes throughout: 300 declarations/s of 3 lines, open loop (until stopped).
"$bench" --socket "$BZL_SOCKET" --setup --enterprises 4 --items 20 --connections 4 --inflight 4 \
  --lines 3 --rate 300 --duration 600 --warmup 0 >"$tmp/bench.log" 2>&1 &
load=$!
for _ in $(seq 100); do [ "$("$bzl" --json stats | sed -n 's/.*"journal_entries": *\([0-9]*\).*/\1/p')" -gt 200 ] && break; sleep 0.1; done

killed=0 restarted=0 exits=""
for k in $(seq "$kills"); do
  "$ship" --zone CZ --db "$db" --follow --batch $((RANDOM % 300 + 1)) --linger $((RANDOM % 300)) 2>>"$tmp/ship.log" &
  shipper=$!
  sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
  if [ "$k" -eq $((kills / 2)) ]; then
    # PostgreSQL crashes under a running shipper and comes back: the shipper exits 3 (systemd
    # would restart it); the next one resumes.
    pg_stop immediate
    sleep 0.3
    pg_start
    restarted=1
    sleep 0.5
  fi
  if kill -9 "$shipper" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$shipper" 2>/dev/null; exits+="$? "
  shipper=
done
check "bzl-ship was killed with SIGKILL $kills times (exits: $exits)" test "$killed" -ge $((kills - 1))
check "PostgreSQL was restarted once mid-stream" test "$restarted" -eq 1
check "the zone kept taking writes" kill -0 "$load"
kill -TERM "$load" 2>/dev/null; wait "$load"; load=
check "one more run catches up" "$ship" --zone CZ --db "$db" --batch 4096 2>>"$tmp/ship.log"

n=$("$bzl" --json verify | sed -n 's/.*"entries": *\([0-9]*\).*/\1/p')
head_hash=$("$bzl" --json verify | sed -n 's/.*"head_hash": *"\([0-9a-f]*\)".*/\1/p')
check "the zone holds thousands of entries ($n)" test "$n" -gt 1000
check "every entry once: rows = distinct sequences = 1..$n" \
  test "$(pg -c "SELECT count(*) || ' ' || count(DISTINCT seq) || ' ' || min(seq) || ' ' || max(seq) FROM bzl_entry WHERE zone = 'CZ'")" = "$n $n 1 $n"
check "the hash chain holds in SQL" test "$(pg -c "
  SELECT count(*) FROM bzl_entry e LEFT JOIN bzl_entry p ON p.zone = e.zone AND p.seq = e.seq - 1
  WHERE e.zone = 'CZ' AND e.prev_hash IS DISTINCT FROM coalesce(p.hash, decode(repeat('00', 32), 'hex'))")" = 0
check "the cursor is at verify's head" test "$(pg -c "SELECT seq || ' ' || encode(hash, 'hex') FROM bzl_cursor WHERE zone = 'CZ'")" = "$n $head_hash"
lines=$("$bzl" --json journal | python3 -c '
import json, sys
print(sum(len(json.loads(l).get("declaration", {}).get("lines", [])) for l in sys.stdin))')
check "every declaration line once ($lines)" test "$(pg -c "SELECT count(*) || ' ' || count(DISTINCT (seq, line)) FROM bzl_line WHERE zone = 'CZ'")" = "$lines $lines"
check "the warehouse's balances equal the zone's" python3 "$src/tests/ship/compare.py" CZ "$BZL_SOCKET" "$bzl" -
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0" test "$rc" -eq 0
check "the sanitizer reported nothing in bzld" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$tmp/bzld.log'"
scenario_end ship_crash
