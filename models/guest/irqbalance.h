/* models/guest/irqbalance.h — Linux's irqbalance daemon running in the
 * guest of one LPAR (policies.interrupts.kind: irqbalance).
 *
 * Every `interval` (irqbalance's SLEEP_INTERVAL, 10 s) it reads what a
 * guest reads: each IRQ's interrupt count (/proc/interrupts: the handlers
 * run for the logical interrupt) and each CPU's irq + softirq time
 * (/proc/stat, in USER_HZ ticks: the interrupt work given to each VP),
 * runs its two-phase placement (models/guest/irqbalance_algo.h) and
 * writes the new masks (/proc/irq/N/smp_affinity). The guest kernel
 * refuses a managed interrupt (-EIO: irqbalance gives it up for good),
 * changes nothing when the current target is in the new mask, and
 * otherwise picks a target in it (models/guest/irq_affinity.h) with one
 * H_INT_SET_SOURCE_CONFIG. The cycle runs as a task on VP `vp` of
 * `scan_cycles` plus the hcall cycles of its moves; the moves take
 * effect when it ends.
 *
 * By default the daemon has run since the LPAR booted: its first cycle,
 * which knows no load and places every IRQ, happened before the run
 * (applied when the machine is built, like the other set-up), and the
 * run sees the cycles after it, at interval, 2 interval, ...
 * (`first_cycle: before_run`); `after_interval` starts it with the run.
 *
 * Component "irqbalance.<L>": scalars cycles, writes (masks written),
 * moves (writes that moved the target), refused (managed); events
 * irqbalance_start/_end per cycle, with irqbalance_activate_start/_end
 * around its task, and irqbalance_move / irqbalance_refused per write
 * that moved an interrupt or was refused; each move also counts in
 * irq.<S> reassignments. */
#ifndef LPARSIM_MODELS_GUEST_IRQBALANCE_H
#define LPARSIM_MODELS_GUEST_IRQBALANCE_H

#include "models/guest/irq_affinity.h"
#include "models/io.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

extern const struct schema irqbalance_schema;

/* What a write of /proc/irq/N/smp_affinity did. */
enum guest_irq_write { GUEST_IRQ_SAME, GUEST_IRQ_MOVED, GUEST_IRQ_REFUSED };

/* The guest kernel's interrupt interface as the daemon uses it (the
 * LPAR provides it: models/hypervisor/lpar_irq.c). IRQs are the LPAR's
 * logical interrupts 0..nirqs-1, CPUs its VPs 0..ncpus-1. */
struct guest_irq_port {
    uint32_t nirqs, ncpus;
    /* /proc/interrupts, /proc/stat irq + softirq: cumulative, never
     * decreasing */
    uint64_t (*irq_count)(void *ctx, uint32_t irq);
    uint64_t (*cpu_irq_ns)(void *ctx, uint32_t cpu);
    /* sysfs: the device's class (network or storage) and affinity_hint
     * (false: none) */
    bool (*is_network)(void *ctx, uint32_t irq);
    bool (*hint)(void *ctx, uint32_t irq, struct vp_mask *hint);
    /* /proc/irq/N/smp_affinity (read), the CPU it targets now, and a
     * write */
    void (*affinity)(void *ctx, uint32_t irq, struct vp_mask *m);
    uint32_t (*target)(void *ctx, uint32_t irq);
    enum guest_irq_write (*write)(void *ctx, uint32_t irq, const struct vp_mask *m);
    uint64_t (*retarget_cycles)(void *ctx);  /* one H_INT_SET_SOURCE_CONFIG */
    struct cpu_work_port cpu;                /* the LPAR's VPs */
    void *ctx;
};

struct irqbalance;

/* The daemon of an LPAR (component "irqbalance.<name>"), with the
 * parameters of `cfg` (irqbalance_schema; NULL: defaults) and
 * `cpus_per_cache` VPs per cache domain when its `cache_vps` is 0. With
 * first_cycle before_run its first cycle runs now. NULL with *err. */
struct irqbalance *irqbalance_create(struct env *e, const char *name,
                                     const struct guest_irq_port *port,
                                     uint32_t cpus_per_cache, const struct cfg_node *cfg,
                                     struct diag *err);
void irqbalance_destroy(struct irqbalance *b);

#endif
