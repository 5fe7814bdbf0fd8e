#!/usr/bin/env python3
"""bzl-nightly-report: the officer's morning page, from the CSV files of one nightly run.

bzl-nightly collects every figure from bzld into CSV files in one directory; this program reads
only that directory (and the chart library it inlines) and writes, beside the CSVs:
  enterprises.csv, transfers-unmatched.csv   the two listings bzl gives as JSON only, as CSV
  book-<NO>.csv                              reconcile.csv's rows of one book
  exceptions.csv                             everything that needs the officer, one row each
  report.html                                one self-contained page, exceptions first
It prints the number of exceptions on stdout. It never talks to the daemon, so every figure on
the page is a figure of a CSV beside it; numbers stay the daemon's exact decimal strings and are
only compared (with Decimal) or scaled for drawing, never recomputed.

  usage: bzl-nightly-report.py DIR CHART_JS

Run again on a report directory (where the JSON is already CSV), it renders the page from the
CSV files alone: edit a CSV, render, and the page shows the edit.
"""

import csv
import html
import json
import os
import re
import sys
from decimal import Decimal, InvalidOperation

MODES = ("OEM", "ODM", "OBM")


def read_csv(directory, name):
    """The rows of DIR/NAME as dicts ([] when the file is absent or has only a header)."""
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")


def cell(text):
    """bzl's CSV rule (clients/bzl/cmd_recon.c cli_csv_cell): text a spreadsheet would run as
    a formula (opening with = + - @, a tab or a carriage return) gets a leading ', a plain
    decimal figure is left as it is."""
    text = str(text)
    if text and text[0] in "=+-@\t\r" and not PLAIN_DECIMAL.match(text):
        return "'" + text
    return text


def write_csv(directory, name, header, rows):
    with open(os.path.join(directory, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([cell(r.get(h, "")) for h in header])


def dec(text):
    """The daemon's decimal string as a Decimal, None for n/a or empty."""
    try:
        return Decimal(text)
    except (InvalidOperation, TypeError):
        return None


def esc(text):
    return html.escape(str(text), quote=True)


class Zone:
    """Names and owners, so that every code on the page carries its name."""

    def __init__(self, enterprises, books):
        self.names = {e["code"]: e["name"] for e in enterprises}
        self.owner = {b["book"]: b["enterprise"] for b in books}

    def name(self, code):
        return self.names.get(code, "(not registered)")

    def ent(self, code, link=True):
        """An enterprise code with its name, linking to its drill-down anchor."""
        inner = '<span class="code">%s</span> <span class="name">%s</span>' % (
            esc(code), esc(self.name(code)))
        if link and code in self.names:
            return '<a class="ent" href="#ent-%s">%s</a>' % (esc(code), inner)
        return '<span class="ent">%s</span>' % inner

    def book(self, no):
        """A book number with its owner's code and name, linking to the book's CSV."""
        owner = self.owner.get(no, "")
        return '<a href="book-%s.csv">%s</a> (%s)' % (esc(no), esc(no), self.ent(owner))


# ---- the listings bzl gives as JSON, as CSV --------------------------------------------------

def json_to_csv(directory, src, dst, header):
    """DST from bzl's JSON listing SRC, which is then removed; when SRC is gone (the page is
    being rendered again from a report directory) DST is read as it is."""
    path = os.path.join(directory, src)
    if not os.path.exists(path):
        return read_csv(directory, dst)
    with open(path, encoding="utf-8") as f:
        rows = json.load(f)
    write_csv(directory, dst, header, [{k: ("" if r.get(k) is None else r.get(k))
                                        for k in header} for r in rows])
    os.remove(path)
    return read_csv(directory, dst)


def reconcile_to_csv(directory):
    """reconcile.csv from `bzl reconcile --all --json`: one pass, every column in the daemon's
    order (the --wide CSV's columns, then name, unit, in and out)."""
    path = os.path.join(directory, "reconcile.json")
    if not os.path.exists(path):
        return read_csv(directory, "reconcile.csv")  # rendering again: the CSV is the source
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    write_csv(directory, "reconcile.csv", doc["columns"], doc["rows"])
    os.remove(path)
    return read_csv(directory, "reconcile.csv")


# The columns that say a material had an opening or a movement in the period: what
# `bzl reconcile --flagged` asks of an uncounted material before it lists it.
ACTIVITY = ("opening", "import", "transfer_in", "leftover_in", "zone_transfer_in", "return_in",
            "low_value", "reexport", "domestic_sale", "leftover_out", "destroy", "return_out",
            "zone_transfer_out", "consumption", "adjust_up", "adjust_down", "scrap_disposed")


def flagged(recon):
    """The rows `bzl reconcile --flagged` keeps: beyond tolerance, below zero, and uncounted
    materials with an opening or a movement (an idle one has nothing to count)."""
    out = []
    for r in recon:
        f = r["flag"]
        if f in ("shortage", "surplus", "negative_book"):
            out.append(r)
        elif f == "uncounted" and any(dec(r.get(c)) not in (None, 0) for c in ACTIVITY):
            out.append(r)
    return out


def split_books(directory, recon_path):
    """book-<NO>.csv: reconcile.csv's header and the rows of one book."""
    with open(recon_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        return
    per_book = {}
    for r in rows[1:]:
        per_book.setdefault(r[0], []).append(r)
    for book, mine in per_book.items():
        with open(os.path.join(directory, "book-%s.csv" % book), "w", newline="",
                  encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerows([rows[0]] + mine)


# ---- exceptions ------------------------------------------------------------------------------

EXC_HEADER = ["kind", "enterprise", "enterprise_name", "book", "item", "item_name", "unit",
              "figure", "rate_pct", "tolerance_pct", "detail"]


def exceptions(about, zone, flag_rows, pending, transfers, books, gaps, overdue=(),
               receipt_diff=()):
    """Every row that needs the officer, most severe kind first (the order of the page)."""
    tol = about["tolerance_pct"]
    out = []

    def row(kind, book="", enterprise=None, **kw):
        e = enterprise if enterprise is not None else zone.owner.get(book, "")
        r = dict.fromkeys(EXC_HEADER, "")
        r.update(kind=kind, enterprise=e, enterprise_name=zone.name(e) if e else "", book=book)
        r.update(kw)
        out.append(r)

    for f in flag_rows:
        if f["flag"] in ("shortage", "surplus"):
            row("beyond_tolerance", f["book"], item=f["item"], item_name=f["name"], unit=f["unit"],
                figure=f["difference"], rate_pct=f["difference_rate"], tolerance_pct=tol,
                detail="%s: counted %s, book balance %s" % (f["flag"], f["counted"],
                                                            f["book_balance"]))
    for f in flag_rows:
        if f["flag"] == "negative_book":
            row("negative_book", f["book"], item=f["item"], item_name=f["name"], unit=f["unit"],
                figure=f["book_balance"], detail="book balance below zero")
    uncounted = {}
    for f in flag_rows:
        if f["flag"] == "uncounted":
            uncounted.setdefault(f["book"], []).append(f["item"])
    for book, items in uncounted.items():
        row("uncounted_book", book, figure=str(len(items)),
            detail="no stocktake dated in %s; materials with an opening or a movement: items %s"
            % (about["period"], " ".join(items)))
    for p in pending:
        row("pending", p["book"], enterprise=p["enterprise"], item=p["id"], figure=p["age_days"],
            detail="pending %s days (over %s): %s %s dated %s"
            % (p["age_days"], about["pending_days"], p["flow"], p["id"], p["date"]))
    for t in transfers:
        row("unmatched_transfer", t["book"], enterprise=t["enterprise"], item=t["id"],
            detail="%s %s, counterpart %s %s: %s" % (t["flow"], t["state"], t["related_book"],
                                                   t["related_id"], t["why"]))
    for o in overdue:
        row("repair_overdue", o["book"], item=o["item"], figure=o["on_hand"],
            detail="old parts %s of work order %s (%s), generated %s: %s, due %s"
            % (o["on_hand"], o["workorder"], o["origin"], o["generated"], o["status"], o["due"]))
    for x in receipt_diff:
        row("receipt_diff", x["book"], enterprise=x["enterprise"], item=x["item"],
            figure=x["difference"],
            detail="INV211 of list %s (entry %s): customs %s, bzl %s%s"
            % (x["list"], x["entry"], x["customs"] or "?", x["bzl"],
               "; " + x["note"] if x["note"] else ""))
    end = about["period_end"]
    for b in books:
        ct = b.get("closed_through") or ""
        if b["status"] == "open" and ct < end:
            row("period_not_closed", b["book"], figure=ct or "never",
                detail="closed through %s; the period ends %s" % (ct or "(never closed)", end))
    for g in gaps:
        row("rate_missing", enterprise="", figure=g["month"],
            detail="%s %s: %s; fix: %s" % (g["section"], g["month"], g["message"], g["fix"]))
    return out


# ---- the page --------------------------------------------------------------------------------

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em 2em;color:#1d2430;max-width:1240px}
h1{font-size:22px;margin:0 0 .2em}
h2{font-size:18px;margin:1.6em 0 .4em;border-bottom:1px solid #d0d6de}
h3{font-size:15px;margin:1.1em 0 .3em}
table{border-collapse:collapse;margin:.5em 0 1em} td,th{border:1px solid #d0d6de;padding:2px 7px}
th{background:#eef1f5;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#4a5566} .ok{color:#1d7a46;font-weight:bold} .bad{color:#b3261e;font-weight:bold}
.notice{border-left:4px solid #b3261e;background:#fdf1f0;padding:.5em .9em;margin:.6em 0}
.notice code{background:#fff;padding:0 .3em}
.summary td.n{font-weight:bold} .chart{position:relative;width:1100px;height:340px}
.name{color:#4a5566} a.ent{color:inherit} .code{font-family:ui-monospace,monospace}
table.matrix td{width:5em;height:2.4em;text-align:center;font-weight:bold}
.sr{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
details>summary{cursor:pointer;color:#2a5db0}
"""

KIND_TITLES = [
    ("beyond_tolerance", "Materials beyond tolerance"),
    ("negative_book", "Book balance below zero"),
    ("uncounted_book", "Books never counted in the period"),
    ("pending", "Pending declarations waiting too long"),
    ("unmatched_transfer", "Unmatched transfers"),
    ("repair_overdue", "Repair parts past or near their disposal limit"),
    ("receipt_diff", "Book lines where customs' INV211 figure differs from bzl"),
    ("period_not_closed", "Periods not closed"),
    ("rate_missing", "Missing exchange rates"),
]


def table(header, rows, cls=""):
    """header: list of (title, numeric); rows: lists of HTML cells (already escaped)."""
    h = "".join("<th>%s</th>" % esc(t) for t, _ in header)
    body = []
    for r in rows:
        body.append("<tr>%s</tr>" % "".join(
            '<td class="n">%s</td>' % c if header[i][1] else "<td>%s</td>" % c
            for i, c in enumerate(r)))
    return '<table%s><tr>%s</tr>%s</table>' % (
        ' class="%s"' % cls if cls else "", h, "".join(body))


def notices(gaps, sections):
    rows = [g for g in gaps if g["section"] in sections]
    return "".join(
        '<div class="notice" data-gap="%s">%s %s is incomplete: %s. Fix: <code>%s</code>, then '
        "run bzl-nightly again.</div>" % (esc(g["month"]), esc(g["section"]), esc(g["month"]),
                                          esc(g["message"]), esc(g["fix"])) for g in rows)


def exceptions_html(exc, zone):
    parts = []
    counts = []
    for kind, title in KIND_TITLES:
        rows = [e for e in exc if e["kind"] == kind]
        counts.append((title, len(rows), kind))
        if not rows:
            continue
        if kind == "beyond_tolerance":
            t = table([("book", False), ("item", False), ("difference", True),
                       ("rate %", True), ("tolerance ±%", True), ("what", False)],
                      [[zone.book(r["book"]), "%s %s" % (esc(r["item"]), esc(r["item_name"])),
                        "%s (unit %s)" % (esc(r["figure"]), esc(r["unit"])), esc(r["rate_pct"]),
                        esc(r["tolerance_pct"]), esc(r["detail"])] for r in rows], "exc-" + kind)
        elif kind == "rate_missing":
            t = table([("month", False), ("what is missing and the fix", False)],
                      [[esc(r["figure"]), esc(r["detail"])] for r in rows], "exc-" + kind)
        else:
            t = table([("book", False), ("item / id", False), ("figure", True), ("what", False)],
                      [[zone.book(r["book"]) if r["book"] else zone.ent(r["enterprise"]),
                        esc(r["item"]) + (" " + esc(r["item_name"]) if r["item_name"] else ""),
                        esc(r["figure"]), esc(r["detail"])] for r in rows], "exc-" + kind)
        opened = " open" if len(rows) <= 50 else ""
        parts.append('<details id="exc-%s"%s><summary><h3 style="display:inline">%s: %d</h3>'
                     "</summary>%s</details>" % (kind, opened, esc(title), len(rows), t))
    summary = table([("exception", False), ("count", True)],
                    [['<a href="#exc-%s">%s</a>' % (k, esc(t)) if n else esc(t), str(n)]
                     for t, n, k in counts], "summary")
    return summary + "".join(parts)


def books_html(recon, zone):
    """Books ordered by severity: beyond tolerance, below zero, uncounted with activity, then
    by the largest |rate|."""
    active = {id(r) for r in flagged(recon) if r["flag"] == "uncounted"}
    per = {}
    for r in recon:
        b = per.setdefault(r["book"], {"m": 0, "x": 0, "g": 0, "u": 0, "ua": 0, "worst": None})
        b["m"] += 1
        f = r["flag"]
        b["x"] += f in ("shortage", "surplus")
        b["g"] += f == "negative_book"
        b["u"] += f == "uncounted"
        b["ua"] += id(r) in active
        rate = dec(r["difference_rate"])
        if rate is not None and (b["worst"] is None or abs(rate) > abs(b["worst"][0])):
            b["worst"] = (rate, r["difference_rate"], r["item"])
    order = sorted(per.items(), key=lambda kv: (-kv[1]["x"], -kv[1]["g"], -kv[1]["ua"],
                                                -abs(kv[1]["worst"][0]) if kv[1]["worst"] else 0,
                                                kv[0]))
    rows = [[zone.book(no), str(b["m"]), str(b["x"]), str(b["g"]), str(b["u"]),
             "%s %% (item %s)" % (esc(b["worst"][1]), esc(b["worst"][2])) if b["worst"] else "n/a"]
            for no, b in order]
    t = table([("book", False), ("materials", True), ("beyond tolerance", True),
               ("below zero", True), ("uncounted", True), ("largest difference rate", True)],
              rows, "books")
    return '<details%s><summary>%d books, most severe first</summary>%s</details>' % (
        " open" if len(rows) <= 50 else "", len(rows), t)


def chart_data(about, zone, recon, var_trend, share, modes, items):
    months = about["months"].split()
    zone_var = {r["month"]: r for r in var_trend if r["group"] == "zone"}
    share_m = {r["month"]: r for r in share if r["month"] != "total"}
    mix = {r["bucket"]: r for r in modes if r["enterprise"] == "ZONE"}
    diffs = []
    for r in recon:
        rate = dec(r["difference_rate"])
        if rate is None or dec(r["difference"]) == 0:
            continue  # uncounted, or counted exactly: nothing to show as a difference
        diffs.append((rate, r))
    diffs.sort(key=lambda d: (-abs(d[0]), d[1]["book"], int(d[1]["item"])))
    diffs = diffs[:30]

    def figure(rows, m, col):
        """The month's figure as the daemon's string; None (no point drawn) when the month is
        missing (a gap) or the figure is n/a (nothing to divide by)."""
        r = rows.get(m)
        return r[col] if r is not None and dec(r[col]) is not None else None

    return {
        "months": months,
        "var": [figure(zone_var, m, "var_pct") for m in months],
        "share": [figure(share_m, m, "share_pct") for m in months],
        "target": about["share_target_pct"],
        "tolerance": about["tolerance_pct"],
        "diff": [{"book": r["book"], "item": r["item"],
                  "item_name": items.get((r["book"], r["item"]), ""),
                  "enterprise": zone.owner.get(r["book"], ""),
                  "enterprise_name": zone.name(zone.owner.get(r["book"], "")),
                  "rate": r["difference_rate"], "difference": r["difference"],
                  "flag": r["flag"]} for _, r in diffs],
        "mix": {m: [figure(mix, b, m.lower() + "_pct") for b in months]
                for m in MODES + ("none",)},
    }


SCRIPT = r"""
(function () {
  'use strict';
  // A link to a folded section (an enterprise, a long exception list) unfolds it.
  var unfold = function () {
    var el = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    if (el && el.tagName === 'DETAILS') { el.open = true; el.scrollIntoView(); }
  };
  window.addEventListener('hashchange', unfold);
  unfold();
  var D = JSON.parse(document.getElementById('bzl-data').textContent);
  var num = function (s) { return s === null ? null : Number(s); };
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 13;
  var axis = function (title, extra) {
    var a = { title: { display: true, text: title } };
    for (var k in extra || {}) { a[k] = extra[k]; }
    return a;
  };
  var charts = {};
  charts['chart-var'] = new Chart(document.getElementById('chart-var'), {
    type: 'line',
    data: { labels: D.months, datasets: [{ label: 'value-added ratio (E − I) / I × 100, zone',
      data: D.var.map(num), borderColor: '#2a5db0', backgroundColor: '#2a5db0', spanGaps: false }] },
    options: { scales: { x: axis('month'), y: axis('value-added ratio, %') },
      plugins: { tooltip: { callbacks: { label: function (c) {
        return 'zone ' + D.months[c.dataIndex] + ': ' + D.var[c.dataIndex] + ' %'; } } } } }
  });
  charts['chart-share'] = new Chart(document.getElementById('chart-share'), {
    type: 'bar',
    data: { labels: D.months, datasets: [
      { label: 'processing-trade share of the zone\'s trade', data: D.share.map(num),
        backgroundColor: '#2a5db0', order: 2 },
      { type: 'line', label: 'plan target ' + D.target + ' %', data: D.months.map(function () {
          return Number(D.target); }), borderColor: '#b3261e', borderDash: [6, 4], pointRadius: 0,
        order: 1 }] },
    options: { scales: { x: axis('month'), y: axis('share of the zone\'s trade, %', { beginAtZero: true }) },
      plugins: { tooltip: { callbacks: { label: function (c) {
        if (c.datasetIndex === 1) { return 'plan target: ' + D.target + ' %'; }
        return D.months[c.dataIndex] + ': ' + D.share[c.dataIndex] + ' %'; } } } } }
  });
  var dl = D.diff.map(function (d) { return d.book + ' item ' + d.item; });
  charts['chart-diff'] = new Chart(document.getElementById('chart-diff'), {
    type: 'bar',
    data: { labels: dl, datasets: [
      { label: 'difference rate, % of the book balance', data: D.diff.map(function (d) { return Number(d.rate); }),
        backgroundColor: D.diff.map(function (d) { return d.flag === 'within' ? '#7d8b99' : '#b3261e'; }),
        maxBarThickness: 80 }      ] },
    plugins: [{ id: 'tolerance-band', beforeDatasetsDraw: function (ch) {
      // The tolerance band ±T % across the whole plot: a bar outside it is beyond tolerance.
      var y = ch.scales.y, a = ch.chartArea, t = Number(D.tolerance), ctx = ch.ctx;
      var top = Math.max(a.top, y.getPixelForValue(t)), bottom = Math.min(a.bottom, y.getPixelForValue(-t));
      ctx.save();
      ctx.fillStyle = 'rgba(29,122,70,0.16)';
      ctx.fillRect(a.left, top, a.right - a.left, Math.max(bottom - top, 1));
      ctx.strokeStyle = '#1d7a46';
      ctx.setLineDash([5, 3]);
      ctx.strokeRect(a.left, top, a.right - a.left, Math.max(bottom - top, 1));
      ctx.restore();
    } }],
    options: { scales: { x: axis('book and material item'), y: axis('difference rate, %', {
      suggestedMin: -2 * Number(D.tolerance), suggestedMax: 2 * Number(D.tolerance) }) },
      plugins: { tooltip: { callbacks: {
        title: function (items) { var d = D.diff[items[0].dataIndex];
          return d.book + ' item ' + d.item + ' ' + d.item_name; },
        label: function (c) {
          var d = D.diff[c.dataIndex];
          return d.book + ' item ' + d.item + ': ' + d.rate + ' %, difference ' + d.difference + ' (' + d.flag + ')';
        },
        footer: function (items) { var d = D.diff[items[0].dataIndex];
          return d.enterprise + ' ' + d.enterprise_name; } } } } }
  });
  var colours = { OEM: '#9aa5b1', ODM: '#2a5db0', OBM: '#1d7a46', none: '#e0c06a' };
  charts['chart-modes'] = new Chart(document.getElementById('chart-modes'), {
    type: 'bar',
    data: { labels: D.months, datasets: ['OEM', 'ODM', 'OBM', 'none'].map(function (m) {
      return { label: m === 'none' ? 'no mode recorded' : m, data: D.mix[m].map(num), backgroundColor: colours[m] }; }) },
    options: { scales: { x: axis('month', { stacked: true }),
      y: axis('share of the zone\'s export value, %', { stacked: true, max: 100 }) },
      plugins: { tooltip: { callbacks: { label: function (c) {
        var m = ['OEM', 'ODM', 'OBM', 'none'][c.datasetIndex];
        return D.months[c.dataIndex] + ' ' + m + ': ' + D.mix[m][c.dataIndex] + ' %'; } } } } }
  });
  // Each chart's tooltips as a table, for screen readers and for checking: the text Chart.js
  // shows when each element of the first dataset is hovered, asked of Chart.js itself.
  Object.keys(charts).forEach(function (id) {
    var ch = charts[id], meta = ch.getDatasetMeta(0), tbody = document.createElement('tbody');
    meta.data.forEach(function (el, i) {
      if (ch.data.datasets[0].data[i] === null || ch.data.datasets[0].data[i] === undefined) { return; }
      ch.tooltip.setActiveElements([{ datasetIndex: 0, index: i }], { x: el.x, y: el.y });
      ch.update();
      var tt = ch.tooltip, tr = document.createElement('tr');
      [(tt.title || []).join(' '), tt.body.map(function (b) { return b.lines.join(' '); }).join(' '),
       (tt.footer || []).join(' ')].forEach(function (text) {
        var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); });
      tr.setAttribute('data-index', String(i));
      tbody.appendChild(tr);
    });
    ch.tooltip.setActiveElements([], { x: 0, y: 0 });
    ch.update();
    var t = document.getElementById(id + '-tooltips');
    t.appendChild(tbody);
  });
}());
"""


def canvas(cid, label):
    return ('<div class="chart"><canvas id="%s" role="img" aria-label="%s"></canvas></div>'
            '<table class="sr" id="%s-tooltips"><caption>%s: each element\'s tooltip</caption>'
            '</table>' % (cid, esc(label), cid, esc(label)))


def matrix_html(upgrades):
    cells = {(r["from_mode"], r["to_mode"]): r["change"] for r in upgrades
             if r["section"] == "matrix" and r["entity"] == "enterprises"}
    if not cells:
        return "<p>No transition matrix (see the notice above).</p>"
    rows = []
    for f in MODES:
        cols = "".join('<td data-from="%s" data-to="%s">%s</td>'
                       % (f, t, esc(cells.get((f, t), ""))) for t in MODES)
        rows.append("<tr><th>%s</th>%s</tr>" % (f, cols))
    return ('<table class="matrix" id="matrix"><caption>enterprises by dominant mode: rows the '
            'comparison period, columns the period</caption><tr><th>from \\ to</th>%s</tr>%s'
            "</table>" % ("".join("<th>%s</th>" % m for m in MODES), "".join(rows)))


def by_key(rows, key):
    out = {}
    for r in rows:
        out.setdefault(r[key], []).append(r)
    return out


def enterprise_html(code, zone, g, opened):
    """One enterprise's section: its books, months and exceptions. g: the page's rows grouped
    by enterprise code. Folded (a link to it unfolds it) when the zone has many enterprises."""
    mine = g["books"].get(code, [])
    mine_exc = g["exc"].get(code, [])
    parts = ['<details class="ent" id="ent-%s"%s><summary><h3 style="display:inline">%s</h3> '
             "— %d books, %d exceptions</summary>"
             % (esc(code), " open" if opened else "", zone.ent(code, link=False), len(mine),
                len(mine_exc))]
    parts.append(table([("book", False), ("status", False), ("closed through", False),
                        ("CSV", False)],
                       [[esc(b["book"]), esc(b["status"]), esc(b["closed_through"] or "never"),
                         '<a href="book-%s.csv">book-%s.csv</a>' % (esc(b["book"]), esc(b["book"]))]
                        for b in mine]))
    months = g["var_trend"].get(code, [])
    mix = {r["bucket"]: r for r in g["modes"].get(code, [])}
    if months:
        parts.append(table([("month", False), ("exports USD", True), ("imports USD", True),
                            ("value-added ratio %", True), ("OEM %", True), ("ODM %", True),
                            ("OBM %", True)],
                           [[esc(r["month"]), esc(r["exports_usd"]), esc(r["imports_usd"]),
                             esc(r["var_pct"])]
                            + [esc(mix.get(r["month"], {}).get(m.lower() + "_pct", ""))
                               for m in MODES] for r in months]))
    total = g["var"].get(code, [])
    if total:
        parts.append("<p>Value-added ratio over the period: %s %% (E %s USD, I %s USD).</p>"
                     % (esc(total[0]["var_pct"]), esc(total[0]["exports_usd"]),
                        esc(total[0]["imports_usd"])))
    if mine_exc:
        parts.append("<p>Exceptions:</p><ul>%s</ul>" % "".join(
            "<li>%s %s %s: %s</li>" % (esc(e["kind"].replace("_", " ")), esc(e["book"]),
                                       esc(e["item"]), esc(e["detail"])) for e in mine_exc))
    else:
        parts.append("<p>No exceptions.</p>")
    parts.append("</details>")
    return "".join(parts)


AGEING_BUCKETS = ["0-90", "91-180", "181-365", ">365", "undated"]


def ageing_html(rows, zone, about):
    """Every book's open lots by age at the period's end (lot-ageing.csv, bzl lots --ageing):
    one row per book and item, the quantity and the number of lots in each bucket."""
    if not rows:
        return "<p>No book holds an open lot.</p>"
    cells = {}
    for r in rows:
        cells.setdefault((r["book"], r["kind"], r["item"]), {})[r["bucket"]] = r
    out = []
    for (book, kind, item), by in cells.items():
        row = [esc(book), zone.ent(zone.owner.get(book, "")), esc(kind), esc(item)]
        for bucket in AGEING_BUCKETS:
            c = by.get(bucket)
            row.append("" if c is None else "%s (%s)" % (esc(c["remaining"]), esc(c["lots"])))
        out.append(row)
    header = [("book", False), ("enterprise", False), ("kind", False), ("item", False)]
    header += [("%s days" % b if b != "undated" else b, True) for b in AGEING_BUCKETS]
    return ("<p>Open lots by age in days at %s: the quantity they hold and, in brackets, how "
            "many lots (docs/TAX.md). Lots are the enterprise's evidence; they never change a "
            "customs quantity.</p>" % esc(about.get("period_end", ""))
            + table(header, out, "lot-ageing"))


def page(d, about, zone, ents, books, recon, var, var_trend, share, modes, upgrades, gaps, exc,
         items, chartjs, ageing=()):
    data = chart_data(about, zone, recon, var_trend, share, modes, items)
    total = [r for r in share if r["month"] == "total"]
    tgt = dec(about["share_target_pct"])
    if total and dec(total[0]["share_pct"]) is not None:
        met = dec(total[0]["share_pct"]) >= tgt
        share_line = ('<p>Processing-trade share over the period: %s %% — <span class="%s" '
                      'id="target-verdict">target met</span></p>' if met else
                      '<p>Processing-trade share over the period: %s %% — <span class="%s" '
                      'id="target-verdict">target not met</span></p>') % (
            esc(total[0]["share_pct"]), "ok" if met else "bad")
    elif any(g["section"] == "share" for g in gaps):
        share_line = '<p id="target-verdict">No share over the whole period (see the notice).</p>'
    else:
        share_line = ('<p id="target-verdict">No share: no trade is recorded in the period '
                      "(n/a).</p>")
    n_exc = len(exc)
    status = ('<p class="ok">No exceptions.</p>' if n_exc == 0 else
              '<p class="bad">%d exceptions need attention.</p>' % n_exc)
    var_rows = [r for r in var if r["group"] != "zone"]
    upg = [r for r in upgrades if r["section"] != "matrix"]

    def upg_entity(r):
        if r["section"] == "enterprise":
            return zone.ent(r["entity"])
        if r["section"] == "zone":
            return "zone"
        book, _, item = r["entity"].partition("/")
        return "%s item %s %s (%s)" % (esc(book), esc(item), esc(items.get((book, item), "")),
                                       zone.ent(zone.owner.get(book, "")))

    groups = {"books": by_key(books, "enterprise"), "exc": by_key(exc, "enterprise"),
              "var_trend": by_key(var_trend, "group"), "modes": by_key(modes, "enterprise"),
              "var": by_key(var, "group")}
    files = sorted(f for f in os.listdir(d) if f.endswith(".csv"))
    js = chartjs.replace("</script", "<\\/script")
    data_json = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    body = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # No request of any kind can leave the page: scripts and styles are inline only.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">",
        "<title>bzl nightly report %s</title><style>%s</style></head><body>" % (
            esc(about["period"]), CSS),
        "<h1>bzl nightly report — period %s</h1>" % esc(about["period"]),
        '<p class="meta">Period %s (months %s); compared with %s (the same period a year '
        "earlier). Generated %s. Tolerance ±%s %%; processing-trade share target %s %% (%s); "
        "pending declarations listed after %s days.%s</p>" % (
            esc(about["period"]), esc(about["months"].replace(" ", ", ")),
            esc(about["comparison"]), esc(about["generated"]), esc(about["tolerance_pct"]),
            esc(about["share_target_pct"]), esc(about["share_target_source"]),
            esc(about["pending_days"]),
            (' Journal checkpoint: %s (<a href="checkpoint.txt">checkpoint.txt</a>).'
             % esc(about["checkpoint"])) if about.get("checkpoint") else ""),
        status,
        '<h2 id="exceptions">Exceptions</h2>', exceptions_html(exc, zone),
        '<h2 id="var">Value-added ratio by month</h2>', notices(gaps, ("value-added ratio",)),
        canvas("chart-var", "value-added ratio of the zone by month, %"),
        table([("month", False), ("group", False), ("exports USD", True), ("imports USD", True),
               ("(E − I) / I %", True), ("(E − I) / E %", True)],
              [[esc(r["month"]), "zone" if r["group"] == "zone" else zone.ent(r["group"]),
                esc(r["exports_usd"]), esc(r["imports_usd"]), esc(r["var_pct"]),
                esc(r["net_export_pct"])] for r in var_trend if r["group"] == "zone"], "var-trend"),
        "<p>Each enterprise's months are in its section below.</p>",
        "<h3>By enterprise over the period</h3>",
        table([("enterprise", False), ("exports USD", True), ("imports USD", True),
               ("(E − I) / I %", True), ("(E − I) / E %", True)],
              [[zone.ent(r["group"]), esc(r["exports_usd"]), esc(r["imports_usd"]),
                esc(r["var_pct"]), esc(r["net_export_pct"])] for r in var_rows], "var"),
        '<h2 id="share">Processing-trade share</h2>', notices(gaps, ("share",)), share_line,
        canvas("chart-share", "processing-trade share by month with the plan target, %"),
        table([("month", False), ("bonded USD", True), ("general USD", True), ("share %", True)],
              [[esc(r["month"]), esc(r["bonded_usd"]), esc(r["general_usd"]),
                esc(r["share_pct"])] for r in share], "share"),
        '<h2 id="differences">Verification differences</h2>',
        "<p>Counted materials with a difference, largest |rate| first (at most 30); the green "
        "band is the tolerance ±%s %%, red bars are beyond it.</p>" % esc(about["tolerance_pct"]),
        canvas("chart-diff", "signed difference rate per material with the tolerance band, %"),
        "<h3>Books</h3>", books_html(recon, zone),
        '<h2 id="modes">OEM/ODM/OBM mix of export value</h2>', notices(gaps, ("mode mix",)),
        canvas("chart-modes", "OEM, ODM and OBM share of the zone's export value by month, %"),
        table([("month", False), ("enterprise", False), ("OEM USD", True), ("ODM USD", True),
               ("OBM USD", True), ("none USD", True), ("OEM %", True), ("ODM %", True),
               ("OBM %", True)],
              [[esc(r["bucket"]), "zone",
                esc(r["oem_usd"]), esc(r["odm_usd"]), esc(r["obm_usd"]), esc(r["none_usd"]),
                esc(r["oem_pct"]), esc(r["odm_pct"]), esc(r["obm_pct"])] for r in modes
               if r["enterprise"] == "ZONE"], "modes"),
        "<p>Each enterprise's mix by month is in its section below.</p>",
        '<h2 id="upgrades">Mode upgrades, %s → %s</h2>' % (esc(about["comparison"]),
                                                           esc(about["period"])),
        notices(gaps, ("upgrades",)), matrix_html(upgrades),
        table([("kind", False), ("who", False), ("from", False), ("to", False), ("date", False),
               ("change", False)],
              [[esc(r["section"]), upg_entity(r), esc(r["from_mode"]), esc(r["to_mode"]),
                esc(r["date"]), esc(r["change"])] for r in upg], "upgrades"),
        '<h2 id="lots">Lot ageing</h2>', ageing_html(ageing, zone, about),
        '<h2 id="enterprises">Enterprises</h2>',
        "".join(enterprise_html(e["code"], zone, groups, len(ents) <= 20) for e in ents),
        '<h2 id="files">Files</h2><p>Every figure on this page is read from these files, written '
        "beside it:</p><ul>%s</ul>" % "".join('<li><a href="%s">%s</a></li>' % (esc(f), esc(f))
                                              for f in files),
        '<script type="application/json" id="bzl-data">%s</script>' % data_json,
        "<script>%s</script>" % js,
        "<script>%s</script>" % SCRIPT,
        "</body></html>",
    ]
    return "\n".join(body)


def main(argv):
    if len(argv) != 3:
        print("usage: bzl-nightly-report.py DIR CHART_JS", file=sys.stderr)
        return 2
    d, chart_path = argv[1], argv[2]
    about = {r["key"]: r["value"] for r in read_csv(d, "about.csv")}
    ents = json_to_csv(d, "enterprises.json", "enterprises.csv", ["code", "uscc", "name", "area"])
    transfers = json_to_csv(d, "transfers.json", "transfers-unmatched.csv",
                            ["enterprise", "book", "id", "flow", "related_book", "related_id",
                             "state", "why"])
    books = read_csv(d, "books.csv")
    zone = Zone(ents, books)
    recon = reconcile_to_csv(d)
    split_books(d, os.path.join(d, "reconcile.csv"))
    items = {(r["book"], r["item"]): r["name"] for r in recon}
    gaps = read_csv(d, "gaps.csv")
    overdue = read_csv(d, "repair-overdue.csv")
    exc = exceptions(about, zone, flagged(recon), read_csv(d, "pending.csv"), transfers, books,
                     gaps, overdue, read_csv(d, "receipt-diff.csv"))
    write_csv(d, "exceptions.csv", EXC_HEADER, exc)
    with open(chart_path, encoding="utf-8") as f:
        chartjs = f.read()
    text = page(d, about, zone, ents, books, recon, read_csv(d, "var.csv"),
                read_csv(d, "var-trend.csv"), read_csv(d, "share.csv"), read_csv(d, "modes.csv"),
                read_csv(d, "upgrades.csv"), gaps, exc, items, chartjs,
                read_csv(d, "lot-ageing.csv"))
    with open(os.path.join(d, "report.html"), "w", encoding="utf-8") as f:
        f.write(text)
    print(len(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
