# `sweep --emit-slurm DIR` without Slurm: it runs nothing, writes tasks.txt
# (one line per run not yet done), an executable sweep.sbatch for the whole
# array and merge.sh; running each array task with plain bash (as Slurm
# would, with SLURM_ARRAY_TASK_ID) and then merge.sh gives the same
# run_keys, params and statistics as the local sweep. The real Slurm run is
# tests/scenario/slurm_sweep.sh.
source "$(dirname "$0")/lib.bash"

scn=$SRC/scenarios/validation/mm1.yaml
sweep=(sweep "$scn" --set duration=100ms --set warmup=10ms --reps 2
       --vary lpars.db1.workload.rate=50k/s,60k/s,70k/s --vary seed=3,4 --progress never)

set +e
"$LPARSIM" "${sweep[@]}" -o all.db --emit-slurm "$WORK/slurm dir" > out.txt 2> err.txt
rc=$?
set -e
expect_eq "DIR with a space: exit status" "$rc" 2
grep -q "Slurm's #SBATCH lines cannot hold" err.txt || fail "DIR with a space: $(cat err.txt)"
[ ! -e "$WORK/slurm dir" ] || fail "DIR with a space was created"
"$LPARSIM" "${sweep[@]}" -o all.db --emit-slurm slurm --slurm-max-parallel 3 > out.txt \
  || fail "emit exited $?"
[ ! -e all.db ] || fail "--emit-slurm ran something"
d=$WORK/slurm
expect_eq "tasks" "$(wc -l < slurm/tasks.txt)" 12
grep -qx '#!/bin/bash' <(head -1 slurm/sweep.sbatch) || fail "sbatch has no shebang"
grep -qx '#SBATCH --array=1-12%3' slurm/sweep.sbatch || fail "array line: $(grep array slurm/sweep.sbatch)"
grep -qx '#SBATCH --job-name=lparsim-mm1' slurm/sweep.sbatch || fail "job name"
grep -qx "#SBATCH --output=$d/logs/%A_%a.out" slurm/sweep.sbatch || fail "output line"
grep -qx '#SBATCH --ntasks=1' slurm/sweep.sbatch || fail "ntasks line"
[ -x slurm/sweep.sbatch ] && [ -x slurm/merge.sh ] || fail "scripts are not executable"
[ -d slurm/logs ] && [ -d slurm/results ] || fail "logs/ and results/ not created"
grep -q "sbatch $d/sweep.sbatch" out.txt || fail "no submit hint: $(cat out.txt)"
# absolute paths: the tasks run from anywhere
grep -v "^/[^ ]*lparsim run /" slurm/tasks.txt && fail "a task line is not absolute"
expect_eq "task outputs" "$(grep -c -- " -o $d/results/task-[0-9]*.db -q --progress never$" \
  slurm/tasks.txt)" 12

mkdir elsewhere && cd elsewhere
for i in $(seq 1 12); do
  SLURM_ARRAY_TASK_ID=$i bash "$d/sweep.sbatch" || fail "task $i exited $?"
done
bash "$d/merge.sh" > /dev/null || fail "merge.sh exited $?"
cd "$WORK"
[ -f all.db ] || fail "merge.sh did not write the sweep's database"

"$LPARSIM" "${sweep[@]}" -o local.db -j 2 -q || fail "local sweep exited $?"
for sql in "SELECT run_key, rep, seed FROM run ORDER BY run_key" \
           "SELECT r.run_key, p.name, p.value FROM param p JOIN run r USING(run_id) ORDER BY 1, 2" \
           "SELECT r.run_key, s.name, s.count, s.mean, s.p99 FROM statistic s JOIN run r USING(run_id) ORDER BY 1, 2"; do
  [ "$(q all.db "$sql")" = "$(q local.db "$sql")" ] || fail "differs from the local sweep: $sql"
done
expect_eq "runs" "$(q all.db "SELECT count(*) FROM run WHERE status = 'ok'")" 12

# Runs already in the database are left out of a new array.
"$LPARSIM" sweep "$scn" --set duration=100ms --set warmup=10ms --reps 2 --progress never \
    --vary lpars.db1.workload.rate=50k/s,60k/s,70k/s,80k/s --vary seed=3,4 \
    -o all.db --emit-slurm more > /dev/null || fail "second emit exited $?"
expect_eq "remaining tasks" "$(wc -l < more/tasks.txt)" 4
grep -q 'rate=80k/s' more/tasks.txt || fail "the new point is not in tasks.txt"
! grep -q 'rate=50k/s' more/tasks.txt || fail "a done run is in tasks.txt"
echo ok
