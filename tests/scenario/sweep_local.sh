# `lparsim sweep` on local workers (acceptance): 2 varied parameters (3 and
# 2 values) x 3 reps with -j 2 on the M/M/1 scenario end with 18 ok runs in
# one database, each with its varied values, --set values and seed in
# `param`; seeds are common random numbers (rep r has the same seed at
# every point); a rerun without --resume replaces rather than duplicates;
# --vary replaces the scenario's sweep.vary list for a path.
source "$(dirname "$0")/lib.bash"

for c in sweep merge export; do
  "$LPARSIM" "$c" --help > h.txt || fail "$c --help failed"
  grep -q "^usage: lparsim $c" h.txt || fail "$c --help has no usage line"
done

scn=$SRC/scenarios/validation/mm1.yaml
sweep=(sweep "$scn" --set duration=200ms --set warmup=20ms --reps 3
       --vary lpars.db1.workload.rate=50k/s,60k/s,70k/s
       --vary systems.s0.adapters.nvme0.servers=1,2 --progress never)

"$LPARSIM" "${sweep[@]}" -j 2 -o s.db > out.txt || fail "sweep exited $?: $(cat out.txt)"
expect_eq "ok runs" "$(q s.db "SELECT count(*) FROM run WHERE status = 'ok'")" 18
expect_eq "runs" "$(q s.db "SELECT count(*) FROM run")" 18
expect_eq "distinct keys" "$(q s.db "SELECT count(DISTINCT run_key) FROM run")" 18
grep -q '^sweep mm1: 18 runs (6 points x 3 reps): 18 ok, 0 check_failed, 0 failed, 0 skipped' out.txt \
  || fail "summary: $(cat out.txt)"
grep -qx 'results: s.db' out.txt || fail "summary lacks the database: $(cat out.txt)"

# Every run records seed, the --set values and its point: 5 params each,
# and the 6 points x 3 reps are all there.
expect_eq "params per run" "$(q s.db "SELECT DISTINCT count(*) FROM param GROUP BY run_id")" 5
expect_eq "points x reps" "$(q s.db "SELECT count(DISTINCT a.value || '/' || b.value || '/' || rep)
    FROM run JOIN param a USING(run_id) JOIN param b USING(run_id)
    WHERE a.name = 'lpars.db1.workload.rate' AND b.name = 'systems.s0.adapters.nvme0.servers'")" 18
expect_eq "duration param" "$(q s.db "SELECT DISTINCT value FROM param WHERE name = 'duration'")" 200ms
expect_eq "param seed = run seed" "$(q s.db "SELECT count(*) FROM run JOIN param p USING(run_id)
    WHERE p.name = 'seed' AND p.value = CAST(run.seed AS TEXT)")" 18
# common random numbers: one seed per rep across the 6 points, rep 0 the file's
expect_eq "seeds per rep" "$(q s.db "SELECT group_concat(n) FROM (SELECT count(DISTINCT seed) n
    FROM run GROUP BY rep)")" "1,1,1"
expect_eq "distinct seeds" "$(q s.db "SELECT count(DISTINCT seed) FROM run")" 3
expect_eq "rep 0 seed" "$(q s.db "SELECT DISTINCT seed FROM run WHERE rep = 0")" 1
# ... and different points do give different results for the same seed
expect_eq "distinct means" "$(q s.db "SELECT count(DISTINCT mean) FROM statistic
    WHERE name = 'io_latency'")" 18

# Rerun without --resume: everything runs again and replaces its row.
"$LPARSIM" "${sweep[@]}" -j 2 -o s.db -q || fail "second sweep exited $?"
expect_eq "runs after rerun" "$(q s.db "SELECT count(*) FROM run")" 18
expect_eq "params after rerun" "$(q s.db "SELECT count(*) FROM param")" 90
# --resume with everything done runs nothing.
"$LPARSIM" "${sweep[@]}" -o s.db --resume > r.txt || fail "resume exited $?"
grep -q 'nothing to run: all 18 runs are already done' r.txt || fail "resume: $(cat r.txt)"

# --independent-seeds: every run its own seed.
"$LPARSIM" "${sweep[@]}" -j 2 -o i.db -q --independent-seeds || fail "independent sweep exited $?"
expect_eq "independent seeds" "$(q i.db "SELECT count(DISTINCT seed) FROM run")" 18

# The scenario's own sweep section, with one list replaced on the command line.
cp "$scn" v.yaml
printf 'sweep:\n  reps: 2\n  vary:\n    systems.s0.adapters.nvme0.servers: [1, 2, 3]\n    seed: [5, 6]\n' >> v.yaml
"$LPARSIM" sweep v.yaml --set duration=100ms --set warmup=10ms -o v.db -q \
  || fail "scenario sweep exited $?"
expect_eq "scenario sweep runs" "$(q v.db "SELECT count(*) FROM run")" 12
expect_eq "varied seeds" "$(q v.db "SELECT group_concat(DISTINCT seed) FROM run WHERE rep = 0")" "5,6"
"$LPARSIM" sweep v.yaml --set duration=100ms --set warmup=10ms -o w.db -q \
    --vary systems.s0.adapters.nvme0.servers=4 --reps 1 || fail "--vary sweep exited $?"
expect_eq "replaced axis" "$(q w.db "SELECT group_concat(DISTINCT value) FROM param
    WHERE name = 'systems.s0.adapters.nvme0.servers'")" 4
expect_eq "runs with --vary" "$(q w.db "SELECT count(*) FROM run")" 2

# The default database is results/<name>.db.
"$LPARSIM" sweep "$scn" --set duration=50ms --set warmup=5ms --vary seed=1,2 -q \
  || fail "default-db sweep exited $?"
expect_eq "default db" "$(q results/mm1.db "SELECT count(*) FROM run")" 2
echo ok
