/* models/hypervisor/dispatch.h — the hypervisor's dispatcher: which
 * virtual processor (VP) of which LPAR runs on which hardware thread, and
 * when (docs/model-cpu.md, "VP dispatch", has the model and its sources).
 *
 * Dedicated LPARs: each VP owns a thread for its life; no other LPAR's VP
 * ever runs there.
 *
 * Shared LPARs: the pool is every thread no dedicated VP owns. An LPAR's
 * `entitlement` (processing units; 1.0 = one thread's time) is split
 * evenly over its VPs, and each VP gets its share as a budget in every
 * dispatch window (PowerVM: 10 ms). A VP with work and budget left runs
 * when a thread is free, and preempts a VP running beyond its own
 * entitlement if none is. A capped VP whose budget is spent waits for the
 * next window; an uncapped one (weight > 0) keeps running on spare pool
 * capacity, which uncapped LPARs share in proportion to their weights
 * (each LPAR limited by its VPs and its demand: weighted water-filling).
 *
 * Idle: a VP with no work polls (`snooze`, charged to its budget), then
 * calls H_CEDE. A shared VP gives its thread back and keeps its unused
 * budget; a dedicated one keeps its thread. A ceded VP is woken by work
 * submitted to it (a timer: the decrementer), by H_PROD, by an interrupt
 * escalated by the interrupt controller (shared), or by an interrupt
 * presented to its thread (dedicated). A wake-up costs the escalation
 * handling (escalations only), the cede exit latency and, for a shared
 * VP, the switch onto a thread, before the VP's work runs.
 *
 * Granularity `thread` (default): a VP is one hardware thread. `core`: a
 * shared VP is dispatched only on a core that no other LPAR's VP uses.
 *
 * Listeners hear every dispatch and undispatch (a VP put on / taken off a
 * thread); the XIVE controller moves the VP's interrupt state with them.
 * A ceded dedicated VP stays dispatched (its interrupts are presented to
 * its thread). At one instant a VP is never on two threads and a thread
 * never holds two VPs.
 *
 * VP ids come from `vp_capacity` slots (the interrupt controller's VP
 * count): an LPAR's VPs keep their ids for as long as it stays on this
 * dispatcher; a removed LPAR's ids are free for the next LPAR added. LPAR
 * indices are never reused. */
#ifndef LPARSIM_MODELS_HYPERVISOR_DISPATCH_H
#define LPARSIM_MODELS_HYPERVISOR_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
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
#define DISPATCH_WEIGHT_MAX 255
#define DISPATCH_VP_CAPACITY_DEFAULT 1024

enum dispatch_mode { DISPATCH_DEDICATED, DISPATCH_SHARED };
/* What the work counters of a VP count (dispatch_vp_work). */
enum dispatch_work { DISPATCH_WORK_IRQ, DISPATCH_WORK_SOFTIRQ, DISPATCH_WORK_TASK,
                     DISPATCH_WORK_KINDS };
enum dispatch_sharing { DISPATCH_UNCAPPED, DISPATCH_CAPPED };
enum dispatch_granularity { DISPATCH_THREAD, DISPATCH_CORE };

/* What woke a ceded VP. */
enum dispatch_wake {
    DISPATCH_WAKE_ESCALATION, /* shared: an interrupt escalated by XIVE */
    DISPATCH_WAKE_TIMER,      /* work submitted to it (the decrementer) */
    DISPATCH_WAKE_PROD,       /* H_PROD */
    DISPATCH_WAKE_INTERRUPT,  /* dedicated: an interrupt presented to its thread */
    DISPATCH_WAKE_KINDS
};

struct dispatch_config {
    sim_time_t window_ps;
    enum dispatch_granularity granularity;
    sim_time_t cede_exit_ps;     /* wake-up from H_CEDE */
    uint64_t switch_in;          /* cycles: put a VP's state on a thread */
    uint64_t switch_out;         /* cycles: save it when it leaves */
    uint64_t escalation;         /* cycles: handle an escalation interrupt */
    sim_time_t excess_slice_ps;  /* uncapped VPs beyond entitlement re-compete */
    uint32_t vp_capacity;        /* VP ids 0..vp_capacity-1 */
};

struct dispatch_lpar_config {
    enum dispatch_mode mode;
    uint32_t vps;
    double entitlement;          /* shared: processing units of the whole LPAR */
    enum dispatch_sharing sharing;
    unsigned weight;             /* uncapped: 0..255 */
    sim_time_t snooze_ps;        /* idle polling before H_CEDE */
};

/* From a dispatch_schema node (NULL: defaults); vp_capacity is
 * DISPATCH_VP_CAPACITY_DEFAULT (the hypervisor sets its XIVE's VP count). */
void dispatch_config_init(struct dispatch_config *c, const struct cfg_node *cfg);
/* vps from an LPAR node (lpar_params), the rest from a
 * dispatch_lpar_schema node; either may be NULL for the defaults. */
void dispatch_lpar_config_init(struct dispatch_lpar_config *c, const struct cfg_node *lpar_cfg,
                               const struct cfg_node *proc_cfg);

struct dispatch;
struct dispatch_vp;
struct hcall;

struct dispatch_listener {
    void (*dispatched)(void *ctx, const struct dispatch_vp *vp, uint32_t thread);
    void (*undispatched)(void *ctx, const struct dispatch_vp *vp, uint32_t thread);
    void *ctx;
};

/* Per VP, since the warm-up (and carried with an LPAR that moves). */
struct dispatch_vp_counters {
    uint64_t dispatches;     /* put on a thread */
    uint64_t preemptions;    /* taken off at the end of its budget or for another VP */
    uint64_t cedes;          /* H_CEDE calls that ceded */
    uint64_t wakeups[DISPATCH_WAKE_KINDS];
    sim_time_t on_ps;        /* time on a thread (closed periods) */
};

/* The work of an LPAR taken out of a dispatcher (dispatch_remove_lpar),
 * to resubmit elsewhere (dispatch_add_lpar). Per VP, its jobs in the
 * order they would have run (interrupts, then tasks; a partly run job
 * first with the cycles it has left) and its counters. */
struct dispatch_saved_job {
    enum cpu_kind kind;
    bool started;            /* it had run (its wait is already recorded) */
    uint64_t cycles;         /* still to execute */
    event_fn fn;
    void *ctx;
    uint64_t arg;
    sim_time_t t_submit;
};

struct dispatch_saved_vp {
    struct dispatch_saved_job *jobs;
    size_t njobs;
    struct dispatch_vp_counters counters;
};

struct dispatch_saved {
    uint32_t nvps;
    struct dispatch_saved_vp *vps;
};

void dispatch_saved_free(struct dispatch_saved *s);

/* `path` names the dispatcher's component ("s0.hyp"). NULL on a zero
 * window, a zero vp_capacity or allocation failure. */
struct dispatch *dispatch_create(struct env *e, const char *path, struct cpu *cpu,
                                 const struct dispatch_config *c);
void dispatch_destroy(struct dispatch *d);
/* H_CEDE and H_PROD cost the calling VP `h`'s cycles and are counted
 * there; without it (NULL, the default) they are free. */
void dispatch_set_hcall(struct dispatch *d, struct hcall *h);

/* Listeners are called in the order they were added, before start.
 * -1 when DISPATCH_MAX_LISTENERS are registered or the dispatcher runs. */
int dispatch_add_listener(struct dispatch *d, const struct dispatch_listener *l);

/* Adds an LPAR whose VPs report as "<path>.vp<i>" (path: "lpar.db1"),
 * taking the lowest free VP ids. Dedicated VPs take `threads[i]`, or with
 * threads == NULL the lowest threads free. Before dispatch_start the
 * placement waits for it; after, the VPs join at once: dedicated ones
 * take their threads (a shared VP there is preempted), shared ones join
 * the pool with the rest of the current window's share as budget.
 * `saved` (NULL: none) is work taken out of a dispatcher by
 * dispatch_remove_lpar, resubmitted here (same number of VPs). Returns
 * the LPAR's index, or -1 with a message in *err: no VPs, a share per VP
 * outside [0.05, 1] (PowerVM's limits), a weight above 255, not enough
 * free VP ids, or (running) no free thread / the pool over-committed. */
int dispatch_add_lpar(struct dispatch *d, const char *path,
                      const struct dispatch_lpar_config *c, const uint32_t *threads,
                      const struct dispatch_saved *saved, struct diag *err);

/* Takes every VP of LPAR `lpar` off its thread (listeners hear it) and
 * out of the dispatcher; its ids become free. Its pending and partly run
 * work goes to *saved (allocated here; dispatch_saved_free), or is
 * dropped without callbacks when saved is NULL. -1 if there is no such
 * LPAR or saved cannot be allocated (nothing changes then). */
int dispatch_remove_lpar(struct dispatch *d, unsigned lpar, struct dispatch_saved *saved);

/* Places dedicated VPs and starts the window clock at the current time.
 * -1 with *err if a thread is out of range or taken twice, there are not
 * enough free threads, or the shared LPARs' entitlement exceeds the pool
 * (threads; cores with core granularity). */
int dispatch_start(struct dispatch *d, struct diag *err);

uint32_t dispatch_vp_count(const struct dispatch *d);    /* VPs now */
uint32_t dispatch_vp_capacity(const struct dispatch *d);
/* VP `id` (the XIVE VP number), or VP i of LPAR `lpar`. NULL if there is
 * no such VP (now). */
struct dispatch_vp *dispatch_vp_at(struct dispatch *d, uint32_t id);
struct dispatch_vp *dispatch_lpar_vp(struct dispatch *d, unsigned lpar, uint32_t i);

/* ---- hot path ---- */

/* A task of `cycles` / an interrupt with a `handler` of so many cycles
 * (plus the processor's entry and exit) for the VP; fn(ctx, arg) runs
 * when it completes. A task wakes a ceded VP (timer); an interrupt wakes
 * a ceded dedicated VP (interrupt), while a ceded shared VP waits for
 * dispatch_escalate. 0, or -1 if the job pool cannot grow. */
int dispatch_submit(struct dispatch_vp *vp, uint64_t cycles, event_fn fn, void *ctx,
                    uint64_t arg);
int dispatch_submit_irq(struct dispatch_vp *vp, uint64_t handler, event_fn fn, void *ctx,
                        uint64_t arg);
/* A task the VP's interrupt handler deferred (softirq): run as a task,
 * counted in the VP's softirq work (dispatch_vp_work). */
int dispatch_submit_softirq(struct dispatch_vp *vp, uint64_t cycles, event_fn fn, void *ctx,
                            uint64_t arg);
/* The interrupt controller escalated an interrupt for the VP (it was not
 * on a thread): a ceded VP is woken once the hypervisor has handled it
 * (`escalation` cycles). Nothing for a VP that is not ceded. */
void dispatch_escalate(struct dispatch_vp *vp);
/* H_PROD of `vp`. From a VP (`from`), the call's cycles run there as a
 * task and the prod takes effect when it ends; from the hypervisor (NULL)
 * at once. A ceded VP wakes (prod); otherwise nothing. 0, or -1 if the
 * job pool cannot grow. */
int dispatch_prod(struct dispatch_vp *vp, struct dispatch_vp *from);

/* ---- inspection ---- */
uint32_t dispatch_vp_id(const struct dispatch_vp *vp);
unsigned dispatch_vp_lpar(const struct dispatch_vp *vp);
/* The thread the VP is dispatched on, or -1. */
int64_t dispatch_vp_thread(const struct dispatch_vp *vp);
bool dispatch_is_dispatched(const struct dispatch_vp *vp);
/* Ceded (its next run pays the wake-up): off its thread after H_CEDE, or
 * a dedicated VP idle past its snooze. */
bool dispatch_vp_ceded(const struct dispatch_vp *vp);
/* Processing units of the VP (its LPAR's entitlement / VPs; 1 if
 * dedicated), and its budget left in the current window. */
double dispatch_vp_share(const struct dispatch_vp *vp);
sim_time_t dispatch_vp_budget(const struct dispatch_vp *vp);
/* Fraction of the time on a thread since the warm-up (or its LPAR's
 * arrival), and its counters (with the current period closed). */
double dispatch_vp_dispatched_fraction(const struct dispatch_vp *vp);
struct dispatch_vp_counters dispatch_vp_counters(const struct dispatch_vp *vp);
uint64_t dispatch_vp_dispatches(const struct dispatch_vp *vp);
/* Jobs waiting for the VP to run. */
uint64_t dispatch_vp_backlog(const struct dispatch_vp *vp);
/* Cycles of the work submitted to the VP of one kind (interrupts: entry,
 * handler and exit; softirq: what handlers deferred), since it joined
 * this dispatcher: the guest's /proc/stat view of its CPU, at the cycles
 * the work was given. */
uint64_t dispatch_vp_work(const struct dispatch_vp *vp, enum dispatch_work kind);
/* Physical processors consumed by the LPAR (lparstat physc: its VPs' time
 * on threads / elapsed time) and the same in % of its entitlement
 * (%entc); the pool's mean idle capacity (threads, or cores) and its size. */
double dispatch_lpar_physc(const struct dispatch *d, unsigned lpar);
double dispatch_lpar_entc(const struct dispatch *d, unsigned lpar);
double dispatch_pool_idle(const struct dispatch *d);
uint32_t dispatch_pool_size(const struct dispatch *d);
const char *dispatch_wake_name(enum dispatch_wake kind);

#endif
