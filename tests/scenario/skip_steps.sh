# Every protocol step that debug.skip_step can remove, as `lparsim check
# --steps` lists them (never a hand-written list), is caught when it is
# left out: the run exits 3 with status check_failed, some LPAR has
# ios_lost > 0, and the run's error names the step. A short
# debug.stuck_after makes I/O left in a ring no VF reads count as lost.
#
# Each step is run on the scenario that exercises its mechanism (the text
# before the first '.'). A new mechanism adds one line to scenario_of; a
# step whose mechanism has no line fails this test. Each scenario is also
# run once with nothing left out and the same stuck_after: it must lose
# nothing (so a loss is the step's doing, not the scenario's).
source "$(dirname "$0")/lib.bash"

declare -A scenario_of=(
  [eeh]=$SRC/scenarios/eeh-recovery.yaml
  [switch]=$SRC/scenarios/adapter-switch.yaml
  [failover]=$SRC/scenarios/vnic-failover.yaml
  [lpm]=$SRC/scenarios/lpm-abort.yaml
)
# steps a scenario reaches only with one of its variants
declare -A variant_of=(
  [switch.error_state]="--set timeline.switch.method=error_state"
  # lpm-abort.yaml aborts its drain migration (the link fails at 3 s); the
  # steps of a migration that completes move the failure past its end
  [lpm.error_state]="--set timeline.migrate.quiesce=eeh --set timeline.cut.at=13500ms --set timeline.mend.at=13600ms"
  [lpm.drain_wait]="--set timeline.cut.at=13500ms --set timeline.mend.at=13600ms"
  [lpm.restore_queues]="--set timeline.cut.at=13500ms --set timeline.mend.at=13600ms"
  [lpm.unplug_wait]="--set timeline.migrate.quiesce=unplug --set timeline.cut.at=13500ms --set timeline.mend.at=13600ms"
  # the link fails during the stop-and-copy, after the queue state moved
  [lpm.rollback]="--set timeline.cut.at=8300ms"
)
stuck=1s
args=(-q --progress never --set debug.stuck_after=$stuck)

listing=$("$LPARSIM" check --steps)
[ -n "$listing" ] || fail "lparsim check --steps listed nothing"
steps=()
while read -r name doc; do
  [[ $name == *.* ]] || fail "step '$name' is not MECH.STEP"
  [ -n "$doc" ] || fail "step '$name' has no description"
  steps+=("$name")
done <<< "$listing"

lost_sum() { q "$1" "SELECT COALESCE(SUM(value), 0) FROM scalar WHERE name = 'ios_lost' AND component LIKE 'lpar.%'"; }

declare -A controlled=()
for step in "${steps[@]}"; do
  mech=${step%%.*}
  scn=${scenario_of[$mech]:-}
  [ -n "$scn" ] || fail "no scenario exercises mechanism '$mech' (step $step): add it to scenario_of"
  [ -f "$scn" ] || fail "$scn (for mechanism $mech) does not exist"
  if [ -z "${controlled[$mech]:-}" ]; then
    "$LPARSIM" run "$scn" "${args[@]}" -o "control-$mech.db" \
      || fail "$mech: $scn with debug.stuck_after=$stuck and no step left out: exit $?"
    expect_eq "$mech control status" "$(q "control-$mech.db" "SELECT status FROM run")" ok
    expect_eq "$mech control ios_lost" "$(lost_sum "control-$mech.db")" 0.0
    controlled[$mech]=1
  fi
  db=skip-$step.db
  set +e
  read -r -a variant <<< "${variant_of[$step]:-}"
  "$LPARSIM" run "$scn" "${args[@]}" "${variant[@]}" --set "debug.skip_step=$step" -o "$db" \
    2> "skip-$step.err"
  rc=$?
  set -e
  [ "$rc" -eq 3 ] || fail "$step left out: exit $rc, want 3; stderr: $(cat "skip-$step.err")"
  expect_eq "$step status" "$(q "$db" "SELECT status FROM run")" check_failed
  lost=$(lost_sum "$db")
  awk -v l="$lost" 'BEGIN { exit !(l > 0) }' || fail "$step left out: ios_lost = $lost, want > 0"
  err=$(q "$db" "SELECT error FROM run")
  [[ $err == *"'$step'"* ]] || fail "$step left out: the run's error does not name it: $err"
  [ "$(q "$db" "SELECT COUNT(*) FROM event WHERE kind = 'step_skipped' AND detail LIKE '%$step left out'")" -gt 0 ] \
    || fail "$step was never reached in $scn (no step_skipped event)"
  echo "ok $step: ios_lost $lost"
done
echo ok
