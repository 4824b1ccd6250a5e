# A run that fails does not stop the sweep: it is recorded with status
# failed and its error, the other runs complete, and the exit status is 1.
# The failure is a worker that dies (abort) on one point, injected with the
# test hook LPARSIM_TEST_WORKER_ABORT=PATH=VALUE (the models have no input
# that fails at run time: bad input is refused before anything runs).
# --resume then reruns only the failed runs.
source "$(dirname "$0")/lib.bash"

scn=$SRC/scenarios/validation/mm1.yaml
sweep=(sweep "$scn" --set duration=100ms --set warmup=10ms --reps 2
       --vary lpars.db1.workload.rate=50k/s,60k/s
       --vary systems.s0.adapters.nvme0.servers=1,2 -j 2 --progress never)

set +e
LPARSIM_TEST_WORKER_ABORT=systems.s0.adapters.nvme0.servers=2 \
  "$LPARSIM" "${sweep[@]}" -o f.db > out.txt 2> err.txt
rc=$?
set -e
expect_eq "exit status" "$rc" 1
expect_eq "runs" "$(q f.db "SELECT count(*) FROM run")" 8
expect_eq "ok runs" "$(q f.db "SELECT count(*) FROM run WHERE status = 'ok'")" 4
expect_eq "failed runs" "$(q f.db "SELECT count(*) FROM run JOIN param USING(run_id)
    WHERE status = 'failed' AND name = 'systems.s0.adapters.nvme0.servers' AND value = '2'")" 4
expect_eq "error" "$(q f.db "SELECT DISTINCT error FROM run WHERE status = 'failed'")" \
  "worker killed by signal 6 (Aborted)"
expect_eq "failed runs keep their params" "$(q f.db "SELECT count(*) FROM param JOIN run
    USING(run_id) WHERE status = 'failed'")" 20
grep -q '4 ok, 0 check_failed, 4 failed' out.txt || fail "summary: $(cat out.txt)"
expect_eq "failure lines" "$(grep -c 'failed: worker killed by signal 6' err.txt)" 4

# --resume reruns the failed runs only (the hook is off now).
"$LPARSIM" "${sweep[@]}" -o f.db --resume > out.txt || fail "resume exited $?"
grep -q '4 ok, 0 check_failed, 0 failed, 4 skipped' out.txt || fail "resume summary: $(cat out.txt)"
expect_eq "ok after resume" "$(q f.db "SELECT count(*) FROM run WHERE status = 'ok'")" 8
expect_eq "runs after resume" "$(q f.db "SELECT count(*) FROM run")" 8
echo ok
