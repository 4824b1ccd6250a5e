# A named timeline item can be moved by a sweep (`timeline.NAME.at`) or by
# --set: the action then fires at the swept time. Here a `set` doubles a
# constant-rate storage load at `at`, so the I/Os issued are
# r0 x at + r1 x (duration - at) for each point of the sweep. A name
# the timeline lacks, or an `at` past the run, is refused (exit 2).
source "$(dirname "$0")/lib.bash"

cat > name.yaml <<'YAML'
name: timeline-name
seed: 9
duration: 1s
systems:
  - name: s0
    adapters:
      - name: nvme0
        kind: storage
        vfs: 2
        servers: 4
        service: {dist: constant, mean: 20us}
lpars:
  - name: db1
    system: s0
    adapter: nvme0
    workload: {kind: storage, rate: 10k/s, arrivals: constant}
timeline:
  - {name: surge, at: 500ms, action: set, path: lpars.db1.workload.rate, value: 20k/s}
YAML
"$LPARSIM" sweep name.yaml --vary timeline.surge.at=200ms,400ms,800ms -o sweep.db > /dev/null 2>&1 ||
  fail "sweep exited $?"
for at in 200 400 800; do
  got=$(q sweep.db "SELECT e.t_ps || ' ' || CAST(s.value AS INTEGER) FROM param p
    JOIN event e USING (run_id) JOIN scalar s USING (run_id)
    WHERE p.name = 'timeline.surge.at' AND p.value = '${at}ms' AND e.kind = 'set'
    AND s.component = 'lpar.db1' AND s.name = 'ios_issued'")
  read -r t issued <<< "$got"
  expect_eq "surge at ${at}ms: fired at" "$t" "${at}000000000"
  want=$(( 10 * at + 20 * (1000 - at) ))
  [ $(( issued - want )) -le 2 ] && [ $(( want - issued )) -le 2 ] ||
    fail "surge at ${at}ms: $issued I/Os issued, want $want +- 2"
done

"$LPARSIM" run name.yaml -q --progress never --set timeline.surge.at=250ms -o one.db || fail "run exited $?"
expect_eq "--set timeline.surge.at" "$(q one.db "SELECT t_ps FROM event WHERE kind = 'set'")" 250000000000

for bad in timeline.surge.at=2s timeline.surg.at=100ms; do
  set +e
  "$LPARSIM" run name.yaml -q --progress never --set "$bad" -o bad.db 2> err.txt
  rc=$?
  set -e
  expect_eq "--set $bad: exit" "$rc" 2
  [ ! -e bad.db ] || fail "--set $bad wrote a database"
done
grep -q "did you mean 'surge'" err.txt || fail "no did-you-mean for timeline.surg: $(cat err.txt)"
echo ok
