# What makes a figure go into a paper unedited, checked on the scripts and
# data `lparsim plot` writes: every axis labelled with its unit, in a scale
# that reads (µs, not 300000 ns); no range reaching impossible values (a
# cache of -100 entries); CDFs on a log x by default; no legend or label
# over the data (the key sits outside the plotting area; the timeline's
# labels lie in a band above the highest value of its .dat); quantile bars
# never narrower than the histogram's resolution, and the key says so;
# lines told apart by dash pattern (grey print); a 3.5 in, 8 pt figure in
# vector form by default. Also: each output its own script and data
# (p99.png.gp, p99.svg.gp); a timeline without --series lists the run's
# series; a parameter that never varies is an error; runs are picked by
# sweep point and rep.
source "$(dirname "$0")/lib.bash"
command -v gnuplot >/dev/null || fail "gnuplot is needed (apt-get install gnuplot-nox)"

MM1=$SRC/scenarios/validation/mm1.yaml
SET=(--set duration=200ms --set warmup=20ms --progress never -q)
plot() { "$LPARSIM" plot "$@" > /dev/null; }
# gp FILE KEY: the value of `set KEY ...` in a script
gp() { sed -n "s/^set $2 //p" "$1" | head -1; }

"$LPARSIM" sweep "$MM1" "${SET[@]}" --vary lpars.db1.workload.rate=40k/s,60k/s,80k/s \
  --vary systems.s0.adapters.nvme0.servers=1,2,4 --reps 2 -j 2 -o sw.db

# ---- sweep: units, ranges, bars ----
plot sw.db sweep --x servers --y lpar.db1:io_latency.p99 --series rate -o p99.pdf
expect_eq "sweep x label" "$(gp p99.pdf.gp xlabel)" "'servers' noenhanced"
expect_eq "sweep y label" "$(gp p99.pdf.gp ylabel)" "'io_latency p99 (µs)' noenhanced"
xr=$(gp p99.pdf.gp xrange)
awk -v r="$xr" 'BEGIN { split(substr(r, 2), a, ":"); exit !(a[1] >= 0 && a[1] < 1) }' ||
  fail "servers 1..4: xrange $xr (below zero, or not showing 1)"
awk '!/^#/ && NF { if ($2 >= 1000) bad = 1 } END { exit bad }' p99.pdf.dat ||
  fail "p99 values not in a readable unit"
# every quantile bar at least half a histogram bucket (1/128 of its octave)
awk '!/^#/ && NF { m = $2 * 1000; o = 1; while (o * 2 <= m) o *= 2
                   if ($6 * 1000 < o / 128 * (1 - 1e-9)) { print; bad = 1 } }
     END { exit bad }' p99.pdf.dat || fail "a quantile bar narrower than its bucket"
grep -q "title '95% CI, ≥ histogram bucket'" p99.pdf.gp || fail "the key does not say what bars are"
grep -q '^set key outside' p99.pdf.gp || fail "sweep key inside the plot"

# ---- cdf: log x, unit, key outside; ccdf log y ----
plot sw.db cdf --stat lpar.db1:io_latency --by rate -o cdf.pdf
grep -q '^set logscale x 10' cdf.pdf.gp || fail "cdf: not log x by default"
expect_eq "cdf x label" "$(gp cdf.pdf.gp xlabel)" "'io_latency (µs)' noenhanced"
grep -q '^set key outside' cdf.pdf.gp || fail "cdf key inside the plot"
plot sw.db cdf --stat lpar.db1:io_latency --by rate --ccdf -o ccdf.pdf
grep -q '^set logscale y 10' ccdf.pdf.gp || fail "ccdf: not log y"

# ---- paper geometry: vector by default, 3.5 in at 8 pt, greyscale ----
grep -q "^set terminal pdfcairo .*font 'Sans,8' size 3.5in," cdf.pdf.gp || fail "pdf geometry"
grep -aq '/MediaBox \[ *0 0 252 ' cdf.pdf || fail "pdf is not 3.5 in (252 pt) wide"
expect_eq "distinct dash patterns" "$(sed -n 's/^set linetype [0-9] .* dt //p' cdf.pdf.gp | sort -u | wc -l)" 8
(cd "$WORK" && "$LPARSIM" plot sw.db cdf --stat io_latency > /dev/null)
[ "$(head -c 4 sw-cdf.pdf)" = "%PDF" ] || fail "no -o: not sw-cdf.pdf"
plot sw.db cdf --stat io_latency -o noext
[ "$(head -c 4 noext.pdf)" = "%PDF" ] || fail "-o without an extension: not a PDF"

# ---- each output its own script and data ----
plot sw.db sweep --x rate --y lpar.db1:io_latency.p99 -o p.png
plot sw.db sweep --x rate --y throughput -o p.svg
expect_eq "p.png.gp output" "$(gp p.png.gp output)" "'p.png'"
expect_eq "p.svg.gp output" "$(gp p.svg.gp output)" "'p.svg'"
grep -q 'io_latency' p.png.dat || fail "p.png.dat was overwritten by the svg's data"

# ---- errors: a constant parameter, a timeline without --series ----
rc=0; "$LPARSIM" plot sw.db sweep --x duration --y throughput -o c.pdf 2> err.txt || rc=$?
expect_eq "constant x: exit" "$rc" 2
expect_eq "constant x" "$(cat err.txt)" "lparsim plot: error: parameter 'duration' has one value (200ms) in the runs of sw.db: nothing to draw against; vary it (lparsim sweep --vary duration=V1,V2,...) or plot a cdf"
"$LPARSIM" run "$MM1" "${SET[@]}" -o tl.db --set stats.sample_interval=5ms
rc=0; "$LPARSIM" plot tl.db timeline -o t.pdf 2> err.txt || rc=$?
expect_eq "timeline without --series: exit" "$rc" 2
expect_eq "timeline without --series" "$(cat err.txt)" \
  "lparsim plot: error: a timeline needs --series NAME[,NAME...]; run 1 of tl.db has: lpar.db1:iops, lpar.db1:outstanding, s0.cpu:utilisation, s0.nvme0.vf0:queue_length"

# ---- runs by sweep point and rep, not by id ----
plot sw.db cdf --stat lpar.db1:io_latency --points 0,4,8 --rep 1 -o pts.pdf
want=$(q sw.db "SELECT group_concat('run ' || run_id, ' ') FROM
  (SELECT run_id FROM run WHERE rep = 1 AND point IN (0, 4, 8) ORDER BY point)")
expect_eq "--points 0,4,8 --rep 1" "$(sed -n 's/^#   index [0-9]*: \(run [0-9]*\):.*/\1/p' pts.pdf.dat | tr '\n' ' ' | sed 's/ $//')" "$want"

# ---- timeline: two LPARs, events with details, labels above the data ----
"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" "${SET[@]}" -o tl2.db \
  --set stats.sample_interval=5ms
q tl2.db "INSERT INTO event(run_id, t_ps, component, kind, detail) VALUES
  (1,  40000000000, 'lpm.db1', 'lpm_start', 'to dst'),
  (1,  50000000000, 'lpm.db1', 'lpm_precopy_start', 'round 0'),
  (1, 120000000000, 'lpm.db1', 'lpm_precopy_end', ''),
  (1, 120000000000, 'lpm.db1', 'lpm_blackout_start', ''),
  (1, 140000000000, 'lpm.db1', 'lpm_blackout_end', ''),
  (1, 150000000000, 'lpm.db1', 'lpm_end', ''),
  (1,  20000000000, 'lpar.db1', 'lpar_state', 'booted -> running'),
  (1,  22000000000, 'irq.s0', 'irq_rebalance', 'source 3 to t5'),
  (1, 190000000000, 'eeh.s0.nvme0.vf0', 'eeh_freeze', 'PE 0')"
plot tl2.db timeline --series lpar.db1:iops,lpar.batch1:iops -o tl.png
expect_eq "timeline y label" "$(gp tl.png.gp ylabel)" "'iops (k/s)' noenhanced"
grep -q "title 'lpar.db1'" tl.png.gp && grep -q "title 'lpar.batch1'" tl.png.gp ||
  fail "timeline lines not named by LPAR"
for l in 'lpar_state: booted -> running' 'irq_rebalance: source 3 to t5' 'eeh_freeze: PE 0'; do
  grep -q "^set label '$l' at" tl.png.gp || fail "timeline: no label '$l'"
done
# every label above the data: its graph y over (largest value) / (top of the y range)
ytop=$(gp tl.png.gp yrange | sed 's/^\[0://; s/\]$//')
ymax=$(awk '/^# events/ || /^# phases/ { stop = 1 } !stop && !/^#/ && NF && $2 > m { m = $2 } END { print m }' tl.png.dat)
sed -n "s/^set label '.*' at [0-9.e+-]*, graph \([0-9.]*\) .*/\1/p" tl.png.gp > ys.txt
[ -s ys.txt ] || fail "timeline: no labels"
awk -v top="$ytop" -v max="$ymax" '{ if ($1 - 0.03 <= max / top) { print "label at graph " $1 " over data up to " max / top; bad = 1 } }
  END { exit bad }' ys.txt || fail "a timeline label over the data"
# nested phases on rows of their own, shaded darker
lpm=$(sed -n "s/^set label 'lpm' at [0-9.]*, graph \([0-9.]*\) .*/\1/p" tl.png.gp)
pre=$(sed -n "s/^set label 'lpm_precopy' at [0-9.]*, graph \([0-9.]*\) .*/\1/p" tl.png.gp)
awk -v a="$lpm" -v b="$pre" 'BEGIN { exit !(a > b) }' || fail "nested phase not below its parent"
expect_eq "phase fills by depth" "$(grep -o "fc rgb '#[0-9a-f]*' fs solid 1" tl.png.gp | sort -u | wc -l)" 2
# the y tics stop where the data stop: no scale in the band
case $(gp tl.png.gp ytics) in "0, "*) ;; *) fail "y tics run into the band" ;; esac
echo ok
