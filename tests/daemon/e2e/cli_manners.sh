#!/usr/bin/env bash
# cli_manners.sh — proves the CLI's smaller manners on the demo zone (deploy/demo/zone.sh): a
# missing item or an empty range is NOT_FOUND or INVALID_ARGUMENT (exit 1), never an empty
# table; reversed report periods are refused; --granularity year makes one bucket per year and
# is refused where it means nothing; report upgrades calls a first appearance "new", not
# "same"; every listing takes --csv (a lower-case header row, then the rows); action commands
# say what was done; verify counts the journal entries it says it counts.
#   usage: cli_manners.sh BZLD BZL SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 src=$3
tmp=$(mktemp -d /tmp/bzl-cman-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
"$src/deploy/demo/zone.sh" "$bzl" >"$tmp/zone.log" 2>&1 || { cat "$tmp/zone.log" >&2; exit 1; }
OIL=H72012400011 # the demo's grain & oil book: material 1 sunflower seed, product 1 oil

# run NAME EXPECTED-RC PATTERN ARGS...: bzl ARGS exits EXPECTED-RC and its stderr matches.
refused() {
  local name=$1 want=$2 pattern=$3; shift 3
  "$bzl" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  check "$name: exit $want (was $rc)" test "$rc" -eq "$want"
  check "$name: says '$pattern'" grep -q -- "$pattern" "$tmp/err"
  check "$name: prints no table" test ! -s "$tmp/out"
}

# ---- empty answers are refusals ----------------------------------------------------------------
refused "history --from after --to" 1 'INVALID_ARGUMENT: from 2025-06-01 is after to 2025-01-01' \
  history --book $OIL --kind material --item 1 --from 2025-06-01 --to 2025-01-01
refused "history of a missing item" 1 'NOT_FOUND' history --book $OIL --kind material --item 99
refused "scrap --item of a missing item" 1 'NOT_FOUND: the item does not exist' \
  scrap --book $OIL --item 99
refused "report upgrades --from after --to" 1 'INVALID_ARGUMENT: the period from (2025) starts after' \
  report upgrades --from 2025 --to 2024
refused "report var --granularity" 2 'granularity applies to report modes and report share' \
  report var --period 2025 --granularity year
"$bzl" scrap --book $OIL --item 1 >"$tmp/out" 2>"$tmp/err"
check "scrap of an existing material still answers" grep -q '^ *1 ' "$tmp/out"

# ---- --granularity year ----------------------------------------------------------------------------
"$bzl" report share --period 2025 --granularity year --csv >"$tmp/out" 2>"$tmp/err"
check "share by year: one bucket 2025 and the total" \
  test "$(grep -v '^#' "$tmp/out" | cut -d, -f1 | tr '\n' ' ')" = "month 2025 total "
"$bzl" report modes --period 2025 --granularity year --csv >"$tmp/out" 2>"$tmp/err"
check "modes by year: every row's bucket is 2025 (3 enterprises + ZONE)" \
  test "$(grep -v '^#' "$tmp/out" | tail -n +2 | cut -d, -f1 | sort -u)/$(grep -c '^2025,' "$tmp/out")" = "2025/4"

# ---- report upgrades: first appearances --------------------------------------------------------
# 2024 holds nothing, so every product, enterprise and the zone first appear in 2025.
"$bzl" report upgrades --from 2024 --to 2025 --csv >"$tmp/out" 2>"$tmp/err"
check "upgrades from an empty period: the oil product is new" \
  grep -q "^product,$OIL/1,none,ODM,,new$" "$tmp/out"
check "no row from none is called same" bash -c "! grep -q ',none,[A-Z]*,,same$' '$tmp/out'"

# ---- --csv on every listing ------------------------------------------------------------------------
csv_header() { # csv_header HEADER ARGS...: bzl ARGS --csv opens with HEADER
  local header=$1; shift
  "$bzl" "$@" --csv >"$tmp/out" 2>"$tmp/err" && test "$(head -1 "$tmp/out")" = "$header"
}
check "enterprise list --csv" csv_header "code,uscc,name,area" enterprise list
check "book list --csv" csv_header "$("$bzl" book list --csv | head -1)" book list
check "bom list --csv" csv_header "$("$bzl" bom list --book $OIL --csv | head -1)" bom list --book $OIL
check "bom list --csv has a lower-case header" bash -c "'$bzl' bom list --book $OIL --csv | head -1 | grep -q '^[a-z_%,]*$'"
check "history --csv" csv_header "seq,date,id,flow,entry,qty,pending_in,pending_out,balance" \
  history --book $OIL --kind material --item 1
check "scrap --csv" csv_header "material,generated,used,remaining" scrap --book $OIL
check "transfers unmatched --csv" bash -c "'$bzl' transfers unmatched --csv | head -1 | grep -q '^[a-z_%,]*$'"
check "rates list --csv" csv_header "month,currency,iso,cny" rates list
check "balance --csv" bash -c "'$bzl' balance --book $OIL --csv | head -1 | grep -q '^book,kind,item,'"

# ---- actions say what was done -----------------------------------------------------------------------
"$bzl" rates set --month 2026-03 --currency 502 --cny 7.1234 >"$tmp/out" 2>&1
check "rates set says the rate recorded" grep -qx 'rate 502 2026-03 = 7.1234 CNY recorded' "$tmp/out"
"$bzl" rates set --month 2026-03 --currency 502 --cny 7.1234 >"$tmp/out" 2>&1
check "the same again is unchanged, said so" \
  grep -qx 'rate 502 2026-03 = 7.1234 CNY unchanged (the same was recorded before)' "$tmp/out"

# ---- verify counts what it says ----------------------------------------------------------------------
entries=$("$bzl" --json stats | sed -n 's/.*"journal_entries": *\([0-9]*\).*/\1/p')
"$bzl" verify >"$tmp/out" 2>&1
check "verify names journal entries, not declarations: $entries" \
  grep -q "recomputed from the effects of $entries journal entries agree" "$tmp/out"

scenario_end cli_manners
