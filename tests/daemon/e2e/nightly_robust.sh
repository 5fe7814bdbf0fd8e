#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# nightly_robust.sh — proves bzl-nightly never half-fails (issue 16), on the demo zone loaded
# without the EUR rate of 2025-03 (the electronics enterprise exports in EUR):
#   - the run is not a failure: it exits 5 ("exceptions found"), names the missing rate and the
#     bzl rates set command that adds it in the value-added section and in exceptions.csv, draws
#     the other eleven months, writes the complete verification, and moves latest to it;
#   - files the job's earlier layout left at the top of DIR (a stale report.html) are moved aside;
#   - a run killed with SIGKILL half-way leaves latest on the previous complete report, and the
#     next run removes what the killed one left and publishes;
#   - a run that cannot reach bzld exits 3 and publishes nothing;
#   - a pending declaration older than --pending-days and an unmatched transfer are exceptions,
#     named with their enterprise (and a pending one of today is not, at the default 3 days);
#   - a bad --period or --time-zone is a usage error (2);
#   - --help is prose, not the script's source.
#   - an empty ledger is a clean run (exit 0) with a page that says there is no trade;
#   - --time-zone names the dated directory and the page's time stamp.
# Expected figures come from bzl itself, never from bzl-nightly.
#   usage: nightly_robust.sh BZLD BZL BZL_NIGHTLY SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 nightly=$3 src=$4
[ -r /usr/share/javascript/chart.js/chart.min.js ] ||
  { echo "nightly_robust: libjs-chart.js not installed; skipped"; exit 77; }
tmp=$(mktemp -d /tmp/bzl-robust-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock BZL=$bzl
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
# An empty ledger is a clean night: nothing to verify, no trade, no exception.
"$nightly" --out "$tmp/empty" --period 2025-Q2 >/dev/null 2>"$tmp/empty.err"
check "an empty ledger: exit 0" test $? -eq 0
check "its page is written and says there is no trade" \
  grep -q 'No share: no trade is recorded in the period (n/a).' "$tmp/empty/latest/report.html"
check "its share.csv is the total alone, n/a" \
  test "$(tail -n +2 "$tmp/empty/latest/share.csv")" = "total,0.00,0.00,n/a"
# The time zone names the directory and the time stamp: Pacific/Kiritimati (UTC+14) has the
# next day's date from 10:00 to 24:00 UTC (only then does the directory check tell the zones
# apart), and its "+14" in the time stamp always does.
day1=$(TZ=Pacific/Kiritimati date +%F) # before and after the run, should it cross midnight
"$nightly" --out "$tmp/kiri" --period 2025-Q2 --time-zone Pacific/Kiritimati >/dev/null 2>&1
day2=$(TZ=Pacific/Kiritimati date +%F)
check "--time-zone: the directory is that zone's date" \
  bash -c "[ \"\$(readlink '$tmp/kiri/latest')\" = '$day1' ] || [ \"\$(readlink '$tmp/kiri/latest')\" = '$day2' ]"
check "--time-zone: the time stamp names it" grep -q '+14 (Pacific/Kiritimati)' "$tmp/kiri/latest/report.html"

# The demo, loaded through a bzl that leaves out one rate: March 2025, currency 300 (EUR).
cat >"$tmp/bzl-no-eur-march" <<EOF
#!/bin/sh
[ "\$*" = "rates set --month 2025-03 --currency 300 --cny 7.8" ] && exit 0
exec "$bzl" "\$@"
EOF
chmod +x "$tmp/bzl-no-eur-march"
"$src/deploy/demo/load.sh" "$tmp/bzl-no-eur-march" >/dev/null || { echo "demo load failed" >&2; exit 1; }
"$bzl" report var --period 2025-03 --csv >/dev/null 2>"$tmp/rate.err"
check "the ledger really lacks the rate" grep -q 'RATE_MISSING.*currency 300.*2025-03' "$tmp/rate.err"

# ---- a missing rate ----------------------------------------------------------------------------
# DIR as the job before dated directories left it: a stale report.html and CSVs at the top.
out=$tmp/reports
mkdir -p "$out"
echo '<html>last year</html>' >"$out/report.html"
echo 'book,item' >"$out/reconcile.csv"
echo 'book,item' >"$out/book-H72012400011.csv"
"$nightly" --out "$out" --period 2025 >"$tmp/run1.out" 2>"$tmp/run1.err"
check "a missing rate is an exception, not a failure: exit 5" test $? -eq 5
first=$(readlink "$out/latest")
r=$out/latest
check "latest points at the new complete report" test -s "$r/report.html"
fix="bzl rates set --month 2025-03 --currency 300 --cny RATE"
check "gaps.csv names the month, the currency and the fix" \
  grep -q "^\"value-added ratio\",\"2025-03\",\"RATE_MISSING: no exchange rate for currency 300 (EUR) in 2025-03\",\"$fix\"$" "$r/gaps.csv"
check "the value-added section shows a notice with the fix command" \
  bash -c "sed -n '/<h2 id=\"var\">/,/<h2 id=\"share\">/p' '$r/report.html' |
    grep -q 'class=\"notice\" data-gap=\"2025-03\">value-added ratio 2025-03 is incomplete: RATE_MISSING: no exchange rate for currency 300 (EUR) in 2025-03. Fix: <code>$fix</code>'"
check "exceptions.csv lists the missing rate" grep -q "^rate_missing,.*2025-03.*$fix" "$r/exceptions.csv"
check "the other eleven months of the value-added ratio are there" \
  test "$(awk -F, '$2 == "zone"' "$r/var-trend.csv" | cut -d, -f1 | tr '\n' ' ')" = \
  "2025-01 2025-02 2025-04 2025-05 2025-06 2025-07 2025-08 2025-09 2025-10 2025-11 2025-12 "
check "and each is bzl report var's figure for its month" \
  bash -c "for m in 01 02 04 12; do '$bzl' report var --period 2025-\$m --csv | tail -1 | sed \"s/^/2025-\$m,/\"; done |
    diff - <(grep -E '^2025-(01|02|04|12),zone,' '$r/var-trend.csv')"
check "the share and mode sections name March too, the upgrades its whole period" \
  bash -c "grep -q '^\"share\",\"2025-03\"' '$r/gaps.csv' && grep -q '^\"mode mix\",\"2025-03\"' '$r/gaps.csv' &&
    grep -q '^\"upgrades\",\"2025\"' '$r/gaps.csv'"
check "the verification is complete: every figure of bzl reconcile --wide" \
  diff <("$bzl" reconcile --all --period 2025 --wide --csv) <(cut -d, -f1-26 "$r/reconcile.csv")
check "and its shortage is listed" grep -q '^beyond_tolerance,.*,H72012400011,1,.*,-720,-4.0000,' "$r/exceptions.csv"
check "the old layout's files moved out of the way, none left at the top" \
  bash -c "grep -q 'last year' '$out/old-layout/report.html' && test -f '$out/old-layout/book-H72012400011.csv' &&
    test -f '$out/old-layout/reconcile.csv' && ! test -e '$out/report.html' && ! test -e '$out/reconcile.csv'"
check "the page has every chart" \
  test "$(grep -o '<canvas id="chart-[a-z]*"' "$r/report.html" | wc -l)" -eq 4

# ---- SIGKILL half-way ------------------------------------------------------------------------
# A bzl that stops for a minute at the upgrades report, after the CSVs of the verification and
# most reports are written: the run is killed there.
cat >"$tmp/bzl-slow" <<EOF
#!/bin/sh
case "\$*" in *"report upgrades"*) echo \$\$ >"$tmp/slow.pid"; sleep 60 ;; esac
exec "$bzl" "\$@"
EOF
chmod +x "$tmp/bzl-slow"
BZL=$tmp/bzl-slow "$nightly" --out "$out" --period 2025 >/dev/null 2>&1 &
job=$!
for _ in $(seq 600); do [ -s "$tmp/slow.pid" ] && break; sleep 0.1; done
check "the second run reached the upgrades report" test -s "$tmp/slow.pid"
check "its half-written directory exists" bash -c "ls -d '$out'/.partial-* >/dev/null 2>&1"
kill -KILL "$job"
wait "$job" 2>/dev/null
kill -KILL "$(cat "$tmp/slow.pid")" 2>/dev/null
check "latest still points at the first complete report" test "$(readlink "$out/latest")" = "$first"
check "which is whole" bash -c "test -s '$out/latest/report.html' && grep -q '</html>' '$out/latest/report.html'"
"$nightly" --out "$out" --period 2025 >/dev/null 2>&1
check "the next run completes (exit 5)" test $? -eq 5
check "it moved latest to a new directory" bash -c "[ \"\$(readlink '$out/latest')\" != '$first' ] && test -s '$out/latest/report.html'"
check "and removed what the killed run left" bash -c "! ls -d '$out'/.partial-* 2>/dev/null"

# ---- failures and usage ------------------------------------------------------------------------
before=$(readlink "$out/latest")
dirs=$(find "$out" -mindepth 1 -maxdepth 1 | wc -l)
"$nightly" --out "$out" --period 2025 --socket "$tmp/nobody.sock" >/dev/null 2>"$tmp/fail.err"
check "no daemon: exit 3" test $? -eq 3
check "saying what failed" grep -q '^bzl-nightly: bzl reconcile\|^bzl-nightly: reconcile failed' "$tmp/fail.err"
check "latest is unchanged" test "$(readlink "$out/latest")" = "$before"
check "no new report was published" \
  test "$(find "$out" -mindepth 1 -maxdepth 1 -not -name '.partial-*' | wc -l)" -eq "$dirs"
# ---- a late pending declaration and a transfer whose counterpart is missing --------------------
decl() { # decl ID PENDING EXTRA: a textiles material line, 10 kg, dated 2026-11-03
  printf '{"id":"%s","enterprise":"6201230003","book":"H72012400013","kind":"material","direction":"in","trade_mode":"%s","date":"2026-11-03","pending":%s%s,"lines":[{"item":1,"qty":"10","unit":"035","value":"20","currency":"502"}]}\n' \
    "$1" "$2" "$3" "$4" >"$tmp/$1.json"
  "$bzl" submit "$tmp/$1.json" >/dev/null
}
decl TEX-PEND-1 5015 true ""
decl TEX-DP-1 0654 false ',"related_book":"H72012400011","related_id":"OIL-DP-NONE"'
"$nightly" --out "$tmp/late" --period 2025 --pending-days 0 >/dev/null 2>&1
check "with them: exit 5" test $? -eq 5
x=$tmp/late/latest/exceptions.csv
check "the pending declaration is listed, with its owner's name" \
  grep -q '^pending,6201230003,Lanzhou Zone Silk Road Textiles Co.,H72012400013,TEX-PEND-1,' "$x"
check "the transfer is listed with the reason bzl gives" \
  grep -q "^unmatched_transfer,6201230003,Lanzhou Zone Silk Road Textiles Co.,H72012400013,TEX-DP-1,.*$("$bzl" transfers unmatched --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["why"])')" "$x"
check "the page counts both" \
  bash -c "grep -q 'Pending declarations waiting too long</a></td><td class=\"n\">1<' '$tmp/late/latest/report.html' &&
    grep -q 'Unmatched transfers</a></td><td class=\"n\">1<' '$tmp/late/latest/report.html'"
"$nightly" --out "$tmp/late3" --period 2025 >/dev/null 2>&1
check "with the default 3 days, the pending one submitted today is not late" \
  bash -c "! grep -q '^pending,' '$tmp/late3/latest/exceptions.csv'"

"$nightly" --out "$out" --period 2025-13 >/dev/null 2>&1
check "--period 2025-13 is a usage error" test $? -eq 2
"$nightly" --out "$out" --time-zone Mars/Olympus >/dev/null 2>&1
check "an unknown time zone is a usage error" test $? -eq 2
"$nightly" --help >"$tmp/help"
check "--help is prose" bash -c "grep -q '^Exit status: 0 the report is written' '$tmp/help' && ! grep -q 'set -\|^#' '$tmp/help'"

scenario_end nightly_robust
