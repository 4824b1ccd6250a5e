#!/usr/bin/env bash
# bench/run-kernel-bench.sh — the kernel hold-model table of
# docs/performance.md, measured in one sitting: kernel-hold on the systemc,
# native and bare backends and SimPy 2.3.1 at N = 1e3, 1e5, 1e6 pending
# events, printed as a markdown table with the ratios between them.
#
#   bench/run-kernel-bench.sh [BUILD_DIR]      (default: build)
#
# Environment: REPS (C runs per cell, the fastest kept; default 5), M
# (events per C run; default 1e7), SIMPY_M (events per SimPy run; default 1e6, 2e6 at
# N=1e6 where the first events would all be the initial ones), SIMPY_MAX_N
# (largest N given to SimPy; default 1e6: about 45 s and 1.6 GB there).
# WAIT_IDLE=1 waits before every run until the CPUs were >= IDLE_PCT%
# (default 90) idle for 2 s (at most 10 min), for a VM shared with builds
# and tests.
# The C backends run interleaved (rep by rep) so that a slow phase of a
# shared VM hits all of them alike, and each cell keeps its fastest run:
# interference from other jobs only ever slows a run down, so the best of
# several is the closest estimate of the uncontended speed. SimPy runs
# SIMPY_REPS times per N (default 3, best kept; once at N = 1e6).
set -euo pipefail

build=${1:-build}
hold="$build/bench/kernel-hold"
here=$(cd "$(dirname "$0")" && pwd)
simpy="$here/simpy_hold.py"
reps=${REPS:-5}
m=${M:-1e7}
simpy_m=${SIMPY_M:-1e6}
simpy_max_n=${SIMPY_MAX_N:-1e6}
python=/usr/bin/python3 # Debian's SimPy is installed for this one only

if [[ ! -x $hold ]]; then
    echo "run-kernel-bench: $hold not built (cmake --build $build --target kernel-hold)" >&2
    exit 1
fi

source "$(dirname "$0")/wait-idle.bash"

# value KEY < output: the KEY=value line of a kernel-hold / simpy_hold run.
value() { sed -n "s/^$1=//p" | tail -1; }

best() { sort -g | tail -1; }

# ratio A B: A / B to two decimals ("-" if either is missing).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

mev() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.2f", v / 1e6 }'; }

load_before=$(cut -d' ' -f1 /proc/loadavg)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A eps rss
for n in 1e3 1e5 1e6; do
    for ((r = 0; r < reps; r++)); do
        for b in systemc native bare; do
            wait_idle
            out=$("$hold" --backend "$b" --pending "$n" --events "$m")
            echo "$(value events_per_s <<<"$out") $(value peak_rss_kb <<<"$out")" \
                >>"$tmp/$n.$b"
        done
    done
    for b in systemc native bare; do
        eps[$n,$b]=$(cut -d' ' -f1 "$tmp/$n.$b" | best)
        rss[$n,$b]=$(cut -d' ' -f2 "$tmp/$n.$b" | sort -n | tail -1)
    done
    eps[$n,simpy]=-
    rss[$n,simpy]=-
    if awk -v n="$n" -v max="$simpy_max_n" 'BEGIN { exit !(n + 0 <= max + 0) }'; then
        sm=$simpy_m
        [[ $n == 1e6 && -z ${SIMPY_M:-} ]] && sm=2e6
        sreps=${SIMPY_REPS:-3}
        [[ $n == 1e6 ]] && sreps=1 # 45 s and 1.6 GB a run
        for ((r = 0; r < sreps; r++)); do
            wait_idle
            out=$("$python" "$simpy" --pending "$n" --events "$sm")
            echo "$(value events_per_s <<<"$out") $(value peak_rss_kb <<<"$out")" \
                >>"$tmp/$n.simpy"
        done
        eps[$n,simpy]=$(cut -d' ' -f1 "$tmp/$n.simpy" | best)
        rss[$n,simpy]=$(cut -d' ' -f2 "$tmp/$n.simpy" | sort -n | tail -1)
    fi
done

echo "Load average (1 min) before / after: $load_before / $(cut -d' ' -f1 /proc/loadavg)."
echo "Hold model, mean delay 1 ms; M = $m events per C run (best of $reps," \
     "interleaved), SimPy M = $simpy_m (2e6 at N=1e6, best of ${SIMPY_REPS:-3}, 1 run at N=1e6); $(nproc) CPUs, $(date -u +%F)."
echo
echo "| N pending | systemc Mev/s | native Mev/s | bare heap Mev/s | SimPy 2.3.1 Mev/s | systemc/native | native/SimPy | native/bare | peak RSS systemc / SimPy (MB) |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in 1e3 1e5 1e6; do
    rs=$(awk -v a="${rss[$n,systemc]}" -v b="${rss[$n,simpy]}" 'BEGIN { printf "%.0f / %s", a / 1024, b == "-" ? "-" : sprintf("%.0f", b / 1024) }')
    echo "| $n | $(mev "${eps[$n,systemc]}") | $(mev "${eps[$n,native]}") | $(mev "${eps[$n,bare]}") | $(mev "${eps[$n,simpy]}") | $(ratio "${eps[$n,systemc]}" "${eps[$n,native]}") | $(ratio "${eps[$n,native]}" "${eps[$n,simpy]}") | $(ratio "${eps[$n,native]}" "${eps[$n,bare]}") | $rs |"
done

# The price of a SystemC activation: kernel_run_until slices of T ns at
# N = 1e3 (one event every ~1 us of simulated time).
echo
echo "Driven by kernel_run_until slices (N = 1e3, M = 2e6, best of $reps):"
echo
echo "| slice | events per slice | systemc Mev/s | native Mev/s | systemc/native |"
echo "|---|---|---|---|---|"
for t in 1000 10000 100000; do
    declare -A sl=()
    for b in systemc native; do
        sl[$b]=$(for ((r = 0; r < reps; r++)); do
            wait_idle
            "$hold" --backend "$b" --pending 1e3 --events 2e6 --slice-ns "$t" | value events_per_s
        done | best)
    done
    echo "| $((t / 1000)) us | ~$((t / 1000)) | $(mev "${sl[systemc]}") | $(mev "${sl[native]}") | $(ratio "${sl[systemc]}" "${sl[native]}") |"
done
