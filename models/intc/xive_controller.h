/* models/intc/xive_controller.h — a system's XIVE interrupt controller in
 * operation: the router (xive_router.h) fed by source blocks (the PHBs'
 * MSI sources), presenting to the hardware threads the hypervisor has
 * dispatched the target VPs on.
 *
 * A trigger goes through the source's PQ bits and the router: presented
 * to the VP's thread, or backlogged in its NVT (the VP is not dispatched;
 * with escalation on the hypervisor is interrupted, counted). Either way
 * the OS's handler for the source (its irq action, reached through the EQ
 * entry's data) becomes an interrupt job of the target VP; the VP's
 * dispatcher runs it when the VP is on a thread, so an undispatched VP
 * delays it by the wait for its next dispatch. When the handler has run,
 * the OS acknowledges (IPB bit -> CPPR), pops the EQ, restores CPPR and
 * EOIs through the ESB: a trigger that arrived meanwhile (PQ 11) notifies
 * again and the handler runs again.
 *
 * Interrupt latency (trigger -> handler done) is the CPU's irq_latency:
 * the job is submitted at the trigger.
 *
 * Metrics "<path>": scalars triggers, notifications, coalesced, presented, backlogged, escalations,
 * redeliveries, eq_overflows, retargets. */
#ifndef LPARSIM_MODELS_INTC_XIVE_CONTROLLER_H
#define LPARSIM_MODELS_INTC_XIVE_CONTROLLER_H

#include <stdint.h>

#include "models/intc/xive_router.h"
#include "models/pcie/pcie_ports.h"
#include "sim/env.h"

/* What the OS runs for a source: the handler body, called when the
 * interrupt job of `handler_cycles` (entry and exit added by the CPU)
 * completes on the target VP. */
struct irq_action {
    void (*handle)(void *ctx, uint32_t arg, bool traced);
    void *ctx;
    uint32_t arg;
    uint64_t handler_cycles;
    /* Optional: the handler's cycles for the job queued now, when the OS
     * folds more work into it (the driver's wake-ups); NULL:
     * handler_cycles. */
    uint64_t (*cycles)(void *ctx, uint32_t arg);
};

/* How the controller runs an interrupt job on a VP (the dispatcher), and
 * tells it when an interrupt escalated for the VP (optional: NULL). */
struct vp_irq_port {
    int (*submit_irq)(void *ctx, uint32_t vp, uint64_t handler_cycles, event_fn fn, void *fctx,
                      uint64_t arg);
    void *ctx;
    void (*escalate)(void *ctx, uint32_t vp);
};

struct xive_controller;

struct xive_controller *xive_controller_create(struct env *e, const char *path,
                                               const struct xive_router_config *c,
                                               struct vp_irq_port cpu);
void xive_controller_destroy(struct xive_controller *x);

/* Attaches a source block at the next free global numbers; *base = the
 * global number of its source 0. -1 when the EAS table is full. */
int xive_controller_attach(struct xive_controller *x, struct xive_source *sb, uint32_t *base);
/* Routes global source src to (vp, prio) with the OS action, configures
 * the EQ if needed and turns the source on (PQ 00). -1 on a bad
 * argument. */
int xive_controller_route(struct xive_controller *x, uint32_t src, uint32_t vp, uint8_t prio,
                          const struct irq_action *action);
/* The inverse of route: source off, EAS masked (H_INT_SET_SOURCE_CONFIG
 * with priority 0xFF). -1 if it was not routed. */
int xive_controller_unroute(struct xive_controller *x, uint32_t src);
/* Moves src to another VP (H_INT_SET_SOURCE_CONFIG); *cost_ps is the
 * router's configured cost. */
int xive_controller_retarget(struct xive_controller *x, uint32_t src, uint32_t vp,
                             sim_time_t *cost_ps);

/* What the hypervisor sees of a routed source: handlers run and the sum
 * of their latencies (trigger -> handler done), both since it was routed
 * (route starts them at 0). -1 if it is not routed. */
int xive_controller_source_stats(const struct xive_controller *x, uint32_t src,
                                 uint64_t *handled, sim_time_t *latency);

/* The hypervisor's dispatcher reports VP placement. */
void xive_controller_vp_dispatched(struct xive_controller *x, uint32_t vp, uint32_t thread);
void xive_controller_vp_undispatched(struct xive_controller *x, uint32_t thread);

/* The sources' trigger entry; its latency_ps is the router's notify
 * time, which the PHB adds to the MSI's delivery (no event of its own). */
struct irq_trigger_port xive_controller_trigger_port(struct xive_controller *x);
/* Cycles of the ESB load-EOI every handler job includes (also an IPI's). */
uint64_t xive_controller_eoi_cycles(const struct xive_controller *x);
struct xive_router *xive_controller_router(struct xive_controller *x);

#endif
