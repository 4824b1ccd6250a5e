# Extending a sweep by editing the file's sweep section keeps the run_keys
# of the runs already done: --resume runs only the new points, and the
# runs already done take their place in the new numbering of the points
# (run.point), so that points and values agree across the whole database.
source "$(dirname "$0")/lib.bash"

cat "$SRC/scenarios/validation/mm1.yaml" > s.yaml
cat >> s.yaml <<'YAML'
sweep:
  vary:
    lpars.db1.workload.rate: [40k/s, 50k/s]
YAML
args=(--set duration=50ms --set warmup=5ms --progress never -o s.db)
"$LPARSIM" sweep s.yaml "${args[@]}" > /dev/null
before=$(q s.db "SELECT run_key FROM run ORDER BY run_key")
expect_eq "runs before" "$(echo "$before" | wc -l)" 2

sed -i 's|\[40k/s, 50k/s\]|[40k/s, 50k/s, 60k/s]|' s.yaml
"$LPARSIM" sweep s.yaml "${args[@]}" --resume > out.txt
grep -q '1 ok, 0 check_failed, 0 failed, 2 skipped' out.txt || { cat out.txt; fail "resume did not skip the 2 done runs"; }
expect_eq "runs after" "$(q s.db "SELECT count(*) FROM run")" 3
after=$(q s.db "SELECT run_key FROM run WHERE run_key IN ($(echo "$before" | sed "s/.*/'&'/" | paste -sd,))" | wc -l)
expect_eq "old keys kept" "$after" 2
# a value inserted before the others renumbers the points of the done runs
sed -i 's|\[40k/s, 50k/s, 60k/s\]|[30k/s, 40k/s, 50k/s, 60k/s]|' s.yaml
"$LPARSIM" sweep s.yaml "${args[@]}" --resume > /dev/null
expect_eq "points follow the new order" \
  "$(q s.db "SELECT group_concat(r.point || '=' || p.value, ' ') FROM (SELECT * FROM run ORDER BY point) r
             JOIN param p ON p.run_id = r.run_id AND p.name = 'lpars.db1.workload.rate'")" \
  "0=30k/s 1=40k/s 2=50k/s 3=60k/s"
# the key of a one-rep point equals that of the same run done by `run`
"$LPARSIM" run s.yaml --set duration=50ms --set warmup=5ms --set lpars.db1.workload.rate=60k/s \
    -q --progress never -o r.db
k=$(q r.db "SELECT run_key FROM run")
expect_eq "run vs sweep key" "$(q s.db "SELECT count(*) FROM run WHERE run_key='$k'")" 1
echo ok
