#!/usr/bin/env bash
# journal_stream.sh — `bzl journal` (the journal request) hands the journal over whole, in order
# and chained: on the demo ledger plus a pending declaration posted and a posted one reversed,
# the stream holds exactly the entries `bzl verify` counts, sequences 1..N without a gap, each
# prev_hash equal to the entry before's hash (zeros before entry 1) and the last hash equal to
# the head hash verify recomputes on its own; --since K resumes at K+1 with the very same
# lines; a post and a reversal name their declaration's entry and carry their effects (the
# reversal the exact negation of the posting); --since beyond the end is refused (exit 1,
# NOT_FOUND naming where the journal ends) and a bad --since is a usage error (exit 2);
# --follow prints an entry committed while it waits; and a daemon stopped under a waiting
# follower still exits 0 at once.
#   usage: journal_stream.sh BZLD BZL SRC
set -uo pipefail
bzld=$1 bzl=$2 src=$3
tmp=$(mktemp -d /tmp/bzl-journal-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

"$src/deploy/demo/load.sh" "$bzl" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
A=6201230001 BA=H72012400001
decl() { # decl FILE ID DATE PENDING(true|false)
  printf '{"id":"%s","enterprise":"%s","book":"%s","kind":"material","direction":"in","trade_mode":"5015","date":"%s","pending":%s,"lines":[{"item":1,"qty":"10.5","unit":"035","value":"21","currency":"502"}]}\n' \
    "$2" $A $BA "$3" "$4" >"$tmp/$1.json"
}
decl p1 J-PEND-1 2025-07-02 true
decl r1 J-REV-1 2025-07-03 false
for step in "submit $tmp/p1.json" "post --enterprise $A J-PEND-1" "submit $tmp/r1.json" \
            "reverse --enterprise $A J-REV-1 --reason keyed-twice"; do
  # shellcheck disable=SC2086 # each step is a command line
  "$bzl" $step >/dev/null 2>"$tmp/err" || { echo "setup failed: $step: $(cat "$tmp/err")" >&2; exit 1; }
done

"$bzl" --json journal >"$tmp/all.jsonl"
"$bzl" --json verify >"$tmp/verify.json"
check "the stream is JSON lines, one entry each, exactly as many as verify walked" \
  python3 - "$tmp/all.jsonl" "$tmp/verify.json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
v = json.load(open(sys.argv[2]))
assert v["ok"] and len(rows) == v["entries"] > 100, (len(rows), v["entries"])
prev = "0" * 64
for i, r in enumerate(rows, 1):
    assert r["seq"] == i, (i, r["seq"])
    assert r["prev_hash"] == prev, ("chain broken at", i)
    assert len(r["hash"]) == 64 and r["hash"] != prev
    prev = r["hash"]
assert prev == v["head_hash"], "the last hash is verify's head"
PY

check "a post and a reversal name their declaration and carry their effects" \
  python3 - "$tmp/all.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by_id = {}
for r in rows:
    if r["type"] == "declaration":
        by_id[r["declaration"]["id"]] = r
p, d = by_id["J-PEND-1"], by_id["J-REV-1"]
assert p["declaration"]["pending"] and p["effects"][0]["pending_in"] == "10.5"
assert p["declaration"]["lines"][0] == {"item": 1, "qty": "10.5", "unit": "035", "value": "21", "currency": "502"}
assert p["flow"] == "material import" and p["month"] == "2025-07"
post = [r for r in rows if r["type"] == "post" and r["id"] == "J-PEND-1"]
assert len(post) == 1 and post[0]["ref_seq"] == p["seq"]
assert post[0]["effects"][0]["qty"] == "10.5" and post[0]["effects"][0]["pending_in"] == "-10.5"
rev = [r for r in rows if r["type"] == "reverse"]
assert len(rev) == 1 and rev[0]["ref_seq"] == d["seq"] and rev[0]["posting_seq"] == d["seq"]
assert rev[0]["reason"] == "keyed-twice" and rev[0]["id"] == "J-REV-1"
assert rev[0]["effects"][0]["qty"] == "-10.5" and rev[0]["effects"][0]["value"] == "-21"
assert d["effects"][0]["qty"] == "10.5" and d["effects"][0]["value"] == "21"
rates = [r for r in rows if r["type"] == "rate"]
assert rates and all(r["month"] and r["currency"] and r["cny"] for r in rates)
ents = [r for r in rows if r["type"] == "enterprise"]
assert ents[0]["enterprise_record"]["code"] == ents[0]["enterprise"]
PY

n=$(wc -l <"$tmp/all.jsonl")
k=$((n / 2))
"$bzl" --json journal --since $k >"$tmp/tail.jsonl"
check "--since K resumes at K+1 with the same lines" cmp -s "$tmp/tail.jsonl" <(tail -n +$((k + 1)) "$tmp/all.jsonl")
check "--since the last entry prints nothing" test -z "$("$bzl" journal --since "$n")"
"$bzl" journal --since $((n + 5)) >/dev/null 2>"$tmp/err"; rc=$?
check "--since beyond the end exits 1" test "$rc" -eq 1
check "… naming where the journal ends" grep -q "NOT_FOUND: the journal has no entry $((n + 5)): it ends at entry $n" "$tmp/err"
"$bzl" journal --since -1 >/dev/null 2>&1; rc=$?
check "a bad --since is a usage error" test "$rc" -eq 2

# --follow: an entry committed while it waits is printed (bounded: 10 s).
"$bzl" --json journal --since "$n" --follow >"$tmp/follow.jsonl" 2>"$tmp/follow.err" &
follower=$!
sleep 0.3
"$bzl" rates set --month 2026-01 --currency 502 --cny 7.0123 >/dev/null
for _ in $(seq 100); do [ -s "$tmp/follow.jsonl" ] && break; sleep 0.1; done
check "--follow prints the entry committed while it waited" \
  grep -q "\"seq\":$((n + 1)),.*\"type\":\"rate\".*\"cny\":\"7.0123\"" "$tmp/follow.jsonl"
check "… and keeps waiting" kill -0 "$follower"

# A stop under a waiting follower: the daemon answers it and exits 0 promptly.
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
check "bzld stops within 5 s with a follower waiting" bash -c "! kill -0 $pid 2>/dev/null"
wait "$pid"; rc=$?; pid=
check "bzld exits 0" test "$rc" -eq 0
wait "$follower"; rc=$?
check "the follower ends with a transport error (exit 3)" test "$rc" -eq 3
check "the sanitizer reported nothing" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$tmp/bzld.log'"
scenario_end journal_stream
