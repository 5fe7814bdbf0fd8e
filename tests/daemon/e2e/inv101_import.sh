#!/usr/bin/env bash
# inv101_import.sh — proves, against a real bzld, that `bzl inv101 import` submits every sample
# 核注清单 of tests/fixtures/inv101 as a pending declaration keeping every field, and that
# `bzl inv101 export` gives the same list back (same fields and values, compared element by
# element by inv101_same.py) for the import, the export, the transfer pair, the domestic sale
# the signed import, the draft and the change; that a re-import replays and a folder import is idempotent with its
# summary; that a list breaking the message's rules and a list the daemon refuses are each named
# FILE:LINE: element path (the line found here with grep, not by bzl); that a deletion
# (DclTypecd 3) voids a pending list and is refused for a posted one naming `bzl reverse`; that
# a draft (DelcareFlag 0) is stored without touching balances and replaced when declared, a
# change (DclTypecd 2) replaces a pending list (ChgTmsCnt counted, a re-run replays) and is
# refused for a posted one naming `bzl reverse`; and that
# malformed files (truncated, DOCTYPE, wrong root) are refused with no crash.
#   usage: inv101_import.sh BZLD BZL SRC
set -uo pipefail
bzld=$1 bzl=$2 src=$3
tmp=$(mktemp -d /tmp/bzl-inv101i-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$src/tests/daemon/e2e/scenario.sh"
fx=$src/tests/fixtures/inv101
same="python3 $src/tests/clients/inv101_same.py"

start_daemon() { # start_daemon DATA-DIR
  mkdir -p "$1"
  "$bzld" --foreground --data "$1" --socket "$BZL_SOCKET" 2>>"$tmp/bzld.log" &
  pid=$!
  for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
}
stop_daemon() { kill "$pid"; wait "$pid" 2>/dev/null; pid=; }
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }

# The fixtures' parties: 3301230001 with book H33012400001 (watch movements 1 and 2, crystals;
# product 1 the watch, one movement per two watches: net 0.5) and 3301230002 with
# H33012400002, the receiving side of the transfer.
A=3301230001 BA=H33012400001 B=3301230002 BB=H33012400002
setup() {
  run enterprise add --id $A --uscc 91620100MA71AB1C2F --name "杭州综保区表业有限公司"
  run book open --book $BA --enterprise $A
  run item add --book $BA --kind material --seq 1 --hs 9114900000 --name "手表机芯" --unit 007
  run item add --book $BA --kind material --seq 2 --hs 7007190000 --name "蓝宝石表镜" --unit 007
  run item add --book $BA --kind product --seq 1 --hs 9102110000 --name "手表" --unit 007
  run bom set --book $BA --product 1 --material 1 --version 1 --net 0.5 --tangible-loss 0 --intangible-loss 0
  run enterprise add --id $B --uscc 91620100MA71AB1C2F --name "杭州综保区精工有限公司"
  run book open --book $BB --enterprise $B
  run item add --book $BB --kind material --seq 1 --hs 9114900000 --name "手表机芯" --unit 007
}
field() { # field JSON-FILE PYTHON-EXPR-ON-d
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); r=($2); print(r)" "$1"
}
entries() { "$bzl" --json stats | grep -o '"journal_entries": *[0-9]*' | grep -o '[0-9]*$'; }

start_daemon "$tmp/data"
setup

# ---- the import list: pending, every field kept, replayed on re-import -----------------------
"$bzl" inv101 import "$fx/import.xml" >"$tmp/out" 2>"$tmp/err"
check "import.xml is imported (exit 0)" test $? -eq 0
check "it says so with its journal entry" grep -q "import.xml: list W-2603-IMP imported (journal [0-9]*)" "$tmp/out"
check "the summary counts it" grep -q '^1 file: 1 imported, 0 replayed, 0 refused$' "$tmp/out"
"$bzl" --json declaration show --enterprise $A W-2603-IMP >"$tmp/show.json"
check "the declaration is pending (the list awaits customs' deduction)" \
  test "$(field "$tmp/show.json" 'd["state"]')" = pending
check "EtpsInnerInvtNo, PutrecNo, SupvModecd, InvtDclTime are the core fields" \
  test "$(field "$tmp/show.json" 'd["id"], d["book"], d["trade_mode"], d["date"], d["kind"], d["direction"]')" = \
       "('W-2603-IMP', 'H33012400001', '5000', '2026-03-15', 'material', 'in')"
check "line 1 is item 1, 1000 units of 007, value 12000.5 in currency 300, country 110" \
  test "$(field "$tmp/show.json" '[(l["item"], l["qty"], l["unit"], l["value"], l["currency"], l["country"]) for l in d["lines"]][0]')" = \
       "(1, '1000', '007', '12000.5', '300', '110')"
check "header fields are kept as the list had them (a name with <>)" \
  test "$(field "$tmp/show.json" 'd["list_fields"]["Rmk"], d["list_fields"]["BizopEtpsNm"], d["list_fields"]["DelcareFlag"]')" = \
       "('进境料件 <机芯> 第1批', '杭州综保区表业有限公司', '1')"
check "line fields are kept (the second legal unit and the unit price)" \
  test "$(field "$tmp/show.json" 'd["lines"][0]["list_fields"]["SecdLawfQty"], d["lines"][0]["list_fields"]["DclUprcAmt"]')" = \
       "('12.5', '12.0005')"
check "a core field is not also a list field" \
  test "$(field "$tmp/show.json" '"PutrecNo" in d["list_fields"] or "DclQty" in d["lines"][0]["list_fields"]')" = False
"$bzl" declaration show --enterprise $A W-2603-IMP >"$tmp/show.txt"
check "declaration show prints the list fields table" grep -q '^1 .*GdsNm .*手表机芯' "$tmp/show.txt"
"$bzl" --json balance --book $BA --kind material --item 1 >"$tmp/bal.json"
check "the pending list reserves 1000 in, posts nothing" \
  test "$(field "$tmp/bal.json" '[(r["qty"], r["pending_in"]) for r in (d if isinstance(d, list) else d.get("balances", [d]))][0]')" = "('0', '1000')"

before=$(entries)
"$bzl" inv101 import "$fx/import.xml" >"$tmp/out" 2>"$tmp/err"
check "re-importing exits 0" test $? -eq 0
check "re-importing is a replay" grep -q "list W-2603-IMP replayed" "$tmp/out"
check "re-importing writes nothing" test "$(entries)" = "$before"

"$bzl" inv101 export --enterprise $A W-2603-IMP --out "$tmp/imp-out.xml" 2>"$tmp/err"
check "export exits 0" test $? -eq 0
check "import then export gives the same list (import.xml)" $same "$fx/import.xml" "$tmp/imp-out.xml"
check "the export passes the message's rules" sh -c "\"$bzl\" inv101 check \"$tmp/imp-out.xml\" >/dev/null"
check "the export is UTF-8 without a signature" sh -c "head -1 '$tmp/imp-out.xml' | grep -q 'encoding=\"UTF-8\"' && ! grep -q Signature '$tmp/imp-out.xml'"
check "the comparison sees a changed value" sh -c "! $same '$fx/import.xml' '$fx/change.xml' >/dev/null"

# ---- the other samples: post the import so the products can go out; round trip each ---------
run post --enterprise $A W-2603-IMP
for f in export domestic-sale transfer-out transfer-in; do
  "$bzl" inv101 import "$fx/$f.xml" >"$tmp/out" 2>"$tmp/err"
  check "$f.xml is imported" grep -q "$f.xml: list .* imported" "$tmp/out"
  [ -s "$tmp/err" ] && cat "$tmp/err" >&2
  id=$(sed -n 's|.*<EtpsInnerInvtNo>\(.*\)</EtpsInnerInvtNo>.*|\1|p' "$fx/$f.xml")
  ent=$(sed -n 's|.*<BizopEtpsno>\(.*\)</BizopEtpsno>.*|\1|p' "$fx/$f.xml")
  "$bzl" inv101 export --enterprise "$ent" "$id" >"$tmp/$f-out.xml" 2>"$tmp/err"
  check "$f.xml: export exits 0" test $? -eq 0
  check "import then export gives the same list ($f.xml)" $same "$fx/$f.xml" "$tmp/$f-out.xml"
done

# ---- a folder: every *.xml in name order, replays are not errors, a summary ------------------
mkdir "$tmp/inbox"
cp "$fx/import.xml" "$tmp/inbox/a-import.xml"
cp "$fx/export.xml" "$tmp/inbox/b-export.xml"
echo 'not xml' >"$tmp/inbox/notes.txt"
before=$(entries)
"$bzl" inv101 import "$tmp/inbox" >"$tmp/out" 2>"$tmp/err"
check "a folder of imported lists exits 0" test $? -eq 0
check "its summary: 2 files, both replayed" grep -q '^2 files: 0 imported, 2 replayed, 0 refused$' "$tmp/out"
check "in name order" test "$(grep -o '[ab]-[a-z]*\.xml' "$tmp/out" | tr '\n' ' ')" = "a-import.xml b-export.xml "
check "nothing is written" test "$(entries)" = "$before"

# ---- a rule of the message broken: named by file, line and element path ---------------------
sed 's|<DclTotalAmt>3333.30</DclTotalAmt>|<DclTotalAmt>3333.40</DclTotalAmt>|; s|W-2603-IMP|W-2603-BAD|' \
  "$fx/import.xml" >"$tmp/inbox/c-bad.xml"
line=$(grep -n '<DclTotalAmt>3333.40' "$tmp/inbox/c-bad.xml" | cut -d: -f1)
before=$(entries)
"$bzl" inv101 import "$tmp/inbox" >"$tmp/out" 2>"$tmp/err"
check "a folder with a bad list exits 4" test $? -eq 4
check "the bad line is named FILE:LINE: InvtListType[2]/DclTotalAmt" \
  grep -qF "$tmp/inbox/c-bad.xml:$line: InvtListType[2]/DclTotalAmt: DclTotalAmt (企业申报总价) 3333.40 differs" "$tmp/err"
check "the summary counts the refusal" grep -q '^3 files: 0 imported, 2 replayed, 1 refused$' "$tmp/out"
check "nothing of the bad list is sent" test "$(entries)" = "$before"
rm "$tmp/inbox/c-bad.xml"

# ---- the daemon's refusals mapped back to the element -----------------------------------------
sed 's|W-2603-IMP|W-2603-UNIT|; 0,/<DclUnitcd>007</s||<DclUnitcd>035<|' "$fx/import.xml" >"$tmp/unit.xml"
line=$(grep -n '<DclUnitcd>035<' "$tmp/unit.xml" | cut -d: -f1)
"$bzl" inv101 import "$tmp/unit.xml" >"$tmp/out" 2>"$tmp/err"
check "a unit that is not the item's exits 1 (refused by the daemon)" test $? -eq 1
check "the refusal is named at InvtListType[1]/DclUnitcd on its line" \
  grep -qF "$tmp/unit.xml:$line: InvtListType[1]/DclUnitcd: " "$tmp/err"
sed 's|W-2603-IMP|W-2603-ITEM|; s|<PutrecSeqno>2</PutrecSeqno>|<PutrecSeqno>9</PutrecSeqno>|' "$fx/import.xml" >"$tmp/item.xml"
line=$(grep -n '<PutrecSeqno>9<' "$tmp/item.xml" | cut -d: -f1)
"$bzl" inv101 import "$tmp/item.xml" >"$tmp/out" 2>"$tmp/err"
check "an item the book lacks is refused at InvtListType[2]/PutrecSeqno on its line" \
  grep -qF "$tmp/item.xml:$line: InvtListType[2]/PutrecSeqno: NOT_FOUND" "$tmp/err"
sed 's|<GdsNm>手表机芯</GdsNm>|<GdsNm>手表机芯</GdsNm><GdsNm>again</GdsNm>|' "$fx/import.xml" >"$tmp/twice.xml"
"$bzl" inv101 import "$tmp/twice.xml" >"$tmp/out" 2>"$tmp/err"
check "an element given twice is refused before sending" grep -q 'InvtListType\[1\]/GdsNm: GdsNm appears twice' "$tmp/err"
sed '0,/<DclQty>1000</s||<DclQty>999<|; s|<DclTotalAmt>12000.50|<DclTotalAmt>11988.50|' "$fx/import.xml" >"$tmp/reuse.xml"
line=$(grep -n '<EtpsInnerInvtNo>' "$tmp/reuse.xml" | cut -d: -f1)
"$bzl" inv101 import "$tmp/reuse.xml" >"$tmp/out" 2>"$tmp/err"
check "other content under an imported EtpsInnerInvtNo is ID_REUSED at its element" \
  grep -qF "$tmp/reuse.xml:$line: InvtHeadType/EtpsInnerInvtNo: ID_REUSED" "$tmp/err"

# ---- a draft (DelcareFlag 0) is stored and applies nothing; declared, it replaces itself ------
#   Item 2 holds 1000 posted (import.xml's line 2, posted above) and nothing pending.
bal2() { "$bzl" --json balance --book $BA --kind material --item 2 >"$tmp/bal2.json"
         field "$tmp/bal2.json" '(d[0]["qty"], d[0]["pending_in"])'; }
check "item 2 starts at 1000 posted, 0 pending in" test "$(bal2)" = "('1000', '0')"
"$bzl" inv101 import "$fx/draft.xml" >"$tmp/out" 2>"$tmp/err"
check "a draft is imported (exit 0)" test $? -eq 0
check "… said so" grep -q 'draft.xml: list W-2603-IMP2 imported' "$tmp/out"
"$bzl" --json declaration show --enterprise $A W-2603-IMP2 >"$tmp/show.json"
check "its state is draft" test "$(field "$tmp/show.json" 'd["state"]')" = draft
check "the draft moves no balance of item 2" test "$(bal2)" = "('1000', '0')"
"$bzl" post --enterprise $A W-2603-IMP2 >"$tmp/out" 2>&1
check "a draft cannot be posted" grep -q 'STATE_CONFLICT' "$tmp/out"
"$bzl" inv101 export --enterprise $A W-2603-IMP2 >"$tmp/draft-out.xml"
check "import then export gives the same list (draft.xml, DelcareFlag 0)" $same "$fx/draft.xml" "$tmp/draft-out.xml"
"$bzl" inv101 import "$fx/draft.xml" >"$tmp/out" 2>"$tmp/err"
check "re-importing the draft replays" grep -q 'W-2603-IMP2 replayed' "$tmp/out"
sed 's|<DelcareFlag>0</DelcareFlag>|<DelcareFlag>1</DelcareFlag>|' "$fx/draft.xml" >"$tmp/declared.xml"
"$bzl" inv101 import "$tmp/declared.xml" >"$tmp/out" 2>"$tmp/err"
check "the declared draft replaces it" grep -q 'declared.xml: list W-2603-IMP2 declared (journal [0-9]*)' "$tmp/out"
"$bzl" --json declaration show --enterprise $A W-2603-IMP2 >"$tmp/show.json"
check "… now pending" test "$(field "$tmp/show.json" 'd["state"]')" = pending
check "… reserving its 1000 on item 2" test "$(bal2)" = "('1000', '1000')"
"$bzl" --json audit >"$tmp/audit.json"
check "a change entry links the draft, its void and the declared version" \
  grep -q 'change W-2603-IMP2 of 3301230001: entry [0-9]* replaced by [0-9]* (void [0-9]*): INV101 申报 (DelcareFlag 1): the draft declared' "$tmp/audit.json"

# ---- a change (DclTypecd 2) before posting replaces the list; after posting it is refused ----
#   400 at 3.3333 is 1333.32 (1333.332, within 0.01).
sed 's|<DclTypecd>1</DclTypecd>|<DclTypecd>2</DclTypecd>|; s|<ChgTmsCnt>0</ChgTmsCnt>|<SeqNo>202600000122717121</SeqNo><ChgTmsCnt>1</ChgTmsCnt>|; s|<DclQty>1000</DclQty>|<DclQty>400</DclQty>|; s|<DclTotalAmt>3333.30</DclTotalAmt>|<DclTotalAmt>1333.33</DclTotalAmt>|; s|<DelcareFlag>0</DelcareFlag>|<DelcareFlag>1</DelcareFlag>|' \
  "$fx/draft.xml" >"$tmp/change-pending.xml"
"$bzl" inv101 import "$tmp/change-pending.xml" >"$tmp/out" 2>"$tmp/err"
check "a change of a pending list is applied" grep -q 'list W-2603-IMP2 changed' "$tmp/out"
[ -s "$tmp/err" ] && cat "$tmp/err" >&2
check "… its reservation is now 400" test "$(bal2)" = "('1000', '400')"
"$bzl" inv101 import "$tmp/change-pending.xml" >"$tmp/out" 2>"$tmp/err"
check "the same change again replays" grep -q 'list W-2603-IMP2 replayed' "$tmp/out"
sed 's|<ChgTmsCnt>1</ChgTmsCnt>|<ChgTmsCnt>3</ChgTmsCnt>|' "$tmp/change-pending.xml" >"$tmp/change-skip.xml"
line=$(grep -n '<ChgTmsCnt>3<' "$tmp/change-skip.xml" | cut -d: -f1)
"$bzl" inv101 import "$tmp/change-skip.xml" >"$tmp/out" 2>"$tmp/err"
check "a change that skips a count is refused at ChgTmsCnt (A.5 rule 3)" \
  grep -qF "$tmp/change-skip.xml:$line: InvtHeadType/ChgTmsCnt: ChgTmsCnt (变更次数) is 3; list W-2603-IMP2 was filed with 1, so this change is 2" "$tmp/err"
before=$(entries)
"$bzl" inv101 import "$fx/change.xml" >"$tmp/out" 2>"$tmp/err"
check "a change of a posted list is refused naming the reversal" \
  grep -q "change.xml:[0-9]*: InvtHeadType/EtpsInnerInvtNo: STATE_CONFLICT: list W-2603-IMP is posted and cannot be changed; a posted list is corrected by reversal: bzl reverse --enterprise $A W-2603-IMP" "$tmp/err"
check "the refusals write nothing" test "$(entries)" = "$before"

# ---- deletion (DclTypecd 3): voids a pending list; a posted one names the reversal -----------
sed 's|<DclTypecd>2</DclTypecd>|<DclTypecd>3</DclTypecd>|' "$fx/change.xml" >"$tmp/delete-posted.xml"
"$bzl" inv101 import "$tmp/delete-posted.xml" >"$tmp/out" 2>"$tmp/err"
check "deleting a posted list exits 1" test $? -eq 1
check "… naming bzl reverse" grep -q 'STATE_CONFLICT: .*bzl reverse --enterprise 3301230001 W-2603-IMP' "$tmp/err"
sed 's|W-2603-EXP|W-2603-EXP|; s|<DclTypecd>1</DclTypecd>|<DclTypecd>3</DclTypecd>|; s|<ChgTmsCnt>0</ChgTmsCnt>|<SeqNo>202600000122717120</SeqNo><ChgTmsCnt>0</ChgTmsCnt>|' \
  "$fx/export.xml" >"$tmp/delete-pending.xml"
"$bzl" inv101 import "$tmp/delete-pending.xml" >"$tmp/out" 2>"$tmp/err"
check "deleting the pending export list exits 0" test $? -eq 0
check "… and says deleted" grep -q 'list W-2603-EXP deleted' "$tmp/out"
"$bzl" --json declaration show --enterprise $A W-2603-EXP >"$tmp/show.json"
check "the list is voided" test "$(field "$tmp/show.json" 'd["state"]')" = voided
"$bzl" inv101 import "$tmp/delete-pending.xml" >"$tmp/out" 2>"$tmp/err"
check "deleting it again replays" grep -q 'list W-2603-EXP replayed' "$tmp/out"

# ---- malformed files: refused, no crash, the daemon still answers ------------------------------
head -c 900 "$fx/import.xml" >"$tmp/trunc.xml"
printf '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n<Package>&lol;</Package>\n' >"$tmp/laughs.xml"
printf '<?xml version="1.0"?>\n<CommonResponeMessage><SeqNo>1</SeqNo></CommonResponeMessage>\n' >"$tmp/root.xml"
"$bzl" inv101 import "$tmp/trunc.xml" "$tmp/laughs.xml" "$tmp/root.xml" "$tmp/missing.xml" >"$tmp/out" 2>"$tmp/err"
check "malformed files exit 4" test $? -eq 4
check "the truncated file is not well-formed XML" grep -q 'trunc.xml:[0-9]*: not well-formed XML' "$tmp/err"
check "the DOCTYPE is refused unread" grep -q 'laughs.xml:0: the file declares a DOCTYPE' "$tmp/err"
check "the wrong root is named" grep -q 'root.xml:2: the root element is CommonResponeMessage' "$tmp/err"
check "a missing file is named" grep -q 'missing.xml: cannot open' "$tmp/err"
check "the summary counts four refusals" grep -q '^4 files: 0 imported, 0 replayed, 4 refused$' "$tmp/out"
check "the daemon is still up" sh -c "\"$bzl\" stats >/dev/null"
check "the ledger verifies" sh -c "\"$bzl\" verify >/dev/null"

# ---- the signed sample on a ledger of its own (it reuses import.xml's list number) -----------
stop_daemon
start_daemon "$tmp/data2"
setup
"$bzl" inv101 import "$fx/import-signed.xml" >"$tmp/out" 2>"$tmp/err"
check "the signed list is imported" grep -q 'import-signed.xml: list W-2603-IMP imported' "$tmp/out"
"$bzl" inv101 export --enterprise $A W-2603-IMP >"$tmp/signed-out.xml"
check "import then export gives the same list (import-signed.xml)" $same "$fx/import-signed.xml" "$tmp/signed-out.xml"
"$bzl" inv101 import "$fx/change.xml" >"$tmp/out" 2>"$tmp/err"
check "change.xml changes the pending signed list" grep -q 'change.xml: list W-2603-IMP changed' "$tmp/out"
"$bzl" inv101 export --enterprise $A W-2603-IMP >"$tmp/change-out.xml"
check "import then export gives the same list (change.xml)" $same "$fx/change.xml" "$tmp/change-out.xml"
check "the ledger with its changes verifies" sh -c "\"$bzl\" verify >/dev/null"
"$bzl" --json inv101 import "$fx/change.xml" "$tmp/unit.xml" >"$tmp/out.json" 2>"$tmp/err"
check "--json: one object per file with its outcome" \
  test "$(field "$tmp/out.json" '[f["outcome"] for f in d["files"]], d["replayed"], d["refused"]')" = "(['replayed', 'refused'], 1, 1)"
check "--json: the refusal's problem has its path" \
  test "$(field "$tmp/out.json" 'd["files"][1]["problems"][0]["path"]')" = "InvtListType[1]/DclUnitcd"

stop_daemon
scenario_end inv101_import
