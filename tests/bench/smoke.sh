#!/usr/bin/env bash
# smoke.sh — proves bzl-bench works end to end against a real bzld: --setup registers its
# books, a 2-second mixed run (writes and point reads) reports a nonzero throughput and zero
# errors in its JSON, and bzl stats --prometheus exposes the counters. A functional check, never
# a timing assertion: the numbers are not looked at beyond "more than zero".
#   usage: smoke.sh BZLD BZL BZL_BENCH
set -uo pipefail
bzld=$1 bzl=$2 bench=$3
tmp=$(mktemp -d /tmp/bzl-smoke-XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bzld" --foreground --data "$tmp" --socket "$tmp/s.sock" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" --socket "$tmp/s.sock" stats >/dev/null 2>&1 && break; sleep 0.1; done

out=$("$bench" --socket "$tmp/s.sock" --setup --enterprises 2 --items 20 --connections 4 \
      --inflight 2 --lines 3 --reads 0.3 --duration 2 --warmup 0.2 --json) || fail "bzl-bench exit $?: $out"
json=$(tail -1 <<<"$out")
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$json" | head -1; }
[ "$(field errors)" = 0 ] || fail "errors in $json"
awk -v t="$(field throughput_rps)" 'BEGIN{exit !(t > 0)}' || fail "no throughput: $json"
awk -v t="$(field reads_per_s)" 'BEGIN{exit !(t > 0)}' || fail "no reads: $json"
awk -v t="$(field commits)" 'BEGIN{exit !(t > 0)}' || fail "no commits seen in the daemon's stats: $json"

batch=$("$bench" --socket "$tmp/s.sock" --enterprises 2 --items 20 --connections 2 --lines 2 \
        --batch 50 --decls 500 --json) || fail "batch load exit $?"
[ "$(sed -n 's/.*"decls_per_s":\([0-9.]*\).*/\1/p' <<<"$(tail -1 <<<"$batch")" | cut -d. -f1)" != 0 ] || fail "batch load: $batch"

prom=$("$bzl" --socket "$tmp/s.sock" stats --prometheus) || fail "stats --prometheus"
grep -q '^bzl_requests_total{kind="submit",status="OK"} [1-9]' <<<"$prom" || fail "no submit counter: $prom"
grep -q '^bzl_declarations_per_commit_bucket{le="+Inf"} [1-9]' <<<"$prom" || fail "no histogram"

"$bench" --socket "$tmp/s.sock" --idle 50 --duration 0.5 >/dev/null || fail "idle connections"
kill "$pid"; wait "$pid" || fail "bzld did not stop cleanly"; pid=
echo "smoke: bzl-bench and stats OK"
