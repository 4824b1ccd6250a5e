#!/usr/bin/env bash
# bench/lpm-scale.sh — live partition mobility at scale (docs/performance.md
# "Live partition mobility at scale"): bench/lpm-scale.yaml, 16 LPARs of
# 64 GiB migrating at once over 2 mover links while their I/O runs. Prints
# per kernel backend the median over REPS runs of the wall time per
# simulated second (the run's own wall_s over its duration) and the peak
# RSS, and what the migrations did (completed, mean total time and
# downtime, lost I/O).
#
#   bench/lpm-scale.sh [BUILD_DIR]     (default: build-release, built
#                                       Release here if missing)
# Environment: REPS (default 3), WAIT_IDLE=1 (bench/wait-idle.bash).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$here/..
build=${1:-$root/build-release}
reps=${REPS:-3}
scn=$here/lpm-scale.yaml
if [[ ! -x $build/lparsim ]]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j "$(nproc)" >/dev/null
fi
source "$here/wait-idle.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
q() { sqlite3 -batch -noheader "$1" "$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for kernel in native systemc; do
    : > "$work/wall" ; : > "$work/rss"
    for r in $(seq "$reps"); do
        wait_idle
        db=$work/$kernel-$r.db
        /usr/bin/time -f '%M' -o "$work/time" "$build/lparsim" run "$scn" -o "$db" -q \
            --progress never --kernel "$kernel"
        dur=$(q "$db" "SELECT sim_end_ps / 1e12 FROM run")
        q "$db" "SELECT wall_s / $dur FROM run" >> "$work/wall"
        awk '{ print $1 / 1024 }' "$work/time" >> "$work/rss"
    done
    db=$work/$kernel-1.db
    printf '%-8s wall s per simulated s %.3f   peak RSS %.0f MiB   events %s\n' "$kernel" \
        "$(median < "$work/wall")" "$(median < "$work/rss")" "$(q "$db" "SELECT events FROM run")"
    printf '         migrations %s of 16, mean total_time %.2f s, downtime %.1f ms, ios_lost %s, status %s\n' \
        "$(q "$db" "SELECT sum(value) FROM scalar WHERE component LIKE 'lpm.%' AND name = 'migrations'")" \
        "$(q "$db" "SELECT avg(value) / 1e9 FROM scalar WHERE component LIKE 'lpm.%' AND name = 'total_time'")" \
        "$(q "$db" "SELECT avg(value) / 1e6 FROM scalar WHERE component LIKE 'lpm.%' AND name = 'downtime'")" \
        "$(q "$db" "SELECT sum(value) FROM scalar WHERE component LIKE 'lpar.%' AND name = 'ios_lost'")" \
        "$(q "$db" "SELECT status FROM run")"
done
