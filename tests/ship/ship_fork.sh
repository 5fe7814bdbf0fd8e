#!/usr/bin/env bash
# ship_fork.sh — a fork is refused and nothing is written: zone FZ is shipped, then restored
# from an older backup. While the restored journal is shorter than the warehouse's, bzl-ship
# refuses (exit 1) naming the warehouse's hash and where the zone's journal ends; after
# different declarations take it past the warehouse's cursor, bzl-ship refuses naming both
# hashes of the cursor's entry (the warehouse's and the zone's, each checked against `bzl
# journal` of the journal that made it). Each time the warehouse is left exactly as it was.
#   usage: ship_fork.sh BZLD BZL BZL-SHIP SRC
set -uo pipefail
bzld=$1 bzl=$2 ship=$3 src=$4
tmp=$(mktemp -d /tmp/bzl-shipfork-XXXXXX)
chmod 755 "$tmp"
export BZL_SOCKET=$tmp/bzld.sock
. "$src/tests/daemon/e2e/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid
. "$src/tests/ship/pg.sh"
pg_skip_unless
trap 'pg_stop immediate; cleanup' EXIT
pg_start
db="host=$tmp/pg user=bzl dbname=postgres"

start() { # start DATA_DIR
  "$bzld" --foreground --data "$1" --socket "$BZL_SOCKET" 2>>"$tmp/bzld.log" &
  pid=$!
  for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
}
stop() { kill -TERM "$pid"; wait "$pid"; pid=; }
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
imp() { # imp ID DATE QTY: a material import into the book
  printf '{"id":"%s","enterprise":"6201230001","book":"H72012400001","kind":"material","direction":"in","trade_mode":"5015","date":"%s","lines":[{"item":1,"qty":"%s","unit":"035","value":"%s","currency":"502"}]}\n' \
    "$1" "$2" "$3" "$3" >"$tmp/$1.json"
  run submit "$tmp/$1.json"
}
snapshot() { pg -c "SELECT count(*) || '/' || sum(hashtext(encode(hash, 'hex'))) FROM bzl_entry; SELECT seq || ' ' || encode(hash, 'hex') FROM bzl_cursor"; }

mkdir -p "$tmp/a"
start "$tmp/a"
run enterprise add --id 6201230001 --uscc 91620100MA71AB1C2F --name "Fork Test Co."
run book open --book H72012400001 --enterprise 6201230001
run item add --book H72012400001 --kind material --seq 1 --hs 1206009000 --name seed --unit 035
imp A-1 2026-01-05 100
run backup --out "$tmp/old.mdb"
backup_seq=$("$bzl" journal | wc -l)
for i in 2 3 4 5; do imp A-$i 2026-01-0$i 10$i; done
check "the original zone ships" "$ship" --zone FZ --db "$db"
n=$("$bzl" journal | wc -l)
ours=$("$bzl" --json journal --since $((n - 1)) | sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p')
check "the warehouse's cursor is the original's entry $n" test "$(pg -c "SELECT seq || ' ' || encode(hash, 'hex') FROM bzl_cursor")" = "$n $ours"
before=$(snapshot)
stop

# Restored from the older backup (README "Backup and restore"): the journal ends at the backup.
mkdir -p "$tmp/b"
cp "$tmp/old.mdb" "$tmp/b/data.mdb"
start "$tmp/b"
"$ship" --zone FZ --db "$db" 2>"$tmp/err1"; rc=$?
check "a zone shorter than the warehouse is refused (exit 1)" test "$rc" -eq 1
check "… naming the warehouse's hash and where the zone's journal ends" \
  grep -q "the warehouse holds entry $n with hash $ours, but the zone's journal ends at entry $backup_seq" "$tmp/err1"
check "… and nothing is written" test "$(snapshot)" = "$before"

# Different declarations take the restored zone past the cursor: the same sequences, other hashes.
for i in 6 7 8 9; do imp B-$i 2026-02-0$i 20$i; done
theirs=$("$bzl" --json journal --since $((n - 1)) | head -1 | sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p')
check "the restored zone has another entry $n" test -n "$theirs" -a "$theirs" != "$ours"
"$ship" --zone FZ --db "$db" 2>"$tmp/err2"; rc=$?
check "a forked zone is refused (exit 1)" test "$rc" -eq 1
check "… naming both hashes" grep -q "forked at entry $n: the warehouse holds hash $ours, the zone has $theirs" "$tmp/err2"
check "… and nothing is written" test "$(snapshot)" = "$before"
"$ship" --zone FZ --db "$db" --follow 2>"$tmp/err3"; rc=$?
check "--follow refuses at once too (exit 1, no retry loop)" test "$rc" -eq 1
check "--status still tells where the warehouse stands" bash -c "'$ship' --zone FZ --db '$db' --status | grep -q 'shipped through entry $n (hash $ours)'"
stop
check "the sanitizer reported nothing in bzld" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$tmp/bzld.log'"
scenario_end ship_fork
