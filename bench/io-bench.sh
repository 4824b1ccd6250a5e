#!/usr/bin/env bash
# bench/io-bench.sh — simulator speed on the hardware I/O path:
# scenarios/bench-io.yaml (64 LPARs, 4 adapters, 256 VFs,
# 1.28M simulated I/Os per simulated second, every I/O through driver,
# PHB, link, TCEs, device, MSI-X, XIVE and CPU) on one core, both kernel
# backends. Prints, per backend, the median over REPS runs of:
#   simulated I/Os completed per wall second (the run's own wall_s, which
#   covers the simulation, not building the machine or writing results),
#   kernel events per wall second, and the process's peak RSS.
#
#   bench/io-bench.sh [BUILD_DIR]      (default: build-release, built
#                                       Release here if missing)
#
# Environment: REPS (default 5), WAIT_IDLE=1 (wait for an idle machine
# before each run; bench/wait-idle.bash).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$here/..
build=${1:-$root/build-release}
reps=${REPS:-5}
scn=$root/scenarios/bench-io.yaml
if [[ ! -x $build/lparsim ]]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j "$(nproc)" >/dev/null
fi
source "$here/wait-idle.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf "%-8s %14s %12s %10s %12s\n" kernel "I/Os per wall s" "Mev/s" "wall_s" "peak RSS MB"
for kernel in native systemc; do
    : >"$work/ios" ; : >"$work/ev" ; : >"$work/wall" ; : >"$work/rss"
    for ((r = 0; r < reps; r++)); do
        wait_idle
        db=$work/$kernel-$r.db
        /usr/bin/time -f "%M" -o "$work/time" "$build/lparsim" run "$scn" -o "$db" -q \
            --progress never --kernel "$kernel"
        read -r wall events < <(sqlite3 -separator ' ' "$db" "SELECT wall_s, events FROM run")
        ios=$(sqlite3 "$db" "SELECT sum(value) FROM scalar WHERE component LIKE 'lpar.%'
                              AND component NOT LIKE 'lpar.%.%' AND name = 'ios_completed'")
        awk -v i="$ios" -v w="$wall" 'BEGIN { print i / w }' >>"$work/ios"
        awk -v e="$events" -v w="$wall" 'BEGIN { print e / w / 1e6 }' >>"$work/ev"
        echo "$wall" >>"$work/wall"
        awk '{ print $1 / 1024 }' "$work/time" >>"$work/rss"
    done
    printf "%-8s %14.0f %12.2f %10.3f %12.1f\n" "$kernel" "$(median <"$work/ios")" \
        "$(median <"$work/ev")" "$(median <"$work/wall")" "$(median <"$work/rss")"
done
