# Moving a VP from a dedicated thread to the shared pool raises interrupt
# delivery latency by the dispatch delay: packets arrive from the wire at
# random times, and one arriving while the VP is not dispatched waits for
# its next dispatch, E[wait] = (1 - e)^2 W / 2 for a VP with share e of a
# dispatch window W (docs/model-cpu.md). The undispatched VP's interrupts
# are backlogged in its NVT and escalate to the hypervisor.
source "$(dirname "$0")/lib.bash"

cat > shared.yaml <<'YAML'
name: shared-effect
seed: 9
duration: 4s
warmup: 100ms
stats: {sample_interval: 0ns}
systems:
  - name: s0
    dispatch: {dispatch_window: 10ms}
    adapters:
      - name: eth0
        kind: network
lpars:
  - name: rx1
    system: s0
    adapter: eth0
    vps: 1
    processors: {mode: dedicated}
    workload: {kind: network, tx_rate: 0/s, rx_rate: 1k/s, packet_size: 1500B}
YAML
"$LPARSIM" run shared.yaml -o dedicated.db -q --progress never
"$LPARSIM" run shared.yaml -o shared.db -q --progress never \
  --set lpars.rx1.processors.mode=shared --set lpars.rx1.processors.entitlement=0.5
lat() { q "$1" "SELECT mean FROM statistic WHERE component='lpar.rx1' AND name='io_latency'"; }
esc() { q "$1" "SELECT value FROM scalar WHERE component='s0.xive' AND name='escalations'"; }
# (1 - 0.5)^2 x 10 ms / 2 = 1.25 ms, within 6%
awk -v s="$(lat shared.db)" -v d="$(lat dedicated.db)" 'BEGIN { g = s - d; exit !(g > 0.94 * 1.25e6 && g < 1.06 * 1.25e6) }' ||
  fail "shared pool added $(awk -v s="$(lat shared.db)" -v d="$(lat dedicated.db)" 'BEGIN{print s-d}') ns, want 1.25 ms"
expect_eq "escalations, dedicated" "$(esc dedicated.db)" 0.0
awk -v e="$(esc shared.db)" 'BEGIN { exit !(e > 100) }' || fail "escalations, shared: $(esc shared.db)"
