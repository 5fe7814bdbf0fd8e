#!/usr/bin/env bash
# Installs the dependencies, builds everything with AddressSanitizer and
# UndefinedBehaviorSanitizer (warnings are errors), and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
build=${BZL_BUILD_DIR:-build-test}
cmake -S . -B "$build" -DBZL_SANITIZE=ON -DBZL_WERROR=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j2
