#!/usr/bin/env bash
# desk_scenario.sh — proves a customs officer's day at the desk through the bzl CLI (issue 14),
# each principal a uid of its own mapped by bzld.conf's [access]: three enterprises (uids 3011,
# 3012, 3013) submit declarations, some pending; the officer (customs, uid 3001) lists the
# pending queue oldest submitted first (not oldest dated), shows one declaration with its
# declared lines and history, posts two, rejects one and reverses a posted one with reasons;
# `audit` then shows each action on one line with the uid, the role and the reason, and filters
# by enterprise, book and action; the declaration's history names who did what and why; the
# queue's filters (state, book, dates, trade mode, age) select exactly what they say; a period
# close through a future date is refused without --force (exit 1, the daemon's message) and
# goes through with it, and `book show` / `book list` show the closed-through dates; `book
# list` and `item list` show what was set up, in table, CSV and JSON; an enterprise's `declaration
# list` and `book list` show only its own, and it may not read the audit trail.
# Needs root to run bzl as other uids (setpriv); otherwise exit 77 (skipped), as check_access.
#   usage: desk_scenario.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
  echo "desk_scenario: needs root and setpriv to run bzl as other uids; skipped"
  exit 77
fi
tmp=$(mktemp -d /tmp/bzl-desk-XXXXXX)
chmod 0711 "$tmp" # the principals' uids traverse to the socket directory, not list it
export BZL_SOCKET=$tmp/run/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

SOCK_GID=4242 CUSTOMS=3001 U1=3011 U2=3012 U3=3013
E1=6201230001 E2=6201230002 E3=6201230003
B1=H72012400001 B2=E72012400002 B3=C72012400003
cat >"$tmp/bzld.conf" <<EOF
[daemon]
socket_group = $SOCK_GID
[access]
customs = uid:$CUSTOMS
enterprise.$E1 = uid:$U1
enterprise.$E2 = uid:$U2
enterprise.$E3 = uid:$U3
EOF
"$bzld" --foreground --config "$tmp/bzld.conf" --data "$tmp/data" --socket "$BZL_SOCKET" \
  2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

# as UID BZL-ARGS...: bzl run by that uid, the socket's group its supplementary group. Root
# itself is admin (implicit: no rule names uid 0) and sets the zone up.
as() { local uid=$1; shift; setpriv --reuid="$uid" --regid="$uid" --groups="$SOCK_GID" -- "$bzl" "$@"; }
officer() { as $CUSTOMS "$@"; }
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $E1 --uscc 91620100MA71AB1C2F --name "Lanzhou Oil Co."
run enterprise add --id $E2 --uscc 91350100M000100Y43 --name "Zone Electronics Co."
run enterprise add --id $E3 --uscc 91620100MA72CD3E4K --name "Silk Road Textiles Co."
run book open --book $B1 --enterprise $E1
run book open --book $B2 --enterprise $E2 --verify work-order
run book open --book $B3 --enterprise $E3 --verify consumption --period-days 180
run item add --book $B1 --kind material --seq 1 --hs 1206009000 --name "sunflower seed" --unit 035
run item add --book $B1 --kind material --seq 2 --hs 3923300000 --name "PET bottle preform" --unit 007
run item add --book $B1 --kind product --seq 1 --hs 1512110000 --name "sunflower oil" --unit 035 --mode OEM
run item add --book $B2 --kind material --seq 1 --hs 8542319000 --name "IC chip" --unit 007
run item add --book $B3 --kind material --seq 1 --hs 5205110000 --name "cotton yarn" --unit 035

# submit UID ID ENT BOOK MODE DATE PENDING LINES: one declaration of materials coming in,
# submitted by the enterprise's own uid.
submit() {
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"material","direction":"in","trade_mode":"%s","date":"%s","pending":%s,"lines":[%s]}\n' \
    "$2" "$3" "$4" "$5" "$6" "$7" "$8" >"$tmp/$2.json"
  chmod 0644 "$tmp/$2.json"
  as "$1" submit "$tmp/$2.json" >"$tmp/out" 2>&1 || { echo "submit $2 refused: $(cat "$tmp/out")" >&2; exit 1; }
}
line() { printf '{"item":%s,"qty":"%s","unit":"%s","value":"%s","currency":"%s"%s}' "$@"; }
# Submitted in this order; TX-0001 is dated earliest but submitted fourth.
submit $U1 LZ-0001 $E1 $B1 5015 2026-03-02 true \
  "$(line 1 1000 035 500 502 ''),$(line 2 200 007 30.5 142 ',"bom_version":"V1"')"
submit $U2 EL-0001 $E2 $B2 0615 2026-03-03 true "$(line 1 5000 007 2500 502 '')"
submit $U1 LZ-0002 $E1 $B1 5015 2026-03-04 false "$(line 1 300 035 150 502 '')"
submit $U3 TX-0001 $E3 $B3 0615 2026-03-01 true "$(line 1 80 035 400 300 '')"
submit $U2 EL-0002 $E2 $B2 0615 2026-03-05 true "$(line 1 100 007 50 502 '')"
submit $U1 LZ-0003 $E1 $B1 5015 2026-03-06 true "$(line 1 10 035 5 502 '')"

# ids: the first column of a CSV listing after its header, space-separated.
ids() { tail -n +2 | cut -d, -f1 | paste -sd' '; }
# squeeze: a table with runs of blanks as one, for exact comparison of rows.
squeeze() { sed 's/  */ /g'; }

# ---- the queue -------------------------------------------------------------------------------
officer declaration list --state pending --csv >"$tmp/queue.csv" 2>"$tmp/err"
check "the pending queue answers (exit 0)" test $? -eq 0
check "the pending queue is oldest submitted first" \
  test "$(ids <"$tmp/queue.csv")" = "LZ-0001 EL-0001 TX-0001 EL-0002 LZ-0003"
check "the queue's CSV header names the columns" \
  test "$(head -1 "$tmp/queue.csv")" = "id,enterprise,book,date,trade_mode,flow,lines,state,age_days"
check "a queue row carries enterprise, book, date, mode, flow, lines, state and age" \
  grep -qx "TX-0001,$E3,$B3,2026-03-01,0615,material import,1,pending,0" "$tmp/queue.csv"
check "LZ-0001 has two lines" grep -qx "LZ-0001,$E1,$B1,2026-03-02,5015,material import,2,pending,0" "$tmp/queue.csv"
officer declaration list --state pending >"$tmp/queue.txt" 2>&1
check "the table has the same rows in the same order" \
  test "$(tail -n +2 "$tmp/queue.txt" | awk '{print $1}' | paste -sd' ')" = "LZ-0001 EL-0001 TX-0001 EL-0002 LZ-0003"
check "the table's header names AGE_DAYS" grep -q "^ID .*STATE  *AGE_DAYS$" "$tmp/queue.txt"
officer --json declaration list --state pending >"$tmp/queue.json"
check "JSON lists the queue in order" \
  test "$(sed -n 's/^    "id": "\(.*\)",$/\1/p' "$tmp/queue.json" | paste -sd' ')" = "LZ-0001 EL-0001 TX-0001 EL-0002 LZ-0003"
check "JSON carries state and age as words and numbers" \
  test "$(grep -c '"state": "pending",' "$tmp/queue.json")/$(grep -c '"age_days": 0,' "$tmp/queue.json")" = 5/5

# ---- one declaration, then the officer's decisions -----------------------------------------
officer declaration show --enterprise $E1 LZ-0001 >"$tmp/show.txt" 2>&1
check "show's header names enterprise, book, state, flow, mode and date" \
  test "$(head -1 "$tmp/show.txt")" = "declaration LZ-0001 of $E1 on book $B1: pending material import (material in), trade mode 5015, dated 2026-03-02"
section() { awk -v s="$1" '$0 == s {f = 1; next} /^$/ {f = 0} f' "$2"; }
check "show lists every declared line: item, qty, unit, value, currency, BOM version" \
  test "$(section "declared lines" "$tmp/show.txt" | squeeze)" = "$(printf '%s\n' \
    "LINE ITEM QTY UNIT VALUE CURRENCY BOM_VERSION" " 1 1 1000 035 500 502" " 2 2 200 007 30.5 142 V1")"
check "show's history: submitted by the enterprise's uid, as an enterprise" \
  test "$(section history "$tmp/show.txt" | tail -n +2 | awk '{print $3, $4, $5}')" = "$U1 enterprise declaration"

officer post --enterprise $E1 LZ-0001 >/dev/null 2>"$tmp/err"
check "the officer posts LZ-0001" test $? -eq 0
officer post --enterprise $E2 EL-0001 >/dev/null 2>"$tmp/err"
check "the officer posts EL-0001" test $? -eq 0
officer reject --enterprise $E3 TX-0001 --reason "HS code does not match the goods" >/dev/null 2>"$tmp/err"
check "the officer rejects TX-0001" test $? -eq 0
officer reverse --enterprise $E1 LZ-0001 --reason "录入错误" >/dev/null 2>"$tmp/err"
check "the officer reverses LZ-0001" test $? -eq 0
officer declaration list --state pending --csv >"$tmp/queue2.csv" 2>&1
check "the queue now holds only the two left" test "$(ids <"$tmp/queue2.csv")" = "EL-0002 LZ-0003"

officer declaration show --enterprise $E1 LZ-0001 >"$tmp/show2.txt" 2>&1
check "the history names who did what and why, in order" \
  test "$(section history "$tmp/show2.txt" | tail -n +2 | awk '{$1 = $2 = ""; print substr($0, 3)}')" = \
  "$(printf '%s\n' "$U1 enterprise declaration" "$CUSTOMS customs post" "$CUSTOMS customs reverse 录入错误")"
check "show's header says reversed" grep -q "^declaration LZ-0001 of $E1 on book $B1: reversed " "$tmp/show2.txt"
officer --json declaration show --enterprise $E1 LZ-0001 >"$tmp/show2.json"
check "show's JSON keeps its keys and adds lines and the entries' uid" \
  test "$(grep -c '^  "\(id\|book\|trade_mode\|date\|state\|flow\|entries\|enterprise\|lines\)":' "$tmp/show2.json")/$(grep -c "\"uid\": $CUSTOMS," "$tmp/show2.json")" = 9/2
check "show's JSON carries the reason" grep -q '"reason": "录入错误",' "$tmp/show2.json"
check "show's JSON names each entry's role" \
  test "$(grep -c '"role": "customs",' "$tmp/show2.json")/$(grep -c '"role": "enterprise",' "$tmp/show2.json")" = 2/1

# ---- the audit trail: one line per action, with the principal and the reason ----------------
# fields uid,role,type,summary of `audit --csv`
audit_fields() { officer audit --csv "$@" | tail -n +2 | cut -d, -f3,4,7,8; }
check "audit shows the officer's four actions, uid, role and reason each" \
  test "$(audit_fields --uid $CUSTOMS)" = "$(printf '%s\n' \
    "$CUSTOMS,customs,post,post LZ-0001 of $E1 book $B1" \
    "$CUSTOMS,customs,post,post EL-0001 of $E2 book $B2" \
    "$CUSTOMS,customs,reject,reject TX-0001 of $E3 book $B3: HS code does not match the goods" \
    "$CUSTOMS,customs,reverse,reverse LZ-0001 of $E1 book $B1: 录入错误")"
check "audit shows each submission with the enterprise's uid and role" \
  test "$(audit_fields --action declaration | cut -d, -f1-3 | paste -sd' ')" = \
  "$U1,enterprise,declaration $U2,enterprise,declaration $U1,enterprise,declaration $U3,enterprise,declaration $U2,enterprise,declaration $U1,enterprise,declaration"
check "audit --action reverse is the reversal alone" \
  test "$(audit_fields --action reverse)" = "$CUSTOMS,customs,reverse,reverse LZ-0001 of $E1 book $B1: 录入错误"
check "audit --enterprise is everything about that enterprise's records" \
  test "$(audit_fields --enterprise $E3 | cut -d, -f3 | paste -sd' ')" = "enterprise book item declaration reject"
check "audit --book leaves out the enterprise's registration" \
  test "$(audit_fields --book $B3 | cut -d, -f3 | paste -sd' ')" = "book item declaration reject"
officer audit --action reverse >"$tmp/audit.txt" 2>&1
check "the audit table has the reversal on one line with uid, role and reason" \
  grep -Eq "^ *[0-9]+  [0-9T:.-]+Z  $CUSTOMS  customs  +[0-9]+  +[0-9]+  reverse  reverse LZ-0001 of $E1 book $B1: 录入错误$" "$tmp/audit.txt"
check "the audit table has nothing else" test "$(wc -l <"$tmp/audit.txt")" -eq 2
officer audit --action approve >/dev/null 2>"$tmp/err"
check "an unknown --action is a usage error (exit 2)" test $? -eq 2
check "the usage error names the entry types" grep -q "post, void, reverse" "$tmp/err"

# ---- the queue's filters ---------------------------------------------------------------------
q() { officer declaration list --csv "$@" | ids; }
check "--state posted" test "$(q --state posted)" = "EL-0001 LZ-0002"
check "--state reversed" test "$(q --state reversed)" = "LZ-0001"
check "--state rejected" test "$(q --state rejected)" = "TX-0001"
check "--book" test "$(q --book $B2)" = "EL-0001 EL-0002"
check "--enterprise" test "$(q --enterprise $E1)" = "LZ-0001 LZ-0002 LZ-0003"
check "--from and --to bound the declared date" test "$(q --from 2026-03-03 --to 2026-03-05)" = "EL-0001 LZ-0002 EL-0002"
check "--trade-mode" test "$(q --trade-mode 0615)" = "EL-0001 TX-0001 EL-0002"
check "--older-than 1: everything was submitted today" test "$(q --older-than 1)" = ""
officer declaration list --state approved >/dev/null 2>"$tmp/err"
check "an unknown --state is a usage error (exit 2)" test $? -eq 2

# ---- the period guard ----------------------------------------------------------------------
officer period close --book $B1 --through 2099-12-31 >"$tmp/out" 2>"$tmp/err"
check "closing through 2099 without --force exits 1" test $? -eq 1
check "the refusal says why, naming through and today" \
  grep -q "^bzl: INVALID_ARGUMENT: through 2099-12-31 is after today ($(date +%F)); a closed period never reopens" "$tmp/err"
check "the refusal printed nothing on stdout" test ! -s "$tmp/out"
officer period close --book $B1 --through "$(date -d '+2 days' +%F)" >/dev/null 2>&1
check "the day after tomorrow is refused too" test $? -eq 1
check "the book is still not closed (JSON null)" bash -c "'$bzl' --json book show $B1 | grep -qx '  \"closed_through\": null,'"
through=$(date -d yesterday +%F)
[[ $through > 2026-02-28 ]] && through=2026-02-28 # before every declaration of the day
officer period close --book $B1 --through "$through" >/dev/null 2>"$tmp/err"
check "a past date closes (exit 0)" test $? -eq 0
"$bzl" book show $B1 >"$tmp/book.txt"
check "book show prints the closed-through date" \
  test "$(squeeze <"$tmp/book.txt")" = "$(printf '%s\n' \
    "BOOK ENTERPRISE TYPE VERIFY STATUS PERIOD_DAYS CLOSED_THROUGH USAGE" \
    "$B1 $E1 zone e-book unit open 365 $through general")"
officer period close --book $B3 --through 2099-12-31 --force >/dev/null 2>"$tmp/err"
check "--force closes through a future date" test $? -eq 0
check "audit shows both closes by the officer" \
  test "$(audit_fields --action period_close)" = "$(printf '%s\n' \
    "$CUSTOMS,customs,period_close,period close $B1 through $through" \
    "$CUSTOMS,customs,period_close,period close $B3 through 2099-12-31")"

# ---- what was set up -------------------------------------------------------------------------
officer book list --csv >"$tmp/books.csv" 2>&1
check "book list: every book with type, verify mode, status, period and closed-through" \
  test "$(cat "$tmp/books.csv")" = "$(printf '%s\n' \
    "book,enterprise,type,verify,status,period_days,closed_through" \
    "$B3,$E3,imported-materials manual,consumption,open,180,2099-12-31" \
    "$B2,$E2,processing e-book,work-order,open,365," \
    "$B1,$E1,zone e-book,unit,open,365,$through")"
officer --json book list >"$tmp/books.json"
check "book list JSON: a book never closed has closed_through null" \
  test "$(grep -c '"closed_through": null' "$tmp/books.json")" -eq 1
check "book list --enterprise" test "$(officer book list --csv --enterprise $E2 | ids)" = "$B2"
check "item list: kind, item, HS, name, unit, mode" \
  test "$(officer item list --book $B1 | squeeze)" = "$(printf '%s\n' \
    "KIND ITEM HS NAME UNIT MODE" \
    "material 1 1206009000 sunflower seed 035" \
    "material 2 3923300000 PET bottle preform 007" \
    "product 1 1512110000 sunflower oil 035 OEM")"
check "item list --kind product --csv" \
  test "$(officer item list --book $B1 --kind product --csv)" = "$(printf '%s\n' \
    "kind,item,hs,name,unit,mode" "product,1,1512110000,sunflower oil,035,OEM")"
check "item list JSON: mode null for a material" \
  test "$(officer --json item list --book $B1 | grep -c '"mode": null')" -eq 2

# ---- an enterprise's own view ----------------------------------------------------------------
check "an enterprise's queue holds its own declarations only" \
  test "$(as $U2 declaration list --csv | ids)" = "EL-0001 EL-0002"
as $U2 declaration list --csv --enterprise $E1 >"$tmp/out" 2>&1
check "asking for another's is an empty answer, not a refusal" \
  test "$?/$(ids <"$tmp/out")" = "0/"
check "an enterprise's pending queue" test "$(as $U1 declaration list --state pending --csv | ids)" = "LZ-0003"
check "an enterprise's book list holds its own book only" test "$(as $U3 book list --csv | ids)" = "$B3"
as $U2 audit >/dev/null 2>"$tmp/err"
check "an enterprise may not read the audit trail (exit 1)" test $? -eq 1
check "... PERMISSION_DENIED" grep -q "PERMISSION_DENIED" "$tmp/err"

check "bzld is still serving" kill -0 "$pid"
check "the sanitizer reported nothing" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$tmp/bzld.log'"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "bzld exits 0 on SIGTERM" test "$rc" -eq 0
scenario_end desk_scenario
