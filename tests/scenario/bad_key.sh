# A misspelt top-level key: FILE:LINE:COL: error naming the right line and
# suggesting the right key, exit status 2, and no database written.
source "$(dirname "$0")/lib.bash"

sed 's/^duration:/duraton:/' "$SRC/scenarios/validation/mm1.yaml" > typo.yaml
line=$(grep -n '^duraton:' typo.yaml | cut -d: -f1)
set +e
"$LPARSIM" run typo.yaml -o out.db 2> err.txt
rc=$?
set -e
expect_eq "exit status" "$rc" 2
expect_eq message "$(cat err.txt)" "typo.yaml:$line:1: error: unknown key 'duraton' (did you mean 'duration'?)"
[ ! -e out.db ] || fail "a database was written"
[ ! -e results ] || fail "a results folder was created"
echo ok
