# `lparsim merge`: two half sweeps merged equal the full sweep (run_keys and
# row counts of every table); merging overlapping databases duplicates
# nothing; a missing or foreign input is refused (IN: error, exit 2) with
# the output unchanged. `lparsim export --csv`: one CSV per table, headers.
source "$(dirname "$0")/lib.bash"

scn=$SRC/scenarios/validation/mm1.yaml
common=(--set duration=100ms --set warmup=10ms --reps 2
        --vary systems.s0.adapters.nvme0.servers=1,2 -j 2 -q --progress never)
"$LPARSIM" sweep "$scn" "${common[@]}" --vary lpars.db1.workload.rate=50k/s,60k/s -o full.db
"$LPARSIM" sweep "$scn" "${common[@]}" --vary lpars.db1.workload.rate=50k/s -o half1.db
"$LPARSIM" sweep "$scn" "${common[@]}" --vary lpars.db1.workload.rate=60k/s -o half2.db
expect_eq "full runs" "$(q full.db "SELECT count(*) FROM run")" 8

tables=(run param scalar statistic histogram series event)
counts() { for t in "${tables[@]}"; do echo "$t $(q "$1" "SELECT count(*) FROM $t")"; done; }
keys() { q "$1" "SELECT run_key FROM run ORDER BY run_key"; }

"$LPARSIM" merge m.db half1.db half2.db > out.txt || fail "merge exited $?"
grep -q 'merged 2 databases into m.db: 8 runs added' out.txt || fail "merge: $(cat out.txt)"
[ "$(keys m.db)" = "$(keys full.db)" ] || fail "merged run_keys differ from the full sweep"
[ "$(counts m.db)" = "$(counts full.db)" ] || fail "row counts differ: $(counts m.db) vs $(counts full.db)"

# Overlap: full + a half again, and the merged db into itself.
"$LPARSIM" merge m.db full.db half1.db m.db -q || fail "overlapping merge exited $?"
[ "$(counts m.db)" = "$(counts full.db)" ] || fail "overlapping merge duplicated rows"
for t in param scalar statistic histogram series event; do
  expect_eq "$t orphans" "$(q m.db "SELECT count(*) FROM $t
      WHERE run_id NOT IN (SELECT run_id FROM run)")" 0
done

# Bad inputs: one message naming the input, exit 2, output unchanged.
cp m.db before.db
echo "hello" > notes.txt
sqlite3 other.db "CREATE TABLE t(x)"
for bad in missing.db notes.txt other.db; do
  set +e
  "$LPARSIM" merge m.db half1.db "$bad" 2> err.txt
  rc=$?
  set -e
  expect_eq "$bad: exit status" "$rc" 2
  grep -q "^$bad: error: " err.txt || fail "$bad: message: $(cat err.txt)"
  expect_eq "$bad: lines" "$(wc -l < err.txt)" 1
  cmp -s m.db before.db || fail "$bad: the output changed"
done
set +e
"$LPARSIM" merge new.db other.db 2> /dev/null
set -e
[ ! -e new.db ] || fail "a refused merge created its output"

# Export: seven CSV files, each with its header and the rows of its table.
"$LPARSIM" export full.db --csv csv || fail "export exited $?"
expect_eq "csv files" "$(ls csv | grep -c '\.csv$')" 7
expect_eq "run header" "$(head -1 csv/run.csv)" \
  "run_id,run_key,scenario,scenario_sha256,rep,seed,kernel,version,started_at,wall_s,events,sim_end_ps,status,error,point"
expect_eq "param header" "$(head -1 csv/param.csv)" "run_id,name,value,value_si"
expect_eq "event header" "$(head -1 csv/event.csv)" "run_id,t_ps,component,kind,detail"
for t in "${tables[@]}"; do
  # rows + header; no field in these tables holds a line break
  expect_eq "$t.csv lines" "$(wc -l < "csv/$t.csv")" "$(( $(q full.db "SELECT count(*) FROM $t") + 1 ))"
done
python3 - csv <<'PY' || fail "CSV does not parse back"
import csv, sys, sqlite3
for t in ("run", "statistic"):
    rows = list(csv.reader(open(f"{sys.argv[1]}/{t}.csv", newline="")))
    db = sqlite3.connect("full.db").execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
    assert len(rows) == len(db) + 1, t
    for r, d in zip(rows[1:], db):
        assert len(r) == len(d), (t, r)
        for a, b in zip(r, d):
            if isinstance(b, float):
                assert float(a) == b, (a, b)
            elif b is not None and not isinstance(b, int):
                assert a == b, (a, b)
PY
echo ok
