#!/usr/bin/env bash
# Installs the dependencies, checks the formatting, builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer (warnings are errors), builds the optimised configuration
# warning-free as well, runs every test with ctest, then builds the libFuzzer targets with clang
# and runs each for a bounded time ($BZL_FUZZ_SECONDS, default 30; 0 skips fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
# The C tree is formatted as .clang-format says (STYLE.md §14); a file that is not stops the run
# before anything is built, naming the file and line.
find clients daemon lib tests -name '*.[ch]' -print0 | xargs -0 clang-format --dry-run --Werror
build=${BZL_BUILD_DIR:-build-test}
cmake -S . -B "$build" -DBZL_SANITIZE=ON -DBZL_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)"
# The optimised build deploy/demo.sh and the packages use warns about more (-O2's flow analysis:
# -Wformat-truncation, -Wmaybe-uninitialized); it must build warning-free too. It is built
# before the tests run: the timing test (indistinguishable) judges the optimised bzld, whose
# timing is the product's, not the sanitizer build's instrumentation.
cmake -S . -B "$build-rel" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBZL_WERROR=ON >/dev/null
cmake --build "$build-rel" -j"$(nproc)" >/dev/null
timing_bzld="$(cd "$build-rel" && pwd)/bzld"
(cd "$build" && BZL_TIMING_BZLD="$timing_bzld" ctest --output-on-failure -j2)
fuzz_seconds=${BZL_FUZZ_SECONDS:-30}
if [ "$fuzz_seconds" -gt 0 ]; then
  tests/fuzz/run.sh "$fuzz_seconds"
fi
