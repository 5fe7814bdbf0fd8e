#!/usr/bin/env bash
# verify.sh — how long `bzl verify` takes on a large ledger: loads LINES declaration lines with
# bzl-bench (DECL_LINES lines per declaration, 16 books of 100 materials) into a fresh data
# directory, then times `bzl verify` RUNS times and prints each time, the median, and journal
# lines per second. Not part of ctest: run it on demand, on a quiet machine, with a Release
# build (docs/DURABILITY.md records its results).
#
#   usage: tests/bench/verify.sh BUILD_DIR [LINES] [DECL_LINES] [RUNS]
#          (defaults: 1000000 lines, 1 line per declaration, 3 runs)
set -euo pipefail
build=$1 lines=${2:-1000000} per=${3:-1} runs=${4:-3}
decls=$((lines / per))
work=$(mktemp -d /tmp/bzl-verify-bench-XXXXXX)
export BZL_SOCKET=$work/bzld.sock
"$build/bzld" --foreground --data "$work/data" --socket "$BZL_SOCKET" 2>"$work/bzld.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do "$build/bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
batch=$((1000 / per > 0 ? 1000 / per : 1))
"$build/bzl-bench" --socket "$BZL_SOCKET" --setup --connections 4 --inflight 2 --lines "$per" \
  --batch "$batch" --decls "$decls" --enterprises 16 --items 100 | tail -2
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$build/bzl" verify >"$work/verify.out" || { cat "$work/verify.out"; exit 1; }
  end=$(date +%s.%N)
  times+=("$(echo "$end - $start" | bc)")
  echo "verify: ${times[-1]} s — $(cut -c1-60 "$work/verify.out")…"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
echo "median ${median} s for ${lines} lines in ${decls} declarations: $(echo "$lines / $median" | bc) lines/s"
echo "data: $(du -sh "$work/data" | cut -f1)"
