#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in their own build directory and runs
# each for a bounded time on a scratch copy of its seed corpus (tests/fuzz/corpus/<target>/).
# Exit 1 on any finding; the crashing input is left in the scratch directory, and must become
# a regression case in tests/daemon/e2e/hostile.c or the lib tests.
#   usage: tests/fuzz/run.sh [SECONDS_PER_TARGET]   (default $BZL_FUZZ_SECONDS or 60)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-${BZL_FUZZ_SECONDS:-60}}
build=${BZL_FUZZ_BUILD_DIR:-build-fuzz}
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DBZL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target fuzz_frame fuzz_request >/dev/null
scratch=$(mktemp -d /tmp/bzl-fuzz-run-XXXXXX)
status=0
for t in fuzz_frame fuzz_request; do
  mkdir -p "$scratch/$t"
  echo "fuzz: $t for ${seconds}s"
  if ! "$build/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$scratch/$t-" "$scratch/$t" "tests/fuzz/corpus/$t" \
        >"$scratch/$t.log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM; input and log in $scratch" >&2
    tail -40 "$scratch/$t.log" >&2
    status=1
  else
    grep -E 'stat::number_of_executed_units|stat::new_units_added' "$scratch/$t.log" | sed "s/^/fuzz: $t /"
  fi
done
# fuzz_request's LMDB stores live in /tmp/bzl-fuzz-*; remove them with the scratch directory.
rm -rf /tmp/bzl-fuzz-[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]
[ $status -eq 0 ] && rm -rf "$scratch"
exit $status
