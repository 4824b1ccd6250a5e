# Every subcommand has --help (exit 0); `check` prints the resolved machine
# with defaults; `params` lists component parameters with units and
# defaults; `report` shows a run.
source "$(dirname "$0")/lib.bash"

for c in run check params report validate; do
  "$LPARSIM" "$c" --help > h.txt || fail "$c --help failed"
  grep -q "^usage: lparsim $c" h.txt || fail "$c --help has no usage line"
done
"$LPARSIM" --help | grep -q '^  validate' || fail "top-level help lacks validate"

"$LPARSIM" check "$SRC/scenarios/validation/mm1.yaml" --set lpars.db1.workload.rate=50k/s > c.txt
grep -q 'rate: 50k/s' c.txt || fail "check does not show the override"
grep -q 'threads_per_core: 8  # default' c.txt || fail "check does not show defaults"

"$LPARSIM" params > p.txt
grep -qE '^  servers +count +- +1 +1..4096' p.txt || fail "params lacks adapter.servers"
grep -qE '^  frequency +freq +Hz +3.8GHz' p.txt || fail "params lacks system.frequency"

"$LPARSIM" run "$SRC/scenarios/validation/md1.yaml" --set duration=200ms --set warmup=20ms \
    -o r.db -q --progress never
"$LPARSIM" report r.db > r.txt
grep -q 'io_latency' r.txt || fail "report lacks io_latency"
grep -qE '^  lpar +io_latency mean +p50 +p99 +IOPS +issued +completed +failed +retried +lost$' r.txt ||
    fail "report lacks the LPAR headline"
"$LPARSIM" report r.db --all > all.txt
grep -q 'ios_lost' all.txt || fail "report --all lacks ios_lost"
"$LPARSIM" report r.db --format json | python3 -m json.tool > /dev/null || fail "report json invalid"
echo ok
