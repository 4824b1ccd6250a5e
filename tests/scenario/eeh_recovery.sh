# scenarios/eeh-recovery.yaml, run as its header says: every I/O is
# accounted for (ios_lost 0, status ok), each recovery takes exactly its
# closed form (docs/validation.md "EEH recovery") computed from the
# scenario's resolved parameters, the polled NIC notices its freeze at the
# next poll, db1's adapter failure needs all 3 resets (repaired between
# the 2nd and the 3rd), the retried count is what error_detected took
# back (the whole closed loop for the storage LPARs), and the scenario's
# sweep over batch1's answer gives the three recovery times.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/eeh_lib.bash"

scn=$SRC/scenarios/eeh-recovery.yaml

# the parameters, as the loader resolves them (all three adapters alike)
cb=$(to_ps "$(resolved "$scn" eeh_callback)")
H=$(to_ps "$(resolved "$scn" reset_hold)")
S=$(to_ps "$(resolved "$scn" reset_settle)")
C=$(to_ps "$(resolved "$scn" configure)")
R=$(to_ps "$(resolved "$scn" restore)")
T=$(to_ps "$(resolved "$scn" thaw)")
I=$(to_ps "$(resolved "$scn" reinit)")
Z=$(to_ps "$(resolved "$scn" hotplug_sleep)")
Q=$(resolved "$scn" queue_pairs)
hz=$(to_hz "$(resolved "$scn" frequency)")
V=$(cycles_ps "$(resolved "$scn" vioctl)" "$hz")
A=$(resolved "$scn" reset_attempts)
expect_eq "reset_attempts" "$A" 3

reset1=$(( 3*cb + H + S + C + R + I + Q*V ))
reset3=$(( 3*cb + 3*(H + S) + C + R + I + Q*V ))
recover=$(( 3*cb + 2*T + I + Q*V ))
none=$(( cb + H + S + C + R + Z + I + Q*V ))

"$LPARSIM" run "$scn" -q --progress never -o eeh.db || fail "run exited $?"
expect_eq status "$(q eeh.db "SELECT status FROM run")" ok
for l in db1 batch1 kv1; do
  expect_eq "lpar.$l ios_lost" "$(scalar eeh.db lpar.$l ios_lost)" 0
  expect_eq "lpar.$l ios_retried = taken back at error_detected" \
    "$(scalar eeh.db lpar.$l ios_retried)" "$(taken_back eeh.db eeh.s0.$(case $l in
      db1) echo nvme0;; batch1) echo nvme1;; kv1) echo ent0;; esac).vf0)"
done

# db1: the adapter fails at 1 s and is back at 14 s; its 16 I/Os stall
db=eeh.s0.nvme0.vf0
expect_eq "db1: 3 resets" "$(recovery_ps eeh.db $db)" "$reset3"
expect_eq "db1 resets" "$(q eeh.db "SELECT group_concat(detail, '|') FROM event
  WHERE component = '$db' AND kind = 'eeh_reset_end'")" \
  "slot inactive after reset|slot inactive after reset|the device answers"
fail_at=$(ev_t eeh.db timeline fail)
repair_at=$(ev_t eeh.db timeline repair)
ed_end=$(ev_t eeh.db $db eeh_error_detected_end)
[ $(( ed_end + (H + S) + H )) -lt "$repair_at" ] && [ "$repair_at" -lt $(( ed_end + 2*(H + S) + H )) ] ||
  fail "the repair is not between the 2nd and the 3rd reset's deassert"
io_timeout=$(to_ps 10s)
detect=$(ev_t eeh.db $db eeh_detect_end)
# noticed io_timeout after the oldest stalled command began: at most
# io_timeout after the failure, and not much less (a command lives < 5 ms)
[ $(( detect - fail_at )) -le "$io_timeout" ] && [ $(( detect - fail_at )) -gt $(( io_timeout - 5000000000 )) ] ||
  fail "db1 noticed at $detect, failure at $fail_at"
expect_eq "db1 retried: the closed loop" "$(scalar eeh.db lpar.db1 ios_retried)" 16
expect_eq "db1 recoveries" "$(scalar eeh.db $db recoveries)" 1

# batch1: a frozen VF, answer recover; its 8 I/Os stall
expect_eq "batch1: recover" "$(recovery_ps eeh.db eeh.s0.nvme1.vf0)" "$recover"
expect_eq "batch1 retried: the closed loop" "$(scalar eeh.db lpar.batch1 ios_retried)" 8

# kv1: polled every 100 ms, frozen at 2.05 s: noticed at 2.1 s, reset
poll=$(to_ps 100ms)
freeze=$(q eeh.db "SELECT t_ps FROM event WHERE kind = 'freeze' AND detail LIKE 'kv1_freeze:%'")
expect_eq "kv1 freeze" "$freeze" "$(to_ps 2050ms)"
expect_eq "kv1 noticed at the next poll" "$(ev_t eeh.db eeh.s0.ent0.vf0 eeh_detect_end)" \
  $(( (freeze + poll - 1) / poll * poll ))
expect_eq "kv1 detect_time (ns)" "$(scalar eeh.db eeh.s0.ent0.vf0 detect_time)" \
  $(( ((freeze + poll - 1) / poll * poll - freeze) / 1000 ))
expect_eq "kv1: reset" "$(recovery_ps eeh.db eeh.s0.ent0.vf0)" "$reset1"

# the sweep over batch1's answer
"$LPARSIM" sweep "$scn" -j 2 -o sweep.db > /dev/null 2>&1 || fail "sweep exited $?"
for pair in "recover $recover" "reset $reset1" "none $none"; do
  set -- $pair
  got=$(q sweep.db "SELECT r.status, s.value FROM run r JOIN param p USING (run_id)
    JOIN scalar s USING (run_id) WHERE p.name = 'lpars.batch1.driver.eeh' AND p.value = '$1'
    AND s.component = 'eeh.s0.nvme1.vf0' AND s.name = 'recovery_time'")
  expect_eq "sweep eeh=$1: status|recovery_time (ns)" "$got" "ok|$(awk -v p="$2" 'BEGIN { printf "%.1f", p / 1000 }')"
  lost=$(q sweep.db "SELECT SUM(s.value) FROM param p JOIN scalar s USING (run_id)
    WHERE p.name = 'lpars.batch1.driver.eeh' AND p.value = '$1' AND s.name = 'ios_lost'")
  expect_eq "sweep eeh=$1: ios_lost" "$lost" 0.0
done
echo ok
