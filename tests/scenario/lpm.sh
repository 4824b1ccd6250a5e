# Live partition mobility, as scenarios/lpm-{eeh,drain,unplug}.yaml play it
# (db1 moves from src to dst over mover0 with storage, network and memory
# writes running):
#  - every variant: status ok, nothing lost or failed, one migration, the
#    I/O completes on the target's VFs after the resume, phases paired;
#  - the results agree with the events: precopy_rounds = the rounds
#    sent, bytes_moved = the rounds' bytes (round_bytes) + the
#    stop-and-copy's pages x 64 KiB, downtime = suspend start .. resume
#    end, total_time = migrate .. cleanup end;
#  - eeh: ios_retried = ios_at_error (> 0), each target VF recovered once,
#    the I/O blackout at least the NVMe reset's hold + settle (250 ms +
#    1.8 s, the EEH defaults); drain: nothing retried, no EEH anywhere,
#    a blackout shorter than eeh's; unplug: nothing retried, the virtual
#    device served I/O, no EEH;
#  - a target without the memory refuses: an lpm_refused event, the run
#    ok, db1 still running on src;
#  - max_concurrent 1 with two migrations at once: the second waits
#    (lpm_queued) and starts when the first ends;
#  - fallback: virtual, under eeh and drain (below);
#  - two points of the dirty-rate x link-speed sweep (below).
source "$(dirname "$0")/lib.bash"
s() { q "$1" "SELECT value FROM scalar WHERE component='$2' AND name='$3'"; }
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
args=(-q --progress never)

for v in eeh drain unplug; do
  db=$v.db
  "$LPARSIM" run "$SRC/scenarios/lpm-$v.yaml" "${args[@]}" -o "$db" || fail "$v: exit $?"
  expect_eq "$v status" "$(q "$db" "SELECT status FROM run")" ok
  for n in ios_lost ios_failed; do expect_eq "$v $n" "$(s "$db" lpar.db1 $n)" 0.0; done
  expect_eq "$v migrations" "$(s "$db" lpm.db1 migrations)" 1.0
  expect_eq "$v aborts" "$(s "$db" lpm.db1 aborts)" 0.0
  # after the resume, I/O completes on the target's VFs
  resume=$(q "$db" "SELECT t_ps FROM event WHERE component='lpm.db1' AND kind='lpm_resume_end'")
  [ -n "$resume" ] || fail "$v: no resume"
  for a in nvme0 ent0; do
    gt "$(s "$db" dst.$a.vf0.fn ios_completed)" 1000 || fail "$v: dst.$a.vf0 completed $(s "$db" dst.$a.vf0.fn ios_completed)"
  done
  first=$(q "$db" "SELECT t_ps FROM event WHERE component='lpm.db1' AND kind='lpm_io_resumed'")
  gt "$first" "$resume" || fail "$v: first completion $first not after the resume $resume"
  # phases paired
  expect_eq "$v paired phases" \
    "$(q "$db" "SELECT count(*) FROM event WHERE component='lpm.db1' AND kind LIKE 'lpm_%_start'")" \
    "$(q "$db" "SELECT count(*) FROM event WHERE component='lpm.db1' AND kind LIKE 'lpm_%_end'")"
  # the scalars agree with the events and the series
  expect_eq "$v precopy_rounds" "$(s "$db" lpm.db1 precopy_rounds)" \
    "$(q "$db" "SELECT count(*) || '.0' FROM event WHERE component='lpm.db1' AND kind='lpm_round_end'")"
  stop_pages=$(q "$db" "SELECT CAST(substr(detail, 1, instr(detail, ' ') - 1) AS INTEGER) FROM event
                        WHERE component='lpm.db1' AND kind='lpm_stop_copy'")
  rounds=$(q "$db" "SELECT sum(value) FROM series WHERE component='lpm.db1' AND name='round_bytes'")
  expect_eq "$v bytes_moved" "$(s "$db" lpm.db1 bytes_moved)" \
    "$(awk -v r="$rounds" -v p="$stop_pages" 'BEGIN { printf "%.1f", r + p * 65536 }')"
  t_sus=$(q "$db" "SELECT t_ps FROM event WHERE component='lpm.db1' AND kind='lpm_suspend_start'")
  expect_eq "$v downtime" "$(s "$db" lpm.db1 downtime)" \
    "$(q "$db" "SELECT ($resume - $t_sus) / 1000.0")"
  t0=$(q "$db" "SELECT t_ps FROM event WHERE component='lpm.db1' AND kind='lpm_start'")
  t1=$(q "$db" "SELECT t_ps FROM event WHERE component='lpm.db1' AND kind='lpm_cleanup_end'")
  expect_eq "$v total_time" "$(s "$db" lpm.db1 total_time)" "$(q "$db" "SELECT ($t1 - $t0) / 1000.0")"
  gt "$(q "$db" "SELECT count FROM statistic WHERE component='lpm.db1' AND name='io_latency'")" 0 \
    || fail "$v: no I/O in lpm.db1 io_latency"
done

# eeh: what the source held at its error state is retried, nothing else
at=$(s eeh.db lpm.db1 ios_at_error)
gt "$at" 0 || fail "eeh: nothing outstanding at the error ($at)"
expect_eq "eeh ios_retried = ios_at_error" "$(s eeh.db lpar.db1 ios_retried)" "$at"
for a in nvme0 ent0; do expect_eq "eeh dst.$a recovered" "$(s eeh.db eeh.dst.$a.vf0 recoveries)" 1.0; done
gt "$(s eeh.db lpm.db1 io_blackout)" 2049999999 || fail "eeh blackout $(s eeh.db lpm.db1 io_blackout) < hold + settle"
# drain: nothing retried, no EEH at all, a shorter blackout
expect_eq "drain ios_retried" "$(s drain.db lpar.db1 ios_retried)" 0.0
expect_eq "drain: no EEH" "$(q drain.db "SELECT count(*) FROM event WHERE component LIKE 'eeh.%'")" 0
gt "$(s eeh.db lpm.db1 io_blackout)" "$(s drain.db lpm.db1 io_blackout)" || fail "drain blackout not shorter"
# unplug: through the virtual device, nothing retried, no EEH
expect_eq "unplug ios_retried" "$(s unplug.db lpar.db1 ios_retried)" 0.0
gt "$(s unplug.db lpar.db1.driver.virtual ios)" 0 || fail "unplug: the virtual device served nothing"
expect_eq "unplug: no EEH" "$(q unplug.db "SELECT count(*) FROM event WHERE component LIKE 'eeh.%'")" 0

# refused: dst has 4 GiB, db1 needs 8
"$LPARSIM" run "$SRC/scenarios/lpm-eeh.yaml" "${args[@]}" --set systems.dst.memory=4GiB \
  --set duration=4s -o r.db || fail "refusal: exit $?"
expect_eq "refused status" "$(q r.db "SELECT status FROM run")" ok
expect_eq "refusals" "$(s r.db lpm.db1 refusals)" 1.0
expect_eq "refused: no migration" "$(s r.db lpm.db1 migrations)" 0.0
q r.db "SELECT detail FROM event WHERE kind='lpm_refused'" | grep -q "memory free" \
  || fail "refusal without its reason: $(q r.db "SELECT detail FROM event WHERE kind='lpm_refused'")"
gt "$(s r.db src.nvme0.vf0.fn ios_completed)" 10000 || fail "refused: db1 stopped running on src"
expect_eq "refused: nothing on dst" "$(s r.db dst.nvme0.vf0.fn ios_completed)" 0.0

# two at once with max_concurrent 1 on src: web1 waits for db1
cat "$SRC/scenarios/lpm-eeh.yaml" > two.yaml
sed -i 's/^sweep:$/  - {at: 1s, action: migrate, lpar: web1, to: dst, via: mover0, quiesce: drain}\nsweep:/' two.yaml
"$LPARSIM" run two.yaml "${args[@]}" --set systems.src.lpm.max_concurrent=1 --set duration=20s \
  -o two.db || fail "two: exit $?"
expect_eq "web1 queued" "$(q two.db "SELECT count(*) FROM event WHERE component='lpm.web1' AND kind='lpm_queued'")" 1
end1=$(q two.db "SELECT t_ps FROM event WHERE component='lpm.db1' AND kind='lpm_end'")
start2=$(q two.db "SELECT t_ps FROM event WHERE component='lpm.web1' AND kind='lpm_start'")
expect_eq "web1 starts when db1 ends" "$start2" "$end1"
for l in db1 web1; do
  expect_eq "$l migrated" "$(s two.db lpm.$l migrations)" 1.0
  expect_eq "$l ios_lost" "$(s two.db lpar.$l ios_lost)" 0.0
done
# fallback: virtual: the virtual device carries the I/O while the VF is
# absent. eeh: from the resume until the target's recovery ends, so the
# blackout (>= the downtime: a suspended guest completes nothing) stays
# under the reset's hold + settle that bounds it without the fallback;
# what the source held is still retried. drain: during the drain instead
# of suspending submission; nothing retried, no EEH. Both: nothing lost,
# the virtual device served I/O on both devices, the target's VFs take the
# I/O back.
for v in eeh drain; do
  db=fb-$v.db
  "$LPARSIM" run "$SRC/scenarios/lpm-eeh.yaml" "${args[@]}" --set timeline.migrate.quiesce=$v \
    --set timeline.migrate.fallback=virtual -o "$db" || fail "fallback $v: exit $?"
  expect_eq "fallback $v status" "$(q "$db" "SELECT status FROM run")" ok
  expect_eq "fallback $v ios_lost" "$(s "$db" lpar.db1 ios_lost)" 0.0
  expect_eq "fallback $v migrations" "$(s "$db" lpm.db1 migrations)" 1.0
  for c in lpar.db1.driver.virtual lpar.db1.net.driver.virtual; do
    gt "$(s "$db" $c ios)" 0 || fail "fallback $v: $c served nothing"
  done
  for a in nvme0 ent0; do
    gt "$(s "$db" dst.$a.vf0.fn ios_completed)" 1000 || fail "fallback $v: dst.$a.vf0 took nothing back"
  done
done
expect_eq "fallback eeh retried = at error" "$(s fb-eeh.db lpar.db1 ios_retried)" "$(s fb-eeh.db lpm.db1 ios_at_error)"
gt "$(s fb-eeh.db lpm.db1 io_blackout)" "$(awk -v d="$(s fb-eeh.db lpm.db1 downtime)" 'BEGIN { printf "%.0f", d - 1 }')" \
  || fail "fallback eeh: blackout shorter than the downtime"
gt 2050000000 "$(s fb-eeh.db lpm.db1 io_blackout)" || fail "fallback eeh: blackout $(s fb-eeh.db lpm.db1 io_blackout) not under hold + settle"
expect_eq "fallback drain retried" "$(s fb-drain.db lpar.db1 ios_retried)" 0.0
expect_eq "fallback drain: no EEH" "$(q fb-drain.db "SELECT count(*) FROM event WHERE component LIKE 'eeh.%'")" 0

# the dirty-rate x link-speed sweep (scenarios/lpm-sweep.yaml) at two of
# its points: nothing lost, its storage writes complete on the target's VF
# after the resume, and the pre-copy rounds of the recursion N(i+1) =
# W (1 - (1 - 1/W)^(d T(i))), T(i) = N(i) x 64 KiB / R + 50 us, over
# P = W = 131072 pages, stopping when N fits 300 ms at R, after 30 rounds
# or past 3 x memory (10k/s at 25 Gbps: 2, the dirty set at 36% of the
# limit; 20k/s at 10 Gbps: 6, stopped by max_factor)
for pt in "10k/s 25Gbps 10000 25e9" "20k/s 10Gbps 20000 10e9"; do
  read -r rate bw d bits <<< "$pt"
  db=sweep-$d.db
  "$LPARSIM" run "$SRC/scenarios/lpm-sweep.yaml" "${args[@]}" --set lpars.vm.workloads.mem.rate=$rate \
    --set links.mover0.bandwidth=$bw -o "$db" || fail "sweep $rate $bw: exit $?"
  expect_eq "sweep $rate $bw status" "$(q "$db" "SELECT status FROM run")" ok
  expect_eq "sweep $rate $bw ios_lost" "$(s "$db" lpar.vm ios_lost)" 0.0
  expect_eq "sweep $rate $bw migrations" "$(s "$db" lpm.vm migrations)" 1.0
  resume=$(q "$db" "SELECT t_ps FROM event WHERE component='lpm.vm' AND kind='lpm_resume_end'")
  gt "$(q "$db" "SELECT count(*) FROM series WHERE component='dst.nvme0.vf0.fn' AND name='iops'
                 AND t_ps > $resume AND value > 0")" 0 || fail "sweep $rate $bw: no I/O on dst's VF after the resume"
  want=$(awk -v d="$d" -v bits="$bits" 'BEGIN {
    P = 131072; page = 65536; R = bits / 8; n = P; sent = 0; r = 0
    while (1) {
      t = n * page / R + 50e-6; sent += n; r++
      nx = P * (1 - exp(d * t * log(1 - 1 / P)))
      if (nx * page / R <= 0.3 || r >= 30 || sent > 3 * P) break
      n = nx
    }
    printf "%d.0", r }')
  expect_eq "sweep $rate $bw precopy_rounds" "$(s "$db" lpm.vm precopy_rounds)" "$want"
done
echo ok
