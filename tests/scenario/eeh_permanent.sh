# Permanent failure of a PE, two ways, on one LPAR whose driver polls:
#  - random freezes (`freeze` with `every`) past max_freezes: the freeze
#    the PHB counts as number max_freezes + 1 puts the PE offline, the EEH
#    core gives it up (permanent_failures 1) and never starts another
#    recovery, and from then on the LPAR's I/O fails visibly: it
#    completes nothing more, ios_failed grows, ios_lost stays 0;
#  - an adapter that fails for good: every reset attempt fails, the same
#    end, after cb + A (H + S) of recovery.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/eeh_lib.bash"

write() { # FILE MAX_FREEZES TIMELINE...
  local f=$1 max=$2
  shift 2
  cat > "$f" <<EOF
name: eeh-permanent
seed: 7
duration: 20s
stats: {sample_interval: 100ms}
systems:
  - name: s0
    cores: 2
    threads_per_core: 2
    adapters:
      - name: nvme0
        kind: storage
        vfs: 2
        servers: 4
        service: {dist: exponential, mean: 80us}
        eeh: {max_freezes: $max, reset_hold: 150ms, reset_settle: 600ms}
lpars:
  - name: db1
    system: s0
    adapter: nvme0
    vps: 2
    driver: {detect: mmio_poll, poll_interval: 20ms, reinit: 200ms, reset_attempts: 3}
    workload: {kind: storage, mode: closed, depth: 4, think: 2ms}
timeline:
$(printf '  %s\n' "$@")
EOF
}

check_gone() { # DB: the PE was given up once; nothing completes afterwards
  local db=$1 comp=eeh.s0.nvme0.vf0
  expect_eq "$db status" "$(q "$db" "SELECT status FROM run")" ok
  expect_eq "$db permanent_failures" "$(scalar "$db" $comp permanent_failures)" 1
  expect_eq "$db ios_lost" "$(scalar "$db" lpar.db1 ios_lost)" 0
  [ "$(scalar "$db" lpar.db1 ios_failed)" -gt 0 ] || fail "$db: no I/O failed"
  local gone
  gone=$(q "$db" "SELECT t_ps FROM event WHERE component = '$comp' AND kind = 'eeh_end'
                  AND detail LIKE 'permanent failure%'")
  [ -n "$gone" ] || fail "$db: no permanent failure event"
  expect_eq "$db eeh_start after the end" "$(q "$db" "SELECT COUNT(*) FROM event
    WHERE component = '$comp' AND kind = 'eeh_start' AND t_ps > $gone")" 0
  expect_eq "$db I/O completed after the end" "$(q "$db" "SELECT COUNT(*) FROM series
    WHERE component = 'lpar.db1' AND name = 'iops' AND t_ps > $gone + 100000000000 AND value > 0")" 0
  [ "$(q "$db" "SELECT COUNT(*) FROM series WHERE component = 'lpar.db1' AND name = 'iops'
        AND t_ps > $gone")" -gt 10 ] || fail "$db: too few samples after the end"
  echo "$gone"
}

# random freezes, max_freezes 2
write every.yaml 2 "- {name: faults, at: 100ms, action: freeze, target: s0.nvme0.vf0, every: 1500ms}"
"$LPARSIM" run every.yaml -q --progress never -o every.db || fail "run exited $?"
gone=$(check_gone every.db)
offline=$(q every.db "SELECT t_ps FROM event WHERE component = 's0.nvme0.phb' AND kind = 'eeh_freeze'
                      AND detail LIKE '%too many freezes%'")
[ -n "$offline" ] || fail "no freeze took the PE offline"
expect_eq "counted freezes up to the one that took the PE offline" \
  "$(q every.db "SELECT COUNT(*) FROM event WHERE component = 's0.nvme0.phb' AND kind = 'eeh_freeze'
                 AND t_ps <= $offline")" 3
[ "$gone" -ge "$offline" ] || fail "given up at $gone, before the PE went offline at $offline"
[ "$(q every.db "SELECT COUNT(*) FROM event WHERE kind = 'freeze'")" -gt 3 ] ||
  fail "the random freezes stopped"

# the same freezes with max_freezes high enough: never given up, no I/O fails
write many.yaml 1000 "- {name: faults, at: 100ms, action: freeze, target: s0.nvme0.vf0, every: 1500ms}"
"$LPARSIM" run many.yaml -q --progress never -o many.db || fail "run exited $?"
expect_eq "max_freezes 1000: permanent_failures" "$(scalar many.db eeh.s0.nvme0.vf0 permanent_failures)" 0
expect_eq "max_freezes 1000: ios_failed" "$(scalar many.db lpar.db1 ios_failed)" 0
expect_eq "max_freezes 1000: ios_lost" "$(scalar many.db lpar.db1 ios_lost)" 0
[ "$(scalar many.db eeh.s0.nvme0.vf0 recoveries)" -ge 3 ] || fail "max_freezes 1000: too few recoveries"
expect_eq "max_freezes 1000: retried = taken back" "$(scalar many.db lpar.db1 ios_retried)" \
  "$(taken_back many.db eeh.s0.nvme0.vf0)"

# an adapter that never comes back: A = 3 failed resets
write dead.yaml 5 "- {at: 1010ms, action: fail, target: s0.nvme0}"
"$LPARSIM" run dead.yaml -q --progress never -o dead.db || fail "run exited $?"
check_gone dead.db > /dev/null
cb=$(to_ps 10us); H=$(to_ps 150ms); S=$(to_ps 600ms)
expect_eq "given up after cb + 3 (H + S)" "$(recovery_ps dead.db eeh.s0.nvme0.vf0)" $(( cb + 3*(H + S) ))
expect_eq "noticed at the next poll" "$(ev_t dead.db eeh.s0.nvme0.vf0 eeh_start)" "$(to_ps 1020ms)"
expect_eq "3 resets, none answered" "$(q dead.db "SELECT COUNT(*) FROM event WHERE kind = 'eeh_reset_end'
  AND detail = 'slot inactive after reset'")" 3
echo ok
