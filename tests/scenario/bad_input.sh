# Semantic errors the schema cannot see, and command-line errors: each gives
# one `FILE:LINE:COL: error:` (or `lparsim CMD: error:`) line, exit 2, and
# no database.
source "$(dirname "$0")/lib.bash"

base=$SRC/scenarios/storage-quickstart.yaml
# expect_error NAME FILE EXPECTED_MESSAGE -- ARGS...
expect_error() {
  local name=$1 want=$2; shift 3
  set +e
  "$LPARSIM" "$@" > out.txt 2> err.txt
  local rc=$?
  set -e
  expect_eq "$name: exit status" "$rc" 2
  expect_eq "$name: message" "$(cat err.txt)" "$want"
  [ ! -e out.db ] || fail "$name: a database was written"
}

sed 's/adapter: nvme0$/adapter: nvme1/' "$base" > dangling.yaml
l=$(grep -n 'adapter: nvme1' dangling.yaml | head -1 | cut -d: -f1)
expect_error dangling-adapter \
  "dangling.yaml:$l:14: error: 'adapter' refers to 'nvme1', but system 's0' has no adapter named 'nvme1' (did you mean 'nvme0'?)" \
  -- run dangling.yaml -o out.db

sed 's/vf: 1$/vf: 0/' "$base" > twice.yaml
l=$(grep -n 'vf: 0' twice.yaml | tail -1 | cut -d: -f1)
expect_error vf-twice \
  "twice.yaml:$l:9: error: VF 0 of adapter 'nvme0' is already assigned to LPAR 'db1'" \
  -- run twice.yaml -o out.db

sed 's/vf: 1$/vf: 8/' "$base" > vfrange.yaml
l=$(grep -n 'vf: 8' vfrange.yaml | cut -d: -f1)
expect_error vf-range \
  "vfrange.yaml:$l:9: error: 'vf' = 8 is out of range: adapter 'nvme0' has 8 VFs (0..7)" \
  -- run vfrange.yaml -o out.db

sed 's/memory: 32GiB/memory: 480GiB/' "$base" > overcommit.yaml
l=$(grep -n 'memory: 480GiB' overcommit.yaml | cut -d: -f1)
expect_error memory \
  "overcommit.yaml:$l:13: error: LPAR 'batch1' needs 480GiB of memory but system 's0' has only 448GiB left" \
  -- run overcommit.yaml -o out.db

expect_error warmup \
  "--set:1:8: error: 'warmup' must be shorter than 'duration'" \
  -- run "$base" --set warmup=5s -o out.db

expect_error unknown-option \
  "lparsim run: error: unknown option '--seeed' (did you mean '--seed'?)" \
  -- run "$base" --seeed 3 -o out.db
expect_error unknown-kernel \
  "lparsim run: error: unknown kernel 'gem5' (expected systemc or native)" \
  -- run "$base" --kernel gem5 -o out.db
expect_error missing-file "nope.yaml: error: cannot read the scenario: No such file or directory" \
  -- run nope.yaml -o out.db

set +e; "$LPARSIM" rnu 2> err.txt; rc=$?; set -e
expect_eq "unknown command status" "$rc" 2
grep -q "unknown command 'rnu' (did you mean 'run'?)" err.txt || fail "no did-you-mean for rnu"

echo "this is not a database" > notdb.db
set +e; "$LPARSIM" report notdb.db 2> err.txt; rc=$?; set -e
expect_eq "report of a non-database" "$rc" 2
grep -q "error:" err.txt || fail "no error for a non-database"
expect_eq "file untouched" "$(cat notdb.db)" "this is not a database"
echo ok
