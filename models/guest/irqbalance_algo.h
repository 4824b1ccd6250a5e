/* models/guest/irqbalance_algo.h — the placement algorithm of Linux's
 * irqbalance daemon (github.com/Irqbalance/irqbalance: irqbalance.c
 * scan(), procinterrupts.c, irqlist.c, placement.c, activate.c), on the
 * CPUs a guest sees (its VPs). The daemon around it (when it runs, what it
 * reads, what its writes cost) is models/guest/irqbalance.c.
 *
 * Topology (cputree.c): one NUMA node (numa_avail 0), one package, cache
 * domains of `cpus_per_cache` consecutive CPUs (the CPUs sharing the
 * deepest cache, L2), and the CPUs. Each object has a load and a list of
 * the IRQs assigned to it; each IRQ a class (PCI class: storage
 * IRQ_SCSI, network IRQ_ETH), a balance level (both BALANCE_CORE), an
 * interrupt count and a load.
 *
 * One scan (a cycle):
 *  1. counts: each IRQ's count change since the last scan; each CPU's
 *     load = the change of its irq + softirq time, in ns (not on the
 *     first cycle: no previous sample); parents sum their children;
 *  2. each IRQ's load = its count change x (its object's load / the
 *     interrupts counted on its branch), at least 1
 *     (compute_irq_branch_load_share);
 *  3. from the second cycle on, phase 1 (update_migration_status): at
 *     each level, every object above the level's minimum load holding
 *     more than one IRQ sorts its IRQs (class, then load, descending) and
 *     gives up each whose load exceeds 1, while it still holds more than
 *     one, if min + load < delta + (adjustment - load), delta =
 *     (adjustment - min) / migrate_ratio (0 when the ratio is 0), moving
 *     the load from adjustment to min as it goes (move_candidate_irqs);
 *  4. phase 2 (calculate_placement): the IRQs given up (on the first
 *     cycle, all of them), sorted the same way, go to the node, then
 *     level by level to the child with the least load (ties: fewer IRQs,
 *     then the first), each placement adding load + 1 to its object;
 *  5. activation (activate_mapping): each IRQ placed gets its object's
 *     CPU mask, unless that is already its affinity.
 * Equal IRQs sort by their descriptor's address, later allocations first;
 * here, by descending IRQ index (they are allocated in index order).
 *
 * Affinity hints (irqbalance 1.0.x, removed in 1.1 by commit dcc411e):
 * hintpolicy `subset` places an IRQ with a hint only on objects that
 * intersect it and applies the object's mask within the hint; `exact`
 * never moves it in phase 1 and applies the hint itself; `ignore`. */
#ifndef LPARSIM_MODELS_GUEST_IRQBALANCE_ALGO_H
#define LPARSIM_MODELS_GUEST_IRQBALANCE_ALGO_H

#include <stdbool.h>
#include <stdint.h>

#include "models/guest/irq_affinity.h"

enum ib_level { IB_BALANCE_NONE, IB_BALANCE_PACKAGE, IB_BALANCE_CACHE, IB_BALANCE_CORE };
enum ib_type { IB_CPU, IB_CACHE, IB_PACKAGE, IB_NODE };
enum ib_hint_policy { IB_HINT_IGNORE, IB_HINT_SUBSET, IB_HINT_EXACT };
/* irqbalance's classes (types.h) of the devices modelled. */
#define IB_CLASS_SCSI 2
#define IB_CLASS_ETH 4

struct ib_irq;

struct ib_obj {
    enum ib_type type;
    uint32_t number;
    uint64_t load, last_load, irq_count;
    struct ib_obj *parent;
    struct ib_obj **children;
    uint32_t nchildren;
    struct ib_irq **irqs;      /* assigned here, in list order */
    uint32_t nirqs;
    struct vp_mask mask;
};

struct ib_irq {
    uint32_t index;            /* its place in the daemon's table */
    int cls;
    enum ib_level level;
    uint64_t count, last_count, load;
    bool moved;
    struct ib_obj *assigned;   /* NULL: in the rebalance list */
    bool has_hint;
    struct vp_mask hint;
};

struct irqbalance_algo {
    uint32_t ncpus, ncaches;
    struct ib_obj *cpus, *caches, package, node;
    struct ib_obj **child_store;
    struct ib_irq *irqs;
    uint32_t nirqs;
    struct ib_irq **rebalance, **scratch;
    uint32_t nrebalance;
    uint64_t cycle_count;
    uint64_t migrate_ratio;
    enum ib_hint_policy hint_policy;
    /* the last scan: IRQs given up in phase 1, placed in phase 2 */
    uint32_t taken, placed;
};

/* `ncpus` CPUs in cache domains of `cpus_per_cache`, `nirqs` IRQs (all
 * BALANCE_CORE, class IB_CLASS_ETH until set), every one in the
 * rebalance list (irqbalance's start). 0, or -1 out of memory. */
int ib_init(struct irqbalance_algo *a, uint32_t ncpus, uint32_t cpus_per_cache, uint32_t nirqs,
            uint64_t migrate_ratio, enum ib_hint_policy hint_policy);
void ib_fini(struct irqbalance_algo *a);
void ib_set_class(struct irqbalance_algo *a, uint32_t irq, int cls);
void ib_set_hint(struct irqbalance_algo *a, uint32_t irq, const struct vp_mask *hint);

/* Steps 1-4 with the cumulative interrupt count of each IRQ and the
 * cumulative irq + softirq time (ns) of each CPU. */
void ib_scan(struct irqbalance_algo *a, const uint64_t *counts, const uint64_t *cpu_ns);
/* Step 5, for IRQ irq: whether it is to be activated (moved and placed),
 * and the mask to write. */
bool ib_to_activate(const struct irqbalance_algo *a, uint32_t irq, struct vp_mask *applied);
/* What the write did: done (or nothing to write: the mask was already
 * its affinity), or refused for good (a managed interrupt: -EIO; the
 * IRQ is BALANCE_NONE from then on). */
void ib_activated(struct irqbalance_algo *a, uint32_t irq, bool refused);
/* The CPU an IRQ is assigned to, or UINT32_MAX. */
uint32_t ib_irq_cpu(const struct irqbalance_algo *a, uint32_t irq);

#endif
