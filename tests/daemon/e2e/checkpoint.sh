#!/usr/bin/env bash
# checkpoint.sh — signed checkpoints catch what the hash chain alone cannot (issue 13, finding 3):
#  (a) an entry rewritten and the whole chain re-sealed after it (bzl-tamper reseal) verifies
#      OK with plain `bzl verify`, and `bzl verify --checkpoint` with a checkpoint taken before
#      fails naming that checkpoint and "hash differs at seq N", while an older checkpoint,
#      taken before the rewritten entry existed, still verifies;
#  (b) an older backup put back in place verifies OK plainly, and a checkpoint taken before the
#      restore fails with "chain shorter than seq N ...: a rollback";
#  (c) a checkpoint file whose sequence, hash or signature was edited, or one checked against
#      another public key, fails with "bad signature"; a malformed file exits 4;
#  (d) bzld refuses to start on a key file that is group/world readable or a symbolic link
#      (and writes nothing through the link), and keeps its key across restarts;
#  (e) bzl-nightly keeps the night's checkpoint as checkpoint.txt, one that verifies, and logs
#      it on stderr.
#   usage: checkpoint.sh BZLD BZL BZL_TAMPER SOURCE_DIR BZL_NIGHTLY
set -euo pipefail
bzld=$1 bzl=$2 tamper=$3 src=$4 nightly=$5
work=$(mktemp -d /tmp/bzl-checkpoint-XXXXXX)
trap 'kill $(cat "$work"/d/bzld.sock.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
export BZL_SOCKET=$work/d/bzld.sock
key=$work/d-keys/checkpoint.key

start() { "$bzld" --data "$work/d" >/dev/null; }
stop() {
  local pid; pid=$(cat "$work/d/bzld.sock.pid")
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}
fail() { echo "FAIL: $*"; exit 1; }
fresh() {
  stop 2>/dev/null || true
  rm -rf "$work/d"; start
}
# expect_verify RC PATTERN ARGS...: bzl verify ARGS exits RC and prints a line matching PATTERN.
expect_verify() {
  local want=$1 pattern=$2 out rc=0; shift 2
  out=$("$bzl" verify "$@" 2>&1) || rc=$?
  [ "$rc" -eq "$want" ] || fail "verify $* exited $rc, not $want: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "verify $* did not say /$pattern/: $out"
  echo "ok: verify $* -> $(grep -E -- "$pattern" <<<"$out" | head -1)"
}
seq_of() { sed -n 's/^seq: //p' "$1"; }

# ---- the key: made beside the data directory, 0600, its public half served and logged ------
# Without checkpoint_key and without the directory, nothing is made until the first checkpoint
# (a daemon nobody asks leaves nothing beside its data); with the directory, at start.
fresh
[ ! -e "$work/d-keys" ] || fail "bzld made $work/d-keys before any checkpoint was asked for"
"$bzl" checkpoint >"$work/cp0.txt"
[ -f "$key" ] || fail "no key file at $key after the first checkpoint"
[ "$(stat -c %a "$key")" = 600 ] || fail "key file mode $(stat -c %a "$key"), not 600"
pub=$("$bzl" checkpoint --public-key)
grep -qx "public-key: $pub" "$work/cp0.txt" || fail "checkpoint names another key than $pub"
grep -q "public key $pub" "$work/d/bzld.log" || fail "bzld did not log its public key"
[ "$(seq_of "$work/cp0.txt")" = 0 ] || fail "an empty ledger's checkpoint is not at seq 0"
stop; rm -rf "$work/d-keys"; mkdir -m 700 "$work/d-keys"; start
[ -f "$key" ] || fail "no key made at start in an existing $work/d-keys"
[ "$("$bzl" checkpoint --public-key)" != "$pub" ] || fail "a new key file kept the old key"
stop; rm -rf "$work/d"; start
"$bzl" checkpoint >"$work/cp0.txt"
pub=$("$bzl" checkpoint --public-key)
grep -qx "public-key: $pub" "$work/cp0.txt" || fail "checkpoint names another key than $pub"
echo "ok: key made 0600, public key $pub served and logged"

# ---- (a) a re-sealed forged entry --------------------------------------------------------
"$src/deploy/demo/load.sh" "$bzl" >/dev/null
"$bzl" checkpoint >"$work/cp_a.txt"
n=$(seq_of "$work/cp_a.txt")
[ "$n" -gt 20 ] || fail "the demo left only $n entries"
expect_verify 0 "^CHECKPOINT OK $work/cp_a.txt: seq $n " --checkpoint "$work/cp_a.txt"
stop
"$tamper" "$work/d" reseal 10 >/dev/null # the writer's uid of entry 10, then every hash after
start
# The gap this feature closes: the chain alone cannot see a consistent rewrite.
expect_verify 0 "^OK: $n journal entries"
expect_verify 1 "^CHECKPOINT BROKEN $work/cp_a.txt: hash differs at seq $n:" \
  --checkpoint "$work/cp0.txt" "$work/cp_a.txt"
expect_verify 1 "^CHECKPOINT OK $work/cp0.txt: seq 0 " --checkpoint "$work/cp0.txt" "$work/cp_a.txt"
json=$("$bzl" --json verify --checkpoint "$work/cp_a.txt" || true)
grep -q '"problem": "hash differs at seq '"$n"':' <<<"$json" || fail "--json verify: $json"

# ---- (b) an older backup put back ------------------------------------------------------------
fresh
"$src/deploy/demo/load.sh" "$bzl" >/dev/null
"$bzl" backup --out "$work/old.mdb" >/dev/null
old=$("$bzl" checkpoint | sed -n 's/^seq: //p')
"$bzl" period close --book H72012400011 --through 2025-06-30 >/dev/null
"$bzl" checkpoint >"$work/cp_b.txt"
n=$(seq_of "$work/cp_b.txt")
[ "$n" -gt "$old" ] || fail "the write after the backup did not move the head ($old -> $n)"
stop
cp "$work/old.mdb" "$work/d/data.mdb"
start
expect_verify 0 "^OK: $old journal entries"
expect_verify 1 "^CHECKPOINT BROKEN $work/cp_b.txt: chain shorter than seq $n \(its head is $old\): a rollback" \
  --checkpoint "$work/cp_b.txt"

# ---- (c) tampered checkpoint files -----------------------------------------------------------
"$bzl" checkpoint >"$work/cp_c.txt"
expect_verify 0 "^CHECKPOINT OK $work/cp_c.txt" --checkpoint "$work/cp_c.txt" --public-key "$pub"
n=$(seq_of "$work/cp_c.txt")
sed "s/^seq: .*/seq: $((n - 1))/" "$work/cp_c.txt" >"$work/bad_seq.txt"
expect_verify 1 "^CHECKPOINT BROKEN $work/bad_seq.txt: bad signature" --checkpoint "$work/bad_seq.txt"
# The hash of entry n-1 itself, so only the signature can tell.
prev=$("$bzl" --json journal --since $((n - 2)) | head -1 | sed 's/.*"hash": *"\([0-9a-f]*\)".*/\1/')
sed -e "s/^seq: .*/seq: $((n - 1))/" -e "s/^hash: .*/hash: $prev/" "$work/cp_c.txt" >"$work/bad_hash.txt"
expect_verify 1 "^CHECKPOINT BROKEN $work/bad_hash.txt: bad signature" --checkpoint "$work/bad_hash.txt"
sig=$(sed -n 's/^signature: //p' "$work/cp_c.txt")
flipped=$( [ "${sig:0:1}" = 0 ] && echo 1 || echo 0 )${sig:1}
sed "s/^signature: .*/signature: $flipped/" "$work/cp_c.txt" >"$work/bad_sig.txt"
expect_verify 1 "^CHECKPOINT BROKEN $work/bad_sig.txt: bad signature" --checkpoint "$work/bad_sig.txt"
other=$(printf '%064d' 7)
expect_verify 1 "^CHECKPOINT BROKEN $work/cp_c.txt: bad signature: it names a public key other" \
  --checkpoint "$work/cp_c.txt" --public-key "$other"
head -3 "$work/cp_c.txt" >"$work/short.txt"
expect_verify 4 "^CHECKPOINT BROKEN $work/short.txt: not a checkpoint file: line 4" \
  --checkpoint "$work/short.txt"

# ---- (d) the key file's mode and symbolic links ------------------------------------------
refused() { # why: bzld must not start, and its log must say why
  local rc=0
  : >"$work/d/bzld.log" # only this start's lines
  "$bzld" --data "$work/d" >/dev/null 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || { stop; fail "bzld started with $1"; }
  grep -q "checkpoint key $key is $2" "$work/d/bzld.log" || fail "bzld's log does not say $2"
  echo "ok: refused $1 -> $(grep "checkpoint key $key" "$work/d/bzld.log" | tail -1)"
}
stop
for mode in 644 640 604; do
  chmod "$mode" "$key"
  refused "a key of mode $mode" "readable or writable by group or others"
done
chmod 600 "$key"
mv "$key" "$work/real.key"
cp "$work/real.key" "$work/real.copy"
ln -s "$work/real.key" "$key"
refused "a symlinked key" "a symbolic link"
cmp -s "$work/real.key" "$work/real.copy" || fail "bzld wrote through the symlink"
rm "$key"; mv "$work/real.key" "$key"
start
[ "$("$bzl" checkpoint --public-key)" = "$pub" ] || fail "the key changed across restarts"
expect_verify 0 "^CHECKPOINT OK $work/cp_c.txt" --checkpoint "$work/cp_c.txt"

# ---- (e) the nightly job's checkpoint --------------------------------------------------------
rc=0
BZL=$bzl "$nightly" --out "$work/reports" --period 2025-06 >/dev/null 2>"$work/nightly.err" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 5 ] || fail "bzl-nightly exited $rc: $(cat "$work/nightly.err")"
kept=$work/reports/latest/checkpoint.txt
expect_verify 0 "^CHECKPOINT OK $kept: seq $(seq_of "$kept") " --checkpoint "$kept" --public-key "$pub"
grep -q "^bzl-nightly: checkpoint seq=$(seq_of "$kept") hash=$(sed -n 's/^hash: //p' "$kept") .* key=$pub sig=" \
  "$work/nightly.err" || fail "bzl-nightly did not log its checkpoint: $(cat "$work/nightly.err")"
grep -q 'href="checkpoint.txt"' "$work/reports/latest/report.html" || fail "the page does not link it"
echo "ok: bzl-nightly kept, logged and linked a checkpoint that verifies"
echo "checkpoint: all cases passed"
