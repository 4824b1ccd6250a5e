#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the default
# scenario, printing a short summary and where the results database is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh)
"$dir/lparsim" run scenarios/storage-quickstart.yaml "$@"
