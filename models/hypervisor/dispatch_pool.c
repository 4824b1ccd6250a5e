/* models/hypervisor/dispatch_pool.c — the shared pool: which waiting VP
 * gets which free thread, who is preempted, budgets and the window clock.
 *
 * Budgets. Each shared VP has its share x window of entitlement per
 * window, refilled at every window boundary (no carry-over). Time on a
 * thread (switch-in, cede exit, work, snooze, H_CEDE) uses it up; beyond
 * it, an uncapped VP (weight > 0) runs on spare capacity, a capped one
 * (or weight 0) is preempted and waits for the next window.
 *
 * Placement (pool_fill), in this order, repeated until nothing changes:
 * 1. a waiting VP with budget left takes a free thread (first come, first
 *    served), or preempts a VP running beyond its entitlement (the one of
 *    the LPAR that has had the most spare capacity per weight);
 * 2. a waiting uncapped VP without budget takes a free thread, the LPAR
 *    with the least spare capacity per weight first;
 * 3. on an excess_slice tick, a waiting uncapped VP without budget
 *    replaces a running one whose LPAR has had more spare capacity per
 *    weight than its own.
 * "Spare capacity per weight" is each uncapped LPAR's `pass`: its VPs'
 * time beyond entitlement / weight (stride scheduling, C. Waldspurger and
 * W. Weihl, MIT/LCS/TM-528, 1995). Serving the lowest pass first shares
 * the spare capacity in proportion to the weights among LPARs that want
 * it, while an LPAR limited by its VPs or its demand takes what it can
 * (its pass lags, so it is always served first): weighted water-filling,
 * the closed form `lparsim validate` checks. A pass is raised to the
 * lowest pass of the other active LPARs when an LPAR becomes active, so
 * idling earns no credit (choice). PowerVM does not publish its
 * dispatcher; the order above is this model's.
 *
 * Threads are grouped for who may use them: one group per thread
 * (granularity thread) or per core (granularity core). A group with a VP
 * on it belongs to that VP's LPAR; another LPAR's VP may not use its free
 * threads. A group with a dedicated VP is out of the pool. */
#include "models/hypervisor/dispatch_internal.h"

#include <math.h>

uint32_t group_of(const struct dispatch *d, uint32_t thread)
{
    return d->cfg.granularity == DISPATCH_CORE ? thread / d->tpc : thread;
}

static void idle_changed(struct dispatch *d, int delta)
{
    d->free_groups = (uint32_t)((int64_t)d->free_groups + delta);
    time_avg_set(&d->pool_idle, kernel_now(d->env->k), d->free_groups);
}

void pool_take(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread)
{
    struct dgroup *g = &d->groups[group_of(d, thread)];
    d->threads[thread].vp = vp;
    vp->thread = thread;
    if (g->busy++ == 0) {
        g->owner = vp->l->index;
        if (!g->dedicated)
            idle_changed(d, -1);
    }
}

void pool_release(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread)
{
    sim_time_t now = kernel_now(d->env->k);
    struct dgroup *g = &d->groups[group_of(d, thread)];
    d->threads[thread].vp = NULL;
    d->threads[thread].busy_until = vp->l->dedicated ? now : now + d->switch_out_ps;
    vp->thread = DISPATCH_NONE;
    vp->last_thread = thread;
    if (--g->busy == 0) {
        g->owner = -1;
        if (!g->dedicated)
            idle_changed(d, +1);
    }
}

/* Marks (vp) or clears (NULL) a dedicated owner of the thread. */
void pool_set_dedicated(struct dispatch *d, uint32_t thread, struct dispatch_vp *vp)
{
    struct dgroup *g = &d->groups[group_of(d, thread)];
    d->threads[thread].ded = vp;
    cpu_thread_notify_idle(d->cpu, thread, vp == NULL);
    if (vp ? g->dedicated++ == 0 : --g->dedicated == 0) {
        if (vp)
            d->pool_groups--;
        else
            d->pool_groups++;
        if (g->busy == 0)
            idle_changed(d, vp ? -1 : +1);
    }
}

/* ---- the waiting list ----------------------------------------------------- */

void rq_push(struct dispatch *d, struct dispatch_vp *vp)
{
    if (vp->queued)
        return;
    vp->queued = true;
    vp->rq_next = NULL;
    vp->rq_prev = d->rq_tail;
    if (d->rq_tail)
        d->rq_tail->rq_next = vp;
    else
        d->rq_head = vp;
    d->rq_tail = vp;
}

void rq_remove(struct dispatch *d, struct dispatch_vp *vp)
{
    if (!vp->queued)
        return;
    vp->queued = false;
    if (vp->rq_prev)
        vp->rq_prev->rq_next = vp->rq_next;
    else
        d->rq_head = vp->rq_next;
    if (vp->rq_next)
        vp->rq_next->rq_prev = vp->rq_prev;
    else
        d->rq_tail = vp->rq_prev;
    vp->rq_next = vp->rq_prev = NULL;
}

/* ---- budgets and passes --------------------------------------------------- */

sim_time_t vp_budget_at(const struct dispatch_vp *vp, sim_time_t now)
{
    if (vp->l->dedicated)
        return SIM_TIME_MAX;
    if (vp->thread == DISPATCH_NONE)
        return vp->budget;
    sim_time_t used = now - vp->acct;
    return vp->budget > used ? vp->budget - used : 0;
}

/* Settles the VP's time on its thread since `acct`: entitlement first,
 * the rest beyond it (it advances an uncapped LPAR's pass). */
void vp_account(struct dispatch_vp *vp, sim_time_t now)
{
    if (vp->l->dedicated || vp->thread == DISPATCH_NONE) {
        vp->acct = now;
        return;
    }
    sim_time_t dt = now - vp->acct;
    sim_time_t used = dt < vp->budget ? dt : vp->budget;
    vp->budget -= used;
    if (dt > used && vp->l->excess)
        vp->l->pass += (double)(dt - used) / vp->l->weight;
    vp->acct = now;
}

bool vp_may_run(const struct dispatch_vp *vp, sim_time_t now)
{
    return vp->l->dedicated || vp->l->excess || vp_budget_at(vp, now) > 0;
}

void vp_set_active(struct dispatch *d, struct dispatch_vp *vp, bool on)
{
    if (vp->active == on)
        return;
    vp->active = on;
    struct lpar_entry *l = vp->l;
    if (!on) {
        l->active--;
        return;
    }
    if (l->active++ > 0 || !l->excess)
        return;
    /* No credit for idling: catch up with the least served active LPAR. */
    bool any = false;
    double vt = 0;
    for (unsigned i = 0; i < d->nlpars; i++) {
        const struct lpar_entry *o = d->lpars[i];
        if (o != l && !o->removed && o->excess && o->active && (!any || o->pass < vt)) {
            vt = o->pass;
            any = true;
        }
    }
    if (any && l->pass < vt)
        l->pass = vt;
}

static void settle_all(struct dispatch *d, sim_time_t now)
{
    for (uint32_t t = 0; t < d->nthreads; t++)
        if (d->threads[t].vp)
            vp_account(d->threads[t].vp, now);
}

/* ---- choosing ------------------------------------------------------------ */

static bool thread_usable(const struct dispatch *d, uint32_t t, const struct lpar_entry *l)
{
    const struct dthread *th = &d->threads[t];
    const struct dgroup *g = &d->groups[group_of(d, t)];
    return !th->vp && !th->ded && !g->dedicated && (g->owner < 0 || g->owner == l->index);
}

/* A free thread for the VP, preferring one that has finished switching
 * its last VP out, then (core granularity) a core its LPAR already holds,
 * then the thread it last ran on, then the lowest. */
static uint32_t find_thread(const struct dispatch *d, const struct dispatch_vp *vp,
                            sim_time_t now)
{
    uint32_t best = DISPATCH_NONE;
    int best_score = 8;
    for (uint32_t t = 0; t < d->nthreads; t++) {
        if (!thread_usable(d, t, vp->l))
            continue;
        int score = (d->threads[t].busy_until > now) * 4 +
                    (d->cfg.granularity == DISPATCH_CORE &&
                     d->groups[group_of(d, t)].owner != vp->l->index) * 2 +
                    (t != vp->last_thread);
        if (score < best_score) {
            best = t;
            best_score = score;
        }
    }
    return best;
}

/* Window time left minus budget left: how long a waiting VP can still
 * wait and use its whole entitlement by the end of the window. */
static sim_time_t laxity(const struct dispatch *d, const struct dispatch_vp *vp, sim_time_t now)
{
    sim_time_t end = d->window_start + d->cfg.window_ps;
    sim_time_t left = end > now ? end - now : 0, b = vp_budget_at(vp, now);
    return left > b ? left - b : 0;
}

/* Whether vp could use x's thread once x leaves it. */
static bool could_replace(const struct dispatch *d, const struct dispatch_vp *vp,
                          const struct dispatch_vp *x)
{
    const struct dgroup *g = &d->groups[group_of(d, x->thread)];
    return !x->l->dedicated && x->state != VP_LEAVING && !g->dedicated &&
           (g->busy == 1 || g->owner == vp->l->index);
}

/* A VP running beyond its entitlement whose thread vp could use, from the
 * LPAR with the highest pass. On a tick (swap), only one that has run a
 * slice, of an LPAR whose pass is at least vp's. NULL if none. */
static struct dispatch_vp *find_victim(const struct dispatch *d, const struct dispatch_vp *vp,
                                       sim_time_t now, bool swap)
{
    struct dispatch_vp *best = NULL;
    for (uint32_t t = 0; t < d->nthreads; t++) {
        struct dispatch_vp *x = d->threads[t].vp;
        if (!x || !could_replace(d, vp, x) || !x->l->excess || vp_budget_at(x, now) > 0)
            continue;
        if (swap && (now - x->on_since < d->cfg.excess_slice_ps || x->l->pass < vp->l->pass))
            continue;
        if (!best || x->l->pass > best->l->pass)
            best = x;
    }
    return best;
}

/* A VP within its entitlement that can wait longer than vp (positive
 * laxity) and whose thread vp could use: the one that can wait longest. */
static struct dispatch_vp *find_entitled_victim(const struct dispatch *d,
                                                const struct dispatch_vp *vp, sim_time_t now)
{
    struct dispatch_vp *best = NULL;
    sim_time_t most = 0;
    for (uint32_t t = 0; t < d->nthreads; t++) {
        struct dispatch_vp *x = d->threads[t].vp;
        if (!x || !could_replace(d, vp, x) || vp_budget_at(x, now) == 0)
            continue;
        sim_time_t lax = laxity(d, x, now);
        if (lax > most) {
            best = x;
            most = lax;
        }
    }
    return best;
}

/* Puts vp on the thread of x, whom it preempts. */
static void replace(struct dispatch *d, struct dispatch_vp *vp, struct dispatch_vp *x)
{
    uint32_t t = x->thread;
    rq_remove(d, vp);
    vp_preempt(d, x);
    vp_on(d, vp, t);
}

/* A waiting VP with budget takes a free thread, or a thread of a VP
 * beyond its entitlement; if it can wait no longer and use its whole
 * budget (zero laxity), the thread of a VP that can wait (the end of a
 * window is when every VP must have had its entitlement). */
static bool place_entitled(struct dispatch *d, sim_time_t now)
{
    bool settled = false;
    for (struct dispatch_vp *vp = d->rq_head; vp; vp = vp->rq_next) {
        if (vp_budget_at(vp, now) == 0)
            continue;
        uint32_t t = find_thread(d, vp, now);
        if (t != DISPATCH_NONE) {
            rq_remove(d, vp);
            vp_on(d, vp, t);
            return true;
        }
        if (!settled) {
            settle_all(d, now);
            settled = true;
        }
        struct dispatch_vp *x = find_victim(d, vp, now, false);
        if (!x && laxity(d, vp, now) == 0)
            x = find_entitled_victim(d, vp, now);
        if (x) {
            replace(d, vp, x);
            return true;
        }
    }
    return false;
}

/* The waiting VP without budget of the LPAR with the lowest pass that
 * has a usable thread (*thread), first come first among equals. */
static struct dispatch_vp *lowest_pass(struct dispatch *d, sim_time_t now, uint32_t *thread)
{
    struct dispatch_vp *best = NULL;
    for (struct dispatch_vp *vp = d->rq_head; vp; vp = vp->rq_next) {
        if (vp_budget_at(vp, now) > 0 || (best && !(vp->l->pass < best->l->pass)))
            continue;
        uint32_t t = find_thread(d, vp, now);
        if (t != DISPATCH_NONE) {
            best = vp;
            *thread = t;
        }
    }
    return best;
}

static bool place_excess(struct dispatch *d, sim_time_t now)
{
    uint32_t t = DISPATCH_NONE;
    struct dispatch_vp *vp = lowest_pass(d, now, &t);
    if (!vp)
        return false;
    rq_remove(d, vp);
    vp_on(d, vp, t);
    return true;
}

/* On a tick: the waiting VP of the least served LPAR replaces a running
 * one of a more served LPAR. */
static bool swap_excess(struct dispatch *d, sim_time_t now)
{
    settle_all(d, now);
    struct dispatch_vp *best = NULL, *victim = NULL;
    for (struct dispatch_vp *vp = d->rq_head; vp; vp = vp->rq_next) {
        if (vp_budget_at(vp, now) > 0 || (best && !(vp->l->pass < best->l->pass)))
            continue;
        struct dispatch_vp *x = find_victim(d, vp, now, true);
        if (x) {
            best = vp;
            victim = x;
        }
    }
    if (!best)
        return false;
    replace(d, best, victim);
    return true;
}

void pool_fill(struct dispatch *d)
{
    if (d->hold || !d->started) {
        d->refill = true;
        return;
    }
    d->hold++;
    sim_time_t now = kernel_now(d->env->k);
    do {
        d->refill = false;
        while (place_entitled(d, now) || place_excess(d, now) ||
               (d->tick_due && swap_excess(d, now)))
            ;
    } while (d->refill);
    d->tick_due = false;
    d->hold--;
    pool_arm_tick(d);
}

/* ---- ticks and the window clock ------------------------------------------ */

static void on_tick(void *ctx, uint64_t arg)
{
    (void)arg;
    struct dispatch *d = ctx;
    d->tick_ev = (struct event_id){ 0 };
    d->tick_at = SIM_TIME_MAX;
    d->tick_due = true;
    pool_fill(d);
}

/* While VPs wait, the next time placement may change: the next slice
 * end if a VP without budget waits and one beyond its entitlement runs;
 * the earliest end of a running uncapped VP's budget (a waiting VP may
 * then take its thread); a waiting VP's zero laxity. */
void pool_arm_tick(struct dispatch *d)
{
    if (!d->rq_head)
        return;
    sim_time_t now = kernel_now(d->env->k);
    sim_time_t t = SIM_TIME_MAX;
    bool excess = false;
    for (const struct dispatch_vp *vp = d->rq_head; vp; vp = vp->rq_next) {
        if (vp_budget_at(vp, now) == 0) {
            excess = true;
            continue;
        }
        sim_time_t lax = laxity(d, vp, now);
        if (lax > 0 && now + lax < t)
            t = now + lax;
    }
    for (uint32_t i = 0; i < d->nthreads; i++) {
        const struct dispatch_vp *x = d->threads[i].vp;
        if (!x || x->l->dedicated || !x->l->excess)
            continue;
        sim_time_t b = vp_budget_at(x, now);
        if (b == 0 && excess && now + d->cfg.excess_slice_ps < t)
            t = now + d->cfg.excess_slice_ps;
        else if (b > 0 && now + b < t)
            t = now + b;
    }
    if (t == SIM_TIME_MAX || (d->tick_at != SIM_TIME_MAX && d->tick_at <= t))
        return;
    if (d->tick_at != SIM_TIME_MAX)
        kernel_cancel(d->env->k, d->tick_ev);
    d->tick_at = t;
    d->tick_ev = kernel_schedule_at(d->env->k, t, on_tick, d, 0);
}

sim_time_t window_left(const struct dispatch *d, sim_time_t now)
{
    return d->clock_running ? d->window_start + d->cfg.window_ps - now : d->cfg.window_ps;
}

sim_time_t vp_window_budget(const struct dispatch_vp *vp, sim_time_t span)
{
    return (sim_time_t)llround(vp->share * (double)span);
}

/* A new window: every shared VP's budget refills; parked VPs wait for a
 * thread again, a ceded VP with work it was not woken for (an interrupt
 * without escalation) wakes (timer: the model's bound on the guest's
 * next timer tick). */
static void on_window(void *ctx, uint64_t arg)
{
    (void)arg;
    struct dispatch *d = ctx;
    sim_time_t now = kernel_now(d->env->k);
    d->window_start = now;
    d->window_ev = kernel_schedule_at(d->env->k, now + d->cfg.window_ps, on_window, d, 0);
    d->hold++;
    for (unsigned i = 0; i < d->nlpars; i++) {
        struct lpar_entry *l = d->lpars[i];
        if (l->removed || l->dedicated)
            continue;
        for (uint32_t v = 0; v < l->nvps; v++) {
            struct dispatch_vp *vp = &l->vps[v];
            vp_account(vp, now);
            vp->budget = vp_window_budget(vp, d->cfg.window_ps);
            if (vp->state == VP_PARKED)
                vp_make_runnable(d, vp);
            else if (vp->state == VP_IDLE && !cpu_jobq_empty(&vp->q))
                vp_wake(d, vp, DISPATCH_WAKE_TIMER);
            else
                vp_arm(vp);
        }
    }
    d->hold--;
    pool_fill(d);
}

void clock_start(struct dispatch *d)
{
    if (d->clock_running || !d->started || !d->shared_vps)
        return;
    d->clock_running = true;
    d->window_start = kernel_now(d->env->k);
    d->window_ev = kernel_schedule_at(d->env->k, d->window_start + d->cfg.window_ps, on_window,
                                      d, 0);
}

void clock_stop_if_idle(struct dispatch *d)
{
    if (!d->clock_running || d->shared_vps)
        return;
    d->clock_running = false;
    kernel_cancel(d->env->k, d->window_ev);
    if (d->tick_at != SIM_TIME_MAX)
        kernel_cancel(d->env->k, d->tick_ev);
    d->tick_at = SIM_TIME_MAX;
}
