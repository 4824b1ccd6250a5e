# A scenario's `expect:` section, end to end: checked at the end of every
# run; a miss gives status check_failed with every row written, a message
# naming the expression and the measured value, and exit 3; a metric the
# scenario cannot produce, or a glob that matches nothing, is a located
# error from `check` (and `run`, before anything is written); `sweep`
# lists the points that missed and `report` shows them; `--resume` counts
# them as done; a scenario without `expect:` keeps its run_key (its
# canonical text has no expect).
source "$(dirname "$0")/lib.bash"

MM1=$SRC/scenarios/validation/mm1.yaml
mk() { # mk FILE EXPR...
  local f=$1; shift
  cp "$MM1" "$f"
  printf 'expect:\n' >> "$f"
  for e in "$@"; do printf '  - "%s"\n' "$e" >> "$f"; done
}
RUN=(--set duration=200ms --set warmup=20ms -q --progress never)

# holds: exit 0, status ok
mk ok.yaml "lpar.*.ios_lost == 0" "lpar.db1.io_latency.p99 < 10ms" "lpar.db1.throughput > 60k/s"
"$LPARSIM" run ok.yaml "${RUN[@]}" -o ok.db || fail "run with expectations that hold exited $?"
expect_eq "status" "$(q ok.db 'SELECT status FROM run')" ok

# misses: exit 3, check_failed, the message, and every row written
mk miss.yaml "lpar.*.ios_lost == 0" "lpar.db1.io_latency.p99 < 20us"
rc=0; "$LPARSIM" run miss.yaml --set duration=200ms --set warmup=20ms --progress never \
  -o miss.db > out.txt || rc=$?
expect_eq "miss: exit status" "$rc" 3
expect_eq "status" "$(q miss.db 'SELECT status FROM run')" check_failed
p99=$(q miss.db "SELECT p99 FROM statistic WHERE component='lpar.db1' AND name='io_latency'")
shown=$(awk -v v="$p99" 'BEGIN { printf "%.4g us", v / 1000 }')
expect_eq "error" "$(q miss.db 'SELECT error FROM run')" \
  "expect 'lpar.db1.io_latency.p99 < 20us' missed: lpar.db1 io_latency.p99 = $shown"
grep -q "^run CHECK_FAILED: " out.txt || fail "summary: $(cat out.txt)"
grep -q "^  error: expect 'lpar.db1.io_latency.p99 < 20us' missed" out.txt || fail "summary error"
for t in scalar statistic histogram series; do
  expect_eq "$t rows of a missed run" "$(q miss.db "SELECT count(*) FROM $t")" \
    "$(q ok.db "SELECT count(*) FROM $t")"
done

# a metric the scenario cannot produce: located, exit 2, nothing written
mk bad.yaml "lpar.db1.ios_lost == 0" "lpar.db1.io_latncy.p99 < 1ms"
line=$(grep -n 'io_latncy' bad.yaml | cut -d: -f1)
for cmd in check run; do
  rc=0
  if [ $cmd = run ]; then "$LPARSIM" run bad.yaml -o bad.db > /dev/null 2> err.txt || rc=$?
  else "$LPARSIM" check bad.yaml > /dev/null 2> err.txt || rc=$?; fi
  expect_eq "$cmd bad metric: exit" "$rc" 2
  expect_eq "$cmd bad metric" "$(cat err.txt)" \
    "bad.yaml:$line:5: error: expect: 'lpar.db1' records no metric 'io_latncy' (did you mean 'io_latency'?)"
done
[ ! -e bad.db ] || fail "a bad expectation wrote bad.db"
mk glob.yaml "lpar.web*.ios_lost == 0"
line=$(grep -n 'lpar.web' glob.yaml | cut -d: -f1)
rc=0; "$LPARSIM" check glob.yaml > /dev/null 2> err.txt || rc=$?
expect_eq "glob matching nothing: exit" "$rc" 2
grep -q "^glob.yaml:$line:5: error: expect: no component of this scenario matches 'lpar.web\*'" \
  err.txt || fail "glob: $(cat err.txt)"

# sweep: the points that missed are listed, report shows them, --resume
# counts them as done
mk sw.yaml "lpar.db1.io_latency.p99 < 150us"
rc=0; "$LPARSIM" sweep sw.yaml --set duration=200ms --set warmup=20ms --progress never \
  --vary lpars.db1.workload.rate=40k/s,80k/s --reps 2 -j 2 -o sw.db > s.txt 2> e.txt || rc=$?
expect_eq "sweep: exit" "$rc" 3
grep -q '^sweep mm1: 4 runs (2 points x 2 reps): 2 ok, 2 check_failed' s.txt || fail "$(cat s.txt)"
grep -q '^missed a check (status check_failed): 2 runs of 1 point:$' s.txt || fail "$(cat s.txt)"
grep -qE "^  point 1 \(lpars.db1.workload.rate=80k/s\), reps 0,1: expect 'lpar.db1.io_latency.p99 < 150us' missed: lpar.db1 io_latency.p99 = [0-9.]+ us$" \
  s.txt || fail "sweep list: $(cat s.txt)"
expect_eq "points" "$(q sw.db "SELECT group_concat(point || ':' || status, ' ') FROM
  (SELECT point, status FROM run ORDER BY point, rep)")" "0:ok 0:ok 1:check_failed 1:check_failed"
"$LPARSIM" report sw.db > r.txt
grep -q '^runs that missed a check (status check_failed): 2 runs$' r.txt || fail "$(cat r.txt)"
grep -qE "^  point 1 \(rate=80k/s\) runs [0-9]+ \(rep [01]\), [0-9]+ \(rep [01]\): expect 'lpar.db1.io_latency.p99 < 150us' missed" \
  r.txt || fail "report: $(cat r.txt)"
"$LPARSIM" sweep sw.yaml --set duration=200ms --set warmup=20ms --progress never \
  --vary lpars.db1.workload.rate=40k/s,80k/s --reps 2 -o sw.db --resume > s.txt
grep -q 'nothing to run: all 4 runs are already done' s.txt || fail "resume: $(cat s.txt)"

# no expect: nothing of it in the canonical text, so run keys stay as they were
"$LPARSIM" check "$MM1" > c.txt
grep -q '^expect' c.txt && fail "a scenario without expect: prints one"
"$LPARSIM" check ok.yaml > c.txt
grep -q '^  - "lpar.db1.io_latency.p99 < 10ms"$' c.txt || fail "check does not show expect:"
echo ok
