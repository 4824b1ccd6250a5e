# What the commands that only read a results database leave behind, and
# what they do with damaged ones: `report`, `plot` and `export` leave no
# DB-wal / DB-shm; `merge OUT good bad` with a damaged input exits 2 and
# leaves OUT byte for byte as it was (and creates no new OUT); merging OUT
# into itself is refused; counts read "1 database", "1 run (1 point x 1
# rep)"; a truncated database is called corrupt or truncated, a text file
# not an SQLite file; `report` of a damaged database prints nothing on
# stdout; `export` of one leaves no CSV directory; param.value_si sorts
# values written with units.
source "$(dirname "$0")/lib.bash"

MM1=$SRC/scenarios/validation/mm1.yaml
run() { "$LPARSIM" run "$MM1" --set duration=50ms --set warmup=5ms -q --progress never "$@"; }
no_wal() {
  for f in "$1-wal" "$1-shm"; do [ ! -e "$f" ] || fail "$2 left $f"; done
}

run -o a.db
no_wal a.db run
"$LPARSIM" report a.db > /dev/null
no_wal a.db report
"$LPARSIM" plot a.db cdf --stat io_latency -o f.pdf --script-only > /dev/null
no_wal a.db plot
"$LPARSIM" export a.db --csv csv > /dev/null
no_wal a.db export

# one database, one run: singular words
"$LPARSIM" sweep "$MM1" --set duration=50ms --set warmup=5ms -o one.db -q > s.txt
"$LPARSIM" sweep "$MM1" --set duration=50ms --set warmup=5ms -o one.db > s.txt
grep -q '^sweep mm1: 1 run (1 point x 1 rep): 1 ok' s.txt || fail "plural: $(cat s.txt)"
"$LPARSIM" merge m.db a.db > m.txt
grep -q '^merged 1 database into m.db: 1 run added, 0 failed runs replaced' m.txt ||
  fail "plural: $(cat m.txt)"
rc=0; "$LPARSIM" merge m.db m.db > m.txt 2> e.txt || rc=$?
expect_eq "merge into itself: exit" "$rc" 2
expect_eq "merge into itself" "$(cat e.txt)" "lparsim merge: error: nothing to merge: m.db is OUT itself"

# a good input with nine runs and a damaged one
for s in 1 2 3 4 5 6 7 8 9; do run -o good.db --seed $s; done
for s in 11 12 13; do run -o bad.db --seed $s; done
size=$(stat -c %s bad.db)
python3 - bad.db "$size" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]) // 2)
    f.write(b"\xa5" * 9000)
PY
before=$(sha256sum m.db | cut -d' ' -f1)
rc=0; "$LPARSIM" merge m.db good.db bad.db > m.txt 2> e.txt || rc=$?
expect_eq "merge with a damaged input: exit" "$rc" 2
grep -q '^bad.db: error: corrupt or truncated results database' e.txt || fail "merge: $(cat e.txt)"
expect_eq "OUT untouched" "$(sha256sum m.db | cut -d' ' -f1)" "$before"
expect_eq "OUT still one run" "$(q m.db 'SELECT count(*) FROM run')" 1
rc=0; "$LPARSIM" merge new.db good.db bad.db > /dev/null 2>&1 || rc=$?
expect_eq "merge into a new OUT: exit" "$rc" 2
[ ! -e new.db ] || fail "a failed merge left new.db ($(stat -c %s new.db) bytes)"

# report of a damaged database: an error, and nothing on stdout
rc=0; "$LPARSIM" report bad.db > r.txt 2> e.txt || rc=$?
expect_eq "report of a damaged database: exit" "$rc" 2
expect_eq "report printed" "$(wc -c < r.txt)" 0
grep -q 'corrupt or truncated' e.txt || fail "report: $(cat e.txt)"
rc=0; "$LPARSIM" export bad.db --csv badcsv > /dev/null 2>&1 || rc=$?
expect_eq "export of a damaged database: exit" "$rc" 2
[ ! -e badcsv ] || fail "export left $(ls badcsv)"

# a truncated database is not "not an lparsim database"
cp good.db trunc.db
truncate -s $(( $(stat -c %s trunc.db) / 2 )) trunc.db
rc=0; "$LPARSIM" report trunc.db > /dev/null 2> e.txt || rc=$?
expect_eq "truncated: exit" "$rc" 2
grep -q '^trunc.db: error: corrupt or truncated results database' e.txt ||
  fail "truncated: $(cat e.txt)"
echo "time,op" > notes.txt
rc=0; "$LPARSIM" report notes.txt > /dev/null 2> e.txt || rc=$?
expect_eq "text file" "$(cat e.txt)" \
  "notes.txt: error: not an lparsim results database (not an SQLite file)"

# value_si: numeric order of values written with units
for r in 100k/s 40k/s 1M/s; do run -o v.db --set lpars.db1.workload.rate=$r; done
expect_eq "ORDER BY value_si" \
  "$(q v.db "SELECT group_concat(value, ' ') FROM (SELECT value FROM param
             WHERE name = 'lpars.db1.workload.rate' ORDER BY value_si)")" "40k/s 100k/s 1M/s"
echo ok
