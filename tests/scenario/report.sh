# `lparsim report` shows what a researcher looks at first, in a few lines:
# for one run, per LPAR the io_latency mean/p50/p99 with their units, IOPS
# and the I/O counts (an abstract-path run's hundreds of idle CPU threads
# come only with --all or --component); for a sweep, one row per point and
# LPAR with the mean and 95% CI over its reps, equal to values computed
# here from the statistic rows. --run, --component and --format csv select.
# The run summary shows p50/p99 with units and no exponent.
source "$(dirname "$0")/lib.bash"

MM1=$SRC/scenarios/validation/mm1.yaml
SET=(--set duration=200ms --set warmup=20ms --progress never)

# one run of the abstract-path baseline: the headline, not the idle threads
"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" "${SET[@]}" \
  --set systems.s0.adapters.nvme0.path=abstract -o one.db > run.txt
"$LPARSIM" report one.db > r.txt
[ "$(wc -l < r.txt)" -le 8 ] || fail "report of one run: $(wc -l < r.txt) lines"
grep -q '^  lpar  *io_latency mean  *p50  *p99  *IOPS  *issued  *completed  *failed  *retried  *lost$' r.txt ||
  fail "no LPAR headline: $(cat r.txt)"
grep -qE '^  db1 +[0-9.]+ us +[0-9.]+ us +[0-9.]+ us +[0-9.]+ k/s ' r.txt || fail "db1 row: $(cat r.txt)"
grep -q 's0.cpu.t' r.txt && fail "the headline lists CPU threads"
"$LPARSIM" report one.db --component 's0.cpu.t1*' > c.txt
grep -q 's0.cpu.t10 ' c.txt && ! grep -q 'lpar.db1' c.txt || fail "--component: $(head c.txt)"
# the summary line: units on every latency, no exponent
grep -E '^  lpar.db1 +io_latency mean [0-9.]+ (ns|us|ms) +p50 [0-9.]+ (ns|us|ms) +p99 [0-9.]+ (ns|us|ms) ' \
  run.txt > /dev/null || fail "summary: $(cat run.txt)"
grep -q 'e+0' run.txt && fail "summary with an exponent: $(cat run.txt)"

# a sweep: one row per point, mean ± CI over the reps
"$LPARSIM" sweep "$MM1" "${SET[@]}" --vary lpars.db1.workload.rate=40k/s,80k/s --reps 3 -j 2 \
  -o sw.db -q
"$LPARSIM" report sw.db > r.txt
grep -q '^sw.db: 6 runs in 2 points: 6 ok, 0 check_failed, 0 failed$' r.txt || fail "$(cat r.txt)"
[ "$(wc -l < r.txt)" -le 8 ] || fail "report of a sweep: $(wc -l < r.txt) lines"
# the mean latency of point 1 over its reps, and its 95% half-width
want=$(q sw.db "SELECT s.mean FROM statistic s JOIN run r ON r.run_id = s.run_id
                WHERE r.point = 1 AND s.component = 'lpar.db1' AND s.name = 'io_latency'" |
  awk '{ x[NR] = $1; m += $1 } END { m /= NR; for (i = 1; i <= NR; i++) v += (x[i] - m) ^ 2
         printf "%.4g ± %.2g us", m / 1000, 4.30265272975 * sqrt(v / (NR - 1)) / sqrt(NR) / 1000 }')
grep -q "^1 rate=80k/s  db1  *3  *$want " r.txt || fail "point 1: want '$want' in $(cat r.txt)"
# --run: that run's block; csv: only its rows
"$LPARSIM" report sw.db --run 4 > r.txt
grep -q '^run 4  ok  scenario mm1  point 1  rep ' r.txt || fail "--run 4: $(cat r.txt)"
"$LPARSIM" report sw.db --run 2 --format csv --component lpar.db1 > r.csv
expect_eq "csv runs" "$(tail -n +2 r.csv | cut -d, -f1 | sort -u)" 2
grep -q ',s0\.' r.csv && fail "--component lpar.db1 kept s0 rows"
rc=0; "$LPARSIM" report sw.db --run 99 > /dev/null 2> e.txt || rc=$?
expect_eq "--run 99: exit" "$rc" 2
expect_eq "--run 99" "$(cat e.txt)" \
  "sw.db: error: no run 99 (the database holds 6 runs; \`lparsim report DB\` lists them)"
echo ok
