#!/usr/bin/env bash
# inv101_check.sh — `bzl inv101 check` as a clerk uses it: every sample list passes with exit 0;
# a list whose line total is 0.02 off quantity × price exits 4 naming FILE:LINE: PATH, the line
# being the one the element sits on (found here with grep, not by bzl); --json lists the same
# problem; a missing file and a DOCTYPE are refused; no file is a usage error (2).
#   usage: inv101_check.sh BZL SRC
set -uo pipefail
bzl=$1 src=$2
tmp=$(mktemp -d /tmp/bzl-inv101-XXXXXX)
. "$src/tests/daemon/e2e/scenario.sh"
fx=$src/tests/fixtures/inv101

"$bzl" inv101 check "$fx"/*.xml >"$tmp/out" 2>"$tmp/err"
check "every sample list passes (exit 0)" test $? -eq 0
check "one verdict per sample" test "$(grep -c ': no problems$' "$tmp/out")" -eq "$(ls "$fx"/*.xml | wc -l)"
check "nothing on stderr for good lists" test ! -s "$tmp/err"

sed 's|<DclTotalAmt>12000.50</DclTotalAmt>|<DclTotalAmt>12000.52</DclTotalAmt>|' "$fx/import.xml" >"$tmp/off.xml"
line=$(grep -n '<DclTotalAmt>12000.52' "$tmp/off.xml" | cut -d: -f1)
"$bzl" inv101 check "$tmp/off.xml" >"$tmp/out" 2>"$tmp/err"
check "a total 0.02 off exits 4" test $? -eq 4
check "the problem names file, line and path" \
  grep -qF "$tmp/off.xml:$line: InvtListType[1]/DclTotalAmt: DclTotalAmt (企业申报总价) 12000.52 differs from DclQty × DclUprcAmt (1000 × 12.0005) by more than 0.01" "$tmp/err"
check "the verdict says so" grep -q "off.xml: list W-2603-IMP, book H33012400001, 2 lines, to declare (申报): problems listed above" "$tmp/out"

"$bzl" inv101 check --json "$tmp/off.xml" "$fx/draft.xml" >"$tmp/json" 2>"$tmp/err"
check "--json exits 4 too" test $? -eq 4
check "--json lists the problem and the clean draft" python3 - "$tmp/json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [x["ok"] for x in d] == [False, True], d
p = d[0]["problems"]
assert len(p) == 1 and p[0]["path"] == "InvtListType[1]/DclTotalAmt", p
assert d[1]["draft"] is True and d[1]["list"] == "W-2603-IMP2" and d[1]["problems"] == []
PY

"$bzl" inv101 check "$tmp/missing.xml" >"$tmp/out" 2>"$tmp/err"
check "a missing file exits 4" test $? -eq 4
check "and says it cannot be opened" grep -q "missing.xml: cannot open" "$tmp/err"
printf '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<Package>&a;</Package>\n' >"$tmp/dtd.xml"
"$bzl" inv101 check "$tmp/dtd.xml" >"$tmp/out" 2>"$tmp/err"
check "a DOCTYPE exits 4" test $? -eq 4
check "and is named as such" grep -q "declares a DOCTYPE" "$tmp/err"
"$bzl" inv101 check >"$tmp/out" 2>"$tmp/err"
check "no file is a usage error" test $? -eq 2
scenario_end inv101_check
