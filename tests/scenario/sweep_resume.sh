# Reliability: a sweep killed with kill -9 mid-way and rerun with --resume ends
# with every run exactly once: the same 18 run_keys as an uninterrupted
# sweep, none duplicated, no child row without its run, and the workers of
# the killed sweep gone with it (PR_SET_PDEATHSIG: the runs under way roll
# back instead of finishing). The kill waits for the
# first committed run, so it lands mid-sweep; only outcomes are asserted.
source "$(dirname "$0")/lib.bash"

scn=$SRC/scenarios/validation/mm1.yaml
# long enough per run (tens of ms to seconds) that 18 runs outlast the kill
sweep=(sweep "$scn" --set duration=10s --set warmup=10ms --set stats.sample_interval=10ms
       --reps 3 --vary lpars.db1.workload.rate=50k/s,60k/s,70k/s
       --vary systems.s0.adapters.nvme0.servers=1,2 -j 2 -q --progress never)

count() { q "$1" "SELECT count(*) FROM run" 2>/dev/null || echo 0; }

"$LPARSIM" "${sweep[@]}" -o "$WORK/killed.db" &
pid=$!
for _ in $(seq 1 2400); do # at most 2 minutes
  [ "$(count "$WORK/killed.db")" -ge 1 ] && break
  kill -0 $pid 2> /dev/null || break
  sleep 0.05
done
kill -9 $pid 2> /dev/null || fail "the sweep finished before it could be killed"
wait $pid 2> /dev/null || true
at_kill=$(count "$WORK/killed.db")
[ "$at_kill" -ge 1 ] || fail "no run was committed before the kill"

# The workers die with their parent (they are forks: same command line).
for _ in $(seq 1 100); do
  pgrep -f -- "$WORK/killed.db" > /dev/null || break
  sleep 0.1
done
! pgrep -f -- "$WORK/killed.db" > /dev/null || fail "workers outlived the killed sweep"
# Killed with their parent, the workers under way commit nothing more; a
# worker already inside COMMIT when the parent died may still complete that
# one commit before its SIGKILL lands, so at most the -j 2 runs in flight.
after=$(count "$WORK/killed.db")
[ "$after" -le $((at_kill + 2)) ] || fail "$((after - at_kill)) runs committed after the kill (-j 2)"
[ "$after" -lt 18 ] || fail "all 18 runs exist after the kill: it did not land mid-sweep"

"$LPARSIM" "${sweep[@]}" -o "$WORK/killed.db" --resume || fail "resume exited $?"
"$LPARSIM" "${sweep[@]}" -o "$WORK/full.db" || fail "full sweep exited $?"

q "$WORK/killed.db" "SELECT run_key FROM run ORDER BY run_key" > resumed.keys
q "$WORK/full.db" "SELECT run_key FROM run ORDER BY run_key" > full.keys
expect_eq "runs after resume" "$(wc -l < resumed.keys)" 18
cmp -s resumed.keys full.keys || fail "run_keys differ from the uninterrupted sweep"
expect_eq "duplicates" "$(q "$WORK/killed.db" "SELECT count(*) - count(DISTINCT run_key) FROM run")" 0
expect_eq "not ok" "$(q "$WORK/killed.db" "SELECT count(*) FROM run WHERE status <> 'ok'")" 0
for t in param scalar statistic histogram series event; do
  expect_eq "$t orphans" "$(q "$WORK/killed.db" "SELECT count(*) FROM $t
      WHERE run_id NOT IN (SELECT run_id FROM run)")" 0
  expect_eq "$t rows" "$(q "$WORK/killed.db" "SELECT count(*) FROM $t")" \
                      "$(q "$WORK/full.db" "SELECT count(*) FROM $t")"
done
echo ok
