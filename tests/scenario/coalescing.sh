# Interrupt coalescing (coalescing.kind off | fixed | dynamic | dim):
#  - vIC at low load (1k/s, below its IOPS threshold) delivers every
#    completion: MSIs per completion 1 and the same p50 as `off` (within 5%);
#  - at high CIF (a closed loop of 64) vIC delivers one interrupt per
#    max_batch = 8 completions, fewer than fixed count 4 (1/4): both from
#    their closed forms (cli/validate_irq.c);
#  - DIM moves its profile under a steady NIC load, the same on both
#    kernels;
#  - every coalescing parameter changes the result it should.
source "$(dirname "$0")/lib.bash"

cat > st.yaml <<'EOF'
name: coal
seed: 3
duration: 1s
warmup: 300ms
stats: {sample_interval: 0ns}
systems:
  - name: s0
    adapters:
      - name: nvme0
        servers: 1
        service: {dist: constant, mean: 100us}
lpars:
  - name: db1
    system: s0
    adapter: nvme0
    vps: 2
    workload: {kind: storage, mode: closed, depth: 64, block_size: 4KiB}
EOF
cat > net.yaml <<'EOF'
name: dimnet
seed: 4
duration: 300ms
warmup: 50ms
stats: {sample_interval: 0ns}
systems:
  - name: s0
    adapters:
      - {name: eth0, kind: network, coalescing: {kind: dim}}
lpars:
  - name: web
    system: s0
    adapter: eth0
    vps: 2
    workload: {kind: network, tx_rate: 50k/s, rx_rate: 150k/s, packet_size: 1500B}
EOF
P=systems.s0.adapters.nvme0
run() {  # run DB FILE ARGS...: one quiet run
  local db=$1 f=$2; shift 2
  rm -f "$db"; "$LPARSIM" run "$f" -q --progress never -o "$db" "$@"
}
ratio() { q "$1" "SELECT round(value, 6) FROM scalar WHERE component LIKE '%vf0.fn' AND name='msis_per_completion'"; }
p50() { q "$1" "SELECT p50 FROM statistic WHERE component='lpar.$2' AND name='io_latency'"; }

# ---- vIC at low load: as off --------------------------------------------
low=(--set lpars.db1.workload.mode=open --set lpars.db1.workload.rate=1k/s --set duration=3s)
run off.db st.yaml "${low[@]}"
run dyn.db st.yaml "${low[@]}" --set $P.coalescing.kind=dynamic
expect_eq "vIC at 1k/s: MSIs per completion" "$(ratio dyn.db)" 1.0
awk -v a="$(p50 dyn.db db1)" -v b="$(p50 off.db db1)" 'BEGIN { exit !(a <= 1.05 * b && a >= 0.95 * b) }' ||
  fail "vIC p50 $(p50 dyn.db db1) not within 5% of off's $(p50 off.db db1)"

# ---- high CIF: vIC below fixed ---------------------------------------------
run v64.db st.yaml --set $P.coalescing.kind=dynamic
run f64.db st.yaml --set $P.coalescing.kind=fixed --set $P.coalescing.count=4 \
  --set $P.coalescing.time=1ms
expect_eq "vIC, D = 64: one interrupt per max_batch = 8" "$(ratio v64.db)" 0.125
expect_eq "fixed 4, D = 64" "$(ratio f64.db)" 0.25

# ---- DIM: moves under load, both kernels ------------------------------------
run d1.db net.yaml
run d2.db net.yaml --kernel native
ch=$(q d1.db "SELECT value FROM scalar WHERE name='dim_changes'")
awk -v c="$ch" 'BEGIN { exit !(c >= 1) }' || fail "DIM never changed its profile"
r=$(ratio d1.db)
awk -v r="$r" 'BEGIN { exit !(r < 1) }' || fail "DIM delivered every completion ($r)"
expect_eq "DIM on both kernels" "$(q d1.db "SELECT group_concat(value) FROM scalar ORDER BY component, name")" \
  "$(q d2.db "SELECT group_concat(value) FROM scalar ORDER BY component, name")"

# ---- every parameter changes its result --------------------------------------
differs() {  # differs WHAT FILE METRIC-FN ARGS-A -- ARGS-B
  local what=$1 f=$2 fn=$3; shift 3
  local a=() b=()
  while [ "$1" != -- ]; do a+=("$1"); shift; done; shift; b=("$@")
  run a.db "$f" "${a[@]}"; run b.db "$f" "${b[@]}"
  [ "$($fn a.db)" != "$($fn b.db)" ] || fail "$what changes nothing: $($fn a.db)"
}
K=(--set $P.coalescing.kind=fixed)
D=(--set $P.coalescing.kind=dynamic)
E=systems.s0.adapters.eth0.coalescing
differs kind st.yaml ratio -- "${D[@]}"
differs count st.yaml ratio "${K[@]}" --set $P.coalescing.count=2 --set $P.coalescing.time=1ms -- \
  "${K[@]}" --set $P.coalescing.count=8 --set $P.coalescing.time=1ms
# Poisson completions: a short timer fires before the count is reached
pois=(--set lpars.db1.workload.mode=open --set lpars.db1.workload.rate=8k/s
      --set $P.service.dist=exponential --set $P.coalescing.count=64)
differs time st.yaml ratio "${K[@]}" "${pois[@]}" --set $P.coalescing.time=20us -- \
  "${K[@]}" "${pois[@]}" --set $P.coalescing.time=500us
differs cif_threshold st.yaml ratio "${D[@]}" -- "${D[@]}" --set $P.coalescing.cif_threshold=8
differs iops_threshold st.yaml ratio "${D[@]}" -- "${D[@]}" --set $P.coalescing.iops_threshold=20k/s
differs max_batch st.yaml ratio "${D[@]}" -- "${D[@]}" --set $P.coalescing.max_batch=4
# the IOPS is first known at the first epoch's end: coalescing starts then
differs epoch st.yaml ratio "${D[@]}" --set warmup=0ns -- "${D[@]}" --set warmup=0ns \
  --set $P.coalescing.epoch=20ms
# deep queue, slow Poisson completions: the safety timer delivers before k
deep=(--set lpars.db1.workload.mode=open --set lpars.db1.workload.rate=9k/s
      --set $P.service.dist=exponential)
differs safety_timer st.yaml ratio "${D[@]}" "${deep[@]}" -- "${D[@]}" "${deep[@]}" \
  --set $P.coalescing.safety_timer=30us
differs dim_profile net.yaml ratio --set warmup=0ns -- --set warmup=0ns --set $E.dim_profile=4
differs dim_mode net.yaml ratio -- --set $E.dim_mode=cqe
differs dim_profiles net.yaml ratio -- --set $E.dim_profiles=tx
echo ok
