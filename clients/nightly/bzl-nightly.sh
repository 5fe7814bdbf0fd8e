#!/usr/bin/env bash
# bzl-nightly — the nightly verification and report job.
#
#   bzl-nightly --out DIR [--period P] [--tolerance PCT] [--socket PATH]
#
# Verifies every book over P (default: the previous calendar month) with `bzl reconcile --all`,
# computes the reports (value-added ratio by enterprise and by month, the OEM/ODM/OBM mix per
# month, the processing-trade share, mode upgrades against the period a year earlier) and writes
#   DIR/reconcile.csv         every book's verification
#   DIR/book-<NO>.csv         one per book, the same columns
#   DIR/var.csv, var-trend.csv, modes.csv, share.csv, upgrades.csv
#   DIR/report.html           one self-contained page: tables and inline SVG charts (value-added
#                             ratio trend by month, mode mix over time, the books with the largest
#                             differences); no script, no network
# and prints one summary line per book on stdout. Progress goes to stderr only on a terminal.
# Exit status: 0 every book within tolerance, 1 some book beyond it or with a material's book
# balance below zero (flag negative_book), 2 usage, 3 a failure. (`bzl reconcile` itself exits
# 5 for such a finding; this job takes that as the finding it reports, never as a failure.)
# Every figure comes from the daemon as an exact decimal string; charts only scale them.
set -uo pipefail
BZL=${BZL:-bzl}
out= period= tol= sock=()
usage() { sed -n 's/^# \{0,1\}//;3,5p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=${2:-}; shift 2 ;;
    --period) period=${2:-}; shift 2 ;;
    --tolerance) tol=${2:-}; shift 2 ;;
    --socket) sock=(--socket "${2:-}"); shift 2 ;;
    -h|--help) awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) usage ;;
  esac
done
[ -n "$out" ] || usage
[ -n "$period" ] || period=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)
mkdir -p "$out" || exit 3
progress() { if [ -t 2 ]; then printf '\r\033[Kbzl-nightly: %s' "$*" >&2; fi; }
fail() { [ -t 2 ] && printf '\n' >&2; echo "bzl-nightly: $*" >&2; exit 3; }
b() { "$BZL" "${sock[@]}" "$@"; }

# ---- verification --------------------------------------------------------------------------
progress "verifying every book over $period"
targs=(); [ -n "$tol" ] && targs=(--tolerance "$tol")
# --wide: every category column, the CSV as it was before bzl reconcile's 120-column view.
# reconcile exits 5 when its answer is complete and some material is beyond tolerance or below
# zero: a finding, not a failure (checked against the rows below); 1-4 are failures.
b reconcile --all --period "$period" "${targs[@]}" --wide --csv >"$out/reconcile.csv" 2>"$out/.err"
recon_rc=$?
[ "$recon_rc" -eq 0 ] || [ "$recon_rc" -eq 5 ] ||
  fail "reconcile failed (exit $recon_rc): $(cat "$out/.err")"
rm -f "$out"/book-*.csv
awk -F, -v dir="$out" 'NR==1{h=$0; next}
  { f=dir "/book-" $1 ".csv"; if (!(f in seen)) { print h > f; seen[f]=1 } print > f }' \
  "$out/reconcile.csv"
# Summary per book: materials, beyond tolerance, uncounted, and the largest difference rate with
# its item; then, only where there are any, materials whose book balance is below zero. Quantities of different materials are in different units and are never added;
# the rate is printed as the daemon's exact string (awk only compares to pick it).
awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
  { bk=$c["book"]; m[bk]++; if(!(bk in order)){order[bk]=++n; name[n]=bk}
    f=$c["flag"]; if(f=="shortage"||f=="surplus")x[bk]++; if(f=="uncounted")u[bk]++; if(f=="negative_book")g[bk]++
    r=$c["difference_rate"]; if(r!="n/a" && r!=""){ a=r+0; if(a<0)a=-a
      if(!(bk in w) || a>w[bk]){ w[bk]=a; ws[bk]=r; wi[bk]=$c["item"] } } }
  END{ for(i=1;i<=n;i++){bk=name[i]
         worst=(bk in ws) ? ws[bk] "% (item " wi[bk] ")" : "n/a"
         neg=(bk in g) ? sprintf(", negative book balance: %d", g[bk]) : ""
         printf "%s materials: %d, beyond tolerance: %d, uncounted: %d, largest difference rate: %s%s\n", bk, m[bk], x[bk]+0, u[bk]+0, worst, neg } }' \
  "$out/reconcile.csv" >"$out/summary.txt"
cat "$out/summary.txt"
beyond=$(awk -F'beyond tolerance: ' '{split($2,a,","); t+=a[1]} END{print t+0}' "$out/summary.txt")
negative=$(awk -F'negative book balance: ' 'NF>1{t+=$2} END{print t+0}' "$out/summary.txt")
found=0; [ $((beyond + negative)) -gt 0 ] && found=5
[ "$found" -eq "$recon_rc" ] ||
  fail "reconcile exited $recon_rc but its rows show $beyond beyond tolerance and $negative below zero"

# ---- reports -------------------------------------------------------------------------------
year=${period:0:4}
progress "value-added ratio"
b report var --period "$period" --by enterprise --csv >"$out/var.csv" 2>"$out/.err" ||
  fail "report var: $(cat "$out/.err")"
: >"$out/var-trend.csv"; echo "month,exports_usd,imports_usd,var_pct,net_export_pct" >"$out/var-trend.csv"
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
  progress "value-added ratio $year-$m"
  b report var --period "$year-$m" --csv 2>"$out/.err" | awk -F, -v m="$year-$m" 'NR==2{print m","$2","$3","$4","$5}' >>"$out/var-trend.csv" ||
    fail "report var $year-$m: $(cat "$out/.err")"
done
progress "mode mix"
b report modes --period "$year" --granularity month --csv >"$out/modes.csv" 2>"$out/.err" ||
  fail "report modes: $(cat "$out/.err")"
b report share --period "$year" --csv >"$out/share.csv" 2>"$out/.err" ||
  fail "report share: $(cat "$out/.err")"
b report upgrades --from "$year-Q1" --to "$year-Q4" --csv >"$out/upgrades.csv" 2>"$out/.err" ||
  fail "report upgrades: $(cat "$out/.err")"
rm -f "$out/.err"

# ---- the HTML report -----------------------------------------------------------------------
progress "writing report.html"
esc() { sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g'; }
table() { # CSV (cells without commas: codes, decimals, words) → <table>
  esc <"$1" | awk -F, 'NR==1{printf "<table><tr>"; for(i=1;i<=NF;i++)printf "<th>%s</th>",$i; print "</tr>"; next}
    {printf "<tr>"; for(i=1;i<=NF;i++)printf "<td>%s</td>",$i; print "</tr>"} END{print "</table>"}'
}
# bars TITLE ID LABEL-COL VALUE-COL FILE: a labelled horizontal bar chart in SVG.
bars() {
  awk -F, -v title="$1" -v id="$2" -v lc="$3" -v vc="$4" '
    NR==1{next} {lab[++n]=$lc; v=$vc; raw[n]=v; val[n]=(v=="n/a"?0:v+0); if(val[n]<0)a=-val[n]; else a=val[n]; if(a>mx)mx=a}
    END{ h=30+n*22; if(mx==0)mx=1
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" role=\"img\" aria-labelledby=\"%s-t\" width=\"720\" height=\"%d\" viewBox=\"0 0 720 %d\">\n", id, id, h, h
      printf "<title id=\"%s-t\">%s</title>\n<text x=\"4\" y=\"16\" class=\"ct\">%s</text>\n", id, title, title
      for(i=1;i<=n;i++){ y=26+(i-1)*22; w=(val[i]<0?-val[i]:val[i])/mx*420
        printf "<text x=\"4\" y=\"%d\" class=\"lb\">%s</text><rect x=\"200\" y=\"%d\" width=\"%.1f\" height=\"16\" class=\"%s\"><title>%s: %s</title></rect><text x=\"%.1f\" y=\"%d\" class=\"lb\">%s</text>\n", y+12, lab[i], y, w, (val[i]<0?"neg":"pos"), lab[i], $0, 206+w, y+12, raw[i] }
      print "</svg>" }' "$5"
}
# mix FILE: stacked bars of the ZONE mode shares per month.
mix() {
  awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} $c["enterprise"]=="ZONE"{
      b[++n]=$c["bucket"]; o[n]=$c["oem_pct"]+0; d[n]=$c["odm_pct"]+0; m[n]=$c["obm_pct"]+0}
    END{ h=60+n*22
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"chart-modes\" role=\"img\" aria-labelledby=\"chart-modes-t\" width=\"720\" height=\"%d\" viewBox=\"0 0 720 %d\">\n", h, h
      print "<title id=\"chart-modes-t\">OEM/ODM/OBM mix of export value by month (zone, % of export value)</title>"
      print "<text x=\"4\" y=\"16\" class=\"ct\">OEM/ODM/OBM mix of export value by month (zone)</text>"
      print "<rect x=\"200\" y=\"24\" width=\"12\" height=\"12\" class=\"oem\"/><text x=\"216\" y=\"35\" class=\"lb\">OEM</text><rect x=\"270\" y=\"24\" width=\"12\" height=\"12\" class=\"odm\"/><text x=\"286\" y=\"35\" class=\"lb\">ODM</text><rect x=\"340\" y=\"24\" width=\"12\" height=\"12\" class=\"obm\"/><text x=\"356\" y=\"35\" class=\"lb\">OBM</text>"
      for(i=1;i<=n;i++){ y=44+(i-1)*22; x=200
        printf "<text x=\"4\" y=\"%d\" class=\"lb\">%s</text>", y+12, b[i]
        printf "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" class=\"oem\"><title>%s OEM %s%%</title></rect>", x, y, o[i]*4.2, b[i], o[i]; x+=o[i]*4.2
        printf "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" class=\"odm\"><title>%s ODM %s%%</title></rect>", x, y, d[i]*4.2, b[i], d[i]; x+=d[i]*4.2
        printf "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"16\" class=\"obm\"><title>%s OBM %s%%</title></rect>\n", x, y, m[i]*4.2, b[i], m[i] }
      print "</svg>" }' "$1"
}
# The ten books with the largest |difference rate|, for the chart.
sed -n 's/^\([^ ]*\) .*largest difference rate: -\{0,1\}\([0-9.]*\)% .*$/\1,\2/p' "$out/summary.txt" |
  sort -t, -k2,2 -g -r | head -10 | sed '1i book,abs_difference_rate' >"$out/.top2.csv"
{
  cat <<HTML
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bzl nightly report $period</title>
<style>
body{font:14px/1.4 sans-serif;margin:2em;color:#222} table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right} th{background:#eee}
.ct{font-weight:bold;font-size:14px} .lb{font-size:12px} .pos{fill:#3a7bd5} .neg{fill:#d55a3a}
.oem{fill:#9aa5b1} .odm{fill:#3a7bd5} .obm{fill:#2fa36b}
</style></head><body>
<h1>bzl nightly report — period $period</h1>
<p>Generated $(date -u +%Y-%m-%dT%H:%M:%SZ). Materials beyond tolerance: $beyond.$([ "$negative" -gt 0 ] && printf ' Materials with a book balance below zero: %s.' "$negative")</p>
<h2>Books</h2><pre>$(esc <"$out/summary.txt")</pre>
<h2>Value-added ratio trend $year</h2>
$(bars "Value-added ratio (E-I)/I x 100 by month, $year (%)" chart-var 1 4 "$out/var-trend.csv")
$(table "$out/var-trend.csv")
<h2>Mode mix</h2>
$(mix "$out/modes.csv")
$(table "$out/modes.csv")
<h2>Books with the largest differences</h2>
$(bars "Books with the largest differences (|difference rate|, % of the book balance)" chart-diff 1 2 "$out/.top2.csv")
<h2>Value-added ratio by enterprise, $period</h2>$(table "$out/var.csv")
<h2>Processing-trade share $year (plan target: at least 30 %)</h2>$(table "$out/share.csv")
<h2>Mode upgrades $year-Q1 → $year-Q4</h2>$(table "$out/upgrades.csv")
</body></html>
HTML
} >"$out/report.html" || fail "writing report.html failed"
rm -f "$out/.top2.csv"
[ -t 2 ] && printf '\r\033[Kbzl-nightly: done: %s\n' "$out/report.html" >&2
[ "$beyond" -eq 0 ] && [ "$negative" -eq 0 ]
