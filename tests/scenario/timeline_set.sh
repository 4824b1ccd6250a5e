# A timeline `set` of each run-time parameter changes what the workload
# does from that instant: storage `rate`, network `tx_rate` and `rx_rate`,
# compute and dirty `rate` (the latter two as items of `workloads`).
# Constant arrivals make the counts exact up to the arrival in progress:
# count = r0 x at + r1 x (duration - at); without the timeline, r0 x
# duration. Each `set` writes one event row naming its item, path and value.
source "$(dirname "$0")/lib.bash"

cat > set.yaml <<'YAML'
name: timeline-set
seed: 3
duration: 1s
systems:
  - name: s0
    cores: 4
    threads_per_core: 2
    adapters:
      - name: nvme0
        kind: storage
        vfs: 4
        servers: 8
        service: {dist: constant, mean: 20us}
      - name: ent0
        kind: network
        vfs: 2
lpars:
  - name: db1
    system: s0
    adapter: nvme0
    vps: 2
    workload: {kind: storage, rate: 10k/s, arrivals: constant}
  - name: kv1
    system: s0
    adapter: ent0
    vps: 2
    driver: {buffers: 512, buffer_size: 4KiB}
    workload: {kind: network, tx_rate: 5k/s, rx_rate: 4k/s, arrivals: constant, packet_size: 256B}
  - name: c1
    system: s0
    adapter: nvme0
    vf: 1
    vps: 2
    workloads:
      - {name: calc, kind: compute, rate: 1k/s, cycles: 1000, arrivals: constant}
      - {name: mem, kind: dirty, rate: 100k/s}
timeline:
  - {name: db1_rate, at: 500ms, action: set, path: lpars.db1.workload.rate, value: 30k/s}
  - {name: kv1_tx, at: 500ms, action: set, path: lpars.kv1.workload.tx_rate, value: 15k/s}
  - {name: kv1_rx, at: 250ms, action: set, path: lpars.kv1.workload.rx_rate, value: 1k/s}
  - {name: c1_calc, at: 500ms, action: set, path: lpars.c1.workloads.calc.rate, value: 3k/s}
  - {name: c1_mem, at: 750ms, action: set, path: lpars.c1.workloads.mem.rate, value: 20k/s}
YAML
sed '/^timeline:/,$d' set.yaml > none.yaml

"$LPARSIM" run set.yaml -q --progress never -o set.db || fail "run exited $?"
"$LPARSIM" run none.yaml -q --progress never -o none.db || fail "run exited $?"

# near DB COMPONENT NAME WANT TOL
near() {
  local got
  got=$(q "$1" "SELECT value FROM scalar WHERE component = '$2' AND name = '$3'")
  [ -n "$got" ] || fail "$1: no scalar $2 $3"
  awk -v g="$got" -v w="$4" -v t="$5" 'BEGIN { d = g - w; exit !(d <= t && -d <= t) }' ||
    fail "$1: $2 $3 = $got, want $4 +- $5"
}
#                  component         scalar         r0      at   r1
for row in "lpar.db1.workload ios_issued    10000 0.5  30000  2" \
           "lpar.kv1.workload tx_packets    5000  0.5  15000  2" \
           "lpar.kv1.workload rx_packets    4000  0.25 1000   2" \
           "lpar.c1.calc      items_issued  1000  0.5  3000   2" \
           "lpar.c1.mem       pages_written 100000 0.75 20000 200"; do
  read -r comp name r0 at r1 tol <<< "$row"
  want=$(awk -v a="$r0" -v t="$at" -v b="$r1" 'BEGIN { printf "%.0f", a * t + b * (1 - t) }')
  near set.db "$comp" "$name" "$want" "$tol"
  near none.db "$comp" "$name" "$r0" "$tol"
done

expect_eq "set events" "$(q set.db "SELECT COUNT(*) FROM event WHERE component = 'timeline' AND kind = 'set'")" 5
expect_eq "db1_rate event" "$(q set.db "SELECT t_ps || ' ' || detail FROM event WHERE kind = 'set'
  AND detail LIKE 'db1_rate:%'")" "500000000000 db1_rate: path lpars.db1.workload.rate value 30k/s"
expect_eq "no refusal" "$(q set.db "SELECT COUNT(*) FROM event WHERE detail LIKE '%refused%'")" 0

# --set of the same run-time parameter before the run moves the start value
"$LPARSIM" run none.yaml -q --progress never -o pre.db --set lpars.db1.workload.rate=30k/s ||
  fail "run exited $?"
near pre.db lpar.db1.workload ios_issued 30000 2
echo ok
