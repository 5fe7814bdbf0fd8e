#!/usr/bin/env bash
# ship_bench.sh — what shipping the journal costs (issue 20, docs/WAREHOUSE.md "Scale"):
#   1. bzl-ship's rate: a zone of LINES journal lines (declarations of 10 lines, loaded with
#      bzl-bench) shipped from the start into an empty warehouse, lines/s and entries/s;
#   2. the daemon's write throughput with and without a `bzl-ship --follow` tailing it:
#      bzl-bench (closed loop) alone, then with the shipper beside it, alternately RUNS times
#      each, medians compared (the target: within 10 %).
# A throw-away PostgreSQL 15 on a Unix socket (tests/ship/pg.sh) holds the warehouse, on the same
# machine as bzld unless --db points elsewhere. Release build. Not part of ctest: run it on
# demand, on a quiet machine, and read docs/BENCHMARKS.md for what the numbers were here.
#
# The follower runs at --ship-nice (default 19, as bzl-ship@.service runs it: the ledger's writes
# come first) and the throw-away PostgreSQL at --pg-nice (default 0; docs/WAREHOUSE.md says when
# to lower it).
#
#   usage: tests/bench/ship_bench.sh [--lines N] [--runs N] [--duration S] [--build DIR]
#                                    [--connections N] [--db CONNINFO] [--ship-nice N]
#                                    [--pg-nice N]
set -euo pipefail
lines=1000000 runs=3 duration=10 build=build-bench conns=16 db= ship_nice=19 pg_nice=0
while [ $# -gt 0 ]; do
  case $1 in
    --lines) lines=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --ship-nice) ship_nice=$2; shift 2 ;;
    --pg-nice) pg_nice=$2; shift 2 ;;
    *) echo "usage: $0 [--lines N] [--runs N] [--duration S] [--build DIR] [--connections N] [--db CONNINFO] [--ship-nice N] [--pg-nice N]" >&2; exit 2 ;;
  esac
done
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -x "$build/bzl-ship" ]; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBZL_PYTHON=OFF >/dev/null
  cmake --build "$build" -j2 --target bzld bzl_cli bzl_ship bzl_bench >/dev/null
fi
BZLD=$build/bzld BZL=$build/bzl SHIP=$build/bzl-ship BENCH=$build/bzl-bench
tmp=$(mktemp -d /tmp/bzl-shipbench-XXXXXX)
chmod 755 "$tmp"
. "$src/tests/ship/pg.sh"
bzld_pid= follower=
trap '[ -n "$follower" ] && kill -9 "$follower" 2>/dev/null; [ -n "$bzld_pid" ] && kill -9 "$bzld_pid" 2>/dev/null; [ -z "$db" ] && pg_stop immediate; rm -rf "$tmp"' EXIT
log() { echo "ship_bench: $*" >&2; }
if [ -z "$db" ]; then PG_NICE=$pg_nice pg_start; db="host=$tmp/pg user=bzl dbname=postgres"; fi
export BZL_SOCKET=$tmp/bzld.sock
"$BZLD" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
bzld_pid=$!
for _ in $(seq 100); do "$BZL" stats >/dev/null 2>&1 && break; sleep 0.1; done
median() { sort -g | awk '{a[NR]=$1} END{ m = (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2); printf "%.0f\n", m }'; }
jf() { sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" | tail -1; }

# ---- 1. shipping LINES lines from the start ---------------------------------------------------
decls=$((lines / 10))
log "loading $lines journal lines ($decls declarations of 10 lines)"
"$BENCH" --socket "$BZL_SOCKET" --setup --enterprises 16 --items 100 --connections 4 --inflight 4 \
  --lines 10 --batch 100 --decls "$decls" --duration 3600 --warmup 0 >/dev/null
entries=$("$BZL" --json stats | sed -n 's/.*"journal_entries": *\([0-9]*\).*/\1/p')
log "shipping $entries entries into an empty warehouse"
t0=$(date +%s.%N)
"$SHIP" --zone BENCH --db "$db" --batch 4096 2>"$tmp/ship.log"
t1=$(date +%s.%N)
shipped_lines=$(psql -X -At -d "$db" -c "SELECT count(*) FROM bzl_line WHERE zone = 'BENCH'")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b - a}')
lps=$(awk -v n="$shipped_lines" -v s="$secs" 'BEGIN{printf "%.0f", n / s}')
eps=$(awk -v n="$entries" -v s="$secs" 'BEGIN{printf "%.0f", n / s}')
echo "shipped $shipped_lines lines ($entries entries) in $secs s: $lps lines/s, $eps entries/s"

# ---- 2. write throughput with and without a follower -------------------------------------------
entries_now() { "$BZL" --json stats | sed -n 's/.*"journal_entries": *\([0-9]*\).*/\1/p'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$bzld_pid/stat"; }
# One closed-loop run of 1-line declarations: prints declarations/s, and appends to
# $tmp/cpu.LABEL the daemon's CPU time (user + system, from /proc) per journal entry, in µs.
bench() { # bench LABEL
  local c0 e0 out
  c0=$(cpu_ticks) e0=$(entries_now)
  out=$("$BENCH" --socket "$BZL_SOCKET" --enterprises 16 --items 100 --connections "$conns" --inflight 4 \
    --lines 1 --duration "$duration" --warmup 1 --json 2>/dev/null | tail -1 | jf decls_per_s)
  awk -v c=$(($(cpu_ticks) - c0)) -v e=$(($(entries_now) - e0)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN{printf "%.1f\n", c * 1e6 / hz / e}' >>"$tmp/cpu.$1"
  echo "$out"
}
# The stream alone (`bzl journal --follow` into /dev/null) separates what the daemon spends
# serving it from what bzl-ship and PostgreSQL take of a machine they share with it.
alone=() beside=() stream=()
for r in $(seq "$runs"); do
  alone+=("$(bench alone)")
  nice -n "$ship_nice" "$SHIP" --zone BENCH --db "$db" --follow --batch 4096 2>>"$tmp/ship.log" &
  follower=$!
  sleep 1
  beside+=("$(bench ship)")
  # How far the follower fell behind while the writes had the CPU, and how long it then took to
  # catch up with the zone on its own (the price of its lower priority).
  head=$(entries_now) t0=$(date +%s.%N)
  lag=$((head - $(psql -X -At -d "$db" -c "SELECT coalesce(max(seq), 0) FROM bzl_cursor WHERE zone = 'BENCH'")))
  for _ in $(seq 600); do
    [ "$(psql -X -At -d "$db" -c "SELECT seq FROM bzl_cursor WHERE zone = 'BENCH'")" -ge "$head" ] && break
    sleep 0.1
  done
  catchup=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')
  log "run $r: bzl-ship was $lag entries behind at the end of the writes, caught up in $catchup s"
  kill -TERM "$follower"; wait "$follower" 2>/dev/null || true; follower=
  nice -n "$ship_nice" "$BZL" journal --since "$("$BZL" --json stats | sed -n 's/.*"journal_entries": *\([0-9]*\).*/\1/p')" \
    --follow --json >/dev/null 2>&1 &
  follower=$!
  stream+=("$(bench stream)")
  kill -TERM "$follower"; wait "$follower" 2>/dev/null || true; follower=
  log "run $r: alone ${alone[-1]} decl/s, with bzl-ship --follow ${beside[-1]}, with bzl journal --follow ${stream[-1]}"
done
"$SHIP" --zone BENCH --db "$db" --batch 4096 2>>"$tmp/ship.log"
a=$(printf '%s\n' "${alone[@]}" | median)
b=$(printf '%s\n' "${beside[@]}" | median)
c=$(printf '%s\n' "${stream[@]}" | median)
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", 100 * b / a}'; }
echo "write throughput (1-line declarations, $conns connections x 4 in flight, median of $runs):"
mcpu() { sort -g "$tmp/cpu.$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
echo "  alone                       $a decl/s; bzld CPU $(mcpu alone) µs per entry"
echo "  with bzl-ship --follow      $b decl/s ($(pct "$a" "$b") %); bzld CPU $(mcpu ship) µs per entry"
echo "  with bzl journal --follow   $c decl/s ($(pct "$a" "$c") %); bzld CPU $(mcpu stream) µs per entry"
left=$(psql -X -At -d "$db" -c "SELECT (SELECT count(*) FROM bzl_entry WHERE zone = 'BENCH') || ' ' || (SELECT max(seq) FROM bzl_entry WHERE zone = 'BENCH')")
echo "warehouse after the runs: entries, last sequence = $left; zone: $("$BZL" --json stats | sed -n 's/.*"journal_entries": *\([0-9]*\).*/\1/p') entries"
