#!/usr/bin/env bash
# Installs the Debian packages lparsim needs. Idempotent: prints nothing and
# touches nothing when every package is already present.
#   --test  also install what only the tests need: a Slurm controller, node
#           daemon and client plus MUNGE (tests/scenario/slurm_*.sh start a
#           private one-node cluster), and clang with its runtime libraries
#           (the fuzzer).
set -euo pipefail

packages=(
  build-essential cmake g++ pkg-config
  libsystemc-dev libsqlite3-dev libfyaml-dev nettle-dev check
  sqlite3 gnuplot-nox python3 python3-simpy
)
test_packages=(
  slurm-wlm munge
  clang libclang-rt-14-dev
)

for arg in "$@"; do
  case $arg in
    --test) packages+=("${test_packages[@]}") ;;
    -h|--help) sed -n '2,7s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive

# The munge and slurm-wlm maintainer scripts try to start their daemons. On a
# machine without systemd (a container, a CI VM) that fails or hangs, and where
# it works it leaves system-wide daemons running that the tests do not want
# (they start their own, privately). A policy-rc.d that answers 101 ("action
# forbidden") makes invoke-rc.d / deb-systemd-invoke skip every start; ours
# is removed afterwards, and one that was already there is left alone.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  trap '$sudo rm -f "$policy"' EXIT
  printf '#!/bin/sh\n# temporary, from lparsim scripts/setup.sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
fi

$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
