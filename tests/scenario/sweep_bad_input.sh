# Bad sweep input is reported once, located, before anything runs: exit 2
# and no database, whether the mistake is in the scenario's sweep.vary, in
# a --vary argument, or only in one combination of valid values.
source "$(dirname "$0")/lib.bash"

scn=$SRC/scenarios/validation/mm1.yaml
# expect_bad WHAT WANT-STDERR ARGS...
expect_bad() {
  local what=$1 want=$2
  shift 2
  set +e
  "$LPARSIM" sweep "$@" -o bad.db --progress never > out.txt 2> err.txt
  local rc=$?
  set -e
  expect_eq "$what: exit status" "$rc" 2
  expect_eq "$what: message" "$(cat err.txt)" "$want"
  [ ! -e bad.db ] || fail "$what: a database was written"
  [ ! -e results ] || fail "$what: a results folder was created"
}

expect_bad "unknown --vary path" \
  "--vary:1:1: error: unknown key 'rat' (did you mean 'rate'?)" \
  "$scn" --vary lpars.db1.workload.rat=1k/s,2k/s
expect_bad "bad --vary value" \
  "--vary:1:31: error: 'rate': '2k' is not a rate (write N/s, N/ms or N/us, N may end in k, M or G)" \
  "$scn" --vary "lpars.db1.workload.rate=1k/s, 2k"
expect_bad "bad combination" \
  "--vary:1:11: error: 'warmup' must be shorter than 'duration' (sweep point: warmup=40s)" \
  "$scn" --vary warmup=1s,40s
expect_bad "bad --reps" "lparsim sweep: error: --reps expects a whole number from 1 to 100000, got '0'" \
  "$scn" --reps 0

cp "$scn" v.yaml
printf 'sweep:\n  vary:\n    systems.s0.adapters.nvme0.server: [1, 2]\n' >> v.yaml
line=$(grep -n 'nvme0.server:' v.yaml | cut -d: -f1)
expect_bad "unknown path in sweep.vary" \
  "v.yaml:$line:5: error: unknown key 'server' (did you mean 'servers'?)" v.yaml
sed -i 's/nvme0.server:/nvme0.servers:/; s/\[1, 2\]/[1, 0]/' v.yaml
expect_bad "bad value in sweep.vary" \
  "v.yaml:$line:44: error: 'servers' = 0 is out of range (1..4096)" v.yaml

# A foreign file as the database: refused before any worker runs.
echo "not a database" > notes.db
set +e
"$LPARSIM" sweep "$scn" --vary seed=1,2 -o notes.db --progress never 2> err.txt
rc=$?
set -e
expect_eq "foreign db: exit status" "$rc" 2
grep -q '^notes.db: error: ' err.txt || fail "foreign db: $(cat err.txt)"
expect_eq "foreign db untouched" "$(cat notes.db)" "not a database"
echo ok
