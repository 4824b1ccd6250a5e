/* models/hypervisor/dispatch_internal.h — what the dispatcher's files
 * share (dispatch.c: VP states, submit, wake-ups; dispatch_pool.c:
 * threads, the shared pool's placement, budgets and the window clock;
 * dispatch_lpar.c: creating the dispatcher, adding, removing and starting
 * LPARs; dispatch_metrics.c: inspection and metrics). Not for use outside
 * models/hypervisor/dispatch*.c. */
#ifndef LPARSIM_MODELS_HYPERVISOR_DISPATCH_INTERNAL_H
#define LPARSIM_MODELS_HYPERVISOR_DISPATCH_INTERNAL_H

#include "models/hypervisor/dispatch.h"
#include "models/hypervisor/hcall.h"
#include "sim/timeavg.h"

#define DISPATCH_NONE UINT32_MAX

/* Where a VP is. Off a thread: IDLE (no work; `ceded` says whether it
 * left by H_CEDE), ESCALATING (the hypervisor handles its escalation
 * interrupt), READY (runnable, waits for a thread), PARKED (runnable,
 * entitlement spent and not allowed beyond it). On a thread: WAKING (cede
 * exit and switch-in before its work runs), RUNNING (its jobs go to the
 * thread; idle = snoozing), CEDING (in its H_CEDE call), LEAVING (being
 * taken off). A dedicated VP is always on its thread once started: RUNNING
 * or WAKING. */
enum vp_state {
    VP_NEW,        /* dedicated, before the start placed it */
    VP_IDLE,
    VP_ESCALATING,
    VP_READY,
    VP_PARKED,
    VP_WAKING,
    VP_RUNNING,
    VP_CEDING,
    VP_LEAVING,
};

struct lpar_entry;

struct dispatch_vp {
    /* what every submit reads, in one cache line */
    struct dispatch *d;
    struct statistic *st_wait;
    uint32_t thread;         /* DISPATCH_NONE when off a thread */
    bool on_cpu;             /* RUNNING: jobs go straight to the thread */
    bool dedicated;          /* its LPAR's mode (a copy, for the hot path) */
    bool snoozing;           /* RUNNING with an idle thread (shared VPs) */
    uint8_t state;           /* enum vp_state */
    sim_time_t idle_since;   /* snoozing: since when; dedicated: awake from */
    struct lpar_entry *l;
    struct cpu_job *unwaited[CPU_KINDS]; /* first job whose wait is open */

    uint32_t id;             /* slot: the global VP id */
    uint32_t gen;            /* the slot's generation when this VP took it */
    uint32_t index;          /* i of VP i of its LPAR */
    bool ceded;              /* left by H_CEDE: its next dispatch pays cede exit */
    bool queued;             /* on the pool's ready list */
    bool active;             /* READY or on a thread (counted in its LPAR's `active`) */
    uint32_t pinned;         /* dedicated: requested thread or DISPATCH_NONE */
    uint32_t last_thread;    /* where it last ran (affinity) */
    double share;            /* processing units of this VP */
    sim_time_t budget;       /* entitlement left at `acct` (shared) */
    sim_time_t acct;         /* on a thread: time since which it is uncounted */
    sim_time_t on_since;     /* when it got its thread */
    sim_time_t phase_end;    /* ESCALATING / WAKING / CEDING */
    sim_time_t ev_at;        /* when `ev` fires (SIM_TIME_MAX: none) */
    sim_time_t since;        /* measurements start (warm-up or arrival) */
    struct event_id ev;      /* the VP's one pending event */
    struct dispatch_vp *rq_next, *rq_prev;
    struct cpu_jobq q;       /* jobs while it is not RUNNING */
    struct dispatch_vp_counters n;
    uint64_t work[DISPATCH_WORK_KINDS]; /* cycles submitted to it, never reset */
    char path[112];
};

struct lpar_entry {
    unsigned index;
    char path[96];
    bool removed;
    bool dedicated;
    bool excess;             /* may run beyond its entitlement (uncapped, weight > 0) */
    unsigned weight;
    double entitlement;
    sim_time_t snooze;
    uint32_t nvps;
    struct dispatch_vp *vps;
    double pass;             /* excess ps run / weight (uncapped sharing order) */
    uint32_t active;         /* VPs on a thread or waiting for one */
    sim_time_t since;        /* measurements start (warm-up or arrival) */
};

/* A hardware thread as the dispatcher sees it. */
struct dthread {
    struct dispatch_vp *vp;  /* on it, or NULL */
    struct dispatch_vp *ded; /* dedicated owner, or NULL */
    sim_time_t busy_until;   /* switch-out of the last VP still running */
};

/* Who may use a group of threads: a thread (thread granularity) or a
 * core (core granularity). */
struct dgroup {
    int64_t owner;           /* LPAR index holding it, -1 if none */
    uint32_t busy;           /* VPs on its threads */
    uint32_t dedicated;      /* dedicated VPs on its threads */
};

struct dispatch {
    struct env *env;
    struct cpu *cpu;
    struct hcall *hcall;
    char path[96];
    struct dispatch_config cfg;
    sim_time_t switch_in_ps, switch_out_ps, escalation_ps;
    struct dispatch_listener listeners[DISPATCH_MAX_LISTENERS];
    unsigned nlisteners;
    struct lpar_entry **lpars;
    unsigned nlpars;
    struct dispatch_vp **slots;   /* by id; NULL: free */
    uint32_t *slot_gen;
    uint32_t nvps;                /* live VPs */
    bool started;

    struct dthread *threads;
    uint32_t nthreads, tpc;
    struct dgroup *groups;
    uint32_t ngroups;
    uint32_t pool_groups;         /* groups without a dedicated VP */
    uint32_t free_groups;         /* of those, groups with no VP */
    sim_time_t since;             /* measurements start */
    double shared_entitlement;
    uint32_t shared_vps;
    struct time_avg pool_idle;    /* free_groups over time */

    struct dispatch_vp *rq_head, *rq_tail;  /* waiting for a thread, FIFO */
    unsigned hold;                /* > 0: placement deferred (pool_fill) */
    bool refill, tick_due;
    sim_time_t window_start;
    struct event_id window_ev;
    bool clock_running;
    struct event_id tick_ev;
    sim_time_t tick_at;
};

/* ---- dispatch.c --------------------------------------------------------- */
void vp_arm(struct dispatch_vp *vp);
void vp_on(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread);
void vp_off(struct dispatch *d, struct dispatch_vp *vp);
void vp_leave_thread(struct dispatch *d, struct dispatch_vp *vp, bool take);
void vp_preempt(struct dispatch *d, struct dispatch_vp *vp);
void vp_make_runnable(struct dispatch *d, struct dispatch_vp *vp);
void vp_wake(struct dispatch *d, struct dispatch_vp *vp, enum dispatch_wake kind);
void vp_dedicated_start(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread);
void dispatch_on_idle(void *ctx, uint32_t thread);

/* ---- dispatch_pool.c ---------------------------------------------------- */
uint32_t group_of(const struct dispatch *d, uint32_t thread);
void pool_take(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread);
void pool_release(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread);
void pool_set_dedicated(struct dispatch *d, uint32_t thread, struct dispatch_vp *vp);
void rq_push(struct dispatch *d, struct dispatch_vp *vp);
void rq_remove(struct dispatch *d, struct dispatch_vp *vp);
void pool_fill(struct dispatch *d);
void pool_arm_tick(struct dispatch *d);
sim_time_t vp_budget_at(const struct dispatch_vp *vp, sim_time_t now);
void vp_account(struct dispatch_vp *vp, sim_time_t now);
bool vp_may_run(const struct dispatch_vp *vp, sim_time_t now);
void vp_set_active(struct dispatch *d, struct dispatch_vp *vp, bool on);
void clock_start(struct dispatch *d);
void clock_stop_if_idle(struct dispatch *d);
sim_time_t window_left(const struct dispatch *d, sim_time_t now);
sim_time_t vp_window_budget(const struct dispatch_vp *vp, sim_time_t span);

/* ---- dispatch_metrics.c ------------------------------------------------- */
void dispatch_on_warmup_end(void *ctx, sim_time_t now);
void dispatch_on_finish(void *ctx, sim_time_t now);

static inline const char *pool_unit(const struct dispatch *d)
{
    return d->cfg.granularity == DISPATCH_CORE ? "cores" : "threads";
}

#endif
