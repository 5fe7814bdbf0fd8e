#!/usr/bin/env bash
# stocktake_counter.sh — proves through the bzl CLI, each principal a uid of its own mapped by
# bzld.conf's [access] (issue 13, finding 2), that an enterprise's stocktake never replaces a
# customs count: customs (uid 3101) counts 960 of the 1000 kg of sunflower seed book
# H72012400001 holds (a shortage of 40 = -4.0000 %); the enterprise (uid 3111) then counts
# 999.5 on the same date, which is kept aside (its own reply says so) while `bzl reconcile`
# answers exactly as before, counted by customs. On book H72012400002 only the enterprise
# counted (990 of 1000): reconcile uses that count and labels it "enterprise". After customs
# closes H72012400001 through 2026-03-31, the enterprise's stocktake dated 2026-03-15 is
# refused PERIOD_CLOSED and changes nothing. `bzl verify` passes throughout: it recomputes both
# counts from their journal entries.
# Needs root to run bzl as other uids (setpriv); otherwise exit 77 (skipped), as check_access.
#   usage: stocktake_counter.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
  echo "stocktake_counter: needs root and setpriv to run bzl as other uids; skipped"
  exit 77
fi
tmp=$(mktemp -d /tmp/bzl-counter-XXXXXX)
chmod 0711 "$tmp" # the principals' uids traverse to the socket directory, not list it
export BZL_SOCKET=$tmp/run/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

SOCK_GID=4243 CUSTOMS=3101 FIRM=3111 E1=6201230001 B1=H72012400001 B2=H72012400002
cat >"$tmp/bzld.conf" <<EOF
[daemon]
socket_group = $SOCK_GID
[access]
customs = uid:$CUSTOMS
enterprise.$E1 = uid:$FIRM
EOF
"$bzld" --foreground --config "$tmp/bzld.conf" --data "$tmp/data" --socket "$BZL_SOCKET" \
  2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

as() { local uid=$1; shift; setpriv --reuid="$uid" --regid="$uid" --groups="$SOCK_GID" -- "$bzl" "$@"; }
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $E1 --uscc 91620100MA71AB1C2F --name "Lanzhou Oil Co."
for b in $B1 $B2; do
  run book open --book $b --enterprise $E1
  run item add --book $b --kind material --seq 1 --hs 1206009000 --name "sunflower seed" --unit 035
  printf '{"id":"IMP-%s","enterprise":"%s","book":"%s","kind":"material","direction":"in","trade_mode":"5015","date":"2026-03-10","lines":[{"item":1,"qty":"1000","unit":"035","value":"500","currency":"502"}]}\n' \
    "$b" $E1 "$b" >"$tmp/imp.json"
  run submit "$tmp/imp.json"
done

# count UID BOOK DATE QTY: a stocktake of material 1 submitted by that uid; its output in
# $tmp/count.out, its exit status returned.
count() {
  printf '{"book":"%s","date":"%s","lines":[{"kind":"material","item":1,"qty":"%s"}]}\n' \
    "$2" "$3" "$4" >"$tmp/st.json"
  chmod 0644 "$tmp/st.json"
  as "$1" stocktake submit "$tmp/st.json" >"$tmp/count.out" 2>&1
}
# figure BOOK: book's March reconciled as JSON, its one row's counted, difference, rate, flag
# and counted_by.
figure() {
  as $CUSTOMS --json reconcile --book "$1" --period 2026-03 >"$tmp/recon.json" 2>/dev/null
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["rows"][0]
print(r["counted"], r["difference"], r["difference_rate"], r["flag"], r.get("counted_by", "-"))' "$tmp/recon.json"
}
verifies() { as $CUSTOMS verify >"$tmp/verify.out" 2>&1; }

count $CUSTOMS $B1 2026-03-31 960
check "customs counts 960 of $B1 on 2026-03-31" test $? -eq 0
before=$(figure $B1)
check "reconcile: counted 960, -40 = -4.0000 %, shortage, counted by customs (got $before)" \
  test "$before" = "960 -40 -4.0000 shortage customs"

count $FIRM $B1 2026-03-31 999.5
check "the enterprise's count of the same date is accepted" test $? -eq 0
check "... its reply shows its own 999.5, kept beside the customs count" \
  bash -c "grep -q '999.5' '$tmp/count.out' && grep -q 'counted by enterprise: kept beside the customs count' '$tmp/count.out'"
after=$(figure $B1)
check "reconcile is unchanged by it: $after" test "$after" = "$before"
as $CUSTOMS reconcile --book $B1 --period 2026-03 >"$tmp/view.txt" 2>&1
check "the table says whose count it used" grep -Fxq "# book $B1: counted by customs" "$tmp/view.txt"
verifies
check "verify recomputes both counts: OK ($(cat "$tmp/verify.out"))" grep -q '^OK: ' "$tmp/verify.out"

count $FIRM $B2 2026-03-31 990
check "the enterprise alone counts 990 of $B2" test $? -eq 0
check "... its reply says it is used until customs counts" \
  grep -q 'counted by enterprise: verification uses it until customs counts' "$tmp/count.out"
alone=$(figure $B2)
check "reconcile uses the enterprise's count, labelled: 990 -10 -1.0000 shortage enterprise (got $alone)" \
  test "$alone" = "990 -10 -1.0000 shortage enterprise"
as $CUSTOMS reconcile --book $B2 --period 2026-03 >"$tmp/view2.txt" 2>&1
check "the table says so" grep -Fxq "# book $B2: counted by enterprise" "$tmp/view2.txt"

as $CUSTOMS period close --book $B1 --through 2026-03-31 >/dev/null 2>&1
check "customs closes $B1 through 2026-03-31" test $? -eq 0
count $FIRM $B1 2026-03-15 1000; rc=$?
check "the enterprise's stocktake dated inside the closed period is refused (exit $rc)" test "$rc" -eq 1
check "... as PERIOD_CLOSED" grep -q 'PERIOD_CLOSED\|closed period' "$tmp/count.out"
closed=$(figure $B1)
check "... and changes nothing: $closed" test "$closed" = "$before"
verifies
check "verify still passes" grep -q '^OK: ' "$tmp/verify.out"
scenario_end stocktake_counter
