/* models/hypervisor/irq_manager.h — interrupt management policies
 * (`policies.interrupts`), and the hypervisor's metric-threshold
 * interrupt manager (US11281490B2, US20200326974A1; driver hints:
 * US20210034390A1).
 *
 * kind: static (targets chosen when the machine is built, never moved),
 * irqbalance (Linux's daemon in each guest: models/guest/irqbalance.h)
 * or metric-threshold (below, one per system).
 *
 * metric-threshold, every `interval`, for every VF assigned to an LPAR
 * on its system, measures over the interval:
 *   latency  the mean time from an interrupt's trigger to the end of its
 *            handler, over the VF's sources (what the interrupt
 *            controller sees of the path to the LPAR);
 *   usage    the busy fraction of the busiest VP its interrupts target
 *            (interrupt and task cycles given to the VP over the interval);
 *   rate     transfers per second: the VF's completions.
 * A VF whose metric reaches its threshold (0 turns a metric off) is hot
 * until every metric is at or below its release value. For each LPAR
 * with a hot VF the manager updates the logical interrupt table: it moves
 * one of the LPAR's interrupts off a VP a hot VF targets, the move that
 * lowers the larger of the two VPs' usages the most (each interrupt
 * carrying its share of its VP's interrupt cycles, by interrupt count),
 * and repeats while a move lowers it by 1% of the source's usage or more,
 * up to `max_moves` per interval. An
 * interrupt moved stays at least `dwell`. With the driver's hints it
 * moves an interrupt only within its affinity hint (the VPs that submit
 * to its queue), moves the others before latency-sensitive ones, and
 * never puts a latency-sensitive interrupt with another one nor any
 * interrupt with a latency-sensitive one (the patent's high-priority
 * interrupts get sources of their own). Each move costs the router's
 * retarget time (H_INT_SET_SOURCE_CONFIG's, at the hypervisor's
 * frequency); the moves of an interval go one after another and each
 * takes effect at its end. No guest hcall.
 *
 * Component "irqmgr.<S>": scalars hot (VFs that turned hot), moves;
 * events irqmgr_hot / irqmgr_cool (a VF's state, with its metrics),
 * irqmgr_start/_end around the moves of an interval and
 * irqmgr_retarget_start/_end per move; each move also counts in
 * irq.<S> reassignments. */
#ifndef LPARSIM_MODELS_HYPERVISOR_IRQ_MANAGER_H
#define LPARSIM_MODELS_HYPERVISOR_IRQ_MANAGER_H

#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

/* policies.interrupts: kind, load_series. */
extern const struct param_desc irq_policy_params[];
/* policies.interrupts.metric_threshold. */
extern const struct schema irq_manager_schema;

enum irq_policy { IRQ_POLICY_STATIC, IRQ_POLICY_IRQBALANCE, IRQ_POLICY_METRIC };

/* The kind of a policies.interrupts node (NULL: static). */
enum irq_policy irq_policy_of(const struct cfg_node *interrupts);

struct hypervisor;
struct irq_manager;

/* The metric-threshold manager of h's system (`cfg`: irq_manager_schema;
 * NULL: defaults), watching the VFs assigned there. NULL with *err. */
struct irq_manager *irq_manager_create(struct env *e, struct hypervisor *h,
                                       const struct cfg_node *cfg, struct diag *err);
void irq_manager_destroy(struct irq_manager *m);

#endif
