#!/usr/bin/env bash
# run.sh — bzld against a PostgreSQL baseline and the raw-LMDB ceiling, in one invocation.
#
# Builds bzld, bzl-bench and bzl-lmdb-ceiling (Release), starts a throw-away PostgreSQL 15 on
# a Unix socket in a temporary directory (fsync and synchronous_commit on: the defaults), runs
# each workload with pgbench and with bzl-bench at the same client counts, RUNS times each,
# and prints the medians side by side with their ratios and the acceptance targets of issue 6
# (docs/BENCHMARKS.md). Nothing listens on the network. Not part of ctest: run it on demand,
# on a quiet machine.
#
#   usage: tests/bench/run.sh [--runs N] [--duration S] [--warmup S] [--build DIR]
#                             [--skip-pg] [--load-10m] [--load-lines N] [--quick]
#                             [--results FILE]
#
#   --runs N        runs per workload; medians are reported (default 3)
#   --duration S    measured seconds per run (default 10)
#   --warmup S      warm-up seconds per run (default 2)
#   --build DIR     build directory (default build-bench, configured Release)
#   --skip-pg       bzld and the LMDB ceiling only
#   --load-10m      also load 10 million journal lines and re-measure 1-line throughput
#                   (minutes; optional because it is long)
#   --load-lines N  lines to load with --load-10m (default 10000000)
#   --quick         --runs 1 --duration 3 --warmup 1: a smoke run, numbers are not results
#   --results FILE  also write the results table (Markdown) to FILE
set -euo pipefail

runs=3 duration=10 warmup=2 build=build-bench skip_pg=0 load10m=0 load_lines=10000000
results_file=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --skip-pg) skip_pg=1; shift ;;
    --load-10m) load10m=1; shift ;;
    --load-lines) load_lines=$2; shift 2 ;;
    --quick) runs=1 duration=3 warmup=1; shift ;;
    --results) results_file=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"
case $build in /*) ;; *) build=$src/$build ;; esac

# The workload's spread: bzl-bench --setup and pg_schema.sql create the same books and items.
ENT=16 ITEMS=100
PGBIN=/usr/lib/postgresql/15/bin
PGUSER_OS=bzlbench

log() { printf '%s run.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- dependencies and build --------------------------------------------------------------

need_pkgs=()
[ "$skip_pg" = 1 ] || { [ -x $PGBIN/postgres ] || need_pkgs+=(postgresql-15);
                        command -v pgbench >/dev/null || need_pkgs+=(postgresql-contrib); }
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
if ! [ -x "$build/bzld" ] || ! [ -x "$build/bzl-bench" ] || ! [ -x "$build/bzl-lmdb-ceiling" ]; then
  [ -x "$src/deploy/install-deps.sh" ] && "$src/deploy/install-deps.sh" >/dev/null
fi
log "building in $build (Release)"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target bzld bzl_bench bzl_lmdb_ceiling bzl_cli >/dev/null
BZLD=$build/bzld BENCH=$build/bzl-bench CEIL=$build/bzl-lmdb-ceiling BZL=$build/bzl

# ---- scratch space and cleanup -----------------------------------------------------------

tmp=$(mktemp -d /tmp/bzl-bench.XXXXXX)
chmod 755 "$tmp"
bzld_pid= pg_started=0
cleanup() {
  [ -n "$bzld_pid" ] && kill "$bzld_pid" 2>/dev/null && wait "$bzld_pid" 2>/dev/null
  if [ "$pg_started" = 1 ]; then as_pg "$PGBIN/pg_ctl" -D "$tmp/pg/data" -m immediate stop >/dev/null 2>&1 || true; fi
  [ -n "${BZL_BENCH_KEEP:-}" ] && { echo "kept $tmp" >&2; return; }; rm -rf "$tmp"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: use a system user made for it.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$PGUSER_OS" -- "$@"; else "$@"; fi
}

# ---- helpers -----------------------------------------------------------------------------

# The median of numbers on stdin, rounded to an integer unless below 100.
median() { sort -g | awk '{a[NR]=$1} END{ if (NR == 0) exit; m = (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2);
                                          if (m >= 100) printf "%.0f\n", m; else print m }'; }
# jf FIELD: a number from a one-line JSON object on stdin (top level or the first occurrence).
jf() { sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p" | head -1; }
# read_lat FIELD: a field of the read_latency object.
read_lat() { sed -n 's/.*"read_latency":{\([^}]*\)}.*/\1/p' | sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p"; }
write_lat() { sed -n 's/.*"write_latency":{\([^}]*\)}.*/\1/p' | sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN{ exit !(a >= b) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN{ exit !(a < b) }'; }
verdict() { if "$@"; then echo PASS; else echo FAIL; fi; }

# RSS of a process in KiB, without the pages of the LMDB map (data.mdb), which are the
# kernel's page cache shared with every reader, not the daemon's own memory.
rss_own_kib() {
  awk '/^[0-9a-f]+-[0-9a-f]+ /{ m = ($NF ~ /data\.mdb$/) } /^Rss:/{ if (!m) s += $2 } END{ print s + 0 }' "/proc/$1/smaps"
}

start_bzld() { # start_bzld DATA_DIR [extra bzld options]
  local dir=$1; shift
  mkdir -p "$dir"
  "$BZLD" --foreground --data "$dir" --socket "$dir/bzld.sock" "$@" 2>>"$dir/bzld.log" &
  bzld_pid=$!
  for _ in $(seq 200); do "$BZL" --socket "$dir/bzld.sock" stats >/dev/null 2>&1 && return 0; sleep 0.05; done
  log "bzld did not start; see $dir/bzld.log"; exit 1
}
stop_bzld() { kill "$bzld_pid"; wait "$bzld_pid" || true; bzld_pid=; }

bench() { # bench SOCKET LABEL [bzl-bench options] → one JSON line on stdout
  local sock=$1 label=$2; shift 2
  "$BENCH" --socket "$sock" --label "$label" --duration "$duration" --warmup "$warmup" \
    --enterprises $ENT --items $ITEMS --json "$@" | tail -1
}

pg() { psql -X -q -h "$tmp/pg" -U bench -d postgres -v ON_ERROR_STOP=1 "$@"; }
pgbench_tps() { # pgbench_tps CLIENTS SCRIPT LINES → transactions/s (excluding connection time)
  pgbench -h "$tmp/pg" -U bench -n -M prepared -c "$1" -j 2 -T "$duration" \
    -D nent=$ENT -D nitems=$ITEMS -D lines="$3" -f "$src/tests/bench/$2" postgres 2>&1 |
    tee -a "$tmp/pgbench.log" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1
}

declare -A R # results: R[key] = list of per-run values, one per line

add() { R[$1]+="$2"$'\n'; }
med() { printf '%s' "${R[$1]:-}" | { grep -v '^$' || true; } | median; } # "" when no runs

# ---- PostgreSQL --------------------------------------------------------------------------

start_pg() {
  if [ "$(id -u)" = 0 ] && ! id "$PGUSER_OS" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PGUSER_OS"
  fi
  mkdir -p "$tmp/pg"
  [ "$(id -u)" = 0 ] && chown "$PGUSER_OS" "$tmp/pg"
  as_pg "$PGBIN/initdb" -D "$tmp/pg/data" -U bench --auth=trust -E UTF8 --locale=C >/dev/null
  # fsync, synchronous_commit and full_page_writes stay at their defaults (on): durable
  # acknowledgements, as bzld gives. Only Unix sockets; no TCP listener.
  as_pg "$PGBIN/pg_ctl" -D "$tmp/pg/data" -l "$tmp/pg/log" -w \
    -o "-k $tmp/pg -c listen_addresses='' -c max_connections=200" start >/dev/null
  pg_started=1
}

pg_reset() {
  pg -v nent=$ENT -v nitems=$ITEMS -f "$src/tests/bench/pg_schema.sql" >/dev/null
  pg -c "CHECKPOINT" >/dev/null
}

run_pg() {
  log "PostgreSQL: $(pg -At -c 'SHOW server_version'), fsync=$(pg -At -c 'SHOW fsync'), synchronous_commit=$(pg -At -c 'SHOW synchronous_commit')"
  pg_reset
  for i in $(seq "$runs"); do
    local t; t=$(pgbench_tps 64 pg_declaration.sql 1); add pg_w1 "$t"
    log "pg 1-line 64 clients run $i: $t decl/s"
  done
  pg_reset
  for i in $(seq "$runs"); do
    local t; t=$(pgbench_tps 16 pg_declaration.sql 100); add pg_w100 "$(awk -v t="$t" 'BEGIN{print t*100}')"
    log "pg 100-line 16 clients run $i: $t decl/s"
  done
  pg_reset
  for i in $(seq "$runs"); do
    pgbench_tps 64 pg_declaration.sql 1 >"$tmp/pgw.out" &
    local wp=$!
    local t; t=$(pgbench_tps 4 pg_balance.sql 1); wait $wp
    add pg_reads "$t"
    log "pg point reads (4 clients) beside the 1-line write load run $i: $t reads/s"
  done
}

# ---- bzld -----------------------------------------------------------------------------------

run_bzld() {
  local dir=$tmp/bzl
  start_bzld "$dir"
  "$BENCH" --socket "$dir/bzld.sock" --setup --enterprises $ENT --items $ITEMS \
    --connections 1 --duration 0.1 --warmup 0 >/dev/null
  local sock=$dir/bzld.sock j
  for i in $(seq "$runs"); do
    j=$(bench "$sock" w1 --connections 64 --inflight 1 --lines 1)
    add bzl_w1 "$(jf decls_per_s <<<"$j")"; add bzl_w1_p99 "$(write_lat p99_us <<<"$j")"
    add bzl_w1_dpc "$(jf decls_per_commit <<<"$j")"
    log "bzld 1-line 64x1 run $i: $(jf decls_per_s <<<"$j") decl/s, $(jf decls_per_commit <<<"$j") decl/commit, errors $(jf errors <<<"$j")"
  done
  for i in $(seq "$runs"); do
    j=$(bench "$sock" w100 --connections 16 --inflight 1 --lines 100)
    add bzl_w100 "$(jf lines_per_s <<<"$j")"
    log "bzld 100-line 16x1 run $i: $(jf lines_per_s <<<"$j") lines/s, errors $(jf errors <<<"$j")"
  done
  for i in $(seq "$runs"); do
    bench "$sock" w1-bg --connections 64 --inflight 1 --lines 1 >"$tmp/w1bg.json" &
    local wp=$!
    j=$(bench "$sock" reads --connections 4 --inflight 8 --reads 1)
    wait $wp || true
    add bzl_reads "$(jf reads_per_s <<<"$j")"; add bzl_reads_p99 "$(read_lat p99_us <<<"$j")"
    add bzl_reads_w "$(jf decls_per_s <"$tmp/w1bg.json")"
    log "bzld reads 4x8 beside 1-line 64x1 run $i: $(jf reads_per_s <<<"$j") reads/s p99 $(read_lat p99_us <<<"$j") us; writes $(jf decls_per_s <"$tmp/w1bg.json") decl/s"
  done
  stop_bzld
}

run_idle() {
  local dir=$tmp/idle
  mkdir -p "$dir"
  # One uid holds all 1,000 connections here: raise the per-uid cap (default 512) for this run.
  printf '[limits]\nconnections_per_uid = 1024\n' >"$dir/idle.conf"
  start_bzld "$dir" --config "$dir/idle.conf"
  local base; base=$(rss_own_kib "$bzld_pid")
  "$BENCH" --socket "$dir/bzld.sock" --idle 1000 --duration 6 >"$tmp/idle.out" &
  local ip=$!
  sleep 4
  local conns; conns=$("$BZL" --socket "$dir/bzld.sock" --json stats | sed -n 's/.*"connections": *\([0-9]*\).*/\1/p' | head -1)
  local rss; rss=$(rss_own_kib "$bzld_pid")
  wait $ip || true
  add idle_base "$base"; add idle_rss "$rss"; add idle_conns "$((conns - 1))"
  log "bzld RSS without the map: $base KiB at start, $rss KiB with $((conns - 1)) idle connections"
  stop_bzld
}

# The ceiling writes every record bzld writes per declaration (lmdb_ceiling.c), and for
# comparison the first definition's subset (--minimal: journal, idempotency, balance). The
# 1-line workload is also measured at 64 declarations per transaction: the most 64 clients
# with one request in flight each can put in one commit.
run_ceiling() {
  local j w100 w1
  for i in $(seq "$runs"); do
    rm -rf "$tmp/lmdb"
    j=$("$CEIL" "$tmp/lmdb" --lines 100 --decls-per-txn 10 --seconds "$duration" --books $ENT --items $ITEMS)
    w100=$(jf lines_per_s <<<"$j"); add ceil_w100 "$w100"
    rm -rf "$tmp/lmdb"
    j=$("$CEIL" "$tmp/lmdb" --lines 100 --decls-per-txn 10 --seconds "$duration" --books $ENT --items $ITEMS --minimal)
    add ceil_w100_min "$(jf lines_per_s <<<"$j")"
    rm -rf "$tmp/lmdb"
    j=$("$CEIL" "$tmp/lmdb" --lines 1 --decls-per-txn 1000 --seconds "$duration" --books $ENT --items $ITEMS)
    w1=$(jf lines_per_s <<<"$j"); add ceil_w1 "$w1"
    rm -rf "$tmp/lmdb"
    j=$("$CEIL" "$tmp/lmdb" --lines 1 --decls-per-txn 64 --seconds "$duration" --books $ENT --items $ITEMS)
    local w64; w64=$(jf lines_per_s <<<"$j"); add ceil_w1_64 "$w64"
    rm -rf "$tmp/lmdb"
    j=$("$CEIL" "$tmp/lmdb" --lines 1 --decls-per-txn 64 --seconds "$duration" --books $ENT --items $ITEMS --minimal)
    add ceil_w1_64min "$(jf lines_per_s <<<"$j")"
    log "raw LMDB run $i: $w100 lines/s in 100-line x 10 txns; $w1 rows/s in 1,000-row txns; $w64 at 64 per txn"
  done
  rm -rf "$tmp/lmdb"
}

run_load() {
  local dir=$tmp/load
  start_bzld "$dir"
  local sock=$dir/bzld.sock
  "$BENCH" --socket "$sock" --setup --enterprises $ENT --items $ITEMS --connections 1 \
    --duration 0.1 --warmup 0 >/dev/null
  for i in $(seq "$runs"); do
    add load_before "$(bench "$sock" w1 --connections 64 --inflight 1 --lines 1 | jf decls_per_s)"
  done
  log "loading $load_lines journal lines (1-line declarations, SubmitBatch of 1000)"
  local t0=$SECONDS
  "$BENCH" --socket "$sock" --enterprises $ENT --items $ITEMS --connections 4 --inflight 2 \
    --lines 1 --batch 1000 --decls "$load_lines" --warmup 0 >/dev/null
  log "loaded in $((SECONDS - t0)) s; journal $("$BZL" --socket "$sock" --json stats | sed -n 's/.*"journal_entries": *\([0-9]*\).*/\1/p')"
  for i in $(seq "$runs"); do
    add load_after "$(bench "$sock" w1 --connections 64 --inflight 1 --lines 1 | jf decls_per_s)"
  done
  stop_bzld
}

# ---- the run ---------------------------------------------------------------------------------

log "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r); runs $runs x ${duration}s (+${warmup}s warm-up)"
if [ "$skip_pg" = 0 ]; then start_pg; run_pg; as_pg "$PGBIN/pg_ctl" -D "$tmp/pg/data" -m fast stop >/dev/null; pg_started=0; fi
run_ceiling
run_bzld
run_idle
[ "$load10m" = 1 ] && run_load

# ---- the table -------------------------------------------------------------------------------

pg_w1=$(med pg_w1) pg_w100=$(med pg_w100) pg_reads=$(med pg_reads)
bzl_w1=$(med bzl_w1) bzl_w100=$(med bzl_w100) ceil_w100=$(med ceil_w100) ceil_w1=$(med ceil_w1)
ceil_w1_64=$(med ceil_w1_64) ceil_w1_64min=$(med ceil_w1_64min) ceil_w100_min=$(med ceil_w100_min)
bzl_reads=$(med bzl_reads) bzl_reads_p99=$(med bzl_reads_p99)
idle_rss=$(med idle_rss) idle_base=$(med idle_base) idle_conns=$(med idle_conns)
{
echo
echo "Results: medians of $runs runs x ${duration}s, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| workload | PostgreSQL 15 | bzld | bzld / PG | raw LMDB ceiling | bzld / ceiling | target | verdict |"
echo "|---|---:|---:|---:|---:|---:|---|---|"
echo "| 1-line declarations, 64 conn x 1, decl/s | ${pg_w1:-n/a} | $bzl_w1 (p99 $(med bzl_w1_p99) us, $(med bzl_w1_dpc) decl/commit) | $(ratio "$bzl_w1" "${pg_w1:-0}") | $ceil_w1_64 at 64 per txn, the largest batch 64 x 1 clients make ($ceil_w1 in 1,000-row txns; $ceil_w1_64min at 64 with journal, idempotency and balance only) | $(pct "$bzl_w1" "$ceil_w1_64") | >= 10x PG | $(verdict ge "$(ratio "$bzl_w1" "${pg_w1:-0}" | sed 's/n\/a/0/')" 10) |"
echo "| 100-line declarations, 16 conn x 1, lines/s | ${pg_w100:-n/a} | $bzl_w100 | $(ratio "$bzl_w100" "${pg_w100:-0}") | $ceil_w100 (100-line x 10 per txn; $ceil_w100_min with journal, idempotency and balance only) | $(pct "$bzl_w100" "$ceil_w100") | >= 3x PG and >= 50% ceiling | $(verdict ge "$(ratio "$bzl_w100" "${pg_w100:-0}" | sed 's/n\/a/0/')" 3) / $(verdict ge "$bzl_w100" "$(awk -v c="$ceil_w100" 'BEGIN{print c/2}')") |"
echo "| point reads beside the 1-line load (4 conn x 8), reads/s | ${pg_reads:-n/a} | $bzl_reads (p99 $bzl_reads_p99 us; writes beside: $(med bzl_reads_w) decl/s) | $(ratio "$bzl_reads" "${pg_reads:-0}") | | | >= 100,000/s and p99 < 1 ms | $(verdict ge "$bzl_reads" 100000) / $(verdict lt "$bzl_reads_p99" 1000) |"
echo "| RSS without the map, $idle_conns idle connections | | $((idle_rss / 1024)) MiB (at start $((idle_base / 1024)) MiB) | | | | < 64 MiB | $(verdict ge 65535 "$idle_rss") |"
if [ "$load10m" = 1 ]; then
  lb=$(med load_before) la=$(med load_after)
  echo "| 1-line 64x1 after loading $load_lines lines, decl/s | | $la (empty: $lb) | | | $(pct "$la" "$lb") of empty | >= 80% | $(verdict ge "$la" "$(awk -v b="$lb" 'BEGIN{print b*0.8}')") |"
fi
if [ -n "${pg_w1:-}" ] && lt "$ceil_w1_64min" "$(awk -v p="$pg_w1" 'BEGIN{print 10*p}')"; then
  echo
  echo "10x PostgreSQL's 1-line figure is $(awk -v p="$pg_w1" 'BEGIN{printf "%.0f", 10*p}') decl/s; raw LMDB alone commits $ceil_w1_64min decl/s at 64 per transaction with only the journal, idempotency and balance records."
fi
echo
echo "Per run (decl/s unless noted):"
for k in "${!R[@]}"; do printf '  %-14s %s\n' "$k" "$(printf '%s' "${R[$k]}" | tr '\n' ' ')"; done | sort
} | tee "${results_file:-/dev/null}"
