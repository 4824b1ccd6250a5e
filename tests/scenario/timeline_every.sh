# A timeline item with `every` repeats from `at` to `until` with
# exponential gaps of that mean, drawn from the run's seed: the number of
# firings is Poisson with mean (until - at) / every (900 here: within 4
# standard deviations, 120), the mean gap is `every` (within 4 standard
# errors) and the gaps' coefficient of variation is 1 as for exponential
# gaps (0.8..1.2; constant gaps would give 0). The times are identical on
# a rerun and on the native kernel, and change with the seed. The target
# VF has no LPAR, so the freezes change nothing else.
source "$(dirname "$0")/lib.bash"

cat > every.yaml <<'YAML'
name: timeline-every
seed: 5
duration: 10s
systems:
  - name: s0
    adapters:
      - name: nvme0
        kind: storage
        vfs: 4
lpars:
  - name: db1
    system: s0
    adapter: nvme0
    workload: {kind: storage, rate: 100/s}
timeline:
  - {name: faults, at: 100ms, action: freeze, target: s0.nvme0.vf3, every: 10ms, until: 9100ms}
  - {at: 9500ms, action: freeze, target: s0.nvme0.vf2}
YAML
args=(-q --progress never)
"$LPARSIM" run every.yaml "${args[@]}" -o a.db || fail "run exited $?"
"$LPARSIM" run every.yaml "${args[@]}" -o b.db || fail "rerun exited $?"
"$LPARSIM" run every.yaml "${args[@]}" --kernel native -o c.db || fail "native run exited $?"
"$LPARSIM" run every.yaml "${args[@]}" --seed 6 -o d.db || fail "seed 6 run exited $?"

times() { q "$1" "SELECT t_ps FROM event WHERE component = 'timeline' AND kind = 'freeze'
                  AND detail LIKE 'faults:%' ORDER BY t_ps"; }
times a.db > a.txt; times b.db > b.txt; times c.db > c.txt; times d.db > d.txt
cmp -s a.txt b.txt || fail "the firings differ on a rerun"
cmp -s a.txt c.txt || fail "the firings differ on the native kernel"
! cmp -s a.txt d.txt || fail "another seed gave the same firings"

at=100000000000; until=9100000000000; every=10000000000
awk -v at=$at -v until=$until -v every=$every '
  { t[NR] = $1; if ($1 < at || $1 > until) bad = $1 }
  END {
    if (bad != "") { print "a firing at " bad " ps, outside [at, until]"; exit 1 }
    n = NR; mean = (until - at) / every
    if (n < mean - 4 * sqrt(mean) || n > mean + 4 * sqrt(mean)) {
      printf "%d firings, want %d +- %.0f\n", n, mean, 4 * sqrt(mean); exit 1 }
    # gaps from `at`: the first is at -> t[1]
    prev = at
    for (i = 1; i <= n; i++) { g = t[i] - prev; s += g; s2 += g * g; prev = t[i] }
    m = s / n; sd = sqrt(s2 / n - m * m)
    if (m < every * (1 - 4 / sqrt(n)) || m > every * (1 + 4 / sqrt(n))) {
      printf "mean gap %.0f ps, want %d\n", m, every; exit 1 }
    if (sd / m < 0.8 || sd / m > 1.2) { printf "gap cv %.3f, want ~1\n", sd / m; exit 1 }
    printf "%d firings, mean gap %.3f ms, cv %.3f\n", n, m / 1e9, sd / m
  }' a.txt || fail "the firings of 'every' do not look exponential"

# the item without `every` fires once, at its `at`
expect_eq "single freeze" "$(q a.db "SELECT group_concat(t_ps) FROM event WHERE kind = 'freeze'
  AND detail NOT LIKE 'faults:%'")" 9500000000000
expect_eq "ios_lost" "$(q a.db "SELECT value FROM scalar WHERE component = 'lpar.db1' AND name = 'ios_lost'")" 0.0
echo ok
