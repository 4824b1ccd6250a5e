# scenarios/io-storage-baseline.yaml runs the full hardware path and writes
# the per-component metrics: TCE cache hit rate, link
# utilisation per direction, interrupts per hardware thread, per-VF I/O
# rates and latency, escalations, thread utilisation, EEH freezes; and it
# loses no I/O. --trace-io prints the seven steps of the I/O path in order.
source "$(dirname "$0")/lib.bash"

"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" -o base.db -q --progress never \
  --set duration=300ms --set warmup=50ms
expect_eq status "$(q base.db "SELECT status FROM run")" ok
one() { q base.db "SELECT count(*) FROM scalar WHERE component='$1' AND name='$2'"; }
for cn in s0.nvme0.phb:tce_hit_rate s0.nvme0.phb.pe0:tce_hit_rate s0.nvme0.phb:eeh_freezes \
          s0.nvme0.phb.link:up_utilisation s0.nvme0.phb.link:down_utilisation \
          s0.cpu.t0:interrupt_rate s0.cpu.t0:utilisation s0.xive:escalations \
          s0.nvme0.vf0.fn:throughput s0.nvme0.vf1.fn:throughput; do
  expect_eq "scalar $cn" "$(one "${cn%%:*}" "${cn#*:}")" 1
done
expect_eq "per-VF device latency" \
  "$(q base.db "SELECT count(*) > 0 FROM statistic WHERE component='s0.nvme0.vf0.fn' AND name='device_latency' AND count > 1000")" 1
hit=$(q base.db "SELECT value FROM scalar WHERE component='s0.nvme0.phb' AND name='tce_hit_rate'")
awk -v h="$hit" 'BEGIN { exit !(h > 0 && h < 1) }' || fail "tce_hit_rate $hit"
up=$(q base.db "SELECT value FROM scalar WHERE component='s0.nvme0.phb.link' AND name='up_utilisation'")
awk -v u="$up" 'BEGIN { exit !(u > 0.05 && u <= 1) }' || fail "up_utilisation $up"
# interrupts land on the queues' target VPs: their threads carry them all,
# plus the IPIs of the wake-ups whose submitter was on another VP
irqs=$(q base.db "SELECT sum(value) FROM scalar WHERE component LIKE 's0.cpu.t%' AND name='interrupts'")
msis=$(q base.db "SELECT value FROM scalar WHERE component='s0.nvme0.phb' AND name='msis'")
ipis=$(q base.db "SELECT sum(value) FROM scalar WHERE component LIKE 'lpar.%.driver' AND name='wakeup_ipis'")
# (those still running at the end of the run are not counted by the CPU)
awk -v i="$irqs" -v m="$msis" -v p="$ipis" 'BEGIN { exit !(i > 0 && p > 0 && i <= m + p + 10 && i >= 0.99 * (m + p)) }' ||
  fail "interrupts $irqs vs MSIs $msis + IPIs $ipis"
# db1 (4 VPs, 2 queue pairs, managed vectors): blk-mq maps VPs 0-1 to
# queue 0 and VPs 2-3 to queue 1, and each queue's interrupt targets one
# VP of its pair, so half of its wake-ups are IPIs
wk=$(q base.db "SELECT value FROM scalar WHERE component='lpar.db1.driver' AND name='wakeups'")
wi=$(q base.db "SELECT value FROM scalar WHERE component='lpar.db1.driver' AND name='wakeup_ipis'")
awk -v w="$wk" -v i="$wi" 'BEGIN { exit !(w > 1000 && i >= 0.45 * w && i <= 0.55 * w) }' ||
  fail "db1 wake-ups $wk, by IPI $wi (want half)"
for l in db1 batch1; do
  expect_eq "$l ios_lost" "$(q base.db "SELECT value FROM scalar WHERE component='lpar.$l' AND name='ios_lost'")" 0.0
  bal=$(q base.db "SELECT sum(CASE name WHEN 'ios_issued' THEN value ELSE -value END) FROM scalar
                   WHERE component='lpar.$l' AND name IN ('ios_issued','ios_completed','ios_failed','ios_in_flight','ios_lost')")
  expect_eq "$l conservation" "$bal" 0.0
done
# every interrupt the PHB sent was presented (or coalesced) by XIVE
pres=$(q base.db "SELECT value FROM scalar WHERE component='s0.xive' AND name='triggers'")
awk -v p="$pres" -v m="$msis" 'BEGIN { exit !(p > 0 && p <= m + 10 && p >= m - 10) }' ||
  fail "xive triggers $pres vs MSIs $msis"

# the trace walks the path in order
"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" -o trace.db -q --progress never \
  --set duration=20ms --set warmup=0ns --trace-io db1:50 > trace.txt
order=(" I/O 50 issued" "submit path done" "doorbell MMIO write" "doorbell of queue"
       "DMA read 64 B" "descriptor of I/O 50 fetched" "service stage" "TCE translation"
       "MWr TLP" "completion entry" "MSI-X vector" "MSI reached the PHB" "handler of source"
       "I/O 50 completed" "I/O 50 complete (ok)")
line=1
for step in "${order[@]}"; do  # each step found at or after the one before
  n=$(tail -n "+$line" trace.txt | grep -n -F -- "$step" | head -1 | cut -d: -f1)
  [ -n "$n" ] || fail "trace has no '$step' after line $line"
  line=$((line + n - 1))
done
# times never go backwards
awk '{ if ($1 + 0 < last) exit 1; last = $1 + 0 }' trace.txt || fail "trace times not monotonic"
"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" -o x.db --trace-io 0 2> err.txt && fail "--trace-io 0 accepted"
grep -q "expects \[LPAR:\]N" err.txt || fail "--trace-io 0: $(cat err.txt)"
"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" -o y.db --trace-io nosuch:5 2> err.txt &&
  fail "--trace-io of an unknown LPAR accepted"
expect_eq "unknown LPAR" "$(cat err.txt)" "lparsim run: error: --trace-io: the scenario has no LPAR named 'nosuch'"
[ ! -e y.db ] || fail "--trace-io of an unknown LPAR wrote a database"
"$LPARSIM" run "$SRC/scenarios/io-storage-baseline.yaml" -o z.db -q --progress never \
  --set duration=20ms --set warmup=0ns --trace-io db1:999999 > late.txt
expect_eq "I/O never issued" "$(cat late.txt)" \
  "--trace-io: I/O 999999 of LPAR db1 was not issued before the run ended"
