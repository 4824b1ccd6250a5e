/* models/hypervisor/hypervisor.h — one system's firmware hypervisor: the
 * processor (models/cpu), the VP dispatcher, the XIVE interrupt
 * controller, hypervisor-call accounting, and the partition services the
 * I/O path needs (docs/architecture.md), each in its own file:
 *  - LPAR placement: VPs on the dispatcher, a real-memory range
 *    (hypervisor.c);
 *  - VF assignment through the PF: PE, MMIO window, DMA window, queues,
 *    MSI-X, interrupts; and its inverse (vf_assign.h);
 *  - DMA windows and TCE programming (dma_window.h);
 *  - the logical interrupt table: (LPAR, LISN) -> source -> VP, routed in
 *    the XIVE router; retargeting is H_INT_SET_SOURCE_CONFIG (lirq.h).
 * Every service that wires something has an inverse a mechanism can
 * call while the machine runs; each returns what its hypervisor calls
 * cost. Calls before the run (the machine's set-up) take no simulated
 * time and, like everything before the warm-up ends, are not in the
 * hcall metrics.
 *
 * Components "<system>.cpu", "<system>.hcall.<H_NAME>", "<system>.xive";
 * an LPAR's VPs report as "lpar.NAME.vp<i>". */
#ifndef LPARSIM_MODELS_HYPERVISOR_HYPERVISOR_H
#define LPARSIM_MODELS_HYPERVISOR_HYPERVISOR_H

#include "models/adapter/adapter.h"
#include "models/pcie/phb.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

struct hypervisor;
struct lpar;

/* `system_cfg` is the system's node (system_params; children cpu,
 * dispatch, hcalls, xive). vp_capacity: the VPs the system's dispatcher
 * and interrupt controller can hold at once (its LPARs' and any that may
 * move in); phbs: slots whose PHBs will attach. NULL with *err. */
struct hypervisor *hypervisor_create(struct env *e, const struct cfg_node *system_cfg,
                                     uint32_t vp_capacity, uint32_t phbs, struct diag *err);
void hypervisor_destroy(struct hypervisor *h);
const char *hypervisor_name(const struct hypervisor *h);

/* Places the LPAR on this system: its VPs join the dispatcher, its memory
 * gets a real-address range. 0, or -1 with *err. */
int hypervisor_add_lpar(struct hypervisor *h, struct lpar *l, struct diag *err);
/* The same while the machine runs, resubmitting the work `saved` (NULL:
 * none) that hypervisor_remove_lpar took off another (or this) system. */
struct dispatch_saved;
int hypervisor_place_lpar(struct hypervisor *h, struct lpar *l, const struct dispatch_saved *saved,
                          struct diag *err);
/* Memory for an LPAR arriving later (a migration's target): the system's
 * accounting takes `bytes` now; returns the real address of the range.
 * hypervisor_release_memory gives it back (an aborted migration, or the
 * source once the LPAR has left). */
uint64_t hypervisor_reserve_memory(struct hypervisor *h, uint64_t bytes);
void hypervisor_release_memory(struct hypervisor *h, uint64_t bytes);
/* Accounts again a range released before (an LPAR coming back to where
 * its memory was: an aborted migration). */
void hypervisor_retake_memory(struct hypervisor *h, uint64_t bytes);
/* Installed memory (the system's `memory`). */
uint64_t hypervisor_memory_size(const struct hypervisor *h);
/* hypervisor_place_lpar in memory reserved before at mem_base. */
int hypervisor_place_reserved(struct hypervisor *h, struct lpar *l,
                              const struct dispatch_saved *saved, uint64_t mem_base,
                              struct diag *err);
/* The inverse: the LPAR's VPs leave the dispatcher (their pending and
 * partly run work into *saved when not NULL, else dropped), its memory
 * goes back to the system, and it is no longer placed (its VP port
 * refuses work until it is placed again). 0, or -1 if it is not here. */
int hypervisor_remove_lpar(struct hypervisor *h, struct lpar *l, struct dispatch_saved *saved);
/* Memory the system's placed LPARs use. */
uint64_t hypervisor_memory_used(const struct hypervisor *h);

/* Runs a task of `cycles` on VP `vp` of the LPAR at dispatcher entry
 * `dispatch_lpar` (what an LPAR's VP port calls). 0, or -1. */
int hypervisor_run(struct hypervisor *h, int dispatch_lpar, uint32_t vp, uint64_t cycles,
                   event_fn fn, void *fctx, uint64_t arg);
/* Sends an IPI to VP `vp` of that LPAR: an interrupt job of the CPU's
 * entry + `cycles` + the XIVE's ESB load-EOI + exit, and an escalation
 * when the VP is a ceded shared one. 0, or -1. */
int hypervisor_ipi(struct hypervisor *h, int dispatch_lpar, uint32_t vp, uint64_t cycles,
                   event_fn fn, void *fctx, uint64_t arg);
/* The same for work an interrupt handler defers (softirq): a task,
 * counted as the VP's interrupt work (dispatch_submit_softirq). */
int hypervisor_run_softirq(struct hypervisor *h, int dispatch_lpar, uint32_t vp, uint64_t cycles,
                           event_fn fn, void *fctx, uint64_t arg);
/* The interrupt controller's number of VP `vp` of that LPAR, or
 * UINT32_MAX. */
uint32_t hypervisor_vp_id(struct hypervisor *h, int dispatch_lpar, uint32_t vp);

/* The slot's PHB: its MSI sources join the interrupt controller. */
int hypervisor_attach_phb(struct hypervisor *h, struct phb *p);

/* Moves logical IRQ `lisn` of the LPAR to its VP `vp` (one
 * H_INT_SET_SOURCE_CONFIG; returns its cost, or SIM_TIME_MAX when there
 * is no such IRQ or it is not bound). */
sim_time_t hypervisor_retarget_irq(struct hypervisor *h, struct lpar *l, uint32_t lisn,
                                   uint32_t vp);

/* ---- for interrupt managers ----
 * Cycles of interrupt (hard and soft) and task work given to VP `vp` of
 * the LPAR at dispatcher entry `dispatch_lpar` since it joined
 * (dispatch_vp_work):
 * 0, or -1 if there is no such VP. */
int hypervisor_vp_work(struct hypervisor *h, int dispatch_lpar, uint32_t vp, uint64_t *irq,
                       uint64_t *task);
/* Handlers run for global source `src` and their summed latencies since
 * it was routed (xive_controller_source_stats). */
int hypervisor_source_stats(struct hypervisor *h, uint32_t src, uint64_t *handled,
                            sim_time_t *latency);
sim_time_t hypervisor_cycles_ps(const struct hypervisor *h, uint64_t cycles);
/* Cycles of one H_INT_SET_SOURCE_CONFIG on this system. */
uint64_t hypervisor_retarget_cycles(const struct hypervisor *h);
uint32_t hypervisor_threads_per_core(const struct hypervisor *h);
/* "irq.<system>": reassignments, refused moves, settle time. */
struct irq_stats;
struct irq_stats *hypervisor_irq_stats(struct hypervisor *h);

/* Starts the dispatch clock (after every LPAR is placed). */
int hypervisor_start(struct hypervisor *h, struct diag *err);

#endif
