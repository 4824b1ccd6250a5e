# The adapter switch, as scenarios/adapter-switch.yaml plays it:
#  - transparent: db1's I/O continues on nvme1, nothing lost; the guest's
#    EEH never runs (no eeh.* component); what the source held is
#    replayed (ios_replayed = ios_retried of the switches' LPAR);
#  - a failure of nvme0 switches db2 to its standby by itself: its switch
#    component reports one switch, and the commands the failed adapter
#    held are replayed, none lost or failed;
#  - error_state: the guest's EEH core recovers the target once and
#    retries what it held; db1's blackout then includes that recovery.
# After either switch the I/O completes on nvme1's VFs.
source "$(dirname "$0")/lib.bash"
scn=$SRC/scenarios/adapter-switch.yaml
s() { q "$1" "SELECT value FROM scalar WHERE component='$2' AND name='$3'"; }

"$LPARSIM" run "$scn" -o t.db -q --progress never --set duration=4s
for l in db1 db2; do
  expect_eq "$l ios_lost" "$(s t.db lpar.$l ios_lost)" 0.0
  expect_eq "$l ios_failed" "$(s t.db lpar.$l ios_failed)" 0.0
  expect_eq "$l switches" "$(s t.db switch.$l switches)" 1.0
  expect_eq "$l replayed = retried" "$(s t.db switch.$l ios_replayed)" "$(s t.db lpar.$l ios_retried)"
done
expect_eq "no EEH under transparent" "$(q t.db "SELECT count(*) FROM scalar WHERE component LIKE 'eeh.%' AND name='freezes' AND value > 0")" 0
expect_eq "db2 switched on failure" "$(q t.db "SELECT count(*) FROM event WHERE component='switch.db2'
                                               AND kind='switch_detect_start'")" 1
# both now on nvme1: its VFs completed I/O after the switches
n1=$(q t.db "SELECT sum(value) FROM scalar WHERE component LIKE 's0.nvme1.vf%.fn' AND name='ios_completed'")
awk -v n="$n1" 'BEGIN { exit !(n > 10000) }' || fail "nvme1 completed only $n1 I/Os"
# every switch step is a start/end pair inside switch_start/_end
expect_eq "paired steps" "$(q t.db "SELECT count(*) FROM event WHERE kind LIKE 'switch_%_start'")" \
  "$(q t.db "SELECT count(*) FROM event WHERE kind LIKE 'switch_%_end'")"

"$LPARSIM" run "$scn" -o e.db -q --progress never --set duration=4s \
  --set timeline.switch.method=error_state
expect_eq "db1 ios_lost" "$(s e.db lpar.db1 ios_lost)" 0.0
expect_eq "target recovered once" "$(s e.db eeh.s0.nvme1.vf0 recoveries)" 1.0
retried=$(s e.db lpar.db1 ios_retried)
awk -v r="$retried" 'BEGIN { exit !(r > 0) }' || fail "error_state retried nothing"
blackout=$(s e.db switch.db1 io_blackout)
# at least the EEH reset: hold 250 ms + settle 1.8 s (defaults)
awk -v b="$blackout" 'BEGIN { exit !(b >= 2.05e9) }' || fail "blackout $blackout ns"
echo ok
