# bench/wait-idle.bash — sourced by the bench scripts. This 2-core VM is
# shared with builds and tests; measuring on a busy machine skews ratios.
# wait_idle returns once /proc/stat shows the CPUs at least IDLE_PCT%
# (default 90) idle over 2 s, when WAIT_IDLE=1; after ~10 min it gives up
# with a warning and lets the caller measure anyway.
wait_idle() {
    [[ ${WAIT_IDLE:-0} == 1 ]] || return 0
    local i t1 i1 t2 i2 u n s id io irq sirq st rest
    for ((i = 0; i < 300; i++)); do
        read -r _ u n s id io irq sirq st rest </proc/stat
        t1=$((u + n + s + id + io + irq + sirq + st)) i1=$((id + io))
        sleep 2
        read -r _ u n s id io irq sirq st rest </proc/stat
        t2=$((u + n + s + id + io + irq + sirq + st)) i2=$((id + io))
        ((100 * (i2 - i1) >= ${IDLE_PCT:-90} * (t2 - t1))) && return 0
    done
    echo "$(basename "$0"): machine still busy, measuring anyway" >&2
}
