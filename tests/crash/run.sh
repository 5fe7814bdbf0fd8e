#!/usr/bin/env bash
# run.sh — the crash harness: kill -9 bzld again and again under load, then prove that no
# acknowledged declaration was lost or stored twice (crash_check.c says how).
#
#   tests/crash/run.sh CYCLES BZLD CRASH_CLIENT CRASH_CHECK [CONNS]
#
# Each cycle starts bzld on the same data directory and SIGKILLs it after a random delay:
# about one cycle in five during start-up (0-60 ms after exec: opening LMDB, binding the
# socket), the others while CONNS client connections (default 8) are submitting, 50-700 ms
# in, which lands in batches, in commits and between them. After the last cycle a fresh
# bzld is started, crash_check runs, and bzld must then stop cleanly on SIGTERM.
# Exit status 0 when everything holds. The work directory is kept on failure.
set -euo pipefail
cycles=${1:?cycles}
bzld=${2:?bzld}
client=${3:?crash_client}
check=${4:?crash_check}
conns=${5:-8}

work=$(mktemp -d /tmp/bzl-crash-XXXXXX)
data=$work/data
sock=$work/bzld.sock
mkdir -p "$data"
bzld_pid=
client_pid=
cleanup() {
  [ -n "$client_pid" ] && kill -9 "$client_pid" 2>/dev/null || true
  [ -n "$bzld_pid" ] && kill -9 "$bzld_pid" 2>/dev/null || true
}
trap cleanup EXIT

start_bzld() {
  "$bzld" --foreground --data "$data" --socket "$sock" 2>>"$work/bzld.log" &
  bzld_pid=$!
}

# A random delay of min..max milliseconds, as a sleep(1) argument.
delay() {
  local ms=$(( $1 + RANDOM % ($2 - $1 + 1) ))
  printf '%d.%03d' $((ms / 1000)) $((ms % 1000))
}

t0=$(date +%s)
startup_kills=0
load_kills=0
for ((cycle = 1; cycle <= cycles; cycle++)); do
  start_bzld
  if (( RANDOM % 5 == 0 )); then
    sleep "$(delay 0 60)"
    startup_kills=$((startup_kills + 1))
  else
    "$client" "$sock" "$work" "C$cycle" "$conns" >/dev/null &
    client_pid=$!
    sleep "$(delay 50 700)"
    load_kills=$((load_kills + 1))
  fi
  kill -9 "$bzld_pid" 2>/dev/null || true
  wait "$bzld_pid" 2>/dev/null || true
  bzld_pid=
  if [ -n "$client_pid" ]; then
    # Its connections failed with the daemon; only a connection still retrying to connect
    # keeps it alive. A log line is one small write(2), which a signal does not cut.
    kill -TERM "$client_pid" 2>/dev/null || true
    wait "$client_pid" 2>/dev/null || true
    client_pid=
  fi
done

start_bzld
if ! "$check" "$sock" "$work" >"$work/check.out" 2>"$work/check.err"; then
  cat "$work/check.out" "$work/check.err" >&2
  echo "run.sh: FAIL after $cycles cycles; work directory kept: $work" >&2
  trap - EXIT
  cleanup
  exit 1
fi
kill -TERM "$bzld_pid"
rc=0
wait "$bzld_pid" || rc=$?
bzld_pid=
if [ "$rc" -ne 0 ]; then
  echo "run.sh: bzld exited $rc on SIGTERM after the check; work directory kept: $work" >&2
  trap - EXIT
  exit 1
fi
t1=$(date +%s)
echo "cycles $cycles (start-up kills $startup_kills, kills under load $load_kills)" \
     "duration ${t_sec:-$((t1 - t0))}s"
cat "$work/check.out"
rm -rf "$work"
