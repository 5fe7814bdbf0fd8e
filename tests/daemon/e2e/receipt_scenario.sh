#!/usr/bin/env bash
# receipt_scenario.sh — proves issue 17's receipts acceptance end to end with a real bzld and the
# bzl CLI (docs/INV101.md "Receipts"; next-wave.md A.2, A.6): two pending lists (QDL-0001 moves
# 300 of material 1 and 100 of material 2 out, QDL-0002 200 of material 1) over a book holding
# 1000 and 500; the import receipts record their SeqNo; INV201 4 pre-deducts (available
# reduced, balance not); INV201 1 posts QDL-0001 (balance changed); INV202 is applied by SeqNo
# alone; INV211's book lines are compared, the one deliberate disagreement (item 2: customs 410,
# bzl 400) listed by `receipt diff` and the matching item not; INV201 3 rejects QDL-0002 and
# releases its 200. Replaying every receipt changes nothing (balances, journal length, audit).
# An unknown list is NOT_FOUND naming it, another enterprise's list answers the same words; an
# impossible transition is STATE_CONFLICT naming both states; a truncated file, a wrong root, a
# DOCTYPE entity bomb, 10,000 nested elements, GBK bytes in a UTF-8 file and an INV201 without
# its code are refused by file, line and element, and
# bzld keeps answering. The back-fills are shown by declaration show and the audit trail.
# The nightly report lists the disagreement among its exceptions; verify replays the receipt
# table from the journal and names a list record or a book line changed behind bzld's back.
#   usage: receipt_scenario.sh BZLD BZL FIXTURES BZL_NIGHTLY BZL_TAMPER
set -uo pipefail
bzld=$1 bzl=$2 fx=$3 nightly=$4 tamper=$5
tmp=$(mktemp -d /tmp/bzl-receipt-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock BZL=$bzl # BZL: the bzl bzl-nightly runs
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

start() {
  "$bzld" --foreground --data "$tmp/data" --socket "$BZL_SOCKET" 2>>"$tmp/bzld.log" &
  pid=$!
  for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
}
stop() { kill "$pid" && wait "$pid" 2>/dev/null; pid=; }
start

E1=6201230001 E2=6201230002 B1=H72012400021 B2=H72012400022
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $E1 --uscc 91620100MA71AB1C2F --name "Zone Wafer Co."
run enterprise add --id $E2 --uscc 91350100M000100Y43 --name "Zone Module Co."
run book open --book $B1 --enterprise $E1
run book open --book $B2 --enterprise $E2
run item add --book $B1 --kind material --seq 1 --hs 8542319000 --name wafer --unit 007
run item add --book $B1 --kind material --seq 2 --hs 8542399000 --name module --unit 007
run item add --book $B2 --kind material --seq 1 --hs 8542319000 --name wafer --unit 007

# decl ID ENT BOOK DIR EXTRA LINES: one declaration file, submitted.
line() { printf '{"item":%s,"qty":"%s","unit":"007","value":"100","currency":"502"}' "$1" "$2"; }
decl() {
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"material","direction":"%s","trade_mode":"5000","date":"2026-02-01"%s,"lines":[%s]}\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" >"$tmp/$1.json"
  run submit "$tmp/$1.json"
}
decl I0 $E1 $B1 in "" "$(line 1 1000),$(line 2 500)"
# list_xml ID ENT BOOK "ITEM QTY"...: a declared (DelcareFlag 1) INV101 list moving material out
# of BOOK under 5000, price 1 so each line's total is its quantity.
list_xml() {
  local id=$1 ent=$2 book=$3 n=0 spec
  shift 3
  printf '<?xml version="1.0" encoding="UTF-8"?>
<Package><DataInfo><BussinessData><DelcareFlag>1</DelcareFlag><InvtMessage>
<SysId>Z7</SysId><OperCusRegCode>%s</OperCusRegCode>
<InvtHeadType><ChgTmsCnt>0</ChgTmsCnt><PutrecNo>%s</PutrecNo><InvtType>0</InvtType>
<EtpsInnerInvtNo>%s</EtpsInnerInvtNo><BizopEtpsno>%s</BizopEtpsno>
<BizopEtpsSccd>91330100MA2CFB8K1X</BizopEtpsSccd><BizopEtpsNm>Zone Wafer Co.</BizopEtpsNm>
<RcvgdEtpsno>%s</RcvgdEtpsno><RvsngdEtpsSccd>91330100MA2CFB8K1X</RvsngdEtpsSccd>
<RcvgdEtpsNm>Zone Wafer Co.</RcvgdEtpsNm><DclEtpsno>%s</DclEtpsno>
<DclEtpsSccd>91330100MA2CFB8K1X</DclEtpsSccd><DclEtpsNm>Zone Wafer Co.</DclEtpsNm>
<InputCode>%s</InputCode><InputCreditCode>91330100MA2CFB8K1X</InputCreditCode>
<InputName>Zone Wafer Co.</InputName><InputTime>20260201</InputTime><InvtDclTime>20260201</InvtDclTime>
<ImpexpPortcd>2901</ImpexpPortcd><DclPlcCuscd>2992</DclPlcCuscd><ImpexpMarkcd>E</ImpexpMarkcd>
<MtpckEndprdMarkcd>I</MtpckEndprdMarkcd><SupvModecd>5000</SupvModecd><TrspModecd>2</TrspModecd>
<DclcusFlag>2</DclcusFlag><GenDecFlag>2</GenDecFlag><StshipTrsarvNatcd>110</StshipTrsarvNatcd>
<DclTypecd>1</DclTypecd></InvtHeadType>\n' "$ent" "$book" "$id" "$ent" "$ent" "$ent" "$ent"
  for spec in "$@"; do
    set -- $spec
    n=$((n + 1))
    printf '<InvtListType><GdsSeqno>%s</GdsSeqno><PutrecSeqno>%s</PutrecSeqno><GdsMtno>W-%s</GdsMtno>
<Gdecd>8542319000</Gdecd><GdsNm>wafer</GdsNm><GdsSpcfModelDesc>0|0|wafer</GdsSpcfModelDesc>
<DclUnitcd>007</DclUnitcd><LawfUnitcd>007</LawfUnitcd><DclQty>%s</DclQty><LawfQty>%s</LawfQty>
<DclUprcAmt>1</DclUprcAmt><DclTotalAmt>%s</DclTotalAmt><DclCurrcd>502</DclCurrcd><Natcd>110</Natcd>
<DestinationNatcd>142</DestinationNatcd><LvyrlfModecd>3</LvyrlfModecd><ModfMarkcd>3</ModfMarkcd>
</InvtListType>\n' "$n" "$1" "$1" "$2" "$2" "$2"
  done
  printf '</InvtMessage></BussinessData></DataInfo></Package>\n'
}
# The two lists the receipts answer are filed as customs has them: INV101 files, imported.
list_xml QDL-0001 $E1 $B1 "1 300" "2 100" >"$tmp/QDL-0001.xml"
list_xml QDL-0002 $E1 $B1 "1 200" >"$tmp/QDL-0002.xml"
run inv101 import "$tmp/QDL-0001.xml" "$tmp/QDL-0002.xml"
check "inv101 import: QDL-0001 and QDL-0002 are pending declarations" bash -c \
  "'$bzl' declaration show --enterprise $E1 QDL-0001 | head -1 | grep -q ': pending' &&
   '$bzl' declaration show --enterprise $E1 QDL-0002 | head -1 | grep -q ': pending'"
decl QDL-0003 $E1 $B1 out ',"pending":true' "$(line 2 1)"
decl QDL-9009 $E2 $B2 in ',"pending":true' "$(line 1 5)"

# bal ITEM: "QTY PENDING_OUT AVAILABLE" of material ITEM on B1.
bal() {
  "$bzl" --json balance --book $B1 | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["kind"] == "material" and r["item"] == int(sys.argv[1]):
        print(r["qty"], r["pending_out"], r["available"])' "$1"
}
is() { [ "$1" = "$2" ] || { echo "  got '$1', want '$2'" >&2; return 1; }; }
imp() { "$bzl" receipt import --enterprise $E1 "$@" >"$tmp/out" 2>&1; }
says() { grep -qF -- "$1" "$tmp/out" || { cat "$tmp/out" >&2; return 1; }; }

# Submitted pending: item 1 1000 on hand, 300 + 200 held out; item 2 500, 100 (+1) held.
check "before any receipt: item 1 1000 on hand, 500 held, 500 available" is "$(bal 1)" "1000 500 500"

imp "$fx/01-import-QDL-0001.xml"
check "import receipt DealFlag 0: SUBMITTED -> ACCEPTED_BY_DC" says "SUBMITTED -> ACCEPTED_BY_DC, declaration pending"
imp "$fx/02-inv201-4-QDL-0001.xml"
check "INV201 4: ACCEPTED_BY_DC -> PRE_DEDUCTED, still pending" says "ACCEPTED_BY_DC -> PRE_DEDUCTED, declaration pending"
imp "$fx/03-import-QDL-0002.xml" "$fx/04-inv201-4-QDL-0002.xml"
check "QDL-0002 pre-deducted too" says "INV201 manageResult 4 for list QDL-0002 of $E1: ACCEPTED_BY_DC -> PRE_DEDUCTED"
# Pre-deducted: the balance is not touched, the held quantity is: 1000 − 300 − 200 = 500.
check "INV201 4: balance not changed (1000), available reduced (500)" is "$(bal 1)" "1000 500 500"
check "item 2: 500 on hand, 101 held, 399 available" is "$(bal 2)" "500 101 399"

imp "$fx/05-inv201-1-QDL-0001.xml"
check "INV201 1: PRE_DEDUCTED -> DEDUCTED, posted" says "PRE_DEDUCTED -> DEDUCTED, declaration posted"
# Posted: 1000 − 300 = 700 on hand, QDL-0002's 200 still held, 500 available.
check "INV201 1: balance changed to 700, 200 still held, 500 available" is "$(bal 1)" "700 200 500"
check "item 2: 500 − 100 = 400 on hand, QDL-0003's 1 held" is "$(bal 2)" "400 1 399"

# INV202 carries no enterprise: its SeqNo (recorded by the import receipt) names the list.
"$bzl" receipt import "$fx/06-inv202-QDL-0001.xml" >"$tmp/out" 2>&1
check "INV202 by SeqNo alone: recorded, state kept" says "INV202 manageResult 1 for list QDL-0001 of $E1: DEDUCTED -> DEDUCTED"

imp "$fx/07-inv211-QDL-0001.xml"
check "INV211 on a deducted list: recorded" says "INV211 for list QDL-0001 of $E1: DEDUCTED -> DEDUCTED"
"$bzl" --json receipt diff >"$tmp/diff.json" 2>&1
diff_rows() { python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
print(";".join("%s %s %s %s %s %s" % (r["book"], r["item"], r["customs_qty"], r["bzl_qty"], r["difference"], r["list"]) for r in rows))' "$tmp/diff.json"; }
# Item 2: customs 410, bzl 500 − 100 = 400, difference +10. Item 1: 700 both: not listed.
check "receipt diff lists item 2 (410 vs 400, +10) and not item 1" is "$(diff_rows)" "$B1 2 410 400 10 QDL-0001"
"$bzl" receipt diff --book $B2 >"$tmp/out" 2>&1
check "receipt diff of a book without INV211 lists nothing" bash -c "! grep -q QDL '$tmp/out'"

imp "$fx/08-inv201-3-QDL-0002.xml"
check "INV201 3: PRE_DEDUCTED -> REJECTED" says "PRE_DEDUCTED -> REJECTED, declaration rejected"
check "INV201 3: QDL-0002's 200 released: 700 on hand, none held, 700 available" is "$(bal 1)" "700 0 700"

# Replays: every receipt again, nothing changes.
before_bal="$(bal 1) / $(bal 2)"
before_journal=$("$bzl" --json journal | wc -l)
"$bzl" audit >"$tmp/audit-before" 2>&1
imp "$fx"
check "replay: every file applied before" bash -c "[ \$(grep -c 'applied before' '$tmp/out') -eq 8 ]"
check "replay: 8 of 8 applied or already applied" says "8 of 8 receipt files applied or already applied"
check "replay: balances unchanged" is "$(bal 1) / $(bal 2)" "$before_bal"
check "replay: journal length unchanged" is "$("$bzl" --json journal | wc -l)" "$before_journal"
"$bzl" audit >"$tmp/audit-after" 2>&1
check "replay: audit unchanged" cmp -s "$tmp/audit-before" "$tmp/audit-after"

# Unknown list and another enterprise's list: the same NOT_FOUND words.
sed -e 's/QDL-0001/QDL-7777/g' -e 's/202600000000000101/202600000000007777/g' \
  "$fx/02-inv201-4-QDL-0001.xml" >"$tmp/unknown.xml"
sed -e 's/QDL-0001/QDL-9009/g' -e 's/202600000000000101/202600000000009009/g' \
  "$fx/02-inv201-4-QDL-0001.xml" >"$tmp/other.xml"
"$bzl" receipt import "$tmp/unknown.xml" >"$tmp/out" 2>&1
rc=$?
check "unknown list: exit 1, NOT_FOUND naming it" bash -c "[ $rc -eq 1 ] && grep -q 'NOT_FOUND: list QDL-7777 does not exist' '$tmp/out'" ||
  cat "$tmp/out" >&2
sed "s/QDL-7777/LIST/g; s|$tmp/unknown.xml|FILE|" "$tmp/out" | grep NOT_FOUND >"$tmp/unknown.msg"
"$bzl" receipt import "$tmp/other.xml" >"$tmp/out" 2>&1
sed "s/QDL-9009/LIST/g; s|$tmp/other.xml|FILE|" "$tmp/out" | grep NOT_FOUND >"$tmp/other.msg"
check "another enterprise's list: the unknown list's very words" cmp -s "$tmp/unknown.msg" "$tmp/other.msg"
check "… and its pending declaration untouched" bash -c \
  "'$bzl' declaration show --enterprise $E2 QDL-9009 | head -1 | grep -q ': pending'"

# Impossible transitions: deducted before customs holds the list, returned after deducted.
sed -e 's/QDL-0001/QDL-0003/g' -e 's/202600000000000101/202600000000000103/g' \
  "$fx/05-inv201-1-QDL-0001.xml" >"$tmp/early.xml"
imp "$tmp/early.xml"
check "INV201 1 before any import receipt: STATE_CONFLICT naming SUBMITTED and DEDUCTED" \
  says "STATE_CONFLICT: list QDL-0003 is SUBMITTED (the ledger: pending); INV201 manageResult 1 (deducted) would make it DEDUCTED"
sed -e 's/<manageResult>1</<manageResult>3</' "$fx/05-inv201-1-QDL-0001.xml" >"$tmp/late.xml"
imp "$tmp/late.xml"
check "INV201 3 after deducted: STATE_CONFLICT naming DEDUCTED and REJECTED" \
  says "list QDL-0001 is DEDUCTED (the ledger: posted); INV201 manageResult 3 (returned) would make it REJECTED"
check "QDL-0003 still pending, its 1 still held" is "$(bal 2)" "400 1 399"

# Malformed files: refused by file, line and element; bzld still answers.
imp "$fx/bad/truncated.xml"
rc=$?
check "truncated: exit 4, not well-formed XML with its line" bash -c \
  "[ $rc -eq 4 ] && grep -q 'truncated.xml:[0-9]*: not well-formed XML' '$tmp/out'"
imp "$fx/bad/wrong-root.xml"
check "wrong root: named" says "the root element is ResponseMessage; a customs receipt's is CommonResponeMessage"
imp "$fx/bad/doctype-entity.xml"
check "DOCTYPE entity bomb: refused unread" says "declares a DOCTYPE; a customs receipt has none"
imp "$fx/bad/no-manage-result.xml"
check "INV201 without manageResult: line and element named" says "no-manage-result.xml:8: INV201/HdeApprResult: manageResult is missing"
python3 -c 'import sys; sys.stdout.write("<CommonResponeMessage>" + "<a>" * 10000 + "</a>" * 10000 + "</CommonResponeMessage>")' >"$tmp/deep.xml"
imp "$tmp/deep.xml"
rc=$?
check "10,000 nested elements: exit 4, not well-formed XML (libxml2's depth limit)" bash -c \
  "[ $rc -eq 4 ] && grep -q 'deep.xml:1: not well-formed XML' '$tmp/out'" || cat "$tmp/out" >&2
printf '<?xml version="1.0" encoding="UTF-8"?>\n<CommonResponeMessage><CheckInfo>\xb1\xa3\xcb\xb0</CheckInfo></CommonResponeMessage>\n' >"$tmp/gbk.xml"
imp "$tmp/gbk.xml"
check "GBK bytes in a file that says UTF-8: refused with its line" says "gbk.xml:2: not well-formed XML"
check "bzld still answers after the bad files" bash -c "'$bzl' stats >/dev/null"

# What customs sent, as sent: declaration show and the audit trail.
"$bzl" declaration show --enterprise $E1 QDL-0001 >"$tmp/show" 2>&1
check "declaration show: customs state and receipts" grep -q "customs: DEDUCTED after 5 receipts" "$tmp/show"
check "declaration show: bondInvtNo as sent" grep -qE "bondInvtNo +QD720126E000000101" "$tmp/show"
check "declaration show: entrySeqNo (INV202) as sent" grep -qE "entrySeqNo +E20260001720100101" "$tmp/show"
check "declaration show: SeqNo as sent" grep -qE "SeqNo +202600000000000101" "$tmp/show"
"$bzl" --json declaration show --enterprise $E1 QDL-0002 >"$tmp/show.json" 2>&1
check "declaration show --json: QDL-0002 REJECTED, invtStucd 2 as sent" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["name"]: x["value"] for x in d["back_fills"]}
assert d["customs_state"] == "REJECTED" and d["state"] == "rejected", d
assert f["invtStucd"] == "2" and f["manageResult"] == "3", f' "$tmp/show.json"
"$bzl" audit --action receipt >"$tmp/audit" 2>&1
check "audit: 8 receipt entries" bash -c "[ \$(grep -c 'receipt ' '$tmp/audit') -ge 8 ]"
check "audit: the pre-deduction as a sentence with its back-fills" grep -q \
  "receipt INV201 manageResult 4 for list QDL-0001 of $E1: ACCEPTED_BY_DC -> PRE_DEDUCTED; SeqNo 202600000000000101; tmsCnt 0; bondInvtNo QD720126E000000101" "$tmp/audit"
check "audit: the deduction names the post entry it wrote" grep -qE \
  "INV201 manageResult 1 for list QDL-0001 of $E1: PRE_DEDUCTED -> DEDUCTED \(ledger entry [0-9]+\)" "$tmp/audit"
check "verify: the ledger still proves itself" bash -c "'$bzl' verify >/dev/null"

# The nightly report: the one disagreement among the exceptions, with both figures.
"$nightly" --out "$tmp/night" --period 2026-02 >"$tmp/night.log" 2>&1
check "nightly: receipt-diff.csv and a receipt_diff exception for item 2 (+10)" bash -c \
  "grep -q '^$B1,material,2,410,400,10,QDL-0001,$E1,' '$tmp/night/latest/receipt-diff.csv' &&
   grep -q '^receipt_diff,$E1,.*,$B1,2,.*,10,.*INV211 of list QDL-0001 (entry [0-9]*): customs 410, bzl 400' '$tmp/night/latest/exceptions.csv'" ||
  { cat "$tmp/night.log"; head -5 "$tmp/night/latest/exceptions.csv"; } >&2

# Tampering: the receipt table's rows in key order are the two book lines (B…), then the lists
# (L…): row 0 is item 1's book line (its entry number first), row 2 QDL-0001's record (its
# state first). Each change is named by verify.
stop
cp -r "$tmp/data" "$tmp/data.good"
"$tamper" "$tmp/data" add receipt 0 1 >/dev/null
start
"$bzl" verify >"$tmp/verify" 2>&1
check "verify names a book line moved to another entry" \
  bash -c "grep -q BROKEN '$tmp/verify' && grep -q 'receipt $B1 material 1: the book line names no INV211' '$tmp/verify'" ||
  cat "$tmp/verify" >&2
stop
rm -rf "$tmp/data" && mv "$tmp/data.good" "$tmp/data"
"$tamper" "$tmp/data" add receipt 2 1 >/dev/null
start
"$bzl" verify >"$tmp/verify" 2>&1
check "verify names a list record whose state was changed" \
  bash -c "grep -q BROKEN '$tmp/verify' && grep -q 'receipt $E1/QDL-0001: the list.s state and back-fills are not what its receipt entries make' '$tmp/verify'" ||
  cat "$tmp/verify" >&2

scenario_end receipt_scenario
