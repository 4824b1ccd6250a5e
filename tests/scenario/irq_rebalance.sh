# Interrupt rebalancing after a load step (scenarios/irq-rebalance.yaml,
# shortened to 5 s; irqbalance every 1 s). The step at 2 s drives VP 0's
# hardware thread above 90% busy under static; metric-threshold restores
# the p99 (the first sample interval with p99 <= 1.1 x the pre-step p99)
# by t_step + monitoring interval + sample interval = 2.2 s, and static
# never does; irqbalance does at one of its cycles. The reassignments
# match the events, the time to settle is the last one's time after the
# step, and the manager's phases are well-formed pairs. A steady,
# balanced load (eth0 and eth1 equal, eth2 idle, no step) makes no
# reassignment under any manager.
source "$(dirname "$0")/lib.bash"

scn=$SRC/scenarios/irq-rebalance.yaml
args=(--set duration=5s --set policies.interrupts.irqbalance.interval=1s
      --set systems.s0.cpu.thread_series=true -q --progress never)
for k in static irqbalance metric-threshold; do
  "$LPARSIM" run "$scn" "${args[@]}" --set policies.interrupts.kind=$k -o $k.db
  expect_eq "$k status" "$(q $k.db "SELECT status FROM run")" ok
done

# the p99 before the step: the mean of its sample intervals in (1 s, 2 s]
pre() { q "$1" "SELECT avg(value) FROM series WHERE component='lpar.web' AND name='io_latency_p99'
                AND t_ps > 1000000000000 AND t_ps <= 2000000000000"; }
# the end of the first sample interval after the step with p99 <= 1.1 pre, or none
restored() { q "$1" "SELECT coalesce(min(t_ps), 'never') FROM series WHERE component='lpar.web'
                     AND name='io_latency_p99' AND t_ps > 2000000000000
                     AND value <= 1.1 * ($(pre "$1"))"; }
# VP 0's thread (s0.cpu.t0) after the step
busy() { q "$1" "SELECT min(value) FROM series WHERE component='s0.cpu.t0' AND name='utilisation'
                 AND t_ps > 2100000000000 AND t_ps <= $2"; }

awk -v b="$(busy static.db 5000000000000)" 'BEGIN { exit !(b > 0.9) }' ||
  fail "static: VP 0's thread not above 90% after the step ($(busy static.db 5000000000000))"
expect_eq "static never restores the p99" "$(restored static.db)" never
expect_eq "static reassignments" "$(q static.db "SELECT value FROM scalar WHERE component='irq.s0' AND name='reassignments'")" 0.0

t=$(restored metric-threshold.db)
# the bound, in ps: the step (timeline.step.at 2 s) + the monitoring
# interval (metric_threshold.interval, 100 ms by default) + the sample
# interval (stats.sample_interval 100 ms)
t_step=2000000000000 mon=100000000000 smp=100000000000
by=$((t_step + mon + smp))
[ "$t" != never ] && [ "$t" -le "$by" ] ||
  fail "metric-threshold restores the p99 at $t ps, want by $by ps (pre-step p99 $(pre metric-threshold.db) ns)"
mt() { q metric-threshold.db "$1"; }
moves=$(mt "SELECT value FROM scalar WHERE component='irq.s0' AND name='reassignments'")
expect_eq "metric-threshold: reassignments = retarget phases" \
  "$moves" "$(mt "SELECT count(*) || '.0' FROM event WHERE kind='irqmgr_retarget_end'")"
[ "$moves" != 0.0 ] || fail "metric-threshold moved nothing"
# the moves of an interval: irqmgr_start .. irqmgr_end around retarget pairs,
# each retarget the router's cost (H_INT_SET_SOURCE_CONFIG: 19000 cycles at
# 3.8 GHz = 5 us)
expect_eq "retarget phases last 5 us" \
  "$(mt "SELECT group_concat(DISTINCT e.t_ps - s.t_ps) FROM event s JOIN event e
         ON e.rowid = (SELECT min(rowid) FROM event WHERE kind='irqmgr_retarget_end' AND rowid > s.rowid)
         WHERE s.kind='irqmgr_retarget_start'")" 5000000
expect_eq "phase pairs" "$(mt "SELECT sum(kind='irqmgr_start') || ' ' || sum(kind='irqmgr_end') FROM event")" "1 1"
# settle time: the last reassignment after the step (2 s), in ns
last=$(mt "SELECT max(t_ps) FROM event WHERE kind='irqmgr_retarget_end'")
expect_eq "settle_time" "$(mt "SELECT value FROM scalar WHERE component='irq.s0' AND name='settle_time'")" \
  "$(awk -v l="$last" 'BEGIN { printf "%.1f", (l - 2e12) / 1000 }')"
# it moved eth2's interrupt (LISN 2) off VP 0, the move that leaves both
# VPs least busy, and no guest hcall counted it
mt "SELECT detail FROM event WHERE kind='irqmgr_retarget_end'" | grep -q '^web LISN 2: VP 0 -> VP 1$' ||
  fail "metric-threshold moves: $(mt "SELECT detail FROM event WHERE kind='irqmgr_retarget_end'")"

t=$(restored irqbalance.db)
[ "$t" != never ] && [ "$t" -le 4000000000000 ] || fail "irqbalance restores at $t ps"
ib=$(q irqbalance.db "SELECT value FROM scalar WHERE component='irq.s0' AND name='reassignments'")
expect_eq "irqbalance: reassignments = move events" \
  "$ib" "$(q irqbalance.db "SELECT count(*) || '.0' FROM event WHERE kind='irqbalance_move'")"
# each move is one guest H_INT_SET_SOURCE_CONFIG (and none before the run
# counts: the boot cycle's set-up)
expect_eq "irqbalance hcalls" "$ib" \
  "$(q irqbalance.db "SELECT value FROM scalar WHERE component='s0.hcall.H_INT_SET_SOURCE_CONFIG' AND name='calls'")"
# its moves happen at its cycles: whole seconds plus its task
q irqbalance.db "SELECT t_ps FROM event WHERE kind='irqbalance_start'" | grep -qv '000000000000$' &&
  fail "irqbalance cycles off its 1 s grid"

# a steady, balanced load: no reassignment under any manager
bal=(--set lpars.web.workloads.w0.rx_rate=100k/s --set lpars.web.workloads.w1.rx_rate=100k/s
     --set lpars.web.workloads.w2.rx_rate=0/s --set timeline.step.value=100k/s)
for k in static irqbalance metric-threshold; do
  "$LPARSIM" run "$scn" "${args[@]}" "${bal[@]}" --set policies.interrupts.kind=$k -o b$k.db
  expect_eq "balanced $k reassignments" \
    "$(q b$k.db "SELECT value FROM scalar WHERE component='irq.s0' AND name='reassignments'")" 0.0
done
# ... and the load is balanced: both VPs within 10% of each other
q bstatic.db "SELECT avg(value) FROM series WHERE name='irq_load' GROUP BY component" |
  awk 'NR == 1 { a = $1 } NR == 2 { b = $1 } END { exit !(a > 0 && (a > b ? a / b : b / a) < 1.1) }' ||
  fail "the balanced load is not balanced"
echo ok
