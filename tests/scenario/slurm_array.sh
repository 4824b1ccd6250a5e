# A real Slurm job array on a private one-node cluster (tests/slurm/cluster.bash):
# a hand-written tasks.txt / sbatch / results layout like `sweep --emit-slurm`
# documents, 4 tasks each running `lparsim run`. Every task must run on the
# cluster, log, and write its own results database with one ok run.
# Needs the Slurm and MUNGE daemons: bash scripts/setup.sh --test.
source "$(dirname "$0")/lib.bash"
source "$SRC/tests/slurm/cluster.bash"

missing=$(slurm_cluster_missing)
[ -z "$missing" ] || fail "Slurm test cluster needs: $missing; run: bash scripts/setup.sh --test"

trap 'slurm_cluster_stop; rm -rf "$WORK"' EXIT
slurm_cluster_start "$WORK/cluster" || fail "the Slurm test cluster did not start"

dir=$WORK/slurm
mkdir -p "$dir/results" "$dir/logs"
n=4
for i in $(seq 1 $n); do
  printf '%q run %q --set duration=100ms --set warmup=10ms --seed %d -q --progress never -o %q\n' \
    "$LPARSIM" "$SRC/scenarios/validation/mm1.yaml" "$i" "$dir/results/task-$i.db"
done > "$dir/tasks.txt"
cat > "$dir/sweep.sbatch" <<EOF
#!/bin/bash
#SBATCH --array=1-$n
#SBATCH --output=$dir/logs/%A_%a.out
#SBATCH --ntasks=1
#SBATCH --job-name=lparsim-array-test
set -euo pipefail
echo "task \$SLURM_ARRAY_TASK_ID of job \$SLURM_ARRAY_JOB_ID on \$(hostname -s)"
eval "\$(sed -n "\${SLURM_ARRAY_TASK_ID}p" "$dir/tasks.txt")"
EOF

out=$(timeout 90 sbatch --parsable --wait "$dir/sweep.sbatch") \
  || fail "sbatch --wait failed or timed out (rc $?): $out$(ls "$dir/logs"; cat "$dir"/logs/* 2>/dev/null)"
job=${out%%;*}
[[ $job =~ ^[0-9]+$ ]] || fail "sbatch printed no job id: '$out'"

for i in $(seq 1 $n); do
  log=$dir/logs/${job}_$i.out
  [ -f "$log" ] || fail "task $i: no log $log"
  grep -q "^task $i of job $job on " "$log" || fail "task $i: log does not show it ran: $(cat "$log")"
  db=$dir/results/task-$i.db
  [ -f "$db" ] || fail "task $i: no database $db; log: $(cat "$log")"
  expect_eq "task $i status" "$(q "$db" "SELECT group_concat(status) FROM run")" ok
  expect_eq "task $i seed" "$(q "$db" "SELECT seed FROM run")" "$i"
done
dbs=("$dir"/results/task-*.db)
expect_eq "task databases" "${#dbs[@]}" "$n"
# distinct seeds: distinct runs
expect_eq "distinct run_keys" "$(for i in $(seq 1 $n); do q "$dir/results/task-$i.db" "SELECT run_key FROM run"; done | sort -u | wc -l)" "$n"
echo ok
