# Shrinking the TCE cache adds about one table walk per DMA, and the mean
# I/O latency grows by exactly the walks added per I/O times the walk cost
# (the PHB handles an I/O's DMAs one after another, so walks add up).
source "$(dirname "$0")/lib.bash"

cat > tce.yaml <<'YAML'
name: tce-effect
seed: 3
duration: 2s
warmup: 100ms
stats: {sample_interval: 0ns}
systems:
  - name: s0
    adapters:
      - name: nvme0
        servers: 4
        service: {dist: constant, mean: 20us}
        tce_cache: {entries: 512, walk: 280ns}
lpars:
  - name: db1
    system: s0
    adapter: nvme0
    vps: 2
    driver: {buffers: 64, buffer_size: 4KiB}
    workload: {kind: storage, rate: 20k/s, block_size: 4KiB}
YAML
for e in 512 1; do
  "$LPARSIM" run tce.yaml -o "c$e.db" -q --progress never --set systems.s0.adapters.nvme0.tce_cache.entries=$e
done
misses() { q "$1" "SELECT value FROM scalar WHERE component='s0.nvme0.phb' AND name='tce_misses'"; }
dmas() { q "$1" "SELECT sum(value) FROM scalar WHERE component='s0.nvme0.phb.link' AND name IN ('dma_reads','dma_writes')"; }
lat() { q "$1" "SELECT mean FROM statistic WHERE component='lpar.db1' AND name='io_latency'"; }
ios() { q "$1" "SELECT count FROM statistic WHERE component='lpar.db1' AND name='io_latency'"; }

m_big=$(misses c512.db); m_small=$(misses c1.db); d=$(dmas c1.db)
expect_eq "misses with the working set cached" "$m_big" 0.0
# every DMA of an I/O (descriptor, data, completion) lands on another page
awk -v m="$m_small" -v d="$d" 'BEGIN { r = m / d; exit !(r > 0.85 && r <= 1.0) }' ||
  fail "one-entry cache: $m_small misses over $d DMAs, want about one per DMA"
# latency added = (walks added per I/O) x 280 ns, within 3%
awk -v a="$(lat c1.db)" -v b="$(lat c512.db)" -v m="$m_small" -v n="$(ios c1.db)" '
  BEGIN { want = m / n * 280; got = a - b; exit !(got > 0.97 * want && got < 1.03 * want) }' ||
  fail "latency grew by $(awk -v a="$(lat c1.db)" -v b="$(lat c512.db)" 'BEGIN{print a-b}') ns, want $m_small walks over $(ios c1.db) I/Os x 280 ns"
