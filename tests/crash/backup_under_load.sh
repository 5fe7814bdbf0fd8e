#!/usr/bin/env bash
# backup_under_load.sh — a hot backup taken while 8 connections keep writing is consistent:
# restored (bzld started on the copy), it holds every declaration acknowledged before the
# backup began, exactly once, with its acknowledged sequence, and nothing unsent; its
# balance equals its journal (crash_check.c's proof, run against the copy). Also: the load
# is still being acknowledged after the backup returns, and a second backup to the same
# path is refused with ALREADY_EXISTS.
#
#   tests/crash/backup_under_load.sh BZLD BZL CRASH_CLIENT CRASH_CHECK
set -euo pipefail
bzld=${1:?bzld}
bzl=${2:?bzl}
client=${3:?crash_client}
check=${4:?crash_check}

work=$(mktemp -d /tmp/bzl-backup-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "backup_under_load: $*" >&2; cat "$work"/*.log.err 2>/dev/null >&2 || true; exit 1; }

mkdir -p "$work/data" "$work/load"
"$bzld" --foreground --data "$work/data" --socket "$work/a.sock" 2>>"$work/a.log.err" &
bzld_pid=$!
pids+=("$bzld_pid")
"$client" "$work/a.sock" "$work/load" B 8 >/dev/null &
client_pid=$!
pids+=("$client_pid")

# Let the load build up, then note what is acknowledged before the backup begins.
for _ in $(seq 100); do
  [ -s "$work/load/acked.log" ] && [ "$(wc -l <"$work/load/acked.log")" -ge 3000 ] && break
  sleep 0.1
done
cp "$work/load/acked.log" "$work/acked-before.log"
before=$(wc -l <"$work/acked-before.log")
[ "$before" -gt 0 ] || fail "no declaration was acknowledged before the backup"

"$bzl" --socket "$work/a.sock" backup --out "$work/copy.mdb" >"$work/backup.out" \
  || fail "bzl backup failed: $(cat "$work/backup.out")"
sleep 0.3
after=$(wc -l <"$work/load/acked.log")
[ "$after" -gt "$before" ] || fail "writes did not go on around the backup ($before → $after)"

# Never overwrite.
if "$bzl" --socket "$work/a.sock" backup --out "$work/copy.mdb" >/dev/null 2>"$work/again.err"; then
  fail "a second backup to the same path succeeded"
fi
grep -q ALREADY_EXISTS "$work/again.err" || fail "second backup: $(cat "$work/again.err")"

kill -TERM "$client_pid"; wait "$client_pid" 2>/dev/null || true
kill -TERM "$bzld_pid"; wait "$bzld_pid" || fail "bzld did not exit 0 on SIGTERM"
pids=()

# Restore: the copy becomes data.mdb of a fresh directory, and bzld starts on it.
mkdir -p "$work/restored" "$work/checklogs"
cp "$work/copy.mdb" "$work/restored/data.mdb"
cp "$work/load/sent.log" "$work/checklogs/sent.log"
cp "$work/acked-before.log" "$work/checklogs/acked.log"
"$bzld" --foreground --data "$work/restored" --socket "$work/r.sock" 2>>"$work/r.log.err" &
bzld_pid=$!
pids+=("$bzld_pid")
"$check" "$work/r.sock" "$work/checklogs" >"$work/check.out" 2>&1 \
  || fail "the restored copy fails the check: $(cat "$work/check.out")"
kill -TERM "$bzld_pid"; wait "$bzld_pid" || fail "restored bzld did not exit 0"
pids=()
echo "acknowledged before backup $before, during and after $((after - before)); backup:"
cat "$work/backup.out"
cat "$work/check.out"
