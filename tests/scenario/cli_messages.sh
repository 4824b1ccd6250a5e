# The messages a new user meets on the command line, word for word: a
# --seed that is not a number names --seed (not a --set); a directory
# given as the scenario says so; a tab in the indentation is named as the
# cause; `params` with an unknown type suggests a type, or says where a
# parameter of that name lives, or lists the types, and points to the
# sources of the defaults; `check` shows a workload's own kind's
# parameters only. Every one exits 2 and writes no database. And `run` on
# a file with a sweep: section says that it runs the base values once.
source "$(dirname "$0")/lib.bash"

MM1=$SRC/scenarios/validation/mm1.yaml

# expect_error WHAT WANT CMD...: exit status 2, stderr exactly WANT, no x.db
expect_error() {
  local what=$1 want=$2 rc=0
  shift 2
  "$@" > out.txt 2> err.txt || rc=$?
  expect_eq "$what: exit status" "$rc" 2
  expect_eq "$what: message" "$(cat err.txt)" "$want"
  [ ! -e x.db ] || fail "$what: wrote x.db"
}

expect_error "run --seed abc" \
  "lparsim run: error: --seed expects a whole number from 0 to 2^64-1 (such as 42), got 'abc'" \
  "$LPARSIM" run "$MM1" --seed abc -o x.db
expect_error "sweep --seed -1" \
  "lparsim sweep: error: --seed expects a whole number from 0 to 2^64-1 (such as 42), got '-1'" \
  "$LPARSIM" sweep "$MM1" --seed -1 -o x.db
mkdir scen.d
expect_error "run DIR" \
  "scen.d: error: cannot read the scenario: it is a directory (give the scenario file)" \
  "$LPARSIM" run scen.d -o x.db

# a tab that libfyaml reports as something else
printf 'name: x\n\tduration: 1s\nsystems:\n  - name: s0\n' > tab.yaml
expect_error "tab" \
  "tab.yaml:2:1: error: tab character in the indentation of line 2 (YAML indents with spaces only)" \
  "$LPARSIM" run tab.yaml -o x.db

expect_error "params adaptr" \
  "lparsim params: error: unknown component type 'adaptr' (did you mean 'adapter'?)" \
  "$LPARSIM" params adaptr
expect_error "params rate" \
  "lparsim params: error: 'rate' is a parameter, not a component type: see lparsim params workload" \
  "$LPARSIM" params rate
"$LPARSIM" params nosuch 2> err.txt && fail "params nosuch: exit 0"
grep -q "^lparsim params: error: unknown component type 'nosuch' (types: scenario, system, adapter," \
  err.txt || fail "params nosuch lists no types: $(cat err.txt)"
"$LPARSIM" params tce_cache | tail -1 | grep -q 'docs/model-reference.md' ||
  fail "params does not point to docs/model-reference.md"

# check: a storage workload shows storage parameters, not a network's,
# a compute's or a replay's
"$LPARSIM" check "$SRC/scenarios/io-storage-baseline.yaml" > c.txt
grep -q '^      block_size: 8KiB$' c.txt || fail "check lost the storage parameters"
for p in tx_rate rx_rate packet_size cycles working_set dirty_batch file time_scale loop; do
  grep -q "^      $p:" c.txt && fail "check shows '$p' on a storage workload"
done
# run on a file with a sweep: section: a note, then the run of the base values
cp "$MM1" sw.yaml
printf 'sweep:\n  reps: 3\n  vary:\n    lpars.db1.workload.rate: [50k/s, 70k/s]\n' >> sw.yaml
"$LPARSIM" run sw.yaml --set duration=20ms --set warmup=2ms --progress never -o sw.db \
  > out.txt 2> err.txt || fail "run of a sweep file failed"
expect_eq "run with a sweep: section" "$(cat err.txt)" \
  "lparsim run: note: sw.yaml has a sweep: section (2 points x 3 reps); \`lparsim run\` runs the scenario once, with its base values. To run the sweep: lparsim sweep sw.yaml"
expect_eq "runs" "$(q sw.db 'SELECT count(*) FROM run')" 1
echo ok
