# `lparsim plot`: each kind writes FILE + FILE.gp + FILE.dat; the .dat
# holds what the database says, in the unit its header names (CDFs end at
# 1 and are monotone, their counts add up to the statistic's count; sweep
# means and 95% CI half-widths equal values computed here from the scalar
# rows; x values with units sort numerically); `gnuplot X.gp` alone
# regenerates a deleted figure from any directory; provenance is in the
# .gp header and the figure's metadata; pdf/png/svg/tex all render;
# errors are exact; a failed render never replaces a figure.
# (tests/scenario/figures.sh checks what makes a figure paper-ready.)
source "$(dirname "$0")/lib.bash"
command -v gnuplot >/dev/null || fail "gnuplot is needed (apt-get install gnuplot-nox)"

MM1=$SRC/scenarios/validation/mm1.yaml
run() { "$LPARSIM" run "$MM1" --set duration=200ms --set warmup=20ms -q --progress never "$@"; }
plot() { "$LPARSIM" plot "$@" >/dev/null; }

# A sweep written by plain runs: service mean x rate x 3 seeds, inserted
# out of order (10us before 8us: text order would be wrong), plus a
# single-rep cell (rate 80k/s) that must get no confidence bar.
for mean in 10us 8us; do
  for rate in 60k/s 40k/s; do
    for seed in 1 2 3; do
      run -o sw.db --seed $seed --set lpars.db1.workload.rate=$rate \
          --set systems.s0.adapters.nvme0.service.mean=$mean
    done
  done
done
run -o sw.db --seed 1 --set lpars.db1.workload.rate=80k/s --set systems.s0.adapters.nvme0.service.mean=8us
expect_eq runs "$(q sw.db "SELECT count(*) FROM run WHERE status='ok'")" 13

# near WHAT GOT WANT: the same words, numbers equal to 1e-8 relative (the
# .dat prints 10 significant digits)
near() {
  paste -d'\n' <(echo "$2") <(echo "$3") | awk -v what="$1" '
    NR % 2 { split($0, g); next }
    { n = split($0, w)
      for (i = 1; i <= n; i++) {
        if (w[i] ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ && g[i] ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) {
          d = g[i] - w[i]; if (d < 0) d = -d
          if (d > 1e-8 * (w[i] < 0 ? -w[i] : w[i])) bad = 1
        } else if (g[i] != w[i]) bad = 1 } }
    END { exit bad }' || fail "$1: got
$2
want
$3"
  [ "$(echo "$2" | wc -l)" = "$(echo "$3" | wc -l)" ] || fail "$1: line counts differ"
}

# blocks FILE: per `index` block of a .dat, "rows sum(col4) last(col2) monotone(col2)"
blocks() {
  awk '/^$/ { blank++; next } /^#/ { next }
       { if (blank >= 2 && n) { print n, s, last, mono; n = 0 }
         blank = 0
         if (n == 0) { s = 0; mono = 1; prev = -1 }
         n++; s += $4; last = $2; if ($2 < prev) mono = 0; prev = $2 }
       END { if (n) print n, s, last, mono }' "$1"
}

# ---- cdf, one line per run ----
mkdir figs
plot sw.db cdf --stat io_latency -o figs/cdf.pdf
for f in figs/cdf.pdf figs/cdf.pdf.gp figs/cdf.pdf.dat; do [ -s $f ] || fail "cdf: no $f"; done
[ "$(head -c 4 figs/cdf.pdf)" = "%PDF" ] || fail "cdf.pdf is not a PDF"
grep -q '^# columns: upper_us cdf ccdf count' figs/cdf.pdf.dat || fail "cdf.dat: no column header"
want=$(q sw.db "SELECT (SELECT count(*) FROM histogram h WHERE h.run_id = s.run_id
                  AND h.component='lpar.db1' AND h.name='io_latency') || ' ' || s.count || ' 1 1'
                FROM statistic s WHERE s.component='lpar.db1' AND s.name='io_latency' ORDER BY s.run_id")
expect_eq "cdf blocks (rows, count, ends at 1, monotone)" "$(blocks figs/cdf.pdf.dat)" "$want"
# ccdf = 1 - cdf on every row
awk '!/^#/ && NF { d = $2 + $3 - 1; if (d > 1e-9 || d < -1e-9) bad = 1 } END { exit bad }' \
    figs/cdf.pdf.dat || fail "ccdf != 1 - cdf"
grep -q "^plot datafile index 0 using 1:2 with lines" figs/cdf.pdf.gp || fail "cdf.gp: plot line"
grep -q "^set logscale x 10" figs/cdf.pdf.gp || fail "cdf: log x is the default"
plot sw.db cdf --stat io_latency --runs 2,5 --linx -o figs/cdf2.pdf
expect_eq "--runs 2,5 blocks" "$(blocks figs/cdf2.pdf.dat | wc -l)" 2
grep -q "^set logscale x" figs/cdf2.pdf.gp && fail "--linx still log"

# ---- cdf, one line per parameter value, histograms summed ----
plot sw.db cdf --stat lpar.db1:io_latency --by rate --ccdf -o figs/by.png
expect_eq "--by labels in numeric order" "$(grep -E '^# rate=' figs/by.png.dat | tr '\n' ' ')" \
    "# rate=40k/s # rate=60k/s # rate=80k/s "
want=$(q sw.db "SELECT sum(s.count) FROM statistic s JOIN param p ON p.run_id = s.run_id
                AND p.name = 'lpars.db1.workload.rate' WHERE s.name = 'io_latency'
                GROUP BY p.value ORDER BY p.value" | tr '\n' ' ')
expect_eq "--by counts" "$(blocks figs/by.png.dat | awk '{ printf "%s ", $2 }')" "$want"
expect_eq "--by ends at 1" "$(blocks figs/by.png.dat | awk '{ printf "%s%s ", $3, $4 }')" "11 11 11 "
grep -q '^set logscale y 10' figs/by.png.gp || fail "--ccdf: no log y"
grep -q 'using 1:(\$3 > 0 ? \$3 : NaN)' figs/by.png.gp || fail "--ccdf: not plotting column 3"

# ---- sweep: means and 95% CIs recomputed here from the scalar rows ----
plot sw.db sweep --x mean --y throughput --series rate -o figs/sweep.svg
grep -q '^# columns: x_us mean_k/s ci95_half_width_k/s n stddev_k/s bar_half_width_k/s x_as_given' figs/sweep.svg.dat ||
    fail "sweep.dat: no column header"
# t(0.975, dof) for dof 1..2 (tables), as used for 95% intervals
want=$(q sw.db "SELECT pr.value, pm.value, s.value FROM scalar s
                JOIN param pr ON pr.run_id = s.run_id AND pr.name = 'lpars.db1.workload.rate'
                JOIN param pm ON pm.run_id = s.run_id AND pm.name = 'systems.s0.adapters.nvme0.service.mean'
                WHERE s.component = 'lpar.db1' AND s.name = 'throughput'" |
  awk -F'|' 'BEGIN { t[1] = 12.7062047362; t[2] = 4.30265272975 }
    { k = $1 "|" $2; n[k]++; s[k] += $3; v[k, n[k]] = $3 }
    END {
      split("40k/s 60k/s 80k/s", R, " "); split("8us 10us", M, " ")
      for (i = 1; i <= 3; i++) for (j = 1; j <= 2; j++) {
        k = R[i] "|" M[j]; if (!n[k]) continue
        m = s[k] / n[k]; ss = 0
        for (r = 1; r <= n[k]; r++) ss += (v[k, r] - m) ^ 2
        ci = n[k] > 1 ? t[n[k] - 1] * sqrt(ss / (n[k] - 1)) / sqrt(n[k]) : "NaN"
        printf "%s %s %.17g %s %d\n", R[i], substr(M[j], 1, length(M[j]) - 2), m / 1000, \
               ci == "NaN" ? ci : sprintf("%.17g", ci / 1000), n[k]
      } }')
got=$(awk '/^# rate=/ { r = substr($2, 6) } !/^#/ && NF { print r, $1, $2, $3, $4 }' figs/sweep.svg.dat)
near "sweep means and CIs" "$got" "$want"
grep -q "^set xlabel 'mean (µs)'" figs/sweep.svg.gp || fail "sweep: x label without unit"
grep -q "^set ylabel 'throughput (k/s)'" figs/sweep.svg.gp || fail "sweep: y not in k/s"
grep -q '<svg' figs/sweep.svg || fail "sweep.svg is not SVG"
plot sw.db sweep --x rate --y lpar.db1:io_latency.p99 -o figs/p99.png
want=$(q sw.db "SELECT printf('%.17g', avg(s.p99) / 1000) FROM statistic s JOIN param p ON p.run_id = s.run_id
                AND p.name = 'lpars.db1.workload.rate' WHERE s.name = 'io_latency'
                GROUP BY p.value ORDER BY CAST(p.value AS INTEGER)")
near "sweep of a statistic column" "$(awk '!/^#/ && NF { print $2 }' figs/p99.png.dat)" "$want"
grep -q "^set ylabel 'io_latency p99 (µs)'" figs/p99.png.gp || fail "p99 y label"

# ---- timeline, with phases from *_start/*_end events ----
run -o tl.db --set stats.sample_interval=5ms
q tl.db "INSERT INTO event(run_id, t_ps, component, kind, detail) VALUES
         (1,  50000000000, 'lpm.db1', 'lpm_start', ''),
         (1,  60000000000, 'lpm.db1', 'lpm_precopy_start', 'round 1'),
         (1, 120000000000, 'lpm.db1', 'lpm_precopy_end', ''),
         (1, 125000000000, 'lpm.db1', 'lpm_blackout_start', ''),
         (1, 140000000000, 'lpm.db1', 'lpm_blackout_end', ''),
         (1, 150000000000, 'lpm.db1', 'lpm_end', ''),
         (1, 170000000000, 'irq.s0', 'irq_rebalance', 'to thread 5'),
         (1, 180000000000, 'switch.db1', 'switch_start', '')"
plot tl.db timeline --series lpar.db1:iops,outstanding -o figs/tl.png
expect_eq "timeline iops rows" "$(awk '/^# iops$/ { on = 1; next } /^#/ { on = 0 } on && NF' figs/tl.png.dat | wc -l)" \
    "$(q tl.db "SELECT count(*) FROM series WHERE name = 'iops'")"
expect_eq "timeline t (ms)" "$(awk '/^# iops$/ { getline; print $1; exit }' figs/tl.png.dat)" \
    "$(q tl.db "SELECT min(t_ps) / 1e9 FROM series WHERE name = 'iops'" | sed 's/\.0$//')"
# a lane per component: the mechanism outlined and shaded behind the
# series, its steps as grey segments named without the mechanism's prefix
for ph in "50, graph 0 to 150" "180, graph 0 to 200"; do
  grep -q "^set object rect from $ph, graph 0\.[0-9]* fc rgb '#000000'" figs/tl.png.gp ||
    fail "timeline: no shade $ph"
done
for ph in "60, graph 0.[0-9]* to 120" "125, graph 0.[0-9]* to 140"; do
  grep -q "^set object rect from $ph, graph 0\.[0-9]* fc rgb '#[0-9a-f]*' fs solid 1" figs/tl.png.gp ||
    fail "timeline: no step $ph"
done
grep -q "^set object rect from 50, graph 0.[0-9]* to 150, graph 0.[0-9]* fs empty" figs/tl.png.gp ||
  fail "timeline: the mechanism is not outlined"
for l in lpm.db1 switch.db1 precopy; do
  grep -q "^set label '$l' at" figs/tl.png.gp || fail "timeline: no label $l"
done
# a step too short for its name: a key inside it, explained below the figure
grep -q "^set label 'a' at 132.5, graph" figs/tl.png.gp && grep -q "^set label 'a: blackout' at screen" figs/tl.png.gp ||
  fail "timeline: blackout not keyed"
# the point event (not the phases' own start/end) is a numbered line, explained in the key
expect_eq "timeline event lines" "$(grep -c '^set arrow from .* nohead' figs/tl.png.gp)" 1
grep -q "^set label '1' at 170, graph" figs/tl.png.gp || fail "timeline: event not numbered"
grep -q "^set label '1: irq_rebalance (irq.s0) — to thread 5' at screen" figs/tl.png.gp ||
  fail "timeline: no key line for the event"
grep -q "axes x1y2 title 'outstanding'" figs/tl.png.gp || fail "timeline: second unit not on y2"
expect_eq "ambiguous run" "$("$LPARSIM" plot sw.db timeline --series iops -o x.png 2>&1 || true)" \
    "lparsim plot: error: sw.db holds 13 runs (1-13): choose one with --run ID"

# ---- formats ----
for ext in pdf png svg tex; do
  plot tl.db timeline --series iops -o fmt/f.$ext
  [ -s fmt/f.$ext ] || fail "format $ext: empty figure"
done
[ -s fmt/f.pdf ] || fail "tex: no graphics PDF beside it"   # cairolatex writes f.pdf too
grep -q 'includegraphics.*{f}' fmt/f.tex || fail "tex: graphics not referenced by bare name"
[ "$(head -c 8 fmt/f.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "png signature"

# ---- provenance ----
sha=$(sha256sum sw.db | cut -d' ' -f1)
version=$("$LPARSIM" --version | cut -d' ' -f2)
for k in "lparsim version: $version" "database:        $(realpath sw.db)" "database sha256: $sha" \
         "runs:            1-13" "command:         lparsim plot sw.db cdf --stat io_latency -o figs/cdf.pdf"; do
  grep -qF "# $k" figs/cdf.pdf.gp || fail "provenance: no '$k' in cdf.gp"
done
grep -q '^#   SELECT run_id, upper, sum(count), min(lower) FROM histogram' figs/cdf.pdf.gp ||
    fail "provenance: query missing"
grep -aq "/Subject (lparsim $version plot: CDF" figs/cdf.pdf || fail "pdf: no metadata"
grep -aq "database sha256: $sha" figs/cdf.pdf || fail "pdf: no hash in metadata"
grep -aq "tEXtDescription.lparsim $version plot" figs/by.png || fail "png: no text chunk metadata"
grep -q "database sha256: $sha" figs/sweep.svg || fail "svg: no provenance in <desc>"
grep -q '^% database sha256: ' fmt/f.tex || fail "tex: no provenance comment"

# ---- `gnuplot X.gp` alone regenerates the figure, from any directory ----
rm figs/cdf.pdf figs/tl.png figs/sweep.svg
(cd / && gnuplot "$WORK/figs/cdf.pdf.gp")
(cd "$WORK" && gnuplot figs/tl.png.gp)
(cd "$WORK/figs" && gnuplot sweep.svg.gp)
[ "$(head -c 4 figs/cdf.pdf)" = "%PDF" ] || fail "gnuplot cdf.gp did not regenerate cdf.pdf"
[ -s figs/tl.png ] || fail "gnuplot figs/tl.gp did not regenerate tl.png"
[ -s figs/sweep.svg ] || fail "gnuplot sweep.gp did not regenerate sweep.svg"
# the script finds its data through its own path (ARG0), so the pair can move
mkdir moved && cp figs/sweep.svg.gp figs/sweep.svg.dat moved/
(cd / && gnuplot "$WORK/moved/sweep.svg.gp")
[ -s moved/sweep.svg ] || fail "a moved .gp/.dat pair did not render beside itself"

# ---- errors ----
err() { "$LPARSIM" plot "$@" 2>&1 >/dev/null && echo "exit 0" || echo "exit $?"; }
expect_eq "misspelt statistic" "$(err sw.db cdf --stat io_latncy -o x.pdf)" \
    "lparsim plot: error: no statistic 'io_latncy' in sw.db (did you mean 'io_latency'?)
exit 2"
expect_eq "misspelt series" "$(err tl.db timeline --series iopz -o x.pdf)" \
    "lparsim plot: error: no series 'iopz' in tl.db (did you mean 'iops'?)
exit 2"
expect_eq "misspelt param" "$(err sw.db sweep --x rte --y throughput -o x.pdf)" \
    "lparsim plot: error: no parameter 'rte' in sw.db (did you mean 'rate'?)
exit 2"
expect_eq "wrong component" "$(err sw.db cdf --stat lpar.db2:io_latency -o x.pdf)" \
    "lparsim plot: error: no statistic 'io_latency' for component 'lpar.db2' in sw.db (did you mean 'lpar.db1'?)
exit 2"
expect_eq "unknown run" "$(err sw.db cdf --stat io_latency --runs 1,99 -o x.pdf)" \
    "lparsim plot: error: no run 99 in sw.db (runs: 1-13)
exit 2"
expect_eq "format" "$(err sw.db cdf --stat io_latency -o x.eps)" \
    "lparsim plot: error: cannot tell the figure format of 'x.eps' (use .pdf, .png, .svg or .tex)
exit 2"
[ ! -e x.pdf ] && [ ! -e x.pdf.gp ] || fail "a bad command line wrote files"

# gnuplot missing: a clear error, exit 1, the script and data still written
out=$(env -u LPARSIM_GNUPLOT PATH=/nonexistent "$LPARSIM" plot sw.db cdf --stat io_latency \
      -o nognu/a.pdf 2>&1 >/dev/null) && fail "no gnuplot: exit 0" || rc=$?
expect_eq "no gnuplot: exit" "$rc" 1
case $out in "lparsim plot: error: gnuplot not found: install gnuplot"*) ;;
  *) fail "no gnuplot: message '$out'" ;; esac
[ -s nognu/a.pdf.gp ] && [ -s nognu/a.pdf.dat ] && [ ! -e nognu/a.pdf ] || fail "no gnuplot: files"

# a failing render leaves the previous figure untouched and no temp files
cp figs/tl.png old.png
LPARSIM_GNUPLOT=false "$LPARSIM" plot tl.db timeline --series iops -o figs/tl.png 2>/dev/null &&
    fail "failing gnuplot: exit 0" || rc=$?
expect_eq "failing gnuplot: exit" "$rc" 1
cmp -s old.png figs/tl.png || fail "failing render replaced the figure"
expect_eq "temp files left" "$(ls -A figs fmt | grep '^\.' || true)" ""
echo ok
