#!/usr/bin/env bash
# check_deploy.sh — what the operator installs is well-formed.
#
#   check_deploy.sh units UNIT_DIR BIN_DIR   systemd-analyze verify accepts every unit
#   check_deploy.sh man MAN_PAGE...          each man page renders without a warning
#
# The units are checked as installed (bindir substituted), with ExecStart= pointing at the
# built binaries (bzl-nightly, which a later release brings, is a stub). Exits 77 (skipped,
# with the reason) when the tool is missing.
set -euo pipefail
mode=${1:?mode}
shift
case "$mode" in
units)
  unit_dir=${1:?unit dir}
  bin_dir=${2:?bin dir}
  if ! command -v systemd-analyze >/dev/null; then
    echo "SKIP: systemd-analyze is not installed (apt-get install systemd)"
    exit 77
  fi
  work=$(mktemp -d /tmp/bzl-units-XXXXXX)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/bin" "$work/units"
  for b in bzld bzl; do ln -s "$bin_dir/$b" "$work/bin/$b"; done
  printf '#!/bin/sh\nexit 0\n' >"$work/bin/bzl-nightly"
  chmod +x "$work/bin/bzl-nightly"
  installed_bindir=$(sed -n 's|^ExecStart=\(/.*\)/bzld .*|\1|p' "$unit_dir/bzld.service")
  for u in "$unit_dir"/*.service "$unit_dir"/*.socket "$unit_dir"/*.timer; do
    sed "s|$installed_bindir/|$work/bin/|g" "$u" >"$work/units/$(basename "$u")"
  done
  cd "$work/units"
  out=$(systemd-analyze verify --man=no ./* 2>&1) || { echo "$out"; exit 1; }
  # verify exits 0 on warnings such as an unknown key; any line about our units fails.
  if grep -E 'bzl' <<<"$out"; then
    exit 1
  fi
  echo "systemd-analyze verify: $(ls | tr '\n' ' ')ok"
  ;;
man)
  if ! command -v man >/dev/null; then
    echo "SKIP: man is not installed (apt-get install man-db)"
    exit 77
  fi
  for page in "$@"; do
    warnings=$(MANWIDTH=80 man -l -Tutf8 "$page" 2>&1 >/dev/null || echo "man failed")
    if command -v groff >/dev/null; then
      warnings+=$(groff -ww -z -man "$page" 2>&1)
    fi
    if [ -n "$warnings" ]; then
      echo "$page: $warnings"
      exit 1
    fi
    echo "$(basename "$page"): renders cleanly"
  done
  ;;
*)
  echo "usage: check_deploy.sh units UNIT_DIR BIN_DIR | man PAGE..." >&2
  exit 2
  ;;
esac
