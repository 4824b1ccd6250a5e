#!/usr/bin/env bash
# Installs the Debian packages lparsim needs. Idempotent: prints nothing and
# touches nothing when every package is already present.
set -euo pipefail

packages=(
  build-essential cmake g++ pkg-config
  libsystemc-dev libsqlite3-dev libfyaml-dev nettle-dev check
  sqlite3 gnuplot-nox python3 python3-simpy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
