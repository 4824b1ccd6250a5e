#!/usr/bin/env bash
# Installs what is missing (also what only the tests need: Slurm, MUNGE,
# clang), builds, and runs every test (Check unit tests, scenario tests, the
# Slurm cluster tests) with ctest. --sanitize: the same under ASan + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
dir=$(bash scripts/build.sh "$@")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$dir"
ctest --output-on-failure -j "$(nproc)"
