# Interrupt managers and coalescing policies are deterministic: the same
# scenario and seed give identical rows (statistics, scalars, series,
# events) on both kernel backends (systemc and native).
# Runs scenarios/irq-rebalance.yaml shortened to 3 s under irqbalance
# (every 500 ms, with hints) and metric-threshold (with hints), and a
# storage LPAR under vIC and a NIC under DIM.
source "$(dirname "$0")/lib.bash"

rows() {
  q "$1" "SELECT component, name, unit, count, mean, stddev, min, max, p50, p90, p99, p999
          FROM statistic ORDER BY component, name"
  q "$1" "SELECT component, name, unit, value FROM scalar ORDER BY component, name"
  q "$1" "SELECT component, name, t_ps, value FROM series ORDER BY component, name, t_ps"
  q "$1" "SELECT t_ps, component, kind, detail FROM event ORDER BY rowid"
}
both() {  # both WHAT FILE ARGS...: the two backends' rows are equal
  local what=$1 f=$2; shift 2
  "$LPARSIM" run "$f" -q --progress never -o s.db --kernel systemc "$@"
  "$LPARSIM" run "$f" -q --progress never -o n.db --kernel native "$@"
  rows s.db > s.txt; rows n.db > n.txt
  [ "$(wc -l < s.txt)" -gt 100 ] || fail "$what: too few rows to compare"
  cmp -s s.txt n.txt || fail "$what: native backend differs from systemc"
  rm -f s.db n.db
}

scn=$SRC/scenarios/irq-rebalance.yaml
a=(--set duration=3s --set lpars.web.driver.hints=true)
both irqbalance "$scn" "${a[@]}" --set policies.interrupts.kind=irqbalance \
  --set policies.interrupts.irqbalance.interval=500ms
grep -q irqbalance_move s.txt || fail "irqbalance moved nothing"
both metric-threshold "$scn" "${a[@]}" --set policies.interrupts.kind=metric-threshold
grep -q irqmgr_retarget_end s.txt || fail "metric-threshold moved nothing"

cat > st.yaml <<'Y'
name: vic
seed: 5
duration: 200ms
warmup: 20ms
systems:
  - name: s0
    adapters:
      - name: nvme0
        servers: 1
        service: {dist: exponential, mean: 20us}
        coalescing: {kind: dynamic}
lpars:
  - name: db1
    system: s0
    adapter: nvme0
    workload: {kind: storage, mode: closed, depth: 32, block_size: 4KiB}
Y
both vIC st.yaml
both DIM st.yaml --set systems.s0.adapters.nvme0.coalescing.kind=dim
echo ok
