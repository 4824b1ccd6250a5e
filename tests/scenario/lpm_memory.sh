# What dirties a migrating partition's memory, post-copy, and a link
# `set` mid-migration, against closed forms. The machine of `lparsim
# validate`'s rows (cli/validate_lpm.c): two systems, a 10 Gbps mover link
# (R = 1.25e9 B/s, latency 50 us), an LPAR of 4 GiB (65536 pages of
# 64 KiB) whose driver's DMA window is 70 I/O pages of 4 KiB = 280 KiB
# from I/O address 0: 5 memory pages.
#  - dma_dirty tce_writable, no workload: every page a writable TCE
#    reaches is dirty at each round's end: round 0 then a stop-and-copy of
#    exactly 5 pages (bytes_moved = 4 GiB + 5 x 64 KiB); exact: nothing
#    (bytes_moved = 4 GiB);
#  - exact with storage reads (the device writes the buffers): more than
#    4 GiB, at most the window's 5 pages per round more;
#  - post_copy with memory writes: the dirty set is fetched after the
#    resume, so the downtime is the switchover's fixed part alone (the
#    same as with no dirtying), writes to pages not yet fetched fault
#    (each 100 us the writer waits: its writes end that much early),
#    and bytes_moved = rounds + the pages fetched (lpm_post_copy event);
#  - the link's bandwidth set from 10 to 5 Gbps 1 s into round 0: round 0
#    ends at t_set + (V - R1 x 1 s) / R2 + L, to the ps.
source "$(dirname "$0")/lib.bash"
s() { q "$1" "SELECT value FROM scalar WHERE component='$2' AND name='$3'"; }
args=(-q --progress never)

machine() { # $1: workload lines, $2: migrate extras, $3: more timeline lines
cat <<EOT
name: lpm-memory
seed: 5
duration: 12s
systems:
  - name: a
    frequency: 3GHz
    hcalls: {vioctl: 300000, put_tce_indirect: 3000, put_tce_indirect_per_tce: 100,
             stuff_tce: 2500, stuff_tce_per_tce: 30, int_set_source_config: 15000,
             tces_per_call: 256}
    switch: {remap: 3us}
    adapters:
      - {name: nvme0, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}}
  - name: b
    frequency: 3GHz
    hcalls: {vioctl: 300000, put_tce_indirect: 3000, put_tce_indirect_per_tce: 100,
             stuff_tce: 2500, stuff_tce_per_tce: 30, int_set_source_config: 15000,
             tces_per_call: 256}
    switch: {remap: 3us}
    adapters:
      - {name: nvme0, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}}
links:
  - {name: m0, between: [a, b], bandwidth: 10Gbps, latency: 50us}
lpars:
  - name: vm
    system: a
    adapter: nvme0
    vps: 2
    memory: 4GiB
    driver: {queue_entries: 128, buffers: 16, buffer_size: 16KiB}
$1
timeline:
  - {name: migrate, at: 1s, action: migrate, lpar: vm, to: b, via: m0, validate: 100ms,
     prepare: 200ms, vasi_poll: 0s, join: 0s $2}
$3
EOT
}
V=4294967296

machine "" ", dma_dirty: tce_writable" "" > tw.yaml
"$LPARSIM" run tw.yaml "${args[@]}" -o tw.db || fail "tce_writable: exit $?"
expect_eq "tce_writable bytes_moved" "$(s tw.db lpm.vm bytes_moved)" "$((V + 5 * 65536)).0"
expect_eq "tce_writable rounds" "$(s tw.db lpm.vm precopy_rounds)" 1.0
machine "" "" "" > ex.yaml
"$LPARSIM" run ex.yaml "${args[@]}" -o ex.db || fail "exact: exit $?"
expect_eq "exact, no I/O: bytes_moved" "$(s ex.db lpm.vm bytes_moved)" "$V.0"

machine "    workload: {kind: storage, mode: closed, depth: 8, block_size: 16KiB, read_fraction: 1}" "" "" > rd.yaml
"$LPARSIM" run rd.yaml "${args[@]}" -o rd.db || fail "exact reads: exit $?"
b=$(s rd.db lpm.vm bytes_moved); r=$(s rd.db lpm.vm precopy_rounds)
awk -v b="$b" -v v=$V -v r="$r" 'BEGIN { exit !(b > v && b <= v + (r + 1) * 5 * 65536) }' \
  || fail "exact with reads: bytes_moved $b for $r round(s)"
expect_eq "reads: ios_lost" "$(s rd.db lpar.vm ios_lost)" 0.0

# post_copy: the downtime of no dirtying (the switchover's fixed part)
machine "    workload: {kind: dirty, rate: 20k/s, working_set: 1GiB}" ", switchover: post_copy" "" > pc.yaml
"$LPARSIM" run pc.yaml "${args[@]}" -o pc.db || fail "post_copy: exit $?"
expect_eq "post_copy downtime" "$(s pc.db lpm.vm downtime)" "$(s ex.db lpm.vm downtime)"
f=$(s pc.db lpm.vm postcopy_faults)
awk -v f="$f" 'BEGIN { exit !(f > 0) }' || fail "post_copy: no fault"
# each fault costs the default fault time, 100 us
expect_eq "post_copy stall" "$(s pc.db lpm.vm postcopy_stall)" "$(awk -v f="$f" 'BEGIN { printf "%.1f", f * 100000 }')"
# the writer waits out its faults: its 1 ms batches of 20 pages run until
# 12 s less the stall (all of it before the end: post-copy ends seconds
# earlier), so it writes 20 x floor((12 s - stall) / 1 ms) pages, give or
# take the batch due at exactly 12 s
w=$(s pc.db lpar.vm.workload pages_written)
awk -v w="$w" -v st="$(s pc.db lpm.vm postcopy_stall)" 'BEGIN {
  want = 20 * int((12e9 - st) / 1e6); d = w - want; exit !(d >= -20 && d <= 20) }' \
  || fail "post_copy: the writer wrote $w pages, not 20 x (12 s - stall) / 1 ms"
pages=$(q pc.db "SELECT CAST(substr(detail, 1, instr(detail, ' ') - 1) AS INTEGER) FROM event
                 WHERE component='lpm.vm' AND kind='lpm_post_copy'")
rounds=$(q pc.db "SELECT sum(value) FROM series WHERE component='lpm.vm' AND name='round_bytes'")
expect_eq "post_copy bytes_moved" "$(s pc.db lpm.vm bytes_moved)" \
  "$(awk -v r="$rounds" -v p="$pages" 'BEGIN { printf "%.1f", r + p * 65536 }')"
expect_eq "post_copy: no stop-and-copy" "$(q pc.db "SELECT count(*) FROM event WHERE kind='lpm_stop_copy_start'")" 0

# set the bandwidth mid-round: round 0 starts at 1.3 s (validate + prepare)
machine "" "" "  - {at: 2300ms, action: set, path: links.m0.bandwidth, value: 5Gbps}" > set.yaml
"$LPARSIM" run set.yaml "${args[@]}" -o set.db || fail "set: exit $?"
# 1.25e9 B sent by 2.3 s; the rest at 6.25e8 B/s; + 50 us
want=$(awk -v v=$V 'BEGIN { printf "%.0f", 2.3e12 + (v - 1.25e9) / 6.25e8 * 1e12 + 5e7 }')
expect_eq "round 0 end after the set" \
  "$(q set.db "SELECT t_ps FROM event WHERE component='lpm.vm' AND kind='lpm_round_end'")" "$want"
echo ok
