#!/usr/bin/env bash
# check_deploy.sh — what the operator installs is well-formed.
#
#   check_deploy.sh units UNIT_DIR BIN_DIR   systemd-analyze verify accepts every unit
#   check_deploy.sh man MAN_PAGE...          each man page renders without a warning
#   check_deploy.sh jobs SOURCE_DIR          the nightly job runs as its own user, which the
#                                            example config maps to the reconciler role (the
#                                            least it needs) and sysusers/tmpfiles provide;
#                                            its unit counts exit 5 (exceptions) as success
#   check_deploy.sh activation BZLD BZL      bzld serves a socket systemd passes it, sends
#                                            READY=1 and STOPPING=1, and leaves the socket
#   check_deploy.sh client BUILD_DIR CC      the client library installed to a scratch prefix
#                                            builds and links a client with pkg-config alone,
#                                            and the client needs neither LMDB nor libsodium
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
  for stub in bzl-nightly bzl-ship; do
    printf '#!/bin/sh\nexit 0\n' >"$work/bin/$stub"
    chmod +x "$work/bin/$stub"
  done
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
jobs)
  src=${1:?source dir}
  user=$(sed -n 's/^User=//p' "$src/deploy/systemd/bzl-nightly.service.in")
  fail() { echo "bzl-nightly.service: $*"; exit 1; }
  [ -n "$user" ] && [ "$user" != bzl ] || fail "runs as '${user:-root}', bzld's own user or root: admin"
  grep -q "^reconciler = user:$user\$" "$src/deploy/bzld.conf" ||
    fail "user $user is not mapped to reconciler in deploy/bzld.conf"
  grep -q "^u $user -:bzl " "$src/deploy/sysusers.d/bzl.conf" ||
    fail "no sysusers.d entry creates $user in group bzl (the socket's group)"
  grep -q "^d /var/lib/bzl/reports  *[0-7]* $user " "$src/deploy/tmpfiles.d/bzl.conf" ||
    fail "/var/lib/bzl/reports is not $user's to write"
  # bzl-nightly exits 5 for a complete report that lists exceptions: the unit must count that as
  # success, or every shortage looks like a broken job.
  grep -q '^SuccessExitStatus=5$' "$src/deploy/systemd/bzl-nightly.service.in" ||
    fail "exit 5 (report written, exceptions listed) would mark the unit failed"
  grep -q '; 5 the report is written and' "$src/clients/nightly/bzl-nightly.sh" ||
    fail "bzl-nightly --help no longer says exit 5 is a written report with exceptions"
  echo "bzl-nightly runs as $user: reconciler in deploy/bzld.conf, created by sysusers.d"
  ship=$(sed -n 's/^User=//p' "$src/deploy/systemd/bzl-ship@.service.in")
  [ -n "$ship" ] && [ "$ship" != bzl ] || fail "bzl-ship@ runs as '${ship:-root}': admin"
  grep -q "^reconciler = user:$ship\$" "$src/deploy/bzld.conf" ||
    fail "bzl-ship@'s user $ship is not mapped to reconciler in deploy/bzld.conf"
  grep -q "^u $ship -:bzl " "$src/deploy/sysusers.d/bzl.conf" ||
    fail "no sysusers.d entry creates $ship in group bzl"
  echo "bzl-ship@ runs as $ship: reconciler in deploy/bzld.conf, created by sysusers.d"
  backup=$(sed -n 's/^User=//p' "$src/deploy/systemd/bzl-backup.service.in")
  [ -n "$backup" ] && [ "$backup" != bzl ] || fail "bzl-backup runs as '${backup:-root}': admin"
  grep -q "^backup = user:$backup\$" "$src/deploy/bzld.conf" ||
    fail "bzl-backup's user $backup is not mapped to the backup role in deploy/bzld.conf"
  grep -q "^u $backup -:bzl " "$src/deploy/sysusers.d/bzl.conf" ||
    fail "no sysusers.d entry creates $backup in group bzl"
  echo "bzl-backup runs as $backup: the backup role in deploy/bzld.conf, created by sysusers.d"
  ;;
man)
  if ! command -v man >/dev/null; then
    echo "SKIP: man is not installed (apt-get install man-db)"
    exit 77
  fi
  for page in "$@"; do
    warnings=$(MANWIDTH=80 man --warnings -l -Tutf8 "$page" 2>&1 >/dev/null || echo "man failed")
    if command -v groff >/dev/null; then
      # -k: preconv, so the pages' Chinese column names are read as UTF-8 as man reads them.
      warnings+=$(groff -k -Tutf8 -ww -z -man "$page" 2>&1)
    fi
    if [ -n "$warnings" ]; then
      echo "$page: $warnings"
      exit 1
    fi
    echo "$(basename "$page"): renders cleanly"
  done
  ;;
activation)
  bzld=${1:?bzld}
  bzl=${2:?bzl}
  if ! command -v systemd-socket-activate >/dev/null || ! command -v python3 >/dev/null; then
    echo "SKIP: needs systemd-socket-activate (package systemd) and python3"
    exit 77
  fi
  work=$(mktemp -d /tmp/bzl-activation-XXXXXX)
  trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
  # A stand-in for systemd's notification socket: records every datagram bzld sends.
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a")
while True:
    out.write(s.recv(4096).decode() + "\n---\n"); out.flush()
' "$work/notify.sock" "$work/notify.log" &
  for _ in $(seq 50); do [ -S "$work/notify.sock" ] && break; sleep 0.1; done
  systemd-socket-activate -E NOTIFY_SOCKET="$work/notify.sock" -l "$work/bzld.sock" \
    "$bzld" --foreground --data "$work/data" --socket "$work/bzld.sock" 2>"$work/bzld.log" &
  pid=$!
  for _ in $(seq 50); do [ -S "$work/bzld.sock" ] && break; sleep 0.1; done
  BZL_SOCKET=$work/bzld.sock "$bzl" stats >/dev/null || { cat "$work/bzld.log"; exit 1; }
  grep -q 'socket from systemd' "$work/bzld.log" || { cat "$work/bzld.log"; exit 1; }
  kill -TERM "$pid"
  wait "$pid" || { echo "bzld did not exit 0"; cat "$work/bzld.log"; exit 1; }
  [ -S "$work/bzld.sock" ] || { echo "bzld removed the socket systemd owns"; exit 1; }
  sleep 0.2
  grep -q '^READY=1' "$work/notify.log" || { echo "no READY=1"; cat "$work/notify.log"; exit 1; }
  grep -q '^STOPPING=1' "$work/notify.log" || { echo "no STOPPING=1"; exit 1; }
  echo "socket activation and readiness: ok"
  ;;
client)
  build=${1:?build dir}
  cc=${2:?compiler}
  work=$(mktemp -d /tmp/bzl-client-XXXXXX)
  trap 'rm -rf "$work"' EXIT
  cmake --install "$build" --prefix "$work/prefix" >/dev/null
  pc=$(find "$work/prefix" -name bzl-client.pc -printf '%h\n' | head -1)
  [ -n "$pc" ] || { echo "bzl-client.pc was not installed"; exit 1; }
  export PKG_CONFIG_PATH=$pc
  cat >"$work/client.c" <<'C'
#include "bzl/client.h"
#include <stdio.h>
int
main(void)
{
    bzl_client *c = NULL;
    char why[256] = "";
    /* No daemon listens there: the call must fail cleanly with a reason. */
    bzl_status st = bzl_client_connect("/nonexistent/bzld.sock", &c, why, sizeof why);
    printf("%s %s\n", bzl_status_name(st), why);
    return st == BZL_OK;
}
C
  # A sanitizer build's libraries need the sanitizer runtime at link time too.
  san=
  grep -q '^BZL_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && san=-fsanitize=address,undefined
  # shellcheck disable=SC2046 # pkg-config's words are meant to split
  "$cc" $san -o "$work/client" "$work/client.c" $(pkg-config --cflags --libs --static bzl-client)
  out=$("$work/client") || { echo "the client did not run: $out"; exit 1; }
  case "$out" in IO_ERROR*|NOT_FOUND*|*"No such file"*) ;; *) echo "unexpected: $out"; exit 1 ;; esac
  if ldd "$work/client" | grep -Eq 'liblmdb|libsodium'; then
    echo "the client links LMDB or libsodium"; exit 1
  fi
  pkg-config --libs --static bzl-client | grep -Eq 'lmdb|sodium' && { echo "bzl-client.pc names LMDB or libsodium"; exit 1; }
  echo "client library via pkg-config: ok ($out)"
  ;;
*)
  echo "usage: check_deploy.sh units UNIT_DIR BIN_DIR | man PAGE... | activation BZLD BZL | client BUILD_DIR CC" >&2
  exit 2
  ;;
esac
