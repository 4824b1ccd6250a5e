# The I/O defaults of a POWER9 host, each against its closed form:
# - the DMA window's page follows the driver's mapping (page_size 0): an
#   8 KiB read in a 128 KiB-aligned buffer is 2 I/O pages of 4 KiB with
#   per_io mapping (the default window), so 2 H_PUT_TCE to map and 2 to
#   unmap; with 64 KiB pages set explicitly, 1 and 1;
# - the storage media default is NAND: lognormal, mean 85 us, cv 0.35
#   (abstract path with zero latencies and 64 servers at 2k/s: no queue,
#   so io_latency is the service time), mean and cv within their 95%
#   intervals' reach (n ~ 3800);
# - the wake-up counters: a 1-VP LPAR wakes every read on the interrupt's
#   VP (no IPI), a 2-VP one on one queue pair sends half of them by IPI.
source "$(dirname "$0")/lib.bash"

cat > pio.yaml <<'EOF'
name: pio
seed: 3
duration: 60ms
warmup: 10ms
systems:
  - name: s0
    adapters:
      - {name: a0, service: {dist: constant, mean: 20us}}
lpars:
  - name: db
    system: s0
    adapter: a0
    vps: 1
    driver: {tce_mapping: per_io}
    workload: {kind: storage, mode: open, rate: 10k/s, block_size: 8KiB, read_fraction: 1}
EOF
"$LPARSIM" run pio.yaml -o pio.db -q --progress never
calls=$(q pio.db "SELECT value FROM scalar WHERE component='s0.hcall.H_PUT_TCE' AND name='calls'")
ios=$(q pio.db "SELECT value FROM scalar WHERE component='lpar.db.driver' AND name='wakeups'")
# every completed I/O after the warm-up was mapped (2) and unmapped (2);
# those in flight at either end add at most 2 each
awk -v c="$calls" -v n="$ios" 'BEGIN { exit !(n > 300 && c >= 4 * n - 20 && c <= 4 * n + 20) }' ||
  fail "per_io with 4 KiB pages: $calls H_PUT_TCE for $ios I/Os (want 4 each)"
"$LPARSIM" run pio.yaml -o p64.db -q --progress never \
  --set systems.s0.adapters.a0.dma_window.page_size=64KiB
calls=$(q p64.db "SELECT value FROM scalar WHERE component='s0.hcall.H_PUT_TCE' AND name='calls'")
ios=$(q p64.db "SELECT value FROM scalar WHERE component='lpar.db.driver' AND name='wakeups'")
awk -v c="$calls" -v n="$ios" 'BEGIN { exit !(n > 300 && c >= 2 * n - 20 && c <= 2 * n + 20) }' ||
  fail "per_io with 64 KiB pages: $calls H_PUT_TCE for $ios I/Os (want 2 each)"
# one VP: every wake-up on the interrupt's own VP
expect_eq "1-VP IPIs" "$(q pio.db "SELECT value FROM scalar WHERE component='lpar.db.driver' AND name='wakeup_ipis'")" 0.0
"$LPARSIM" run pio.yaml -o two.db -q --progress never --set lpars.db.vps=2
wk=$(q two.db "SELECT value FROM scalar WHERE component='lpar.db.driver' AND name='wakeups'")
wi=$(q two.db "SELECT value FROM scalar WHERE component='lpar.db.driver' AND name='wakeup_ipis'")
awk -v w="$wk" -v i="$wi" 'BEGIN { exit !(w > 300 && i >= w / 2 - 2 && i <= w / 2 + 2) }' ||
  fail "2 VPs on 1 queue pair: $wi of $wk wake-ups by IPI (want half)"

cat > nand.yaml <<'EOF'
name: nand
seed: 5
duration: 2s
warmup: 100ms
systems:
  - name: s0
    adapters:
      - {name: a0, path: abstract, servers: 64}
lpars:
  - name: db
    system: s0
    adapter: a0
    workload: {kind: storage, mode: open, rate: 2k/s, block_size: 4KiB}
EOF
"$LPARSIM" run nand.yaml -o nand.db -q --progress never
row=$(q nand.db "SELECT count, mean, stddev FROM statistic WHERE component='lpar.db' AND name='io_latency'")
IFS='|' read -r n mean sd <<< "$row"
# mean: 85000 ns within 3 standard errors (sd / sqrt(n)); cv within 0.03
awk -v n="$n" -v m="$mean" -v s="$sd" 'BEGIN {
  se = s / sqrt(n); cv = s / m
  exit !(n > 3000 && m > 85000 - 3 * se && m < 85000 + 3 * se && cv > 0.32 && cv < 0.38) }' ||
  fail "default service: n $n mean $mean ns sd $sd (want lognormal 85 us, cv 0.35)"
echo "PASS"
