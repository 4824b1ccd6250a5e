#!/usr/bin/env bash
# tests/fuzz/smoke.sh [OUTDIR] — ctest fuzz.smoke: builds the scenario-loader
# fuzzer with clang (build.sh) into OUTDIR, runs every regression input and
# every seed of the corpus once, then fuzzes from the corpus for a fixed
# number of runs (FUZZ_SMOKE_RUNS, default 100000; fixed seed, so the same
# build makes the same inputs). Fails on any crash, sanitizer report, leak,
# timeout or out-of-memory; inputs that fail are kept in OUTDIR/artifacts/.
# A longer campaign: tests/fuzz/run-long.sh. See docs/fuzzing.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../build/fuzz}
runs=${FUZZ_SMOKE_RUNS:-100000}
fuzzer=$(bash "$here/build.sh" "$out")
out=$(dirname "$fuzzer")

# Our own sanitizer settings, whatever the caller's (ctest under
# scripts/test.sh exports suppressions meant for SystemC).
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export LSAN_OPTIONS=print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
flags=(-timeout=5 -rss_limit_mb=2048 -max_len=4096 -error_exitcode=77)

rm -rf "$out/artifacts" "$out/smoke-corpus"
mkdir -p "$out/artifacts" "$out/smoke-corpus"
log=$out/smoke.log
: > "$log"
failed() {
  tail -n 60 "$log" >&2
  echo "fuzz.smoke: FAILED $1 (log: $log; inputs kept in $out/artifacts/)." >&2
  echo "fuzz.smoke: make each a regression input: docs/fuzzing.md" >&2
  exit 1
}

shopt -s nullglob
regressions=("$here"/regressions/*)
seeds=("$here"/corpus/*)
[ ${#seeds[@]} -gt 0 ] || { echo "fuzz.smoke: no seed corpus in $here/corpus" >&2; exit 1; }

# 1. Every input the fuzzer ever caught, and 2. every seed: run once each.
run_each() {
  local what=$1; shift
  [ $# -gt 0 ] || return 0
  echo "== $what: $# inputs" >> "$log"
  "$fuzzer" "${flags[@]}" -artifact_prefix="$out/artifacts/" "$@" >> "$log" 2>&1 ||
    failed "on the $what"
}
run_each "regression inputs" "${regressions[@]}"
run_each "seed corpus" "${seeds[@]}"

# 3. A bounded fuzzing run that starts from the seeds and the regressions.
cp "${seeds[@]}" "$out/smoke-corpus/"
[ ${#regressions[@]} -eq 0 ] || cp "${regressions[@]}" "$out/smoke-corpus/"
echo "== fuzzing: $runs runs" >> "$log"
"$fuzzer" "${flags[@]}" -seed=1 -runs="$runs" -print_final_stats=1 \
  -artifact_prefix="$out/artifacts/" "$out/smoke-corpus" >> "$log" 2>&1 ||
  failed "while fuzzing"
grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$log" || true
echo "fuzz.smoke: ok (${#regressions[@]} regression inputs, ${#seeds[@]} seeds, $runs fuzzing runs)"
