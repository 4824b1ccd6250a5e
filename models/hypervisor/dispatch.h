/* models/hypervisor/dispatch.h — the hypervisor's dispatcher: which
 * virtual processor (VP) of which LPAR runs on which hardware thread, and
 * when.
 *
 * Dedicated LPARs: each VP is pinned to a thread and always dispatched.
 * Shared-pool LPARs: the pool is every thread no dedicated VP holds; an
 * LPAR's `entitlement` (processing units; 1.0 = one thread's time) is
 * split evenly over its VPs, and each VP runs for (its share) x
 * `dispatch_window` in every window and is undispatched otherwise
 * (PowerVM's dispatch cycle is 10 ms: docs/model-cpu.md). The schedule is
 * fixed and deterministic: VPs are laid out in LPAR order, then VP order,
 * back to back over the pool's threads (McNaughton's wrap-around rule: a
 * slice that does not fit on a thread continues on the next one from the
 * window start), and every window repeats it. So a VP with share e runs
 * for one contiguous e x W per window, at the same place each window.
 *
 * A VP's work runs on its thread only while it is dispatched; work
 * submitted while it is not waits until its next dispatch, and a job
 * running when the VP is undispatched is stopped and resumes, with the
 * cycles it has left, at the next dispatch. That wait is the extra
 * interrupt latency of shared-pool VPs: for uniformly random arrivals,
 * E[wait] = (1 - e)^2 W / 2.
 *
 * Listeners hear every dispatch and undispatch (the XIVE router moves the
 * VP's interrupt state with them: backlog redelivery, escalation re-arm).
 * At one instant all undispatches come before all dispatches, so a VP is
 * never on two threads and a thread never holds two VPs.
 *
 * Not modelled: capped vs uncapped (every LPAR is capped: it never gets
 * more than its entitlement), ceding idle time (H_CEDE), early dispatch
 * of a VP woken by an escalation interrupt, and core granularity (a
 * PowerVM VP is a core with its SMT threads; here it is one thread). */
#ifndef LPARSIM_MODELS_HYPERVISOR_DISPATCH_H
#define LPARSIM_MODELS_HYPERVISOR_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "models/cpu/cpu.h"
#include "sim/config.h"
#include "sim/diag.h"
#include "sim/env.h"

extern const struct param_desc dispatch_params[];      /* the pool */
extern const struct schema dispatch_schema;
extern const struct param_desc dispatch_lpar_params[]; /* one LPAR */
extern const struct schema dispatch_lpar_schema;

#define DISPATCH_MAX_LISTENERS 4

enum dispatch_mode { DISPATCH_DEDICATED, DISPATCH_SHARED };

struct dispatch_config {
    sim_time_t window_ps;
};

struct dispatch_lpar_config {
    enum dispatch_mode mode;
    uint32_t vps;
    double entitlement; /* shared: processing units of the whole LPAR */
};

/* From a dispatch_schema node (NULL: defaults). */
void dispatch_config_init(struct dispatch_config *c, const struct cfg_node *cfg);
/* vps from an LPAR node (lpar_params), mode and entitlement from a
 * dispatch_lpar_schema node; either may be NULL for the defaults. */
void dispatch_lpar_config_init(struct dispatch_lpar_config *c, const struct cfg_node *lpar_cfg,
                               const struct cfg_node *proc_cfg);

struct dispatch;
struct dispatch_vp;

struct dispatch_listener {
    void (*dispatched)(void *ctx, const struct dispatch_vp *vp, uint32_t thread);
    void (*undispatched)(void *ctx, const struct dispatch_vp *vp, uint32_t thread);
    void *ctx;
};

/* `path` names the dispatcher's component ("s0.hyp"). NULL on a zero
 * window or allocation failure. */
struct dispatch *dispatch_create(struct env *e, const char *path, struct cpu *cpu,
                                 const struct dispatch_config *c);
void dispatch_destroy(struct dispatch *d);

/* Listeners are called in the order they were added, before start.
 * -1 when DISPATCH_MAX_LISTENERS are registered or the dispatcher runs. */
int dispatch_add_listener(struct dispatch *d, const struct dispatch_listener *l);

/* Adds an LPAR whose VPs report as "<path>.vp<i>" (path: "lpar.db1").
 * Dedicated VPs take `threads[i]`, or with threads == NULL the lowest
 * threads still free when dispatch_start runs. Returns the LPAR's index,
 * or -1 with a message in *err: no VPs, a share per VP outside
 * [0.05, 1] (PowerVM's limits), or the dispatcher already started. */
int dispatch_add_lpar(struct dispatch *d, const char *path,
                      const struct dispatch_lpar_config *c, const uint32_t *threads,
                      struct diag *err);

/* Places dedicated VPs, lays out the pool's schedule, dispatches what
 * runs at offset 0 and starts the window clock at the current time. -1
 * with *err if a thread is out of range or taken twice, there are not
 * enough free threads, or the shared LPARs' entitlement exceeds the
 * pool. */
int dispatch_start(struct dispatch *d, struct diag *err);

uint32_t dispatch_vp_count(const struct dispatch *d);
/* VP `id` (0..count-1, LPAR order then VP order: the XIVE VP number the
 * wiring uses), or VP i of LPAR `lpar`. NULL if out of range. */
struct dispatch_vp *dispatch_vp_at(struct dispatch *d, uint32_t id);
struct dispatch_vp *dispatch_lpar_vp(struct dispatch *d, unsigned lpar, uint32_t i);

/* ---- hot path ---- */

/* A task of `cycles` / an interrupt with a `handler` of so many cycles
 * (plus the processor's entry and exit) for the VP; fn(ctx, arg) runs
 * when it completes. 0, or -1 if the job pool cannot grow. */
int dispatch_submit(struct dispatch_vp *vp, uint64_t cycles, event_fn fn, void *ctx,
                    uint64_t arg);
int dispatch_submit_irq(struct dispatch_vp *vp, uint64_t handler, event_fn fn, void *ctx,
                        uint64_t arg);

/* ---- inspection ---- */
uint32_t dispatch_vp_id(const struct dispatch_vp *vp);
unsigned dispatch_vp_lpar(const struct dispatch_vp *vp);
/* The thread the VP is dispatched on, or -1. */
int64_t dispatch_vp_thread(const struct dispatch_vp *vp);
bool dispatch_is_dispatched(const struct dispatch_vp *vp);
/* Dispatched time per window (the window for a dedicated VP). */
sim_time_t dispatch_vp_slice(const struct dispatch_vp *vp);
/* Fraction of time dispatched, and dispatches, since the warm-up. */
double dispatch_vp_dispatched_fraction(const struct dispatch_vp *vp);
uint64_t dispatch_vp_dispatches(const struct dispatch_vp *vp);
/* Jobs waiting for the VP's next dispatch. */
uint64_t dispatch_vp_backlog(const struct dispatch_vp *vp);

#endif
