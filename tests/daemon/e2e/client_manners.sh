#!/usr/bin/env bash
# client_manners.sh — proves how bzl behaves when bzld cannot or will not answer: over the
# per-uid connection cap it prints the daemon's LIMIT_EXCEEDED and message, exit 1 (not a
# protocol error); with bzld stopped by SIGSTOP `--timeout 1` gives up within 2 s, exit 3, saying
# "no answer from bzld within 1 s" (and BZL_TIMEOUT does the same); a socket the user may not
# open names the group that may; a second bzld on the same data directory through another
# socket refuses to start and names the first's pid; and every program says its version.
#   usage: client_manners.sh BZLD BZL BZL_BENCH BZL_NIGHTLY
set -uo pipefail
bzld=$1 bzl=$2 bench=$3 nightly=$4
tmp=$(mktemp -d /tmp/bzl-mann-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid
holder=
trap 'kill -CONT "$pid" 2>/dev/null; [ -n "$holder" ] && kill "$holder" 2>/dev/null; cleanup' EXIT

# ---- --version, from the one version CMake sets --------------------------------------------
v=$("$bzl" --version)
check "bzl --version prints bzl and a version" grep -Eq '^bzl [0-9]+\.[0-9]+\.[0-9]+$' <<<"$v"
check "bzld says the same version" test "$("$bzld" --version)" = "bzld ${v#bzl }"
check "bzl-bench says the same version" test "$("$bench" --version)" = "bzl-bench ${v#bzl }"
check "bzl-nightly says the same version" test "$("$nightly" --version)" = "bzl-nightly ${v#bzl }"

# ---- the per-uid connection cap ---------------------------------------------------------------
cat >"$tmp/bzld.conf" <<EOF
[limits]
connections_per_uid = 2
staff_connections = 0
EOF
"$bzld" --foreground --config "$tmp/bzld.conf" --data "$tmp" --socket "$BZL_SOCKET" \
  2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
check "bzld answers before the cap is reached" "$bzl" --json stats >/dev/null
# Two idle connections held open by one process of this uid.
python3 - "$BZL_SOCKET" "$tmp/held" <<'PY' &
import socket, sys, time
conns = []
for _ in range(2):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    conns.append(s)
open(sys.argv[2], "w").close()
time.sleep(60)
PY
holder=$!
for _ in $(seq 100); do [ -e "$tmp/held" ] && break; sleep 0.1; done
sleep 0.3
"$bzl" rates list >"$tmp/out" 2>"$tmp/err"; rc=$?
check "rates list over the cap exits 1" test "$rc" -eq 1
check "it prints LIMIT_EXCEEDED and the daemon's message" \
  grep -q '^bzl: LIMIT_EXCEEDED: too many connections from uid [0-9]* (the cap is 2)' "$tmp/err"
check "it prints no protocol error" bash -c "! grep -q 'MALFORMED\\|response id' '$tmp/err'"
"$bzl" stats >"$tmp/out" 2>"$tmp/err"; rc=$?
check "stats over the cap exits 1" test "$rc" -eq 1
check "stats prints LIMIT_EXCEEDED, not a broken pipe" \
  grep -q '^bzl: LIMIT_EXCEEDED: too many connections' "$tmp/err"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=
sleep 0.3
check "below the cap again, stats answers" "$bzl" --json stats >/dev/null

# ---- a second bzld on the same data directory -------------------------------------------------
"$bzld" --foreground --data "$tmp" --socket "$tmp/other.sock" 2>"$tmp/second.log" &
second=$!
for _ in $(seq 50); do kill -0 "$second" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$second" 2>/dev/null; then kill -9 "$second"; fi
wait "$second"; rc=$?
check "the second bzld on one data directory exits non-zero" test "$rc" -ne 0
check "it names the first's pid and the data directory" \
  grep -q "another bzld (pid $pid) is serving $tmp" "$tmp/second.log"
check "the second never created its socket" test ! -e "$tmp/other.sock"

# ---- a daemon that does not answer ------------------------------------------------------------
# timeout 5 keeps a client that never gives up (the old bzl) from hanging the test.
kill -STOP "$pid"
start=$(date +%s%N)
timeout 5 "$bzl" stats --timeout 1 >"$tmp/out" 2>"$tmp/err"; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "stats --timeout 1 against a stopped bzld exits 3" test "$rc" -eq 3
check "it gives up within 2 s (took $ms ms)" test "$ms" -lt 2000
check "it says no answer from bzld within 1 s" grep -q 'no answer from bzld within 1 s' "$tmp/err"
start=$(date +%s%N)
BZL_TIMEOUT=1 timeout 5 "$bzl" rates list >"$tmp/out" 2>"$tmp/err"; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "BZL_TIMEOUT=1 does the same: exit 3 within 2 s (took $ms ms)" \
  test "$rc" -eq 3 -a "$ms" -lt 2000
timeout 5 "$bzl" stats --timeout soon >/dev/null 2>"$tmp/err"; rc=$?
check "--timeout soon is a usage error" test "$rc" -eq 2
kill -CONT "$pid"
check "after SIGCONT stats answers again" "$bzl" --json stats --timeout 5 >/dev/null

# ---- a socket this user may not open ----------------------------------------------------------
# Root opens anything, so the refusal is met as nobody (uid 65534), with setpriv.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  chmod 0750 "$tmp"
  setpriv --reuid 65534 --regid 65534 --clear-groups "$bzl" --socket "$BZL_SOCKET" stats \
    >/dev/null 2>"$tmp/err"; rc=$?
  group=$(stat -c %G "$tmp")
  check "a socket nobody may open exits 3" test "$rc" -eq 3
  check "it says permission denied and names group $group" \
    grep -q "permission denied: only the daemon's user and members of group $group may connect" \
    "$tmp/err"
  check "it does not ask whether bzld is running" bash -c "! grep -q 'is bzld running' '$tmp/err'"
fi

scenario_end client_manners
