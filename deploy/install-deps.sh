#!/usr/bin/env bash
# Installs, from Debian's packages, what building and testing bzl needs. Idempotent: does
# nothing when everything is present; otherwise needs root (or sudo) for apt-get.
set -euo pipefail

packages=(
  build-essential cmake pkg-config          # toolchain
  libuv1-dev liblmdb-dev                     # event loop, storage
  libprotobuf-c-dev protobuf-c-compiler      # wire contract
  libjansson-dev                             # declaration files people hand us (JSON)
  check                                      # unit and integration tests
  libsodium-dev                              # BLAKE2b for the journal's hash chain
  libinih-dev                                # bzld's INI configuration file
  clang libclang-rt-14-dev                   # libFuzzer targets (tests/fuzz, BZL_FUZZ=ON)
  clang-format                               # deploy/test.sh: the tree is formatted (.clang-format)
  libsystemd-dev                             # sd_notify readiness, socket activation
  systemd man-db                             # tests: systemd-analyze verify, man -l
  chromium                                   # opens bzl-nightly's HTML headless (tests/daemon/e2e/html_report.sh)
  libjs-chart.js                             # Chart.js, inlined into bzl-nightly's report.html
  python3                                    # bzl-nightly-report.py renders that page from its CSVs
  python3-protobuf protobuf-compiler         # the Python client (clients/python): the official
                                             # protobuf runtime, protoc generates bzl_pb2.py
  python3-setuptools python3-pip python3-venv  # `pip install --no-build-isolation clients/python`
                                             # into a venv (Debian's Python refuses system pip)
  python3-pytest                             # the Python client's tests (ctest python_client)
  libpq-dev                                  # bzl-ship: libpq, the PostgreSQL client library
  libxml2-dev                                # INV101 (核注清单) messages: XML read and written
  postgresql-15 postgresql-client-15         # tests/ship: a throw-away warehouse; psql
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "bzl: installing ${missing[*]}" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
