#!/usr/bin/env bash
# html_report.sh — proves bzl-nightly's HTML report over the demo zone opens in headless
# Chromium without errors and carries its three charts, each an inline <svg> with a <title> and
# text labels (value-added ratio trend by month, mode mix over time, books with the largest
# differences), with no script and no network reference; and that the job exits 1 because the
# demo's grain & oil book is short beyond tolerance. Skips (77) when Chromium is not installed
# (deploy/install-deps.sh installs Debian's chromium).
#   usage: html_report.sh BZLD BZL BZL_NIGHTLY SOURCE_DIR
set -uo pipefail
bzld=$1 bzl=$2 nightly=$3 src=$4
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "html_report: chromium not installed; skipped"; exit 77; }
tmp=$(mktemp -d /tmp/bzl-html-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock BZL=$bzl
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
"$src/deploy/demo/load.sh" "$bzl" >/dev/null || { echo "demo load failed" >&2; exit 1; }
"$nightly" --out "$tmp/out" --period 2025 >"$tmp/summary" 2>&1; rc=$?
check "nightly exits 1: a book is beyond tolerance" test "$rc" -eq 1
check "the grain & oil book is the one" grep -q "^H72012400011 .*beyond tolerance: 1" "$tmp/summary"

html=$tmp/out/report.html
check "no script in the report" bash -c "! grep -qi '<script' '$html'"
check "no network reference" bash -c "! grep -Eqi '(src|href)=\"(https?:)?//' '$html'"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/profile" \
  --enable-logging=stderr --v=0 --dump-dom "file://$html" >"$tmp/dom.html" 2>"$tmp/chromium.log"
check "chromium opens the report" test $? -eq 0
check "chromium reports no page error" bash -c "! grep -Eq 'Uncaught|CONSOLE\\(|ERR_FILE|net::ERR' '$tmp/chromium.log'"
for id in chart-var chart-modes chart-diff; do
  svg=$(awk -v id="$id" 'index($0, "<svg") && index($0, "id=\"" id "\""){on=1} on{print} on && /<\/svg>/{exit}' "$tmp/dom.html")
  check "$id is an inline svg in the DOM" grep -q "<svg" <<<"$svg"
  check "$id has a title" grep -Eq '<title[^>]*>[^<]+</title>' <<<"$svg"
  check "$id has text labels" test "$(grep -o '<text' <<<"$svg" | wc -l)" -ge 3
done
check "the trend chart names its months" grep -q '>2025-12</text>' "$tmp/dom.html"
check "the difference chart names the short book" bash -c "grep -A40 'id=\"chart-diff\"' '$tmp/dom.html' | grep -q '>H72012400011</text>'"
check "the mode chart has its legend" grep -q '>OBM</text>' "$tmp/dom.html"

scenario_end html_report
