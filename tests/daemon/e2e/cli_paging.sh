#!/usr/bin/env bash
# cli_paging.sh — proves that a CLI listing longer than one daemon page (BZL_LIST_ROWS_MAX =
# 4,096 rows) follows the pages to the end: one material's history of 4,100 imports, submitted
# as one batch file, lists every line exactly once, in sequence order, as one --json document
# and as one table, with no "more rows follow" note.
#   usage: cli_paging.sh BZLD BZL
set -uo pipefail
bzld=$1 bzl=$2
tmp=$(mktemp -d /tmp/bzl-paging-XXXXXX)
export BZL_SOCKET=$tmp/bzld.sock
. "$(dirname "$0")/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid

"$bzld" --foreground --data "$tmp" --socket "$BZL_SOCKET" 2>"$tmp/bzld.log" &
pid=$!
for _ in $(seq 100); do "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done

A=6201230001 BA=H72012400001 N=4100
run() { "$bzl" "$@" >/dev/null 2>"$tmp/err" || { echo "setup failed: $*: $(cat "$tmp/err")" >&2; exit 1; }; }
run enterprise add --id $A --uscc 91620100MA71AB1C2F --name "Zone Widget Co."
run book open --book $BA --enterprise $A
run item add --book $BA --kind material --seq 1 --hs 7208510000 --name "steel sheet" --unit 035

# N one-line imports of material 1 in one file; `bzl submit` batches them.
awk -v n=$N -v a=$A -v b=$BA 'BEGIN {
  printf "["
  for (i = 1; i <= n; i++) {
    printf "%s{\"id\":\"P-%05d\",\"enterprise\":\"%s\",\"book\":\"%s\",\"kind\":\"material\",", \
      (i > 1 ? "," : ""), i, a, b
    printf "\"direction\":\"in\",\"trade_mode\":\"5015\",\"date\":\"2026-03-02\",\"lines\":"
    printf "[{\"item\":1,\"qty\":\"1\",\"unit\":\"035\",\"value\":\"5\",\"currency\":\"502\"}]}\n"
  }
  printf "]\n"
}' >"$tmp/decls.json"
run submit "$tmp/decls.json"
check "all $N imports are in the balance" \
  grep -q "\"qty\": *\"$N\(\.0*\)\?\"" <("$bzl" --json balance --book $BA --kind material --item 1)

hist=(history --book $BA --kind material --item 1)
"$bzl" --json "${hist[@]}" >"$tmp/json" 2>"$tmp/json.err"
check "history --json exits 0" test $? -eq 0
check "history --json lists all $N lines" test "$(grep -o '"seq"' "$tmp/json" | wc -l)" -eq $N
check "history --json names each declaration once" \
  test "$(grep -o '"P-[0-9]*"' "$tmp/json" | sort -u | wc -l)" -eq $N
check "history --json is one document" test "$(grep -c '^\[' "$tmp/json")" -eq 1
seqs=$(sed -n 's/.*"seq": *\([0-9]*\).*/\1/p' "$tmp/json")
check "history --json is in sequence order" test "$seqs" = "$(sort -n <<<"$seqs")"
check "history --json notes nothing on stderr" test ! -s "$tmp/json.err"
"$bzl" "${hist[@]}" >"$tmp/table" 2>"$tmp/table.err"
check "history table exits 0" test $? -eq 0
check "history table has one header and $N rows" test "$(wc -l <"$tmp/table")" -eq $((N + 1))
check "history table has its header once" test "$(grep -c '^ *SEQ' "$tmp/table")" -eq 1
check "history table notes nothing on stderr" test ! -s "$tmp/table.err"
check "the last line's balance is $N" grep -q " $N\(\.0*\)\? *\$" <(tail -n 1 "$tmp/table")

scenario_end cli_paging
