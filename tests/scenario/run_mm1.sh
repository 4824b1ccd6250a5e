# `lparsim run` on the M/M/1 scenario writes every results table, a run with
# status ok, an io_latency statistic with samples, and conserves I/Os.
source "$(dirname "$0")/lib.bash"

"$LPARSIM" run "$SRC/scenarios/validation/mm1.yaml" --set duration=2s --set warmup=100ms \
    -o mm1.db -q --progress never
[ -f mm1.db ] || fail "no database written"

for t in run param scalar statistic histogram series event; do
  n=$(q mm1.db "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='$t'")
  expect_eq "table $t" "$n" 1
done
for col in run_id run_key scenario scenario_sha256 rep seed kernel version started_at \
           wall_s events sim_end_ps status error; do
  n=$(q mm1.db "SELECT count(*) FROM pragma_table_info('run') WHERE name='$col'")
  expect_eq "run.$col" "$n" 1
done
expect_eq status "$(q mm1.db "SELECT status FROM run")" ok
expect_eq journal "$(q mm1.db "PRAGMA journal_mode")" wal
expect_eq sim_end "$(q mm1.db "SELECT sim_end_ps FROM run")" 2000000000000
count=$(q mm1.db "SELECT count FROM statistic WHERE component='lpar.db1' AND name='io_latency' AND unit='ns'")
[ "${count:-0}" -gt 100000 ] || fail "io_latency count $count"
expect_eq ios_lost "$(q mm1.db "SELECT value FROM scalar WHERE component='lpar.db1' AND name='ios_lost'")" 0.0
# conservation: issued = completed + failed + in flight + lost
bal=$(q mm1.db "SELECT sum(CASE name WHEN 'ios_issued' THEN value ELSE -value END) FROM scalar
                WHERE component='lpar.db1' AND name IN ('ios_issued','ios_completed','ios_failed','ios_in_flight','ios_lost')")
expect_eq conservation "$bal" 0.0
# --set values are recorded as parameters
expect_eq params "$(q mm1.db "SELECT group_concat(name || '=' || value, ' ') FROM (SELECT * FROM param ORDER BY name)")" \
    "duration=2s warmup=100ms"
# histogram rows add up to the statistic's count
expect_eq histogram "$(q mm1.db "SELECT sum(count) FROM histogram WHERE name='io_latency'")" "$count"
# the M/M/1 mean response time (33.3 us) within 5% in a 2 s run
mean=$(q mm1.db "SELECT mean FROM statistic WHERE component='lpar.db1' AND name='io_latency'")
awk -v m="$mean" 'BEGIN { exit !(m > 31667 && m < 35000) }' || fail "io_latency mean $mean ns"
[ "$(q mm1.db "SELECT count(*) FROM series WHERE name='queue_length'")" -gt 10 ] || fail "no series"
echo ok
