# Sixteen machines drawn at random (fixed seeds) over the knobs of the
# hardware path that change its control flow: queue pairs vs VPs, ring
# and buffer pool sizes (SQ full, buffers exhausted, RX drops), interrupt
# coalescing (fixed, vIC, DIM), TCE cache size and replacement, per-I/O mapping, shared
# processors, capped (backlog, escalation) or uncapped, late activation (held I/O), a storage
# and a NIC VF in one LPAR, open and closed loops. Every run must end ok,
# lose no I/O and balance its accounting; a few must also agree across
# the two kernel backends.
source "$(dirname "$0")/lib.bash"

# pick VAR CHOICE...: VAR = one of the choices. It runs in this shell, not
# in a $(...) subshell: bash reseeds RANDOM in subshells, which would make
# the machines differ from run to run.
pick() { local v=$1; shift; local a=("$@"); printf -v "$v" '%s' "${a[RANDOM % ${#a[@]}]}"; }

machine() {  # machine SEED > yaml
  RANDOM=$1
  local qp vps cc ct entries bufs mapping shared sharing cache rep fetch ent coal
  local servers qentries width rate_port activate mode rate depth tx rx
  pick qp 1 2 4; pick vps 1 2 3 4; pick cc 1 1 2 4 8
  if [ "$cc" = 1 ]; then ct=10us; else pick ct 5us 50us 1ms; fi
  # interrupt coalescing: fixed (the knobs above), vIC (thresholds low
  # enough to coalesce at these rates) or net DIM
  pick coal fixed fixed dynamic dim
  case $coal in
    fixed) coal="{kind: fixed, count: $cc, time: $ct}" ;;
    dynamic) coal="{kind: dynamic, cif_threshold: 2, iops_threshold: 1k/s, epoch: 1ms}" ;;
    dim) coal="{kind: dim}" ;;
  esac
  pick entries 2 4 8 1024; pick bufs 1 2 4 16 256; pick mapping static per_io
  pick shared dedicated dedicated shared; pick sharing capped uncapped; pick cache 1 4 64; pick rep lru fifo random
  pick fetch 1 2 8; pick servers 1 4; pick qentries 4 65536; pick width x1 x4 x8
  pick rate_port 1Gbps 10Gbps 25Gbps; pick activate 0ns 1ms; pick mode open closed
  pick rate 5 20 80; pick depth 1 8 32; pick tx 0 10 50; pick rx 0 10 50
  if [ "$shared" = shared ]; then ent=$(awk -v v="$vps" 'BEGIN { print v / 2 }'); else ent=1.0; fi
  cat <<YAML
name: stress$1
seed: $1
duration: 20ms
warmup: 2ms
stats: {sample_interval: 1ms, batches: 4}
systems:
  - name: s0
    cores: 2
    threads_per_core: 4
    adapters:
      - name: st
        vfs: 4
        servers: $servers
        queue_entries: $qentries
        queue_pairs: $qp
        fetch_max: $fetch
        coalescing: $coal
        service: {dist: exponential, mean: 20us}
        tce_cache: {entries: $cache, replacement: $rep}
        link: {width: $width}
      - name: nic
        kind: network
        vfs: 4
        queue_pairs: $qp
        coalescing: $coal
        port_rate: $rate_port
lpars:
  - name: a
    system: s0
    adapter: st
    vps: $vps
    processors: {mode: $shared, entitlement: $ent, sharing: $sharing}
    activate_at: $activate
    driver: {queue_entries: $entries, buffers: $bufs, buffer_size: 64KiB, tce_mapping: $mapping}
    devices:
      - {name: n, adapter: nic, vf: 1, driver: {queue_entries: $entries, buffers: $bufs, buffer_size: 4KiB, tce_mapping: $mapping}}
    workloads:
      - {name: s, kind: storage, start: 0ns, mode: $mode, rate: ${rate}k/s, depth: $depth, block_sizes: "4KiB:3,64KiB:1", read_fraction: 0.6}
      - {name: w, kind: network, device: n, tx_rate: ${tx}k/s, rx_rate: ${rx}k/s, packet_sizes: "64B:1,1500B:1"}
      - {name: c, kind: compute, rate: 2k/s, cycles: 50k}
  - name: b
    system: s0
    adapter: st
    vf: 2
    vps: 1
    workload: {kind: storage, mode: closed, depth: 4, think: 10us}
YAML
}

rows() {
  q "$1" "SELECT component, name, count, mean, p99 FROM statistic ORDER BY component, name"
  q "$1" "SELECT component, name, value FROM scalar ORDER BY component, name"
}

for s in $(seq 0 15); do
  machine "$s" > m$s.yaml
  [ -z "${prev:-}" ] || ! cmp -s "$prev" m$s.yaml || fail "machines $s and the one before are the same"
  prev=m$s.yaml
  "$LPARSIM" run m$s.yaml -o m$s.db -q --progress never || fail "machine $s: run failed"
  expect_eq "machine $s status" "$(q m$s.db "SELECT status FROM run")" ok
  for l in a b; do
    expect_eq "machine $s lpar $l ios_lost" \
      "$(q m$s.db "SELECT value FROM scalar WHERE component='lpar.$l' AND name='ios_lost'")" 0.0
    bal=$(q m$s.db "SELECT sum(CASE name WHEN 'ios_issued' THEN value ELSE -value END) FROM scalar
                    WHERE component='lpar.$l' AND name IN ('ios_issued','ios_completed','ios_failed','ios_in_flight','ios_lost')")
    expect_eq "machine $s lpar $l conservation" "$bal" 0.0
  done
  if [ $((s % 4)) = 0 ]; then
    "$LPARSIM" run m$s.yaml -o n$s.db -q --progress never --kernel native
    rows m$s.db > a.txt; rows n$s.db > b.txt
    cmp -s a.txt b.txt || fail "machine $s: native backend differs"
  fi
done
# the same seed draws the same machine (the runs above are reproducible)
machine 3 > again.yaml
cmp -s m3.yaml again.yaml || fail "machine 3 drawn twice differs"
# the draws did reach the paths they are for
hits() { local c=0; for s in $(seq 0 15); do
  v=$(q m$s.db "SELECT coalesce(sum(value), 0) FROM scalar WHERE name='$1'")
  awk -v v="$v" 'BEGIN { exit !(v > 0) }' && c=$((c + 1)); done; echo $c; }
for n in buffer_waits escalations coalesced ios_held; do
  [ "$(hits $n)" -ge 2 ] || fail "only $(hits $n) machines with $n > 0"
done
