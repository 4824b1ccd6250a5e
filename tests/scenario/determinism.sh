# Same scenario and seed: identical statistic and scalar rows on a rerun and
# on the native kernel backend; a different seed changes them.
source "$(dirname "$0")/lib.bash"

scn=$SRC/scenarios/storage-quickstart.yaml
args=(--set duration=300ms --set warmup=50ms -q --progress never)
"$LPARSIM" run "$scn" "${args[@]}" -o a.db
"$LPARSIM" run "$scn" "${args[@]}" -o b.db
"$LPARSIM" run "$scn" "${args[@]}" --kernel native -o c.db
"$LPARSIM" run "$scn" "${args[@]}" --seed 43 -o d.db

rows() {
  q "$1" "SELECT component, name, unit, count, mean, stddev, min, max, p50, p90, p99, p999
          FROM statistic ORDER BY component, name"
  q "$1" "SELECT component, name, unit, value FROM scalar ORDER BY component, name"
  q "$1" "SELECT component, name, lower, upper, count FROM histogram ORDER BY component, name, lower"
  q "$1" "SELECT component, name, t_ps, value FROM series ORDER BY component, name, t_ps"
}
rows a.db > a.txt; rows b.db > b.txt; rows c.db > c.txt; rows d.db > d.txt
[ "$(wc -l < a.txt)" -gt 20 ] || fail "too few rows to compare"
cmp -s a.txt b.txt || fail "rerun differs"
cmp -s a.txt c.txt || fail "native backend differs from systemc"
! cmp -s a.txt d.txt || fail "a different seed gave identical rows"
expect_eq kernel "$(q c.db "SELECT kernel FROM run")" native
expect_eq run_key "$(q a.db "SELECT run_key FROM run")" "$(q c.db "SELECT run_key FROM run")"
[ "$(q a.db "SELECT run_key FROM run")" != "$(q d.db "SELECT run_key FROM run")" ] || fail "seed not in run_key"

# the network path (NIC port, RX from the wire, moderation timers) and a
# shared-pool LPAR, on both backends
net=$SRC/scenarios/io-network-baseline.yaml
nargs=(--set duration=30ms --set warmup=5ms --set lpars.kv1.processors.mode=shared
       --set lpars.kv1.processors.entitlement=1.0 -q --progress never)
"$LPARSIM" run "$net" "${nargs[@]}" -o n1.db
"$LPARSIM" run "$net" "${nargs[@]}" --kernel native -o n2.db
rows n1.db > n1.txt; rows n2.db > n2.txt
[ "$(wc -l < n1.txt)" -gt 100 ] || fail "too few network rows to compare"
cmp -s n1.txt n2.txt || fail "network scenario: native backend differs from systemc"

# shared processors on the storage baseline: an uncapped LPAR (batch1) and
# a capped, saturated one (db1) on a pool with core granularity: budgets,
# preemption, snooze and H_CEDE, wake-ups, both backends
st=$SRC/scenarios/io-storage-baseline.yaml
sargs=(--set duration=60ms --set warmup=10ms --set systems.s0.dispatch.granularity=core
       --set lpars.db1.processors.mode=shared --set lpars.db1.processors.entitlement=1.0
       --set lpars.db1.processors.sharing=capped -q --progress never)
"$LPARSIM" run "$st" "${sargs[@]}" -o p1.db
"$LPARSIM" run "$st" "${sargs[@]}" --kernel native -o p2.db
rows p1.db > p1.txt; rows p2.db > p2.txt
# capped at 1.0: its VPs never run beyond it, and use nearly all of it
# (they poll while idle; a VP whose queue runs dry between the wake-ups
# its I/Os bring cedes for a moment)
physc=$(q p1.db "SELECT value FROM scalar WHERE component='lpar.db1' AND name='physc'")
awk -v p="$physc" 'BEGIN { exit !(p <= 1.0 && p >= 0.999) }' ||
  fail "the capped LPAR is not at its entitlement (physc $physc)"
cmp -s p1.txt p2.txt || fail "shared processors: native backend differs from systemc"

# a timeline of faults (scenarios/eeh-recovery.yaml: an adapter failure
# and repair, frozen VFs, recoveries by two answers and two ways of
# noticing): identical rows, events included, on a rerun and on the
# native kernel
eeh=$SRC/scenarios/eeh-recovery.yaml
eargs=(-q --progress never)
"$LPARSIM" run "$eeh" "${eargs[@]}" -o e1.db
"$LPARSIM" run "$eeh" "${eargs[@]}" -o e2.db
"$LPARSIM" run "$eeh" "${eargs[@]}" --kernel native -o e3.db
for x in e1 e2 e3; do
  { rows $x.db; q $x.db "SELECT t_ps, component, kind, detail FROM event ORDER BY rowid"; } > $x.txt
done
[ "$(q e1.db "SELECT COUNT(*) FROM event WHERE kind LIKE 'eeh_%'")" -gt 40 ] || fail "too few EEH events"
cmp -s e1.txt e2.txt || fail "timeline scenario: rerun differs"
cmp -s e1.txt e3.txt || fail "timeline scenario: native backend differs from systemc"
expect_eq "timeline scenario status" "$(q e1.db "SELECT status FROM run")" ok

# live partition mobility between two systems (mover link, pre-copy
# rounds, the switchover's re-wiring, EEH recovery on the target, the
# virtual device of unplug), and an abort's rollback: identical rows and
# events on a rerun and on the native kernel
for v in eeh unplug abort; do
  m=$SRC/scenarios/lpm-$v.yaml
  margs=(-q --progress never --set duration=10s)
  [ $v = abort ] && margs+=(--set timeline.mend.at=9s)
  "$LPARSIM" run "$m" "${margs[@]}" -o m1.db
  "$LPARSIM" run "$m" "${margs[@]}" -o m2.db
  "$LPARSIM" run "$m" "${margs[@]}" --kernel native -o m3.db
  for x in m1 m2 m3; do
    { rows $x.db; q $x.db "SELECT t_ps, component, kind, detail FROM event ORDER BY rowid"; } > $x.txt
  done
  [ "$(q m1.db "SELECT COUNT(*) FROM event WHERE kind LIKE 'lpm_%'")" -gt 10 ] || fail "lpm-$v: too few LPM events"
  cmp -s m1.txt m2.txt || fail "lpm-$v: rerun differs"
  cmp -s m1.txt m3.txt || fail "lpm-$v: native backend differs from systemc"
done
echo ok
