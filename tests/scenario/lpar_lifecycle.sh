# An LPAR activated late and booting for a while. By default its
# workload starts when it runs (150 ms): nothing waits, the first I/O is
# issued then. With an explicit `start: 0ns` its I/O is issued from t=0
# and waits at the LPAR (held, in flight, never lost) until it runs. The
# transitions are recorded as lpar_state events at their times either way.
source "$(dirname "$0")/lib.bash"

late=(--set duration=300ms --set warmup=0ns --set lpars.db1.activate_at=100ms
      --set lpars.db1.boot=50ms)
"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" -o d.db -q --progress never "${late[@]}"
expect_eq "default: nothing held" "$(q d.db "SELECT value FROM scalar WHERE component='lpar.db1' AND name='ios_held'")" 0.0
# the first I/O came after the LPAR ran: no latency near the 150 ms wait
max=$(q d.db "SELECT max FROM statistic WHERE component='lpar.db1' AND name='io_latency'")
awk -v m="$max" 'BEGIN { exit !(m < 10e6) }' || fail "default start: max io_latency $max ns"
issued=$(q d.db "SELECT value FROM scalar WHERE component='lpar.db1' AND name='ios_issued'")
# 150 ms at 50k/s: about 7500 I/Os
awk -v n="$issued" 'BEGIN { exit !(n > 7000 && n < 8000) }' || fail "default start issued $n"

"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" -o lc.db -q --progress never "${late[@]}" \
  --set lpars.db1.workload.start=0ns
expect_eq events "$(q lc.db "SELECT group_concat(t_ps || ' ' || detail, '; ') FROM
                             (SELECT * FROM event WHERE component='lpar.db1' AND kind='lpar_state' ORDER BY t_ps)")" \
  "100000000000 activate -> starting; 150000000000 booted -> running"
held=$(q lc.db "SELECT value FROM scalar WHERE component='lpar.db1' AND name='ios_held'")
# 150 ms at 50k/s: about 7500 I/Os waited
awk -v h="$held" 'BEGIN { exit !(h > 7000 && h < 8000) }' || fail "ios_held $held"
expect_eq "batch1 untouched" "$(q lc.db "SELECT count(*) FROM event WHERE component='lpar.batch1'")" 0
expect_eq ios_lost "$(q lc.db "SELECT value FROM scalar WHERE component='lpar.db1' AND name='ios_lost'")" 0.0
# the held I/Os saw the wait: the longest latency is about the 150 ms
max=$(q lc.db "SELECT max FROM statistic WHERE component='lpar.db1' AND name='io_latency'")
awk -v m="$max" 'BEGIN { exit !(m > 149e6 && m < 152e6) }' || fail "max io_latency $max ns"
