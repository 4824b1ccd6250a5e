# Shared by the scenario tests: $LPARSIM is the binary, $LPARSIM_SOURCE_DIR
# the source tree (both set by ctest). Each test works in its own temp dir.
set -euo pipefail
: "${LPARSIM:?set by ctest}" "${LPARSIM_SOURCE_DIR:?set by ctest}"
SRC=$LPARSIM_SOURCE_DIR
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lparsim-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
q() { sqlite3 -batch -noheader "$1" "$2"; }
