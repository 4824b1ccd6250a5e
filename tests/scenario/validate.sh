# `lparsim validate` passes every row (exit 0) and prints one row per
# reference, each with PASS.
source "$(dirname "$0")/lib.bash"

"$LPARSIM" validate > out.txt || { cat out.txt; fail "validate exited non-zero"; }
cat out.txt
rows=$(grep -cE ' (PASS\*?|FAIL)$' out.txt)
[ "$rows" -ge 20 ] || fail "only $rows rows"
! grep -qE ' FAIL$' out.txt || fail "a row failed"
grep -q '^PASS: 0 row(s) failed$' out.txt || fail "no PASS summary"
