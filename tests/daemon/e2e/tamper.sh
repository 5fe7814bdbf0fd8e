#!/usr/bin/env bash
# tamper.sh — `bzl verify` passes on a clean ledger and fails, naming the sequence, after one
# byte of one stored journal entry is flipped and after an entry is deleted (bzl-tamper opens
# the LMDB file directly while bzld is stopped).
#   usage: tamper.sh BZLD BZL BZL_TAMPER SOURCE_DIR
set -euo pipefail
bzld=$1 bzl=$2 tamper=$3 src=$4
work=$(mktemp -d /tmp/bzl-tamper-XXXXXX)
trap 'kill $(cat "$work"/d/bzld.sock.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
export BZL_SOCKET=$work/d/bzld.sock

start() { "$bzld" --data "$work/d" >/dev/null; }
stop() {
  local pid; pid=$(cat "$work/d/bzld.sock.pid")
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}
fresh() {
  stop 2>/dev/null || true
  rm -rf "$work/d"; start
  "$src/deploy/demo/load.sh" "$bzl" >/dev/null
}
expect_broken() { # seq what
  local out rc=0
  out=$("$bzl" verify) || rc=$?
  [ "$rc" -eq 1 ] || { echo "FAIL: verify after $2 exited $rc: $out"; exit 1; }
  case "$out" in
    "BROKEN at sequence $1:"*) echo "ok: $2 -> $out" ;;
    *) echo "FAIL: verify after $2 did not name sequence $1: $out"; exit 1 ;;
  esac
}

fresh
out=$("$bzl" verify) || { echo "FAIL: clean verify: $out"; exit 1; }
case "$out" in OK:*) echo "ok: clean -> $out" ;; *) echo "FAIL: $out"; exit 1 ;; esac

# One flipped byte in a declaration's payload, its header, its hash field.
for off in "" 5 40; do
  stop; "$tamper" "$work/d" flip 10 $off; start
  expect_broken 10 "flipping byte ${off:-last} of entry 10"
  fresh
done

# A deleted entry in the middle, and the last one.
stop; "$tamper" "$work/d" delete 7; start
expect_broken 7 "deleting entry 7"
fresh
stop; "$tamper" "$work/d" delete 12; start
expect_broken 12 "deleting the last entry 12"
json=$("$bzl" --json verify || true)
case "$json" in *'"first_bad_seq": 12'*) ;; *) echo "FAIL: --json verify: $json"; exit 1 ;; esac
echo "tamper: all cases passed"
