#!/usr/bin/env bash
# The pre-copy model's curve for `lparsim plot DB sweep --model FILE`, for
# the sweep of scenarios/lpm-sweep.yaml (dirty rate x link bandwidth):
#   bash scripts/lpm-model.sh DB downtime|total_time > FILE
# For each bandwidth swept in DB, one curve of lpm.vm's downtime or
# total_time (ns) against the dirty rate (pages/s, 0 .. 40k), from the
# recursion of cli/validate_lpm.c: round 0 sends all P pages, round i the
# N(i) = W (1 - (1 - 1/W)^(d T(i-1))) pages dirtied during round i-1,
# T(i) = N(i) x page / R + latency; pre-copy stops when N x page / R <=
# downtime_limit, after max_rounds rounds, or when more than max_factor x
# memory is sent; the stop-and-copy sends the last N. The costs that do
# not depend on memory (validation, preparation, the switchover's
# hypervisor calls, cleanup: exact rows of `lparsim validate`) are taken
# from the run without dirtying (rate 0) at that bandwidth.
# The scenario's numbers: 8 GiB of 64 KiB pages (P = W = 131072), latency
# 50 us, downtime_limit 300 ms, max_rounds 30, max_factor 3.
set -euo pipefail
db=${1:?usage: lpm-model.sh DB downtime|total_time}
what=${2:?usage: lpm-model.sh DB downtime|total_time}
case $what in downtime|total_time) ;; *) echo "lpm-model.sh: downtime or total_time" >&2; exit 2;; esac
q() { sqlite3 -batch -noheader "$db" "$1"; }
# bandwidth (bit/s as written) -> the rate-0 run's downtime and total_time
rows=$(q "SELECT b.value, d.value, t.value
          FROM param b JOIN param r ON r.run_id = b.run_id
          JOIN scalar d ON d.run_id = b.run_id AND d.component = 'lpm.vm' AND d.name = 'downtime'
          JOIN scalar t ON t.run_id = b.run_id AND t.component = 'lpm.vm' AND t.name = 'total_time'
          WHERE b.name = 'links.mover0.bandwidth' AND r.name = 'lpars.vm.workloads.mem.rate'
            AND r.value IN ('0/s', '0') ORDER BY b.value")
[ -n "$rows" ] || { echo "lpm-model.sh: $db has no run at rate 0/s" >&2; exit 2; }
echo "# lparsim pre-copy model (scripts/lpm-model.sh) of $what in ns against the dirty rate"
while IFS='|' read -r bw down0 total0; do
  awk -v bw="$bw" -v down0="$down0" -v total0="$total0" -v what="$what" '
    function bits(s,  v) { v = s + 0; if (s ~ /Gbps$/) return v * 1e9; if (s ~ /Mbps$/) return v * 1e6; return v }
    BEGIN {
      P = 131072; W = 131072; page = 65536; lat = 50e-6; dl = 0.3; maxr = 30; maxf = 3
      R = bits(bw) / 8
      fixed_down = down0 / 1e9                       # s: downtime without a stop-and-copy
      other = total0 / 1e9 - fixed_down - (P * page / R + lat)
      printf "\n# title: model, %s\n", bw
      for (d = 0; d <= 40000; d += 250) {
        n = P; sent = 0; t = 0; rounds = 0
        while (1) {
          ti = n * page / R + lat; t += ti; sent += n; rounds++
          nx = (d > 0) ? W * (1 - exp(d * ti * log(1 - 1 / W))) : 0
          if (nx * page / R <= dl || rounds >= maxr || sent * page > maxf * P * page) { n = nx; break }
          n = nx
        }
        down = fixed_down + (n > 0 ? n * page / R + lat : 0)
        y = (what == "downtime") ? down : other + t + down
        printf "%d %.6f\n", d, y * 1e9
      }
    }'
done <<< "$rows"
