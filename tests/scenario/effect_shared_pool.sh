# Shared processors on the storage baseline (scenarios/io-storage-baseline.yaml:
# its system, adapter and db1 at low load, 2k reads/s on 2 VPs).
#
# 1. Uncapped, entitlement 0.3, idle most of the time: its VPs snooze,
#    cede, and are woken by the next submit (timer) or by the completion
#    interrupt's escalation. Dedicated processors idle the same way (cede
#    exit, no switch), so the shared LPAR's mean I/O latency stays within
#    cede exit + escalation + switch-in + 1 us of the dedicated one
#    (10 us + 2000 + 3000 cycles at 3.8 GHz + 1 us = 12.32 us).
#    Wake-ups per I/O: up to one timer wake-up at submit (the VP ceded
#    since its last work) and one escalation at completion (the device
#    took longer than the snooze); printed.
# 2. Capped and saturated (a closed compute loop keeps both VPs busy):
#    each VP spends its 0.15 share at the start of each window and waits
#    for the next one, so an I/O arriving at a random time waits
#    (1 - e)^2 W / 2 = 3.61 ms on average for its submit to run.
# 3. The same saturated LPAR uncapped uses the idle pool instead: no
#    window delay, and it consumes its VPs (physc 2).
source "$(dirname "$0")/lib.bash"

lpar() {  # lpar PROCESSORS [EXTRA WORKLOAD ITEM]
  cat <<YAML
name: shared-effect
seed: 9
duration: 1s
warmup: 100ms
stats: {sample_interval: 0ns}
systems:
  - name: s0
    cores: 12
    threads_per_core: 8
    frequency: 3.8GHz
    adapters:
      - name: nvme0
        kind: storage
        vfs: 8
        servers: 8
        queue_pairs: 2
        service: {dist: lognormal, mean: 80us, cv: 0.5}
        link: {gen: 3, width: x8, mps: 256B, mrrs: 512B}
        dma_window: {window_size: 1GiB, page_size: 4KiB, levels: 2}
lpars:
  - name: db1
    system: s0
    adapter: nvme0
    vf: 0
    memory: 64GiB
    vps: 2
    processors: $1
    workloads:
      - {name: io, kind: storage, mode: open, rate: 2k/s, block_size: 8KiB, read_fraction: 1}
${2:-}
YAML
}
run() { lpar "$2" "${3:-}" > "$1.yaml"; "$LPARSIM" run "$1.yaml" -o "$1.db" -q --progress never; }
lat() { q "$1.db" "SELECT mean FROM statistic WHERE component='lpar.db1' AND name='io_latency'"; }
sc() { q "$1.db" "SELECT value FROM scalar WHERE component='$2' AND name='$3'"; }
vpsum() { q "$1.db" "SELECT sum(value) FROM scalar WHERE component LIKE 'lpar.db1.vp%' AND name='$2'"; }
within() { awk -v g="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(g >= lo && g <= hi) }'; }

busy='      - {name: spin, kind: compute, mode: closed, depth: 2, cycles: 38000}'
run ded '{mode: dedicated}'
run sh '{mode: shared, entitlement: 0.3, sharing: uncapped}'
run cap '{mode: shared, entitlement: 0.3, sharing: capped}' "$busy"
run unc '{mode: shared, entitlement: 0.3, sharing: uncapped}' "$busy"

# 1. low load, uncapped: within the wake-up costs of dedicated
gap=$(awk -v s="$(lat sh)" -v d="$(lat ded)" 'BEGIN { print s - d }')
bound=$(awk 'BEGIN { print 10000 + (2000 + 3000) / 3.8 + 1000 }')
echo "low load: dedicated $(lat ded) ns, shared uncapped $(lat sh) ns (+$gap ns, bound $bound)"
within "$gap" 0 "$bound" || fail "shared uncapped adds $gap ns, more than $bound"
ios=$(sc sh lpar.db1 ios_completed)
timer=$(vpsum sh wakeups_timer); esc=$(vpsum sh wakeups_escalation)
per() { awk -v n="$1" -v d="$ios" 'BEGIN { printf "%.3f", n / d }'; }
echo "wake-ups per I/O: $(per "$timer") timer (submit), $(per "$esc") escalation (interrupt)"
within "$(per "$timer")" 0.8 1 || fail "timer wake-ups per I/O: $(per "$timer")"
within "$(per "$esc")" 0.05 1 || fail "escalation wake-ups per I/O: $(per "$esc")"
# dedicated VPs wake from H_CEDE too, by their own interrupt instead of an escalation
within "$(vpsum ded wakeups_interrupt)" 1 "$ios" || fail "dedicated: no interrupt wake-ups"
expect_eq "dedicated escalations" "$(sc ded s0.xive escalations)" 0.0

# 2. capped and saturated: the window delay
want=$(awk 'BEGIN { e = 0.15; print (1 - e) * (1 - e) * 10e6 / 2 }')
add=$(awk -v c="$(lat cap)" -v d="$(lat ded)" 'BEGIN { print c - d }')
echo "capped, saturated: $(lat cap) ns (+$add ns; (1-e)^2 W/2 = $want ns)"
within "$add" "$(awk -v w="$want" 'BEGIN { print 0.97 * w }')" \
  "$(awk -v w="$want" 'BEGIN { print 1.08 * w }')" || fail "capped: +$add ns, want ~$want"
within "$(sc cap lpar.db1 physc)" 0.297 0.303 || fail "capped physc $(sc cap lpar.db1 physc)"
awk -v p="$(vpsum cap preemptions)" 'BEGIN { exit !(p >= 2 * 85) }' || fail "capped: no preemptions"

# 3. uncapped and saturated: the spare pool, no window delay
echo "uncapped, saturated: $(lat unc) ns, physc $(sc unc lpar.db1 physc)"
within "$(sc unc lpar.db1 physc)" 1.99 2.0001 || fail "uncapped physc $(sc unc lpar.db1 physc)"
within "$(awk -v u="$(lat unc)" -v d="$(lat ded)" 'BEGIN { print u - d }')" -20000 20000 ||
  fail "uncapped saturated: $(lat unc) ns vs dedicated $(lat ded) ns"
