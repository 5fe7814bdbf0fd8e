#!/usr/bin/env bash
# empty_ledger.sh — every read a client can make, against a ledger with nothing in it: each
# answers (exit 0: an empty table or zero figures), bzld stays up, and the sanitizer build
# reports nothing (a report over no books once passed qsort a null array, which is undefined
# behaviour; -fno-sanitize-recover makes such a report fatal, so the daemon would die).
#   usage: empty_ledger.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
tmp=$(mktemp -d /tmp/bzl-empty-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

reads=(
  "enterprise list"
  "book list"
  "declaration list"
  "declaration list --state pending --older-than 3"
  "report var --period 2026"
  "report var --period 2026 --by enterprise"
  "report var --period 2026 --by product"
  "report modes --period 2026"
  "report modes --period 2026 --granularity month"
  "report share --period 2026"
  "report upgrades --from 2025 --to 2026"
  "reconcile --all --period 2026"
  "rates list"
  "transfers unmatched"
  "audit"
  "verify"
  "stats"
)
for r in "${reads[@]}"; do
  # shellcheck disable=SC2086 # each entry is a command line
  check "$r answers on an empty ledger" "$bzl" $r
  check "$r answers in JSON on an empty ledger" bash -c "'$bzl' --json $r | grep -q ."
done
check "bzld is still serving" kill -0 "$pid"
check "the sanitizer reported nothing" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$tmp/bzld.log'"

kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0 on SIGTERM" test "$rc" -eq 0
scenario_end empty_ledger
