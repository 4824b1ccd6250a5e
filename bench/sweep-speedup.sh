#!/usr/bin/env bash
# bench/sweep-speedup.sh — sweep speed-up with local workers:
# the same sweep of 12 runs of a few seconds each (M/M/1, 3 rates x 4
# reps) with -j 1 and with -j 2, wall time of each and the ratio, for the
# "Sweeps" section of docs/performance.md.
#
#   bench/sweep-speedup.sh [BUILD_DIR]      (default: build)
#
# Environment: REPS (sweeps per -j value, interleaved, median kept;
# default 3), DURATION (simulated time per run; default 200s, about 2 s
# of wall time per run), JOBS (the parallel -j; default 2). WAIT_IDLE=1
# waits before every sweep until the CPUs were >= 90% idle for 2 s (at
# most 10 min), for a VM shared with builds and tests.
set -euo pipefail

build=${1:-build}
lparsim=$build/lparsim
reps=${REPS:-3}
duration=${DURATION:-200s}
jobs=${JOBS:-2}
here=$(cd "$(dirname "$0")" && pwd)
scn=$here/../scenarios/validation/mm1.yaml

if [[ ! -x $lparsim ]]; then
    echo "sweep-speedup: $lparsim not built (cmake --build $build)" >&2
    exit 1
fi

source "$(dirname "$0")/wait-idle.bash"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sweep=(sweep "$scn" --set "duration=$duration" --set warmup=1s --reps 4
       --vary lpars.db1.workload.rate=50k/s,60k/s,70k/s -q --progress never)

# one_sweep J: wall seconds of the sweep with -j J into a fresh database
one_sweep() {
    local db=$work/j$1.db t0 t1
    rm -f "$db" "$db-wal" "$db-shm"
    wait_idle
    t0=$(date +%s.%N)
    "$lparsim" "${sweep[@]}" -j "$1" -o "$db" >/dev/null
    t1=$(date +%s.%N)
    [[ $(sqlite3 "$db" "SELECT count(*) FROM run WHERE status = 'ok'") == 12 ]] ||
        { echo "sweep-speedup: the -j $1 sweep did not end with 12 ok runs" >&2; exit 1; }
    echo "$t1 - $t0" | bc -l
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

serial=() parallel=()
for ((r = 0; r < reps; r++)); do
    serial+=("$(one_sweep 1)")
    parallel+=("$(one_sweep "$jobs")")
done
s=$(printf '%s\n' "${serial[@]}" | median)
p=$(printf '%s\n' "${parallel[@]}" | median)
printf 'cpus: %s (%s)\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
printf 'sweep: 12 runs (3 rates x 4 reps) of mm1.yaml, duration=%s, median of %d\n' "$duration" "$reps"
printf '| -j | wall (s) | runs |\n|---|---|---|\n'
printf '| 1 | %.2f | %s |\n' "$s" "$(printf '%.2f ' "${serial[@]}")"
printf '| %s | %.2f | %s |\n' "$jobs" "$p" "$(printf '%.2f ' "${parallel[@]}")"
printf 'speed-up -j %s vs -j 1: %.2fx\n' "$jobs" "$(echo "$s / $p" | bc -l)"
