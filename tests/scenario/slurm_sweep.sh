# `lparsim sweep --emit-slurm` end to end on a real one-node Slurm cluster
# (tests/slurm/cluster.bash): the emitted job array runs every task, each task
# logs and writes its database, merge.sh joins them, and the merged database
# holds exactly the runs, all ok, that the same sweep run locally produces.
# Needs the Slurm and MUNGE daemons: bash scripts/setup.sh --test.
source "$(dirname "$0")/lib.bash"
source "$SRC/tests/slurm/cluster.bash"

missing=$(slurm_cluster_missing)
[ -z "$missing" ] || fail "Slurm test cluster needs: $missing; run: bash scripts/setup.sh --test"

trap 'slurm_cluster_stop; rm -rf "$WORK"' EXIT
slurm_cluster_start "$WORK/cluster" || fail "the Slurm test cluster did not start"

# shellcheck disable=SC2054  # the commas are --vary's value lists
sweep=(sweep "$SRC/scenarios/validation/mm1.yaml" --set duration=100ms --set warmup=10ms
       --vary lpars.db1.workload.rate=50k/s,60k/s --vary seed=1,2 --reps 2)
dir=$WORK/slurm

timeout 60 "$LPARSIM" "${sweep[@]}" -o "$WORK/all.db" --emit-slurm "$dir" \
  || fail "sweep --emit-slurm exited $?"
for f in tasks.txt sweep.sbatch merge.sh; do
  [ -s "$dir/$f" ] || fail "sweep --emit-slurm wrote no $dir/$f"
done
n=$(wc -l < "$dir/tasks.txt")
[ "$n" -ge 2 ] || fail "tasks.txt has $n lines"
grep -qx "#SBATCH --array=1-$n" "$dir/sweep.sbatch" \
  || fail "sweep.sbatch has no '#SBATCH --array=1-$n': $(grep '^#SBATCH' "$dir/sweep.sbatch")"
# Slurm does not create the directory of --output; the emitter must.
[ -d "$dir/logs" ] || fail "sweep --emit-slurm did not create $dir/logs (sbatch --output needs it)"

out=$(timeout 100 sbatch --parsable --wait "$dir/sweep.sbatch") \
  || fail "sbatch --wait failed or timed out (rc $?): $out; logs: $(tail -n 5 "$dir"/logs/* 2>/dev/null)"
job=${out%%;*}
[[ $job =~ ^[0-9]+$ ]] || fail "sbatch printed no job id: '$out'"

for i in $(seq 1 "$n"); do
  [ -f "$dir/logs/${job}_$i.out" ] || fail "task $i: no log $dir/logs/${job}_$i.out"
  [ -f "$dir/results/task-$i.db" ] || fail "task $i: no $dir/results/task-$i.db; log: $(cat "$dir/logs/${job}_$i.out")"
done

timeout 60 bash "$dir/merge.sh" || fail "merge.sh exited $?"
[ -f "$WORK/all.db" ] || fail "merge.sh wrote no $WORK/all.db"
expect_eq "merged runs" "$(q "$WORK/all.db" "SELECT count(*) FROM run")" "$n"
expect_eq "distinct run_keys" "$(q "$WORK/all.db" "SELECT count(DISTINCT run_key) FROM run")" "$n"
expect_eq "runs not ok" "$(q "$WORK/all.db" "SELECT count(*) FROM run WHERE status IS NOT 'ok'")" 0

# The same sweep on local workers: the same set of runs.
timeout 60 "$LPARSIM" "${sweep[@]}" -j 2 -o "$WORK/local.db" || fail "local sweep exited $?"
q "$WORK/all.db" "SELECT run_key FROM run ORDER BY run_key" > slurm.keys
q "$WORK/local.db" "SELECT run_key FROM run ORDER BY run_key" > local.keys
expect_eq "local runs" "$(wc -l < local.keys)" "$n"
cmp -s slurm.keys local.keys || fail "run_keys differ from the local sweep: $(diff slurm.keys local.keys | head)"
echo ok
