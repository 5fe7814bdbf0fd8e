#!/usr/bin/env bash
# backup_scenario.sh — proves issue 13's finding 12 about backups closed: the backup job runs as
# a user of its own mapped to the `backup` role, which may take a hot backup and nothing else
# (a reconciler may not take one); and a backup removes the temporaries ("NAME.tmp-PID") that
# backups killed half-way left in its directory — only regular files of bzld's uid whose PID
# no longer runs: a live process's temporary, another user's file and a symlink stay.
# Needs root to run bzl as other uids (setpriv); otherwise exit 77 (skipped).
#   usage: backup_scenario.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
  echo "backup_scenario: needs root and setpriv to run bzl as other uids; skipped"
  exit 77
fi
tmp=$(mktemp -d /tmp/bzl-backup-XXXXXX)
chmod 0711 "$tmp"
export BZL_SOCKET=$tmp/run/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

SOCK_GID=4242 BACKUP=3005 RECON=3006
cat >"$tmp/bzld.conf" <<EOF
[daemon]
socket_group = $SOCK_GID
[access]
backup = uid:$BACKUP
reconciler = uid:$RECON
EOF
"$bzld" --foreground --config "$tmp/bzld.conf" --data "$tmp/data" --socket "$BZL_SOCKET" \
  2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
as() { local uid=$1; shift; setpriv --reuid="$uid" --regid="$uid" --groups="$SOCK_GID" -- "$bzl" "$@"; }
"$bzl" enterprise add --id 6201230001 --uscc 91620100MA71AB1C2F --name "Zone Widget Co." >/dev/null

# A pid that ran and is gone: a child that has exited (pids are not reused this quickly).
sh -c 'exit 0' &
dead=$!
wait "$dead"
out=$tmp/backups
mkdir "$out"
touch "$out/bzl-20261205-030000.mdb.tmp-$dead"             # bzld's, killed half-way: goes
touch "$out/bzl-20261205-040000.mdb.tmp-$$"               # a live process's: stays
touch "$out/other.mdb.tmp-$dead" && chown $BACKUP "$out/other.mdb.tmp-$dead" # not bzld's: stays
ln -s /etc/passwd "$out/link.mdb.tmp-$dead"                # a symlink: stays, target untouched
touch "$out/notes.tmp-x"                                   # not a pid: stays

as $BACKUP backup --out-dir "$out" >"$tmp/out" 2>"$tmp/err"
check "the backup role takes a backup" test $? -eq 0
check "…and the copy is there" test "$(find "$out" -name 'bzl-*.mdb' ! -name '*.tmp-*' | wc -l)" -eq 1
check "the killed backup's temporary is removed" test ! -e "$out/bzl-20261205-030000.mdb.tmp-$dead"
check "a live process's temporary stays" test -e "$out/bzl-20261205-040000.mdb.tmp-$$"
check "another user's file stays" test -e "$out/other.mdb.tmp-$dead"
check "a symlink stays" test -L "$out/link.mdb.tmp-$dead"
check "a name without a pid stays" test -e "$out/notes.tmp-x"
check "the log counts the one removed" grep -q "; 1 leftover temporaries of killed backups removed" "$tmp/bzld.log"

as $BACKUP stats >"$tmp/out" 2>"$tmp/err"
check "the backup role may not read stats" grep -q "PERMISSION_DENIED: the backup role may not send stats" "$tmp/err"
as $BACKUP enterprise list >"$tmp/out" 2>"$tmp/err"
check "…nor list enterprises" grep -q "PERMISSION_DENIED: the backup role may not send list_enterprises" "$tmp/err"
as $RECON backup --out-dir "$out" >"$tmp/out" 2>"$tmp/err"
check "a reconciler may not take a backup" grep -q "PERMISSION_DENIED: the reconciler role may not send backup" "$tmp/err"

scenario_end backup_scenario
