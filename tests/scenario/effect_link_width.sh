# Halving the link width cuts saturated read throughput as the pcie-bench
# model predicts: payload rate = TLP bandwidth x sz / (sz + ceil(sz/MPS) x 24)
# for the data writes (the link reports its TLP bandwidth, which depends
# on the width through the ack/flow-control limits, so x4 is not exactly
# half of x8).
source "$(dirname "$0")/lib.bash"

cat > link.yaml <<'YAML'
name: link-effect
seed: 5
duration: 200ms
warmup: 20ms
stats: {sample_interval: 0ns}
systems:
  - name: s0
    adapters:
      - name: nvme0
        servers: 64
        service: {dist: constant, mean: 10us}
        link: {gen: 3, width: x8, mps: 256B}
        tce_cache: {entries: 4096}
lpars:
  - name: scan
    system: s0
    adapter: nvme0
    vps: 4
    driver: {buffers: 128, buffer_size: 128KiB}
    workload: {kind: storage, mode: closed, depth: 64, block_size: 128KiB}
YAML
for w in x8 x4; do
  "$LPARSIM" run link.yaml -o "$w.db" -q --progress never --set systems.s0.adapters.nvme0.link.width=$w
  expect_eq "$w saturates the upstream direction" \
    "$(q $w.db "SELECT round(value, 3) FROM scalar WHERE component='s0.nvme0.phb.link' AND name='up_utilisation'")" 1.0
done
predicted() {  # I/O per second the model allows for 128 KiB reads
  q "$1" "SELECT value FROM scalar WHERE component='s0.nvme0.phb.link' AND name='tlp_bandwidth'" |
    awk '{ sz = 131072; print $1 * sz / (sz + sz / 256 * 24) / (sz * 8) }'
}
got() { q "$1" "SELECT value FROM scalar WHERE component='lpar.scan' AND name='throughput'"; }
for w in x8 x4; do
  awk -v g="$(got $w.db)" -v p="$(predicted $w.db)" 'BEGIN { exit !(g > 0.98 * p && g <= 1.005 * p) }' ||
    fail "$w: $(got $w.db) I/O/s, model predicts $(predicted $w.db)"
done
awk -v a="$(got x8.db)" -v b="$(got x4.db)" -v pa="$(predicted x8.db)" -v pb="$(predicted x4.db)" '
  BEGIN { r = a / b; want = pa / pb; exit !(r > 0.98 * want && r < 1.02 * want && r > 1.9) }' ||
  fail "x8/x4 throughput ratio $(got x8.db)/$(got x4.db), model $(predicted x8.db)/$(predicted x4.db)"
