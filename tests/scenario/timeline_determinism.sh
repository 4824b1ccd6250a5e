# A scenario with a timeline of faults (scenarios/eeh-recovery.yaml: an
# adapter failure and repair, frozen VFs, recoveries by three answers and
# two ways of noticing) gives identical rows, events included, on a rerun
# and on the native kernel backend; another seed changes them.
source "$(dirname "$0")/lib.bash"

scn=$SRC/scenarios/eeh-recovery.yaml
args=(-q --progress never)
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
  q "$1" "SELECT t_ps, component, kind, detail FROM event ORDER BY rowid"
}
for x in a b c d; do rows $x.db > $x.txt; done
[ "$(q a.db "SELECT COUNT(*) FROM event WHERE kind LIKE 'eeh_%'")" -gt 40 ] || fail "too few EEH events"
[ "$(wc -l < a.txt)" -gt 500 ] || fail "too few rows to compare"
cmp -s a.txt b.txt || fail "rerun differs"
cmp -s a.txt c.txt || { diff a.txt c.txt | head; fail "native backend differs from systemc"; }
! cmp -s a.txt d.txt || fail "a different seed gave identical rows"
expect_eq "status" "$(q a.db "SELECT status FROM run")" ok
echo ok
