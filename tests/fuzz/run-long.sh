#!/usr/bin/env bash
# tests/fuzz/run-long.sh — a longer fuzzing campaign on the scenario loader.
#
#   bash tests/fuzz/run-long.sh [-t SECONDS] [-j JOBS] [-o OUTDIR] [--update-corpus]
#                               [-- LIBFUZZER_FLAG...]
#
#   -t SECONDS       total fuzzing time (default 600)
#   -j JOBS          parallel fuzzing processes (default: the number of CPUs)
#   -o OUTDIR        build and work directory (default build/fuzz-long)
#   --update-corpus  afterwards, merge into tests/fuzz/corpus the inputs that
#                    add coverage (for committing with the seeds)
#
# Builds the fuzzer (build.sh), then fuzzes in libFuzzer's fork mode: JOBS
# processes, and one that finds a crash is replaced, so the campaign runs
# for SECONDS and collects every failing input in OUTDIR/artifacts/ (those
# of this campaign are listed at the end, and make the exit status 1). The
# working corpus OUTDIR/corpus is kept between campaigns (it starts from
# the seeds and regression inputs) and is minimised (-merge=1) at the end.
# See docs/fuzzing.md for turning a failing input into a regression input.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
secs=600 jobs=$(nproc) out=$src/build/fuzz-long update=false extra=()
while [ $# -gt 0 ]; do
  case $1 in
    -t) secs=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    --update-corpus) update=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,20s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "run-long: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

fuzzer=$(bash "$here/build.sh" "$out")
out=$(dirname "$fuzzer")
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export LSAN_OPTIONS=print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p "$out/corpus" "$out/artifacts"
cd "$out" # fork mode writes its logs to the current directory
touch "$out/campaign.start" # failing inputs are reported if newer than this

echo "run-long: fuzzing for ${secs}s with $jobs jobs; log: $out/run-long.log" >&2
set +e
"$fuzzer" -fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -max_total_time="$secs" -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
  -artifact_prefix="$out/artifacts/" -print_final_stats=1 "${extra[@]}" \
  "$out/corpus" "$here/corpus" "$here/regressions" > "$out/run-long.log" 2>&1
rc=$?
set -e
tail -n 3 "$out/run-long.log" >&2

# Minimise the working corpus: keep only inputs that add coverage.
rm -rf "$out/corpus.merged"
mkdir "$out/corpus.merged"
"$fuzzer" -merge=1 -max_len=4096 -timeout=5 "$out/corpus.merged" "$out/corpus" \
  > "$out/merge.log" 2>&1
rm -rf "$out/corpus"
mv "$out/corpus.merged" "$out/corpus"
echo "run-long: working corpus: $(ls "$out/corpus" | wc -l) inputs in $out/corpus" >&2
if $update; then
  before=$(ls "$here/corpus" | wc -l)
  "$fuzzer" -merge=1 -max_len=4096 -timeout=5 "$here/corpus" "$out/corpus" \
    >> "$out/merge.log" 2>&1
  echo "run-long: tests/fuzz/corpus: $before -> $(ls "$here/corpus" | wc -l) inputs" >&2
fi

found=()
while IFS= read -r f; do found+=("$f"); done < <(
  find "$out/artifacts" -type f -newer "$out/campaign.start" \
    \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
if [ ${#found[@]} -gt 0 ]; then
  echo "run-long: ${#found[@]} failing inputs (see docs/fuzzing.md):" >&2
  printf '  %s\n' "${found[@]}" >&2
  exit 1
fi
[ "$rc" -eq 0 ] || { echo "run-long: libFuzzer exited with $rc (see the log)" >&2; exit 1; }
echo "run-long: no failures" >&2
