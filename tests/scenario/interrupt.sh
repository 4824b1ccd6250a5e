# Ctrl-C, without timing anything: test hooks raise SIGINT at a point of
# simulated time (LPARSIM_TEST_INTERRUPT_AT) or in the worker of one sweep
# point, which also signals the sweep (LPARSIM_TEST_WORKER_INTERRUPT), as a
# Ctrl-C in a terminal reaches the whole process group. `run` says it was
# interrupted, exits 130 and writes nothing (no new database, no row in an
# existing one); `sweep` keeps the finished runs, writes nothing for the
# interrupted one, says so, exits 130, and --resume completes it.
source "$(dirname "$0")/lib.bash"

MM1=$SRC/scenarios/validation/mm1.yaml
SET=(--set duration=100ms --set warmup=10ms --progress never)

rc=0
LPARSIM_TEST_INTERRUPT_AT=50ms "$LPARSIM" run "$MM1" "${SET[@]}" -o r.db > out.txt 2> err.txt ||
  rc=$?
expect_eq "run: exit status" "$rc" 130
expect_eq "run: message" "$(cat err.txt)" \
  "lparsim run: interrupted (Ctrl-C) at 50 ms of 100 ms simulated; nothing written to r.db"
expect_eq "run: stdout" "$(cat out.txt)" ""
[ ! -e r.db ] || fail "an interrupted run created r.db"
"$LPARSIM" run "$MM1" "${SET[@]}" -o r.db -q --seed 1
rc=0
LPARSIM_TEST_INTERRUPT_AT=50ms "$LPARSIM" run "$MM1" "${SET[@]}" -o r.db -q --seed 2 2>/dev/null ||
  rc=$?
expect_eq "run into an existing database: exit status" "$rc" 130
expect_eq "runs kept" "$(q r.db 'SELECT group_concat(seed) FROM run')" 1

# a sweep of 4 points x 2 reps on one worker, interrupted in point 2
VARY=(--vary lpars.db1.workload.rate=40k/s,50k/s,60k/s,70k/s --reps 2)
rc=0
LPARSIM_TEST_WORKER_INTERRUPT=lpars.db1.workload.rate=60k/s \
  "$LPARSIM" sweep "$MM1" "${SET[@]}" "${VARY[@]}" -o s.db > out.txt 2> err.txt || rc=$?
expect_eq "sweep: exit status" "$rc" 130
expect_eq "sweep: message" "$(cat err.txt)" \
  "lparsim sweep: interrupted (Ctrl-C): 4 of 8 runs done and kept in s.db, 1 under way stopped (nothing written for it), 3 not started; rerun with --resume to finish"
expect_eq "finished runs kept, the interrupted one not written" \
  "$(q s.db "SELECT group_concat(point || '/' || rep || ':' || status, ' ') FROM
             (SELECT * FROM run ORDER BY point, rep)")" "0/0:ok 0/1:ok 1/0:ok 1/1:ok"
"$LPARSIM" sweep "$MM1" "${SET[@]}" "${VARY[@]}" -o s.db --resume > out.txt
grep -q '^sweep mm1: 8 runs (4 points x 2 reps): 4 ok, 0 check_failed, 0 failed, 4 skipped' \
  out.txt || fail "resume: $(cat out.txt)"
expect_eq "every run once" "$(q s.db 'SELECT count(DISTINCT run_key) || count(*) FROM run')" 88
echo ok
