#!/usr/bin/env bash
# ship_warehouse.sh — two zones, one warehouse: zone LZ (the demo zone of deploy/demo, plus a
# reversal) and zone HZ (tests/ship/zone_b.sh: other enterprises, currencies, rates, a mode
# override, a pending export posted, a pending import voided, a reversal) shipped by bzl-ship
# into one throw-away PostgreSQL. For each zone, every figure of `bzl report var` (by zone,
# enterprise and area, over the period and one month), `share`, `modes` and the upgrade events
# of `upgrades`, and every `bzl balance` row, equals the views' (tests/ship/compare.py,
# exactly as decimals); for both zones together, the views' E, I and general trade are the sums
# of the zones' and the union's ratios are those sums' ratios, rounded half-up by Python's
# decimal module rather than by the views' own function.
#   usage: ship_warehouse.sh BZLD BZL BZL-SHIP SRC
set -uo pipefail
bzld=$1 bzl=$2 ship=$3 src=$4
tmp=$(mktemp -d /tmp/bzl-warehouse-XXXXXX)
chmod 755 "$tmp"
. "$src/tests/daemon/e2e/scenario.sh" # check, scenario_end, cleanup of $tmp and $pid
. "$src/tests/ship/pg.sh"
pg_skip_unless
pid2=
trap 'pg_stop immediate; [ -n "$pid2" ] && kill -9 "$pid2" 2>/dev/null; cleanup' EXIT
pg_start
db="host=$tmp/pg user=bzl dbname=postgres"

start() { # start DIR: a bzld on DIR/bzld.sock; its pid in $started
  mkdir -p "$1"
  "$bzld" --foreground --data "$1" --socket "$1/bzld.sock" 2>"$1/bzld.log" &
  started=$!
  for _ in $(seq 100); do BZL_SOCKET=$1/bzld.sock "$bzl" stats >/dev/null 2>&1 && break; sleep 0.1; done
}
start "$tmp/lz"; pid=$started
start "$tmp/hz"; pid2=$started
BZL_SOCKET=$tmp/lz/bzld.sock "$src/deploy/demo/load.sh" "$bzl" >/dev/null 2>"$tmp/err" &&
  BZL_SOCKET=$tmp/lz/bzld.sock "$bzl" reverse --enterprise 6201230003 TEX-2505-EXP --reason "keyed twice" >/dev/null 2>>"$tmp/err" &&
  BZL_SOCKET=$tmp/hz/bzld.sock "$src/tests/ship/zone_b.sh" "$bzl" "$tmp" 2>>"$tmp/err" ||
  { echo "setup failed: $(cat "$tmp/err")" >&2; exit 1; }

check "bzl-ship ships zone LZ" "$ship" --zone LZ --db "$db" --socket "$tmp/lz/bzld.sock" --batch 50
check "bzl-ship ships zone HZ into the same database" "$ship" --zone HZ --db "$db" --socket "$tmp/hz/bzld.sock"
check "each zone's entries are its own" test "$(pg -c "SELECT string_agg(zone || ':' || n, ' ' ORDER BY zone) FROM (SELECT zone, count(*) n FROM bzl_entry GROUP BY zone) z")" = \
  "HZ:$(BZL_SOCKET=$tmp/hz/bzld.sock "$bzl" journal | wc -l) LZ:$(BZL_SOCKET=$tmp/lz/bzld.sock "$bzl" journal | wc -l)"

lz_months=$(printf '2025-%02d ' $(seq 12))
# shellcheck disable=SC2086 # the months are words
check "zone LZ: the views equal bzl report and bzl balance" \
  python3 "$src/tests/ship/compare.py" LZ "$tmp/lz/bzld.sock" "$bzl" 2025 $lz_months
check "zone HZ: the views equal bzl report and bzl balance" \
  python3 "$src/tests/ship/compare.py" HZ "$tmp/hz/bzld.sock" "$bzl" 2026-Q1 2026-01 2026-02 2026-03

check "both zones: additive figures sum and ratios follow from the sums" python3 - <<'PY'
import subprocess
from decimal import ROUND_HALF_UP, Decimal

def sql(q):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", q],
                         check=True, capture_output=True, text=True).stdout
    return [l.split("|") for l in out.splitlines()]

def pct(n, d):
    return None if d == 0 else (n * 100 / d).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

per_zone = {z: (Decimal(e), Decimal(i)) for z, e, i in sql(
    "SELECT zone, coalesce(sum(e_usd),0), coalesce(sum(i_usd),0) FROM bzl_var GROUP BY zone")}
e, i, var, net = sql("""SELECT sum(e_usd), sum(i_usd),
    bzl_pct(sum(e_usd) - sum(i_usd), sum(i_usd)), bzl_pct(sum(e_usd) - sum(i_usd), sum(e_usd))
    FROM bzl_var""")[0]
E = sum(v[0] for v in per_zone.values())
I = sum(v[1] for v in per_zone.values())
assert set(per_zone) == {"LZ", "HZ"} and all(v[0] > 0 and v[1] > 0 for v in per_zone.values())
assert Decimal(e) == E and Decimal(i) == I, (e, i, E, I)
assert Decimal(var) == pct(E - I, I) and Decimal(net) == pct(E - I, E), (var, net)
b, g, s = sql("""SELECT sum(bonded_usd), sum(general_usd),
    bzl_pct(sum(bonded_usd), sum(bonded_usd) + sum(general_usd)) FROM bzl_share""")[0]
zb = sql("SELECT zone, sum(bonded_usd), sum(general_usd) FROM bzl_share GROUP BY zone")
assert Decimal(b) == sum(Decimal(r[1]) for r in zb) and Decimal(g) == sum(Decimal(r[2]) for r in zb)
assert Decimal(s) == pct(Decimal(b), Decimal(b) + Decimal(g))
# The views' union of modes is the sum of the zones' per mode.
m = sql("SELECT mode, sum(usd) FROM bzl_modes GROUP BY mode ORDER BY mode")
mz = sql("SELECT mode, zone, sum(usd) FROM bzl_modes GROUP BY mode, zone")
for mode, usd in m:
    assert Decimal(usd) == sum(Decimal(r[2]) for r in mz if r[0] == mode), mode
assert {r[0] for r in m} >= {"OEM", "ODM", "OBM"}, m
PY

kill -TERM "$pid" "$pid2"; wait "$pid"; rc1=$?; wait "$pid2"; rc2=$?; pid= pid2=
check "both bzld exit 0" test "$rc1$rc2" = 00
check "the sanitizer reported nothing" bash -c "! grep -q 'runtime error\|AddressSanitizer' '$tmp'/*/bzld.log"
scenario_end ship_warehouse
