# A migration aborted in each of its phases rolls back
# (scenarios/lpm-abort.yaml, quiesce drain, and the same with eeh and
# unplug): a reference run without the failure gives every phase's start
# and end; then the mover link fails in the middle of each phase before
# the resume (and, for some, a target adapter fails instead). Each must:
#  - end with status ok, no migration and one abort, an lpm_aborted event
#    naming the phase the failure is noticed at (the same phase for a
#    failure during a transfer, the next one otherwise), rollback paired;
#  - lose and fail nothing; retry nothing under drain and unplug, and
#    exactly what the source held at its error under eeh (its EEH
#    recovery on the source);
#  - leave db1 running on src: its I/O completes on src's VFs after the
#    rollback (1 s on), and no target VF completed any.
source "$(dirname "$0")/lib.bash"
s() { q "$1" "SELECT value FROM scalar WHERE component='$2' AND name='$3'"; }
scn=$SRC/scenarios/lpm-abort.yaml
# a lighter storage load than the scenario's (think 2 ms): the rollbacks,
# not the I/O rate, are under test
args=(-q --progress never --set duration=12s --set timeline.cut.at=11500ms
      --set timeline.mend.at=11600ms --set lpars.db1.workloads.io.think=2ms)

checked=0
for v in drain eeh unplug; do
  ref=ref-$v.db
  "$LPARSIM" run "$scn" "${args[@]}" --set timeline.migrate.quiesce=$v -o "$ref" || fail "$v reference: exit $?"
  expect_eq "$v reference migrated" "$(s "$ref" lpm.db1 migrations)" 1.0
  # the phases in order with their start and end (ps); a failure between
  # transfers is noticed when the next phase starts
  mapfile -t phases < <(q "$ref" "SELECT substr(s.kind, 5, length(s.kind) - 10), s.t_ps,
                            (SELECT min(e.t_ps) FROM event e WHERE e.component = s.component
                             AND e.kind = replace(s.kind, '_start', '_end') AND e.t_ps >= s.t_ps)
                     FROM event s WHERE s.component = 'lpm.db1' AND s.kind LIKE 'lpm_%_start'
                     AND s.kind NOT IN ('lpm_round_start') ORDER BY s.t_ps")
  for i in "${!phases[@]}"; do
    IFS='|' read -r phase t0 t1 <<< "${phases[$i]}"
    IFS='|' read -r following _ <<< "${phases[$((i + 1))]}"
    [ "$phase" = resume ] && break
    # validate and prepare roll back alike whatever the variant
    if [ $v != drain ] && { [ "$phase" = validate ] || [ "$phase" = prepare ]; }; then continue; fi
    mid=$(( (t0 + t1) / 2 ))
    [ "$mid" -gt "$t0" ] || continue # a phase of no time: nothing can fail in it
    for what in link adapter; do
      if [ $what = link ]; then
        set_fail=(--set timeline.cut.at=${mid}ps)
      else
        [ $v = drain ] || continue
        [ "$phase" = stop_copy ] || [ "$phase" = suspend ] || [ "$phase" = precopy ] || continue
        set_fail=(--set timeline.cut.target=dst.nvme0 --set timeline.mend.target=dst.nvme0
                  --set timeline.cut.at=${mid}ps)
      fi
      db=$v-$phase-$what.db
      "$LPARSIM" run "$scn" "${args[@]}" --set timeline.migrate.quiesce=$v "${set_fail[@]}" \
        -o "$db" || fail "$v $phase $what: exit $?"
      tag="$v, $what fails in $phase"
      expect_eq "$tag: status" "$(q "$db" "SELECT status FROM run")" ok
      expect_eq "$tag: aborts" "$(s "$db" lpm.db1 aborts)" 1.0
      expect_eq "$tag: migrations" "$(s "$db" lpm.db1 migrations)" 0.0
      detail=$(q "$db" "SELECT detail FROM event WHERE component='lpm.db1' AND kind='lpm_aborted'")
      noticed=$phase
      [[ $detail == *"during"* ]] || noticed=$following
      [[ $detail == "at $noticed:"* ]] || fail "$tag: aborted '$detail', want at $noticed"
      expect_eq "$tag: rollback paired" \
        "$(q "$db" "SELECT count(*) FROM event WHERE component='lpm.db1' AND kind IN ('lpm_rollback_start','lpm_rollback_end')")" 2
      for n in ios_lost ios_failed; do expect_eq "$tag: $n" "$(s "$db" lpar.db1 $n)" 0.0; done
      if [ $v = eeh ]; then
        expect_eq "$tag: retried = at error" "$(s "$db" lpar.db1 ios_retried)" "$(s "$db" lpm.db1 ios_at_error)"
      else
        expect_eq "$tag: retried" "$(s "$db" lpar.db1 ios_retried)" 0.0
      fi
      for a in nvme0 ent0; do
        expect_eq "$tag: dst.$a idle" "$(s "$db" dst.$a.vf0.fn ios_completed)" 0.0
      done
      # db1 runs on src after the rollback: its I/O completes there
      t_rb=$(q "$db" "SELECT t_ps FROM event WHERE component='lpm.db1' AND kind='lpm_rollback_end'")
      after=$(q "$db" "SELECT count(*) FROM series WHERE component='lpar.db1' AND name='iops'
                       AND t_ps > $t_rb + 1000000000000 AND value > 0")
      [ "$after" -gt 0 ] || fail "$tag: no I/O completed 1 s after the rollback"
      checked=$((checked + 1))
    done
  done
done
[ "$checked" -ge 25 ] || fail "only $checked failure points checked"
echo "ok ($checked rollbacks)"
