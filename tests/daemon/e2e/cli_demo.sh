#!/usr/bin/env bash
# cli_demo.sh — proves the bzl CLI end to end against a real bzld: the demo ledger loads,
# every balance equals the hand computation below, a second load replays without posting,
# a bad declaration file is refused naming file, declaration and field (exit 4), an outflow
# beyond the balance is refused naming the item and what is available (exit 1), a CSV file
# posts like its JSON twin while a bad row is named by file, line and column, and bzld
# stops on SIGTERM with exit 0.
#   usage: cli_demo.sh BZLD BZL SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 src=$3
tmp=$(mktemp -d /tmp/bzl-cli-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

check "demo loads" "$src/deploy/demo/load.sh" "$bzl" >/dev/null

# qty BOOK KIND ITEM → the qty string of one balance row, from the JSON output.
qty() { "$bzl" --json balance --book "$1" --kind "$2" --item "$3" |
        sed -n 's/.*"qty": *"\([^"]*\)".*/\1/p'; }
value() { "$bzl" --json balance --book "$1" --kind "$2" --item "$3" |
          sed -n 's/.*"value": *"\([^"]*\)".*/\1/p'; }
# Hand computation from deploy/demo/declarations.json:
#   H72012400001 material 1: imports 20000.5 + 15000 = 35000.5 kg; value 11200.28 + 8400 = 19600.28
#   H72012400001 material 2: import 12000 − out 500 = 11500 pieces; value 1800 − 75 = 1725
#   H72012400001 product 1: no movement = 0
#   H72012400002 material 1: import 48000 pieces
check "seed balance" test "$(qty H72012400001 material 1)" = "35000.5"
check "seed value" test "$(value H72012400001 material 1)" = "19600.28"
check "preform balance" test "$(qty H72012400001 material 2)" = "11500"
check "preform value" test "$(value H72012400001 material 2)" = "1725"
check "oil balance" test "$(qty H72012400001 product 1)" = "0"
check "ic balance" test "$(qty H72012400002 material 1)" = "48000"

out=$("$src/deploy/demo/load.sh" "$bzl")
check "reload replays all four" test "$(grep -c replayed <<<"$out")" -eq 4
check "reload posts nothing" test "$(qty H72012400001 material 1)" = "35000.5"

cat >"$tmp/bad.json" <<'JSON'
[{"id": "BAD-1", "enterprise": "6201230001", "book": "H72012400001", "kind": "material",
  "direction": "in", "trade_mode": "5015", "date": "2026-03-01",
  "lines": [{"item": 1, "qty": 5, "unit": "035", "value": "1", "currency": "502"}]}]
JSON
err=$("$bzl" submit "$tmp/bad.json" 2>&1 >/dev/null); rc=$?
check "bad file exits 4" test "$rc" -eq 4
check "bad file names the file" grep -q "bad.json" <<<"$err"
check "bad file names the field" grep -q "qty" <<<"$err"
check "bad file names the declaration" grep -q "BAD-1" <<<"$err"

cat >"$tmp/out.json" <<'JSON'
{"id": "OUT-1", "enterprise": "6201230001", "book": "H72012400001", "kind": "material",
 "direction": "out", "trade_mode": "5015", "date": "2026-03-28",
 "lines": [{"item": 1, "qty": "40000", "unit": "035", "value": "1", "currency": "502"}]}
JSON
err=$("$bzl" submit "$tmp/out.json" 2>&1 >/dev/null); rc=$?
check "outflow beyond balance exits 1" test "$rc" -eq 1
check "refusal is INSUFFICIENT_BALANCE" grep -q "INSUFFICIENT_BALANCE" <<<"$err"
check "refusal names what is available" grep -q "35000.5" <<<"$err"
check "refusal posts nothing" test "$(qty H72012400001 material 1)" = "35000.5"

# CSV: one row per line, the declaration's columns repeated; a quoted cell may hold a comma.
#   H72012400001 material 1: 35000.5 + 100.5 = 35101; material 2: 11500 + 7 = 11507
printf 'id,enterprise,book,kind,direction,trade_mode,date,item,qty,unit,value,currency\r\n%s\r\n%s\r\n' \
  'CSV-1,6201230001,H72012400001,material,in,5015,2026-03-29,1,100.5,035,56.28,502' \
  'CSV-1,6201230001,H72012400001,material,in,5015,2026-03-29,2,7,007,"1.05",502' >"$tmp/ok.csv"
check "csv submit exits 0" "$bzl" submit "$tmp/ok.csv" >/dev/null
check "csv seed balance" test "$(qty H72012400001 material 1)" = "35101"
check "csv preform balance" test "$(qty H72012400001 material 2)" = "11507"
printf 'id,enterprise,book,kind,direction,trade_mode,date,item,qty,unit,value,currency\n%s\n%s\n' \
  'CSV-2,6201230001,H72012400001,material,in,5015,2026-03-30,1,5,035,1,502' \
  'CSV-2,6201230001,H72012400001,material,in,5015,2026-03-30,2,1e5,007,1,502' >"$tmp/bad.csv"
err=$("$bzl" submit "$tmp/bad.csv" 2>&1 >/dev/null); rc=$?
check "bad csv exits 4" test "$rc" -eq 4
check "bad csv names file, line and column" grep -q 'bad.csv:3: qty: ' <<<"$err"
check "bad csv posts nothing of the file" test "$(qty H72012400001 material 1)" = "35101"

"$bzl" stats >/dev/null 2>&1 || true
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0 on SIGTERM" test "$rc" -eq 0
check "bzld log is clean of errors" bash -c "! grep -q '^<[0-3]>' '$tmp/bzld.log'"

scenario_end cli_demo
