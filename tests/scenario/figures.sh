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

# ---- timeline: lanes, markers, keys: no text over the data or another text ----

# check_layout FILE.gp: every text of a timeline where plot_lanes.c says it
# is, read back from the script: the figure's height, the plotting area and
# the top of the data, and an annotation character's width (the `# layout:`
# line); each `set label` as wide as its characters (UTF-8 counted once).
# Texts of rows less than 0.1 in apart (7 pt text) keep half a character
# apart; texts in the graph lie in the x range and above the data; keys
# below the x axis (0.35 in under the graph) and within the figure's width.
check_layout() {
  LC_ALL=C awk '
    function chars(t) { gsub(/[\200-\277]/, "", t); return length(t) }
    /^# layout: / { for (i = 3; i <= NF; i++) { split($i, kv, "="); L[kv[1]] = kv[2] + 0 } }
    /^set xrange \[/ { r = $3; gsub(/[\[\]]/, "", r); split(r, xr, ":") }
    /^set label / {
      t = $0; sub(/^set label \047/, "", t); at = index(t, "\047 at "); rest = substr(t, at + 5)
      t = substr(t, 1, at - 1); gsub(/\047\047/, "\047", t)
      n++; text[n] = t; screen[n] = rest ~ /^screen/
      split(rest, w, " "); al = "left"
      for (i = 1; i <= length(w); i++) if (w[i] ~ /^(left|center|right)$/) { al = w[i]; break }
      if (screen[n]) { x = w[2] + 0; y[n] = w[4] + 0 } else { x = w[1] + 0; y[n] = w[3] + 0 }
      cw = screen[n] ? L["key_char_w"] : L["char_w"]; wd = chars(t) * cw
      x0[n] = al == "left" ? x : al == "right" ? x - wd : x - wd / 2; x1[n] = x0[n] + wd; c[n] = cw
    }
    END {
      if (!L["height_in"] || !n) { print "no layout line or no labels"; exit 1 }
      H = L["height_in"]; gb = L["graph_bottom"] * H; gh = (L["graph_top"] - L["graph_bottom"]) * H
      for (i = 1; i <= n; i++) {
        yi[i] = screen[i] ? y[i] * H : gb + y[i] * gh
        if (screen[i] && (x1[i] > 1 || yi[i] > gb - 0.35 || yi[i] < 0.04)) { print "key out of place: " text[i]; bad = 1 }
        if (!screen[i] && (x0[i] < xr[1] - 1e-9 || x1[i] > xr[2] + 1e-9)) { print "outside the x range: " text[i]; bad = 1 }
        if (!screen[i] && yi[i] - 0.05 < gb + L["data_top"] * gh) { print "over the data: " text[i]; bad = 1 }
        for (j = 1; j < i; j++) {
          if (screen[i] != screen[j]) continue
          dy = yi[i] - yi[j]; if (dy < 0) dy = -dy
          if (dy < 0.1 && x1[i] + c[i] / 2 > x0[j] && x1[j] + c[i] / 2 > x0[i]) {
            print "\"" text[i] "\" overlaps \"" text[j] "\""; bad = 1 }
        }
      }
      exit bad
    }' "$1" || fail "$1: texts overlap or cover the data"
}

# phases FILE.dat: the phase rows, "t_start|t_end|component|kind|step|drawn"
phases() { awk -F'"' '/^# phases/ { on = 1; next } on && NF > 1 { split($1, t, " "); print t[1] "|" t[2] "|" $2 "|" $4 "|" $6 "|" $8 }' "$1"; }
# every step drawn: by its name, or by a key the key lines explain
all_steps_drawn() {
  phases "$1.dat" | while IFS='|' read -r t0 t1 comp kind step drawn; do
    [ "$kind" = "${comp%%.*}" ] && continue   # the mechanism: its lane's outline
    [ -n "$drawn" ] || fail "$1: step $comp $kind not labelled"
    [ "$drawn" = "$step" ] || grep -q "^set label '\([^']*   \)\?$drawn: \($step\|$kind\)[ ']" "$1.gp" ||
      fail "$1: key '$drawn' of $kind not explained"
  done
}

# Three mechanisms of three components at once, steps of every length,
# and point events, some at the same time.
"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" "${SET[@]}" -o tl2.db \
  --set stats.sample_interval=5ms
q tl2.db "INSERT INTO event(run_id, t_ps, component, kind, detail) VALUES
  (1,  40000000000, 'lpm.db1', 'lpm_start', 'to dst'),
  (1,  50000000000, 'lpm.db1', 'lpm_precopy_start', 'round 0'),
  (1, 120000000000, 'lpm.db1', 'lpm_precopy_end', ''),
  (1, 120000000000, 'lpm.db1', 'lpm_blackout_start', ''),
  (1, 140000000000, 'lpm.db1', 'lpm_blackout_end', ''),
  (1, 150000000000, 'lpm.db1', 'lpm_end', ''),
  (1,  60000000000, 'eeh.s0.nvme0.vf0', 'eeh_detect_start', 'PE frozen'),
  (1,  70000000000, 'eeh.s0.nvme0.vf0', 'eeh_detect_end', ''),
  (1,  70000000000, 'eeh.s0.nvme0.vf0', 'eeh_start', ''),
  (1,  70000000000, 'eeh.s0.nvme0.vf0', 'eeh_error_detected_start', ''),
  (1,  70010000000, 'eeh.s0.nvme0.vf0', 'eeh_error_detected_end', ''),
  (1,  70010000000, 'eeh.s0.nvme0.vf0', 'eeh_reset_start', 'attempt 1 of 3'),
  (1, 130000000000, 'eeh.s0.nvme0.vf0', 'eeh_reset_end', ''),
  (1, 130000000000, 'eeh.s0.nvme0.vf0', 'eeh_resume_start', ''),
  (1, 130001000000, 'eeh.s0.nvme0.vf0', 'eeh_resume_end', ''),
  (1, 130001000000, 'eeh.s0.nvme0.vf0', 'eeh_end', ''),
  (1, 100000000000, 'switch.db1', 'switch_start', ''),
  (1, 100000000000, 'switch.db1', 'switch_prepare_start', ''),
  (1, 100435000000, 'switch.db1', 'switch_prepare_end', ''),
  (1, 100435000000, 'switch.db1', 'switch_stop_source_start', ''),
  (1, 100535000000, 'switch.db1', 'switch_stop_source_end', ''),
  (1, 100535000000, 'switch.db1', 'switch_remap_start', ''),
  (1, 100537000000, 'switch.db1', 'switch_remap_end', ''),
  (1, 100537000000, 'switch.db1', 'switch_release_start', ''),
  (1, 100800000000, 'switch.db1', 'switch_release_end', ''),
  (1, 100800000000, 'switch.db1', 'switch_end', ''),
  (1, 100587000000, 'switch.db1', 'switch_io_resumed', 'first completion'),
  (1,  20000000000, 'lpar.db1', 'lpar_state', 'booted -> running'),
  (1,  22000000000, 'irq.s0', 'irq_rebalance', 'source 3 to t5'),
  (1,  60000000000, 's0.nvme0', 'adapter_failed', 'every function stops answering'),
  (1,  60000000000, 's0.nvme0.phb', 'eeh_freeze', 'PE 0 frozen: adapter failed'),
  (1,  60000000000, 'timeline', 'fail', 'target s0.nvme0'),
  (1, 190000000000, 'eeh.s0.nvme0.vf0', 'eeh_freeze', 'PE 0')"
plot tl2.db timeline --series lpar.db1:iops,lpar.batch1:iops -o tl.png
expect_eq "timeline y label" "$(gp tl.png.gp ylabel)" "'iops (k/s)' noenhanced"
grep -q "title 'lpar.db1'" tl.png.gp && grep -q "title 'lpar.batch1'" tl.png.gp ||
  fail "timeline lines not named by LPAR"
check_layout tl.png.gp
# one lane per mechanism component, named once, its mechanism outlined
for c in lpm.db1 eeh.s0.nvme0.vf0 switch.db1; do
  expect_eq "lane $c" "$(grep -c "^set label '$c' at" tl.png.gp)" 1
done
expect_eq "outlines" "$(grep -c '^set object rect .* fs empty border' tl.png.gp)" 3
# steps named without their mechanism's prefix, or by a key explained below
grep -q "^set label 'precopy' at" tl.png.gp && grep -q "^set label 'reset' at" tl.png.gp ||
  fail "timeline: long steps not named"
grep -q "^set label '\(lpm\|eeh\|switch\)_" tl.png.gp && fail "timeline: a label repeats its mechanism"
all_steps_drawn tl.png
# point events: numbered in time order, the three at 60 ms sharing "3–5"
for k in "1: lpar_state (lpar.db1) — booted -> running" "2: irq_rebalance (irq.s0) — source 3 to t5" \
         "3: adapter_failed (s0.nvme0) — every function stops answeri…" "5: fail — target s0.nvme0" \
         "6: switch_io_resumed (switch.db1) — first completion" "7: eeh_freeze (eeh.s0.nvme0.vf0) — PE 0"; do
  grep -q "^set label '$k' at screen" tl.png.gp || fail "timeline: no key line '$k'"
done
grep -q "^set label '3–5' at 60, graph" tl.png.gp || fail "timeline: events at one time not sharing a number"
expect_eq "event lines" "$(grep -c '^set arrow from .* nohead' tl.png.gp)" 7
# the data keep their share of the plot; the figure grows instead, 3.5 in wide
awk '/^# layout: / { split($4, d, "="); exit !(d[2] >= 0.55) }' tl.png.gp || fail "data squeezed"
grep -q "^set terminal pngcairo .* size 700,[0-9]* " tl.png.gp || fail "png width"
[ "$(sed -n 's/^set terminal pngcairo .* size 700,\([0-9]*\) .*/\1/p' tl.png.gp)" -gt 480 ] ||
  fail "timeline did not grow with its lanes"
# the y tics stop where the data stop: no scale in the band
case $(gp tl.png.gp ytics) in "0, "*) ;; *) fail "y tics run into the band" ;; esac

# ---- zoom: --from/--to clip series, events and phases; --phases picks lanes ----
plot tl2.db timeline --series lpar.db1:iops --from 100ms --to 130ms -o z.png
expect_eq "zoom x range" "$(gp z.png.gp xrange)" "[100:130]"
expect_eq "zoom x label" "$(gp z.png.gp xlabel)" "'time (ms)' noenhanced"
phases z.png.dat | awk -F'|' '$1 < 100 || $2 > 130 { print; bad = 1 } END { exit bad }' ||
  fail "zoom: a phase outside the window"
expect_eq "zoom: precopy clipped" "$(phases z.png.dat | grep '|lpm_precopy|' | cut -d'|' -f1,2)" "100|120"
expect_eq "zoom: events in the window" "$(awk '/^# events/ { on = 1; next } /^# phases/ { on = 0 } on && NF { printf "%s ", $1 }' z.png.dat)" "100.587 "
awk '/^# iops$/ { on = 1; next } /^#/ || !NF { on = 0 } on { n++; if ($1 < 100) lo++; if ($1 > 130) hi++ }
     END { exit !(lo == 1 && hi == 1 && n > 2) }' z.png.dat || fail "zoom: samples not cut to the window and its neighbours"
check_layout z.png.gp
all_steps_drawn z.png
# a window of 20 µs at 59.99 ms: the axis in µs from its start
plot tl2.db timeline --series lpar.db1:iops --from 59.99ms --to 60.01ms -o us.png
expect_eq "µs zoom x label" "$(gp us.png.gp xlabel)" "'time after 59.99 ms (µs)' noenhanced"
expect_eq "µs zoom x range" "$(gp us.png.gp xrange)" "[0:20]"
expect_eq "µs zoom: detect from 10 µs" "$(phases us.png.dat | grep '|eeh_detect|' | cut -d'|' -f1,2)" "10|20"
check_layout us.png.gp
plot tl2.db timeline --series lpar.db1:iops --phases 'lpm.*,switch.db1' -o ph.png
expect_eq "--phases lanes" "$(phases ph.png.dat | cut -d'|' -f3 | sort -u | tr '\n' ' ')" "lpm.db1 switch.db1 "
grep -q "^set label 'eeh.s0.nvme0.vf0' at" ph.png.gp && fail "--phases: an unselected lane drawn"

# ---- bad input: the CLI's error style, exit 2, nothing written ----
perr() { "$LPARSIM" plot tl2.db timeline --series lpar.db1:iops -o bad.png "$@" 2>&1 >/dev/null && echo "exit 0" || echo "exit $?"; }
expect_eq "from >= to" "$(perr --from 5ms --to 2ms)" "lparsim plot: error: --from 5ms is not before --to 2ms
exit 2"
expect_eq "time without unit" "$(perr --from 999)" "lparsim plot: error: --from: missing unit in '999' (expected a time such as 250ns)
exit 2"
expect_eq "from past the end" "$(perr --from 10s)" "lparsim plot: error: --from 10 s is not before the end of run 1 of tl2.db (200 ms)
exit 2"
expect_eq "unknown glob" "$(perr --phases 'eeh.s0.nvme9*')" "lparsim plot: error: --phases 'eeh.s0.nvme9*' matches no component with phases in run 1 of tl2.db (lpm.db1, eeh.s0.nvme0.vf0, switch.db1)
exit 2"
expect_eq "--from on a cdf" "$("$LPARSIM" plot sw.db cdf --stat io_latency --from 1ms -o bad.png 2>&1 >/dev/null || echo "exit $?")" \
  "lparsim plot: error: option '--from' does not apply to a cdf plot
exit 2"
[ ! -e bad.png ] && [ ! -e bad.png.gp ] || fail "bad input wrote files"

# ---- real mechanisms: EEH on three adapters, a 0.8 ms adapter switch ----
"$LPARSIM" run "$SRC/scenarios/eeh-recovery.yaml" --progress never -q -o eeh.db
plot eeh.db timeline --series lpar.db1:iops,lpar.batch1:iops,lpar.kv1:iops -o eeh.png
check_layout eeh.png.gp
all_steps_drawn eeh.png
expect_eq "eeh lanes" "$(grep -c "^set label 'eeh\.s0\.[a-z0-9]*\.vf0' at" eeh.png.gp)" 3
"$LPARSIM" run "$SRC/scenarios/adapter-switch.yaml" --progress never -q -o sw1.db
plot sw1.db timeline --series lpar.db1:iops,lpar.db2:iops --from 999.9ms --to 1001ms -o swz.png
check_layout swz.png.gp
all_steps_drawn swz.png
expect_eq "switch steps" "$(phases swz.png.dat | cut -d'|' -f5 | tr '\n' ' ')" \
  "switch prepare stop_source remap reroute replay release "
echo ok
