#!/usr/bin/env bash
# files_scenario.sh — bzld's own files cannot be turned against it (red-team findings 8 and 11
# of issue 13): a pid file planted as a symlink is refused and nothing is written through it;
# a socket directory anyone may write into (and not sticky) is refused; a second bzld, or
# `bzld --upgrade`, on a data directory another bzld serves is refused through any socket,
# naming the running pid.
#   usage: files_scenario.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
tmp=$(mktemp -d /tmp/bzl-files-XXXXXX)
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

# 1. The pid file is a symlink to a file the attacker wants overwritten.
mkdir -m 0750 "$tmp/run1" "$tmp/data1"
echo "precious" >"$tmp/victim"
ln -s "$tmp/victim" "$tmp/run1/bzld.sock.pid"
"$bzld" --foreground --data "$tmp/data1" --socket "$tmp/run1/bzld.sock" 2>"$tmp/err1" &
p1=$!
for _ in $(seq 30); do kill -0 $p1 2>/dev/null || break; sleep 0.1; done
if kill -0 $p1 2>/dev/null; then kill -9 $p1; fi
wait $p1 2>/dev/null
check "a symlinked pid file is refused" grep -q 'pid file' "$tmp/err1"
check "nothing is written through it" test "$(cat "$tmp/victim")" = "precious"

# 2. A world-writable socket directory without the sticky bit.
mkdir "$tmp/open" "$tmp/data2" && chmod 0777 "$tmp/open"
"$bzld" --foreground --data "$tmp/data2" --socket "$tmp/open/bzld.sock" 2>"$tmp/err2" &
p2=$!
for _ in $(seq 30); do kill -0 $p2 2>/dev/null || break; sleep 0.1; done
if kill -0 $p2 2>/dev/null; then kill -9 $p2; fi
wait $p2 2>/dev/null
check "a world-writable socket directory is refused" grep -q 'writable' "$tmp/err2"

# 3. One data directory, two sockets.
mkdir -m 0750 "$tmp/runA" "$tmp/runB" "$tmp/data3"
"$bzld" --foreground --data "$tmp/data3" --socket "$tmp/runA/bzld.sock" 2>"$tmp/errA" &
pid=$!
for _ in $(seq 100); do "$bzl" --socket "$tmp/runA/bzld.sock" stats >/dev/null 2>&1 && break; sleep 0.1; done
"$bzld" --foreground --data "$tmp/data3" --socket "$tmp/runB/bzld.sock" 2>"$tmp/errB" &
p3=$!
for _ in $(seq 30); do kill -0 $p3 2>/dev/null || break; sleep 0.1; done
served_twice=no
if kill -0 $p3 2>/dev/null; then served_twice=yes; kill -9 $p3; fi
wait $p3 2>/dev/null
check "a second bzld on a served data directory is refused" test "$served_twice" = no
check "the refusal names the running pid" grep -q "pid $pid" "$tmp/errB"
"$bzld" --upgrade --data "$tmp/data3" --socket "$tmp/runB/bzld.sock" 2>"$tmp/errU"
urc=$?
check "--upgrade on a served data directory is refused" test "$urc" -ne 0
check "the upgrade's refusal names the running pid" grep -q "pid $pid" "$tmp/errU"
check "the first bzld still serves" bash -c "'$bzl' --socket '$tmp/runA/bzld.sock' stats >/dev/null"

kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0 on SIGTERM" test "$rc" -eq 0
scenario_end files_scenario
