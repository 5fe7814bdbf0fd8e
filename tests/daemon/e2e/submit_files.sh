#!/usr/bin/env bash
# submit_files.sh — proves that `bzl submit` sends nothing of a file with any error and names
# every error by its place (a JSON path such as decls[2].lines[0].qty, a CSV file line), that
# the daemon's own refusals are named the same way, that --atomic commits all of a file or
# none of it, and that files written the way Excel writes them (a UTF-8 byte-order mark, GBK
# bytes, a unit column stripped of its zeros, an upper-case or Chinese header) are read or
# refused with the documented message; every submit ends with its summary line.
#   usage: submit_files.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
tmp=$(mktemp -d /tmp/bzl-subf-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

A=6201230001 BA=H72012400001
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" ||
        { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $A --uscc 91620100MA71AB1C2F --name "Zone Widget Co."
run book open --book $BA --enterprise $A
run item add --book $BA --kind material --seq 1 --hs 7208510000 --name "steel sheet" --unit 035
run item add --book $BA --kind material --seq 2 --hs 3926909090 --name "plastic part" --unit 007

qty() { "$bzl" --json balance --book $BA --kind material --item "$1" |
        sed -n 's/.*"qty": *"\([^"]*\)".*/\1/p'; }
entries() { "$bzl" --json stats | grep -o '"journal_entries": *[0-9]*' | grep -o '[0-9]*$'; }
# decl ID DIRECTION ITEM QTY UNIT: one declaration of one line, value 1 per unit, USD.
decl() {
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"material","direction":"%s",' \
    "$1" $A $BA "$2"
  printf '"trade_mode":"5015","date":"2026-03-02","lines":[{"item":%s,"qty":"%s","unit":"%s",' \
    "$3" "$4" "$5"
  printf '"value":"%s","currency":"502"}]}' "$4"
}

# ---- a JSON file whose 3rd of 5 declarations has a bad decimal: nothing is sent -------------
{
  printf '[%s,\n' "$(decl J-1 in 1 10 035)"
  printf '%s,\n' "$(decl J-2 in 1 10 035)"
  printf '%s,\n' "$(decl J-3 in 1 1,5 035)"
  printf '%s,\n' "$(decl J-4 in 1 10 035)"
  printf '%s]\n' "$(decl J-5 in 1 10 035)"
} >"$tmp/five.json"
before=$(entries)
"$bzl" submit "$tmp/five.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a JSON file with a bad decimal exits 4" test "$rc" -eq 4
check "the error names the JSON path decls[2].lines[0].qty" \
  grep -q 'five.json: decls\[2\]\.lines\[0\]\.qty: "1,5" is not a plain decimal' "$tmp/err"
check "nothing of the file is committed (journal unchanged)" test "$(entries)" = "$before"
check "nothing of the file is committed (balance 0)" test "$(qty 1)" = 0
check "the summary says nothing was sent" grep -q '^0 declarations: 0 OK, 0 already recorded, 0 refused; a file with errors was not sent$' "$tmp/out"

# The same file with --json: the error is a JSON object, not an empty array.
"$bzl" --json submit "$tmp/five.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--json with a bad file exits 4" test "$rc" -eq 4
check "--json names the error's path in JSON" \
  grep -q '"path": "decls\[2\]\.lines\[0\]\.qty"' "$tmp/out"
check "--json says the error's status" grep -q '"status": "MALFORMED"' "$tmp/out"
check "--json prints no error text on stderr besides the summary" \
  test "$(grep -vc '^0 declarations' "$tmp/err")" -eq 0

# ---- --atomic: a daemon-side refusal in the 4th of 5 commits none of them -------------------
#   J-4 takes 1000 kg out of item 1, which has nothing (the earlier three bring 30 kg in).
{
  printf '[%s,\n' "$(decl A-1 in 1 10 035)"
  printf '%s,\n' "$(decl A-2 in 1 10 035)"
  printf '%s,\n' "$(decl A-3 in 1 10 035)"
  printf '%s,\n' "$(decl A-4 out 1 1000 035)"
  printf '%s]\n' "$(decl A-5 in 1 10 035)"
} >"$tmp/atomic.json"
before=$(entries)
"$bzl" submit --atomic "$tmp/atomic.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--atomic with a refusal exits 1" test "$rc" -eq 1
check "--atomic commits none (journal unchanged)" test "$(entries)" = "$before"
check "--atomic commits none (balance 0)" test "$(qty 1)" = 0
check "the refusal is INSUFFICIENT_BALANCE, named by its JSON path" \
  grep -q 'atomic.json: decls\[3\].*INSUFFICIENT_BALANCE: declaration A-4' "$tmp/err"
check "the four others say ABORTED" test "$(grep -c ABORTED "$tmp/out")" -eq 4
check "the summary counts 1 refused and 4 not committed" \
  grep -q '^5 declarations: 0 OK, 0 already recorded, 1 refused, 4 not committed' "$tmp/out"
# Without the bad one the atomic file commits whole: 4 × 10 = 40 kg.
{
  printf '[%s,\n' "$(decl A-1 in 1 10 035)"
  printf '%s,\n' "$(decl A-2 in 1 10 035)"
  printf '%s,\n' "$(decl A-3 in 1 10 035)"
  printf '%s]\n' "$(decl A-5 in 1 10 035)"
} >"$tmp/atomic_ok.json"
"$bzl" submit --atomic "$tmp/atomic_ok.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--atomic without a refusal exits 0" test "$rc" -eq 0
check "--atomic without a refusal commits all: 40" test "$(qty 1)" = 40
check "the summary counts 4 OK" \
  grep -q '^4 declarations: 4 OK, 0 already recorded, 0 refused$' "$tmp/out"
"$bzl" submit "$tmp/atomic_ok.json" >"$tmp/out" 2>"$tmp/err"
check "a replay is counted as already recorded" \
  grep -q '^4 declarations: 0 OK, 4 already recorded, 0 refused$' "$tmp/out"

# ---- CSV: the daemon's refusal of the 2nd data row names its file line (3) -------------------
header='id,enterprise,book,kind,direction,trade_mode,date,item,qty,unit,value,currency'
row() { printf '%s,%s,%s,material,in,5015,2026-03-03,%s,%s,%s,%s,502\n' "$1" $A $BA "$2" "$3" "$4" "$3"; }
{ echo "$header"; row C-1 1 5 035; row C-1 2 7 035; } >"$tmp/c_unit.csv"
"$bzl" submit "$tmp/c_unit.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a CSV row with another unit than its item's exits 1" test "$rc" -eq 1
check "the refusal names the file line 3 and the unit" \
  grep -q '^c_unit.csv:3: unit: \|/c_unit.csv:3: unit: ' "$tmp/err"

# ---- files as Excel writes them ---------------------------------------------------------------
# A JSON file with a UTF-8 byte-order mark is read: 40 + 2 = 42.
printf '\xEF\xBB\xBF%s\n' "$(decl BOM-1 in 1 2 035)" >"$tmp/bom.json"
"$bzl" submit "$tmp/bom.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a JSON file with a byte-order mark is accepted" test "$rc" -eq 0
check "its declaration is committed: 42" test "$(qty 1)" = 42

# A GBK CSV (Excel on Chinese Windows) is refused with a hint, then read with --encoding.
{ echo "$header"; row 进口-0002 1 3 035; } | iconv -f UTF-8 -t GBK >"$tmp/gbk.csv"
"$bzl" submit "$tmp/gbk.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a GBK CSV exits 4" test "$rc" -eq 4
check "it is said to be not UTF-8, on its line 2" grep -q 'gbk.csv:2: the file is not UTF-8' "$tmp/err"
check "the message guesses GBK/GB18030" grep -q 'GBK/GB18030' "$tmp/err"
check "the message says how: --encoding gb18030" grep -q -- '--encoding gb18030' "$tmp/err"
"$bzl" submit --encoding gb18030 "$tmp/gbk.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "--encoding gb18030 reads it" test "$rc" -eq 0
check "its id arrives as UTF-8" grep -q '进口-0002' "$tmp/out"
check "its declaration is committed: 45" test "$(qty 1)" = 45

# A unit column that lost its leading zeros: 007 became 7.
{ echo "$header"; row Z-1 2 4 7; } >"$tmp/zeros.csv"
"$bzl" submit "$tmp/zeros.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a unit 7 exits 4" test "$rc" -eq 4
check "it asks: did you mean 007?" \
  grep -q 'zeros.csv:2: unit: "7" is not a customs unit code.*did you mean 007? (spreadsheets drop leading zeros; format the column as text)' "$tmp/err"

# Headers in capitals, and in the Chinese column names.
{ echo 'ID,Enterprise,BOOK,Kind,Direction,Trade_Mode,Date,Item,QTY,Unit,Value,Currency'
  row H-1 2 1 007; } >"$tmp/upper.csv"
"$bzl" submit "$tmp/upper.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "an upper-case header is accepted" test "$rc" -eq 0
{ echo '编号,企业编码,账册号,料件成品标志,进出口标志,监管方式,申报日期,料号,数量,单位,金额,币制'
  row H-2 2 2 007; } >"$tmp/zh.csv"
"$bzl" submit "$tmp/zh.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a Chinese header is accepted" test "$rc" -eq 0
check "both committed to item 2: 1 + 2 = 3" test "$(qty 2)" = 3
{ echo 'id,enterprise,book,kind,direction,trade_mode,date,item,qty,unit,value,currency,颜色'
  row H-3 2 2 007; } >"$tmp/unknown.csv"
"$bzl" submit "$tmp/unknown.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "an unknown column still exits 4" test "$rc" -eq 4
check "it is named by line and column" grep -q 'unknown.csv:1: 颜色: unknown column' "$tmp/err"

# ---- stocktakes accept CSV too (Excel's "CSV UTF-8", with its byte-order mark) ---------------
printf '\xEF\xBB\xBF账册号,日期,类型,料号,盘点数量\n%s,2026-03-31,material,1,40\n%s,2026-03-31,material,2,3\n' \
  $BA $BA >"$tmp/count.csv"
"$bzl" --json stocktake submit "$tmp/count.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a CSV stocktake with Chinese headers is accepted" test "$rc" -eq 0
check "it counted material 1 as 40" grep -q '"counted": "40"' "$tmp/out"
printf 'book,date,kind,item,qty\n%s,2026-03-31,material,1,40\n%s,2026-03-30,material,2,3\n' \
  $BA $BA >"$tmp/count_bad.csv"
"$bzl" stocktake submit "$tmp/count_bad.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
check "a CSV stocktake whose rows disagree on the date exits 4" test "$rc" -eq 4
check "the disagreeing row is named by its line" grep -q 'count_bad.csv:3: date: ' "$tmp/err"

scenario_end submit_files
