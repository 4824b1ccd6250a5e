/* models/hypervisor/irq_stats.h — what a system's interrupt managers did,
 * as component "irq.<system>" (docs/metrics.md): every reassignment of a
 * logical interrupt by a manager (irqbalance in a guest, the
 * hypervisor's metric-threshold manager), the moves a guest kernel
 * refused (managed interrupts), and the time to settle after each load
 * change of the scenario (a timeline `set`): from the change to the last
 * reassignment before the next change (or the end), 0 when nothing
 * moved. Scalars reassignments, refused_moves, settle_time (ns, mean
 * over the load changes; only with load changes); series reassignments
 * (cumulative, every sample interval). Counts start at the warm-up, like
 * every count. Nothing here runs per I/O. */
#ifndef LPARSIM_MODELS_HYPERVISOR_IRQ_STATS_H
#define LPARSIM_MODELS_HYPERVISOR_IRQ_STATS_H

#include <stddef.h>

#include "sim/env.h"

struct irq_stats;

struct irq_stats *irq_stats_create(struct env *e, const char *system);
/* Writes the component's rows (a scenario that configures interrupt
 * management, even static; counting happens either way). */
void irq_stats_record(struct irq_stats *s);
void irq_stats_destroy(struct irq_stats *s);
/* The scenario's load changes, in any order (copied). */
void irq_stats_load_changes(struct irq_stats *s, const sim_time_t *t, size_t n);
/* A manager moved an interrupt now / a guest kernel refused a move. */
void irq_stats_move(struct irq_stats *s);
void irq_stats_refused(struct irq_stats *s);
uint64_t irq_stats_reassignments(const struct irq_stats *s);

#endif
