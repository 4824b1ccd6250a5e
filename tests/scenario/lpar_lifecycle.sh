# An LPAR activated late and booting for a while: its workload's I/O
# waits at the LPAR (held, in flight, never lost) until it runs, and the
# transitions are recorded as lpar_state events at their times.
source "$(dirname "$0")/lib.bash"

"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" -o lc.db -q --progress never \
  --set duration=300ms --set warmup=0ns --set lpars.db1.activate_at=100ms --set lpars.db1.boot=50ms
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
