# An LPAR with several VFs (`devices`): a storage VF and a NIC VF, each
# with its own driver, PE, DMA window and interrupts; each workload's I/O
# goes to the device it names. Wrong device names and a VF assigned twice
# are refused where they are written.
source "$(dirname "$0")/lib.bash"

cat > dev.yaml <<'YAML'
name: devices
seed: 2
duration: 100ms
warmup: 10ms
stats: {sample_interval: 0ns}
systems:
  - name: s0
    adapters:
      - name: nvme0
        vfs: 2
        service: {dist: constant, mean: 20us}
      - name: eth0
        kind: network
        vfs: 2
lpars:
  - name: app
    system: s0
    adapter: nvme0
    vps: 2
    devices:
      - name: net
        adapter: eth0
        vf: 1
        driver: {buffers: 512, buffer_size: 4KiB}
    workloads:
      - {name: db, kind: storage, rate: 5k/s}
      - {name: web, kind: network, device: net, tx_rate: 8k/s, rx_rate: 4k/s}
YAML
"$LPARSIM" run dev.yaml -o dev.db -q --progress never
sc() { q dev.db "SELECT value FROM scalar WHERE component='$1' AND name='$2'"; }
st=$(sc s0.nvme0.vf0.fn ios_completed); nt=$(sc s0.eth0.vf1.fn ios_completed)
awk -v s="$st" 'BEGIN { exit !(s > 400 && s < 500) }' || fail "storage VF completed $st, want ~450"
awk -v n="$nt" 'BEGIN { exit !(n > 1000 && n < 1200) }' || fail "NIC VF completed $nt, want ~1080"
# the NIC's port carried the web workload's packets and nothing else
pk=$(q dev.db "SELECT sum(value) FROM scalar WHERE component='s0.eth0.port' AND name IN ('tx_packets','rx_packets')")
awk -v p="$pk" -v n="$nt" 'BEGIN { d = p - n; exit !(d >= -10 && d <= 10) }' ||
  fail "port carried $pk packets, the NIC VF completed $nt"
for c in lpar.app.driver lpar.app.net.driver; do
  expect_eq "driver $c" "$(q dev.db "SELECT count(*) > 0 FROM scalar WHERE component='$c'")" 1
done
expect_eq ios_lost "$(sc lpar.app ios_lost)" 0.0
# each workload keeps its own latency when the LPAR runs several
expect_eq "per-workload latency" \
  "$(q dev.db "SELECT count(*) FROM statistic WHERE component IN ('lpar.app.db','lpar.app.web') AND name='latency'")" 2

sed 's/device: net,/device: nett,/' dev.yaml > bad1.yaml
"$LPARSIM" check bad1.yaml 2> err1.txt && fail "unknown device accepted"
expect_eq "unknown device" "$(cat err1.txt)" \
  "bad1.yaml:27:44: error: 'device' = 'nett': LPAR 'app' has no such item in 'devices' (did you mean 'net'?)"
sed 's/        vf: 1/        vf: 0/; s/adapter: eth0/adapter: nvme0/' dev.yaml > bad2.yaml
"$LPARSIM" check bad2.yaml 2> err2.txt && fail "VF assigned twice accepted"
expect_eq "VF twice" "$(cat err2.txt)" \
  "bad2.yaml:23:13: error: VF 0 of adapter 'nvme0' is already assigned to LPAR 'app'"
