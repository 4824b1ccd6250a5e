#!/usr/bin/env bash
# tests/bad-input/check.sh NAME — one bad-input test (ctest bad_input.NAME).
# Runs `lparsim run NAME.yaml -o OUT.db` and `lparsim check NAME.yaml` from
# this directory, so FILE in the message is the relative NAME.yaml. Each
# must exit with status 2, print nothing on stdout, print exactly the one
# line of NAME.expected on stderr, and write no database.
set -euo pipefail
: "${LPARSIM:?set by ctest: the lparsim binary}"
name=${1:?usage: check.sh NAME}
cd "$(dirname "$0")"
fail() { echo "FAIL bad_input.$name: $*" >&2; exit 1; }
[ -f "$name.yaml" ] || fail "no $name.yaml"
[ -f "$name.expected" ] || fail "no $name.expected (the exact stderr line)"
[ "$(wc -l < "$name.expected")" -eq 1 ] || fail "$name.expected must hold exactly one line"

out=$(mktemp -d "${TMPDIR:-/tmp}/bad-input.XXXXXX")
trap 'rm -rf "$out"' EXIT
for cmd in run check; do
  args=("$cmd" "$name.yaml")
  [ "$cmd" = run ] && args+=(-o "$out/OUT.db")
  set +e
  "$LPARSIM" "${args[@]}" > "$out/stdout" 2> "$out/stderr"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "lparsim ${args[*]}: exit status $rc, want 2; stderr: $(cat "$out/stderr")"
  if ! cmp -s "$out/stderr" "$name.expected"; then
    echo "lparsim ${args[*]}: stderr differs from $name.expected:" >&2
    diff "$name.expected" "$out/stderr" >&2 || true
    fail "wrong message"
  fi
  [ ! -s "$out/stdout" ] || fail "lparsim ${args[*]} printed on stdout: $(head -c 300 "$out/stdout")"
  ! compgen -G "$out/OUT.db*" > /dev/null || fail "lparsim ${args[*]} wrote a database"
done
echo "ok bad_input.$name"
