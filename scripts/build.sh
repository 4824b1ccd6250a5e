#!/usr/bin/env bash
# Configures and builds lparsim into build/ (or build-asan/ with --sanitize).
# Used by quickstart.sh and test.sh; safe to rerun (incremental).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLPARSIM_WERROR=ON)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLPARSIM_WERROR=ON -DLPARSIM_SANITIZE=ON)
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)" -- --no-print-directory >/dev/null || {
  # Rebuild serially so the first error is readable.
  cmake --build "$dir" -j 1
  exit 1
}
echo "$dir"
