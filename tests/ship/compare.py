#!/usr/bin/env python3
"""compare.py — the warehouse's views against a zone's own answers, exactly as decimals.

usage: compare.py ZONE SOCKET BZL PERIOD MONTHS... (PGHOST and friends select the database)
       compare.py ZONE SOCKET BZL -              (balances only)

For the zone, every figure `bzl report var` (by zone, enterprise, area; and the period's first
month alone), `bzl report share`, `bzl report modes --granularity month`, `bzl report upgrades`
(first month against last: dominant modes, events, the matrix) and `bzl balance` (every book) print must equal what the views bzl_var, bzl_share, bzl_modes,
bzl_upgrades and bzl_balance give for the same zone and months: USD at the 2 places the
reports print (half-up, from the views' exact 5), percentages at 4, "n/a" as NULL. The
expected figures are the daemon's; the views never see them. Prints one line per mismatch and
exits 1 if there is any; prints what it compared otherwise."""
import json
import os
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

zone, sock, bzl, period = sys.argv[1:5]
months = sys.argv[5:]
balances_only = period == "-"  # a zone without rates: bzl balance only
env = dict(os.environ, BZL_SOCKET=sock)
bad = []
compared = 0


def cli(*args):
    out = subprocess.run([bzl, "--json", *args], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def sql(q, *params):
    """Rows of q with $1.. bound (as text literals)."""
    for i, p in enumerate(params, 1):
        q = q.replace(f"${i}", "'" + str(p).replace("'", "''") + "'")
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", q],
                         check=True, capture_output=True, text=True)
    return [l.split("|") for l in out.stdout.splitlines() if l != ""]


def dec(text, places=None):
    if text in ("", "n/a", None):
        return None
    d = Decimal(text)
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places is not None else d


def same(what, cli_text, sql_text, places):
    global compared
    compared += 1
    a, b = dec(cli_text), dec(sql_text, places)
    if a != b:
        bad.append(f"{zone} {what}: bzl says {cli_text}, the views {sql_text}")


in_months = "(" + ",".join("'" + m + "'" for m in months or ["-"]) + ")"

# ---- value-added ratio -----------------------------------------------------------------------
def var_sql(group_expr, month_list):
    ml = "(" + ",".join("'" + m + "'" for m in month_list) + ")"
    return sql(f"""SELECT {group_expr}, sum(e_usd), sum(i_usd),
                   bzl_pct(coalesce(sum(e_usd),0) - coalesce(sum(i_usd),0), coalesce(sum(i_usd),0)),
                   bzl_pct(coalesce(sum(e_usd),0) - coalesce(sum(i_usd),0), coalesce(sum(e_usd),0))
                   FROM bzl_var WHERE zone = $1 AND month IN {ml} GROUP BY 1""", zone)


def var_compare(by, per, rows):
    """Every row of `bzl report var --by BY --period PER` against rows (group -> view row)."""
    table = cli("report", "var", "--period", per, "--by", by)
    got = {r["group"] for r in table["rows"]}
    if got != set(rows):
        bad.append(f"{zone} var by {by} {per}: groups {sorted(got)} vs views {sorted(rows)}")
    for r in table["rows"]:
        v = rows.get(r["group"])
        if v is None:
            continue
        for col, i, places in (("exports_usd", 1, 2), ("imports_usd", 2, 2),
                               ("var_pct", 3, 4), ("net_export_pct", 4, 4)):
            same(f"var by {by} {per} {r['group']} {col}", r[col], v[i] or "0", places)


periods = () if balances_only else ((period, months), (months[0], months[:1]))
for by, expr in () if balances_only else (("zone", "'zone'"), ("enterprise", "enterprise"),
                 ("area", "CASE WHEN area = '' THEN '-' ELSE area END")):
    for per, ms in periods:
        var_compare(by, per, {r[0]: r for r in var_sql(expr, ms)})
# By mode the report attributes each book's imports to its export modes; the function
# bzl_var_by_mode does the same over a range of months.
for per, ms in periods:
    var_compare("mode", per, {r[0]: r for r in sql(
        """SELECT mode, e_usd, i_usd, var_pct, net_export_pct FROM bzl_var_by_mode($2, $3)
           WHERE zone = $1""", zone, ms[0], ms[-1])})

# ---- processing-trade share ------------------------------------------------------------------
share = {} if balances_only else {r[0]: r for r in sql(f"""SELECT month, bonded_usd, general_usd, share_pct FROM bzl_share
                                  WHERE zone = $1 AND month IN {in_months}""", zone)}
tot = ["total", "0", "0", ""] if balances_only else sql(f"""SELECT 'total', sum(bonded_usd), sum(general_usd),
              bzl_pct(sum(bonded_usd), sum(bonded_usd) + sum(general_usd))
              FROM bzl_share WHERE zone = $1 AND month IN {in_months}""", zone)[0]
share["total"] = tot
for r in [] if balances_only else cli("report", "share", "--period", period)["rows"]:
    v = share.get(r["month"])
    if v is None:
        bad.append(f"{zone} share {r['month']}: not in the views")
        continue
    for col, i, places in (("bonded_usd", 1, 2), ("general_usd", 2, 2), ("share_pct", 3, 4)):
        same(f"share {r['month']} {col}", r[col], v[i], places)

# ---- business-mode mix -------------------------------------------------------------------------
# An enterprise's row is its exact value rounded to cents once; the ZONE row adds the rounded
# enterprise rows, as the report prints them (rounded here by Python, half away from zero).
mix = {}
for ent, month, mode, usd in [] if balances_only else sql(f"""SELECT enterprise, month, mode, usd FROM bzl_modes
                                     WHERE zone = $1 AND month IN {in_months}""", zone):
    mix.setdefault((month, ent), {}).setdefault(mode.lower(), Decimal(0))
    mix[(month, ent)][mode.lower()] += Decimal(usd)
for (month, ent), v in list(mix.items()):
    for m, x in v.items():
        v[m] = x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        zone_row = mix.setdefault((month, "ZONE"), {})
        zone_row[m] = zone_row.get(m, Decimal(0)) + v[m]
for r in [] if balances_only else cli("report", "modes", "--period", period, "--granularity", "month")["rows"]:
    v = mix.get((r["bucket"], r["enterprise"]), {})
    total = sum(v.values(), Decimal(0))
    for m in ("oem", "odm", "obm", "none"):
        x = v.get(m, Decimal(0))
        same(f"modes {r['bucket']} {r['enterprise']} {m}_usd", r[m + "_usd"], str(x), 2)
        pct = sql("SELECT bzl_pct($1::numeric, $2::numeric)", x, total)[0][0] if total else ""
        same(f"modes {r['bucket']} {r['enterprise']} {m}_pct", r[m + "_pct"], pct, 4)

# ---- upgrade events --------------------------------------------------------------------------
first, last = (months[0] + "-01", months[-1] + "-31") if months else ("", "")
events = {} if balances_only else {(f"{b}/{i}", d): (f, t, c) for b, i, d, f, t, c in sql(
    """SELECT book, item, date, from_mode, to_mode, change FROM bzl_upgrades
       WHERE zone = $1 AND date BETWEEN $2 AND $3""", zone, first, last)}
# Dominant modes of each product, enterprise and the zone in the first and the last month, and
# the enterprises' transition matrix.
def dominant(level, month):
    key = {"product": "book || '/' || item", "enterprise": "enterprise", "zone": "'ZONE'"}[level]
    return {k: d for k, d in sql(f"""SELECT {key}, bzl_dominant_mode(
        coalesce(sum(usd) FILTER (WHERE mode = 'none'), 0), coalesce(sum(usd) FILTER (WHERE mode = 'OEM'), 0),
        coalesce(sum(usd) FILTER (WHERE mode = 'ODM'), 0), coalesce(sum(usd) FILTER (WHERE mode = 'OBM'), 0))
        FROM bzl_product_modes WHERE zone = $1 AND month = $2 GROUP BY 1""", zone, month)}


ORDER = {"OEM": 1, "ODM": 2, "OBM": 3}
dom = {} if balances_only else {
    lvl: (dominant(lvl, months[0]), dominant(lvl, months[-1])) for lvl in ("product", "enterprise", "zone")}
matrix = {}
if not balances_only:
    ents = set(dom["enterprise"][0]) | set(dom["enterprise"][1])
    for e in ents:
        a, b = dom["enterprise"][0].get(e, "none"), dom["enterprise"][1].get(e, "none")
        matrix[(a, b)] = matrix.get((a, b), 0) + 1
seen = 0
dominant_rows = 0
for r in [] if balances_only else cli("report", "upgrades", "--from", months[0], "--to", months[-1])["rows"]:
    if r["section"] in ("product", "enterprise", "zone"):
        dominant_rows += 1
        first, last = dom[r["section"]]
        a, b = first.get(r["entity"], "none"), last.get(r["entity"], "none")
        change = ("same" if a == b or "none" in (a, b)
                  else "upgrade" if ORDER[b] > ORDER[a] else "downgrade")
        compared += 1
        if (r["from_mode"], r["to_mode"], r["change"]) != (a, b, change):
            bad.append(f"{zone} upgrades {r['section']} {r['entity']}: bzl {r['from_mode']} -> "
                       f"{r['to_mode']} {r['change']}, the views {a} -> {b} {change}")
        continue
    if r["section"] == "matrix":
        compared += 1
        if int(r["change"]) != matrix.get((r["from_mode"], r["to_mode"]), 0):
            bad.append(f"{zone} upgrades matrix {r['from_mode']} -> {r['to_mode']}: bzl {r['change']}, "
                       f"the views {matrix.get((r['from_mode'], r['to_mode']), 0)}")
        continue
    if r["section"] != "event":
        continue
    seen += 1
    compared += 1
    if events.get((r["entity"], r["date"])) != (r["from_mode"], r["to_mode"], r["change"]):
        bad.append(f"{zone} upgrade event {r}: views {events.get((r['entity'], r['date']))}")
if not balances_only and dominant_rows != sum(len(set(f) | set(l)) for f, l in dom.values()):
    bad.append(f"{zone} upgrades: bzl lists {dominant_rows} dominant-mode rows, the views "
               f"{sum(len(set(f) | set(l)) for f, l in dom.values())}")
if seen != len(events):
    bad.append(f"{zone} upgrades: bzl lists {seen} events, the views {len(events)}")

# ---- balances ----------------------------------------------------------------------------------
views = {(b, k, int(i)): (q, v, pi, po, a) for b, k, i, q, v, pi, po, a in sql(
    """SELECT book, kind, item, qty, value, pending_in, pending_out, available FROM bzl_balance
       WHERE zone = $1""", zone)}
by_currency = {(b, k, int(i), c): v for b, k, i, c, v in sql(
    """SELECT book, kind, item, currency, value FROM bzl_balance_value WHERE zone = $1""", zone)}
rows = currencies = 0
for book in cli("book", "list"):
    for r in cli("balance", "--book", book["book"]):
        rows += 1
        # Each currency's value as bzl balance lists it equals the view's, and the view lists
        # no currency bzl does not (counted below).
        for x in r.get("values", []):
            currencies += 1
            sv = by_currency.get((r["book"], r["kind"], r["item"], x["currency"]))
            if sv is None:
                bad.append(f"{zone} balance {r['book']} {r['kind']} {r['item']} currency "
                           f"{x['currency']}: not in bzl_balance_value")
                continue
            same(f"balance {r['book']} {r['kind']} {r['item']} value in {x['currency']}",
                 x["value"], sv, None)
        v = views.get((r["book"], r["kind"], r["item"]))
        if v is None:
            bad.append(f"{zone} balance {r['book']} {r['kind']} {r['item']}: not in the views")
            continue
        value = str(sum((Decimal(x["value"]) for x in r.get("values", [])), Decimal(0)))
        for col, text, sv in (("qty", r["qty"], v[0]), ("value", value, v[1]),
                              ("pending_in", r["pending_in"], v[2]),
                              ("pending_out", r["pending_out"], v[3]),
                              ("available", r["available"], v[4])):
            same(f"balance {r['book']} {r['kind']} {r['item']} {col}", text, sv, None)
if rows != len(views):
    bad.append(f"{zone} balances: bzl lists {rows} rows, the views {len(views)}")
if currencies != len(by_currency):
    bad.append(f"{zone} balances: bzl lists {currencies} values by currency, bzl_balance_value "
               f"{len(by_currency)}")

for b in bad:
    print("MISMATCH:", b)
print(f"{zone}: {compared} figures compared, {len(bad)} mismatches")
sys.exit(1 if bad or compared == 0 else 0)
