#!/usr/bin/env bash
# bzl-nightly — the nightly verification and report job: the customs officer's morning page.
# It asks bzld (through bzl) for every figure, writes them as CSV files into a new dated
# directory, renders report.html from those files alone (bzl-nightly-report.py), and only then
# points DIR/latest at the new directory. Behaviour, files and exit statuses: bzl-nightly --help
# and bzl-nightly(8).
set -Eeuo pipefail

BZL=${BZL:-bzl}
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)

help() {
  cat <<'EOF'
usage: bzl-nightly --out DIR [--period P] [--tolerance PCT] [--pending-days N]
                   [--share-target PCT] [--time-zone TZ] [--socket PATH]

Verifies every account book over the period P and computes the zone's reports for that
period only, then writes them into a new directory DIR/YYYY-MM-DD (the run's date in the
zone's time zone; a second run on one day gets DIR/YYYY-MM-DD.2, .3 ...) as CSV files
and one self-contained page, report.html, that opens offline. DIR/latest is a symbolic
link that moves to the new directory, in one rename, only once everything in it is
written: a run that fails or is killed leaves it on the previous complete report.

The page lists the exceptions first: materials beyond tolerance (signed difference,
rate and tolerance), book balances below zero, books with activity but no stocktake in
the period, pending declarations older than N days, unmatched transfers, old parts of repair
books past or near their disposal period, books whose
periods are not closed through the end of P, and any missing exchange rate. Then it
charts the value-added ratio by month, the processing-trade share by month against the
zone plan's target, the signed difference per counted material against the tolerance
band, and the OEM/ODM/OBM mix by month, and shows the mode transition matrix between the
same period a year earlier and P as a 3 x 3 grid, the ageing of every book's lots at the end
of P (0-90, 91-180, 181-365 and over 365 days), with one section per enterprise.
Every enterprise code is shown with its name. Every figure on the page is read from the
CSV files beside it.

A report that needs an exchange rate the ledger lacks is not a failure: that section (or
month) shows a notice naming the missing rate and the bzl rates set command that adds
it, and every other section is written.

  --out DIR          where the dated report directories and the latest link live
  --period P         YYYY-MM, YYYY-Qn or YYYY (default: the last whole month before
                     today in the zone's time zone); compared with the same period a
                     year earlier
  --tolerance PCT    the verification tolerance in percent (default 0.5)
  --pending-days N   list pending declarations submitted more than N days ago (default 3)
  --share-target PCT the processing-trade share target in percent (default 30, the zone
                     plan's target for 2028)
  --time-zone TZ     the zone's time zone for dates and times (default Asia/Shanghai)
  --socket PATH      bzld's socket (default: bzl's, $BZL_SOCKET)
  --version          print bzl-nightly's version and exit
  -h, --help         show this help

Each report directory also holds checkpoint.txt, the journal's head signed by bzld as
bzl checkpoint prints it, which is logged on stderr too (bzl verify --checkpoint proves the
ledger still extends it).

It prints one summary line per book on stdout and shows progress on a terminal.
Exit status: 0 the report is written and has no exception; 5 the report is written and
lists exceptions (systemd's unit counts this as success); 2 usage error; 3 a failure (no
new report; DIR/latest is unchanged). The environment variable BZL names the bzl program
and BZL_CHARTJS the Chart.js file to inline (default
/usr/share/javascript/chart.js/chart.min.js, Debian's libjs-chart.js).
EOF
}

usage() {
  echo "bzl-nightly: $*" >&2
  echo "usage: bzl-nightly --out DIR [--period P] [--tolerance PCT] [--pending-days N]" \
    "[--share-target PCT] [--time-zone TZ] [--socket PATH]" >&2
  exit 2
}

out='' period='' tol=0.5 pending_days=3 target=30 tz=Asia/Shanghai
sock=()
while [ $# -gt 0 ]; do
  case $1 in
    --out | --period | --tolerance | --pending-days | --share-target | --time-zone | --socket)
      [ $# -ge 2 ] || usage "$1 needs a value"
      case $1 in
        --out) out=$2 ;;
        --period) period=$2 ;;
        --tolerance) tol=$2 ;;
        --pending-days) pending_days=$2 ;;
        --share-target) target=$2 ;;
        --time-zone) tz=$2 ;;
        --socket) sock=(--socket "$2") ;;
      esac
      shift 2
      ;;
    -h | --help) help; exit 0 ;;
    --version) echo "bzl-nightly @PROJECT_VERSION@"; exit 0 ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
[ -n "$out" ] || usage "--out DIR is required"
[[ $tol =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage "--tolerance takes a percentage such as 0.5"
[[ $target =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage "--share-target takes a percentage such as 30"
[[ $pending_days =~ ^[0-9]+$ ]] || usage "--pending-days takes a whole number of days"
if ! [[ $tz =~ ^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$ ]] || ! [ -f "/usr/share/zoneinfo/$tz" ]; then
  usage "--time-zone '$tz' is not a time zone of /usr/share/zoneinfo"
fi
export TZ=$tz
[ -n "$period" ] || period=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m)

# The months of P and the comparison period a year earlier.
if [[ $period =~ ^([0-9]{4})-(0[1-9]|1[0-2])$ ]]; then
  y=${BASH_REMATCH[1]} months=("$period") comparison="$((y - 1))-${BASH_REMATCH[2]}"
elif [[ $period =~ ^([0-9]{4})-Q([1-4])$ ]]; then
  y=${BASH_REMATCH[1]} q=${BASH_REMATCH[2]} months=()
  for i in 1 2 3; do months+=("$(printf '%s-%02d' "$y" $(((q - 1) * 3 + i)))"); done
  comparison="$((y - 1))-Q$q"
elif [[ $period =~ ^([0-9]{4})$ ]]; then
  y=$period months=()
  for i in $(seq 1 12); do months+=("$(printf '%s-%02d' "$y" "$i")"); done
  comparison=$((y - 1))
else
  usage "--period takes YYYY-MM, YYYY-Qn or YYYY, not '$period'"
fi
period_end=$(date -d "${months[-1]}-01 +1 month -1 day" +%F)

report_py=$here/bzl-nightly-report.py
[ -f "$report_py" ] || report_py=@CMAKE_INSTALL_FULL_LIBEXECDIR@/bzl/bzl-nightly-report.py
chartjs=${BZL_CHARTJS:-/usr/share/javascript/chart.js/chart.min.js}

progress() { if [ -t 2 ]; then printf '\r\033[Kbzl-nightly: %s' "$*" >&2; fi; }
fail() {
  if [ -t 2 ]; then printf '\n' >&2; fi
  echo "bzl-nightly: $*" >&2
  exit 3
}
trap 'fail "unexpected failure at line $LINENO (exit $?)"' ERR
# Children never inherit the lock (fd 9): one left running by a killed run must not hold it.
b() { "$BZL" "${sock[@]}" "$@" 9>&-; }

[ -f "$report_py" ] || fail "bzl-nightly-report.py is not installed beside bzl-nightly"
[ -r "$chartjs" ] || fail "no Chart.js at $chartjs (apt-get install libjs-chart.js)"
mkdir -p "$out" || fail "cannot create $out"
# One run at a time: a second one would race for the dated name and the latest link. With the
# lock held, a .partial-* directory is what a killed run left: remove it.
exec 9>>"$out/.lock"
flock -n 9 || fail "another bzl-nightly is writing into $out"
find "$out" -maxdepth 1 -name '.partial-*' -exec rm -rf {} +
# Before dated directories the job wrote straight into DIR, and a report.html left there from
# an earlier night reads as current: move what that layout wrote into DIR/old-layout, once.
mapfile -t old < <(find "$out" -maxdepth 1 -type f \( -name report.html -o -name reconcile.csv \
  -o -name 'book-*.csv' -o -name var.csv -o -name var-trend.csv -o -name modes.csv \
  -o -name share.csv -o -name upgrades.csv -o -name summary.txt \))
if [ "${#old[@]}" -gt 0 ]; then
  mkdir -p "$out/old-layout"
  mv -f -- "${old[@]}" "$out/old-layout/"
  echo "bzl-nightly: moved ${#old[@]} files of the old layout into $out/old-layout" >&2
fi
stage=$out/.partial-$$
mkdir "$stage"

# ---- collect ---------------------------------------------------------------------------------
# must FILE CMD...: the command's stdout into the stage; any failure stops the run.
must() {
  local file=$1
  shift
  b "$@" >"$stage/$file" 2>"$stage/.err" || fail "bzl $* failed: $(cat "$stage/.err")"
}
# report SECTION MONTH FILE CMD...: like must, but a missing exchange rate is recorded in
# gaps.csv for the page to name, with bzl's own fix command, and the run goes on.
report() {
  local section=$1 month=$2 file=$3 msg fix
  shift 3
  if b "$@" >"$stage/$file" 2>"$stage/.err"; then return 0; fi
  msg=$(head -1 "$stage/.err")
  case $msg in
    *RATE_MISSING*)
      rm -f "$stage/$file"
      fix=bzl${msg##*: bzl}
      [ "$fix" != "bzl$msg" ] || fix="bzl rates set --month MONTH --currency CODE --cny RATE"
      msg=${msg#bzl: }
      msg=${msg%%: bzl *}
      printf '"%s","%s","%s","%s"\n' "$section" "$month" "${msg//\"/\"\"}" "${fix//\"/\"\"}" \
        >>"$stage/gaps.csv"
      return 1
      ;;
    *) fail "bzl $* failed: $msg" ;;
  esac
}
echo "section,month,message,fix" >"$stage/gaps.csv"

progress "verifying every book over $period"
# reconcile exits 5 when its answer is complete and some material is beyond tolerance or
# below zero: a finding, not a failure (checked against its rows below); 1-4 are failures.
recon_rc=0
b reconcile --all --period "$period" --tolerance "$tol" --json >"$stage/reconcile.json" \
  2>"$stage/.err" || recon_rc=$?
[ "$recon_rc" -eq 0 ] || [ "$recon_rc" -eq 5 ] ||
  fail "reconcile failed (exit $recon_rc): $(cat "$stage/.err")"
progress "listings"
must enterprises.json enterprise list --json
must books.csv book list --csv
must pending.csv declaration list --state pending --older-than "$pending_days" --csv
must transfers.json transfers unmatched --json
# Old parts of repair books past or near the zone's disposal period (bzld.conf [zone]).
must repair-overdue.csv repair overdue --csv
# Lot ageing (docs/TAX.md "Lots", E.4 (4b)): every book's open lots by age to the period's end,
# in the default buckets 0-90, 91-180, 181-365 and >365 days.
progress "lot ageing"
echo "book,kind,item,bucket,lots,remaining" >"$stage/lot-ageing.csv"
while IFS= read -r bk; do
  b lots --ageing --book "$bk" --as-of "$period_end" --csv >"$stage/.lots.csv" 2>"$stage/.err" ||
    fail "bzl lots --ageing --book $bk failed: $(cat "$stage/.err")"
  tail -n +2 "$stage/.lots.csv" | sed "s/^/$bk,/" >>"$stage/lot-ageing.csv"
done < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["book"] }' \
  "$stage/books.csv")
rm -f "$stage/.lots.csv"

# Book items whose latest INV211 book line disagrees with bzl's balance (docs/INV101.md).
must receipt-diff.csv receipt diff --csv

echo "month,group,exports_usd,imports_usd,var_pct,net_export_pct" >"$stage/var-trend.csv"
echo "bucket,enterprise,oem_usd,odm_usd,obm_usd,none_usd,oem_pct,odm_pct,obm_pct,none_pct" \
  >"$stage/modes.csv"
echo "month,bonded_usd,general_usd,share_pct" >"$stage/share.csv"
share_all=1
for m in "${months[@]}"; do
  progress "reports of $m"
  # Month by month, so that a missing rate costs its own month only.
  if report "value-added ratio" "$m" .zone.csv report var --period "$m" --by zone --csv &&
    report "value-added ratio" "$m" .ent.csv report var --period "$m" --by enterprise --csv; then
    { tail -n +2 "$stage/.zone.csv"; tail -n +2 "$stage/.ent.csv"; } | sed "s/^/$m,/" \
      >>"$stage/var-trend.csv"
  fi
  if report "mode mix" "$m" .modes.csv report modes --period "$m" --granularity month --csv; then
    tail -n +2 "$stage/.modes.csv" >>"$stage/modes.csv"
  fi
  if report share "$m" .share.csv report share --period "$m" --csv; then
    awk -F, -v m="$m" '$1 == m' "$stage/.share.csv" >>"$stage/share.csv" # none without trade
  else
    share_all=0
  fi
done
if [ "${#months[@]}" -gt 1 ] && [ "$share_all" -eq 1 ]; then
  report share "$period" .share.csv report share --period "$period" --csv &&
    awk -F, '$1 == "total"' "$stage/.share.csv" >>"$stage/share.csv"
elif [ "$share_all" -eq 1 ]; then
  awk -F, '$1 == "total"' "$stage/.share.csv" >>"$stage/share.csv"
fi
progress "value-added ratio by enterprise, upgrades"
report "value-added ratio" "$period" var.csv report var --period "$period" --by enterprise --csv ||
  true
report upgrades "$period" upgrades.csv report upgrades --from "$comparison" --to "$period" --csv ||
  true
rm -f "$stage"/.zone.csv "$stage"/.ent.csv "$stage"/.modes.csv "$stage"/.share.csv "$stage/.err"

# Tonight's checkpoint: the journal's head signed by bzld (docs/DURABILITY.md "Checkpoints"),
# kept beside the report and logged on stderr, which systemd writes to the journal, so copies
# of it leave the ledger's box. bzl verify --checkpoint FILE proves the ledger still extends it.
progress "taking the journal's checkpoint"
must checkpoint.txt checkpoint
cp_seq=$(sed -n 's/^seq: //p' "$stage/checkpoint.txt")
cp_hash=$(sed -n 's/^hash: //p' "$stage/checkpoint.txt")
echo "bzl-nightly: checkpoint seq=$cp_seq hash=$cp_hash" \
  "time=$(sed -n 's/^time: //p' "$stage/checkpoint.txt")" \
  "key=$(sed -n 's/^public-key: //p' "$stage/checkpoint.txt")" \
  "sig=$(sed -n 's/^signature: //p' "$stage/checkpoint.txt")" >&2

{
  echo "key,value"
  echo "period,$period"
  echo "months,${months[*]}"
  echo "period_end,$period_end"
  echo "comparison,$comparison"
  echo "tolerance_pct,$tol"
  echo "share_target_pct,$target"
  if [ "$target" = 30 ]; then
    echo "share_target_source,the zone plan's: at least 30 % of the area's trade by the end of 2028 (reference/zone-plan.md)"
  else
    echo "share_target_source,set with --share-target; the zone plan's is 30 % by the end of 2028 (reference/zone-plan.md)"
  fi
  echo "pending_days,$pending_days"
  echo "time_zone,$tz"
  echo "checkpoint,seq $cp_seq hash $cp_hash"
  echo "generated,$(date '+%Y-%m-%d %H:%M %Z') ($tz)"
} >"$stage/about.csv"

# ---- the page --------------------------------------------------------------------------------
progress "writing report.html"
exceptions=$(python3 "$report_py" "$stage" "$chartjs" 9>&-) || fail "bzl-nightly-report.py failed"

# Summary per book: materials, beyond tolerance, uncounted, and the largest difference rate with
# its item; then, only where there are any, materials whose book balance is below zero.
# Quantities of different materials are in different units and are never added; the rate is
# printed as the daemon's exact string (awk only compares to pick it).
awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next}
  { bk=$c["book"]; m[bk]++; if(!(bk in order)){order[bk]=++n; name[n]=bk}
    f=$c["flag"]; if(f=="shortage"||f=="surplus")x[bk]++; if(f=="uncounted")u[bk]++; if(f=="negative_book")g[bk]++
    r=$c["difference_rate"]; if(r!="n/a" && r!=""){ a=r+0; if(a<0)a=-a
      if(!(bk in w) || a>w[bk]){ w[bk]=a; ws[bk]=r; wi[bk]=$c["item"] } } }
  END{ for(i=1;i<=n;i++){bk=name[i]
         worst=(bk in ws) ? ws[bk] "% (item " wi[bk] ")" : "n/a"
         neg=(bk in g) ? sprintf(", negative book balance: %d", g[bk]) : ""
         printf "%s materials: %d, beyond tolerance: %d, uncounted: %d, largest difference rate: %s%s\n", bk, m[bk], x[bk]+0, u[bk]+0, worst, neg } }' \
  "$stage/reconcile.csv" >"$stage/summary.txt"
beyond=$(awk -F'beyond tolerance: ' '{split($2,a,","); t+=a[1]} END{print t+0}' "$stage/summary.txt")
negative=$(awk -F'negative book balance: ' 'NF>1{t+=$2} END{print t+0}' "$stage/summary.txt")
found=0
[ $((beyond + negative)) -eq 0 ] || found=5
[ "$found" -eq "$recon_rc" ] ||
  fail "reconcile exited $recon_rc but its rows show $beyond beyond tolerance and $negative below zero"

# ---- publish ---------------------------------------------------------------------------------
# The dated name, then the link: rename(2) replaces DIR/latest in one step, so a reader sees
# the previous complete report or the new one, never a half-written directory.
day=$(date +%F)
name=$day
n=1
while [ -e "$out/$name" ]; do
  n=$((n + 1))
  name=$day.$n
done
mv -T "$stage" "$out/$name"
ln -s "$name" "$out/.latest-$$"
mv -T "$out/.latest-$$" "$out/latest"
cat "$out/$name/summary.txt"
if [ -t 2 ]; then printf '\r\033[Kbzl-nightly: done: %s\n' "$out/$name/report.html" >&2; fi
[ "$exceptions" -eq 0 ] || exit 5
exit 0
