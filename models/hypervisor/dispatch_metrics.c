/* models/hypervisor/dispatch_metrics.c — what the dispatcher tells: per
 * VP its state and counters (dispatches, preemptions, cedes, wake-ups by
 * kind, time on a thread), per LPAR lparstat's physc and %entc, per pool
 * its size and mean idle capacity (lparstat's app); reset at the warm-up,
 * written as scalars at the end (docs/model-cpu.md, "Metrics"). */
#include "models/hypervisor/dispatch_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- inspection ---------------------------------------------------------- */

uint32_t dispatch_vp_count(const struct dispatch *d) { return d->nvps; }
uint32_t dispatch_vp_capacity(const struct dispatch *d) { return d->cfg.vp_capacity; }

struct dispatch_vp *dispatch_vp_at(struct dispatch *d, uint32_t id)
{
    return id < d->cfg.vp_capacity ? d->slots[id] : NULL;
}

struct dispatch_vp *dispatch_lpar_vp(struct dispatch *d, unsigned lpar, uint32_t i)
{
    if (lpar >= d->nlpars || d->lpars[lpar]->removed || i >= d->lpars[lpar]->nvps)
        return NULL;
    return &d->lpars[lpar]->vps[i];
}

uint32_t dispatch_vp_id(const struct dispatch_vp *vp) { return vp->id; }
unsigned dispatch_vp_lpar(const struct dispatch_vp *vp) { return vp->l->index; }
double dispatch_vp_share(const struct dispatch_vp *vp) { return vp->share; }

int64_t dispatch_vp_thread(const struct dispatch_vp *vp)
{
    return vp->thread == DISPATCH_NONE ? -1 : (int64_t)vp->thread;
}

bool dispatch_is_dispatched(const struct dispatch_vp *vp)
{
    return vp->thread != DISPATCH_NONE;
}

bool dispatch_vp_ceded(const struct dispatch_vp *vp)
{
    const struct dispatch *d = vp->d;
    if (!vp->l->dedicated)
        return vp->state == VP_IDLE && vp->ceded;
    if (!vp->on_cpu || !cpu_thread_idle(d->cpu, vp->thread))
        return false;
    sim_time_t since = cpu_thread_idle_since(d->cpu, vp->thread);
    if (since < vp->idle_since)
        since = vp->idle_since;
    sim_time_t back = since + vp->l->snooze +
                      (d->hcall ? cpu_cycles_to_ps(d->cpu, hcall_cycles(d->hcall, HCALL_CEDE, 1))
                                : 0);
    return kernel_now(d->env->k) >= back;
}

sim_time_t dispatch_vp_budget(const struct dispatch_vp *vp)
{
    return vp_budget_at(vp, kernel_now(vp->d->env->k));
}

uint64_t dispatch_vp_backlog(const struct dispatch_vp *vp)
{
    return vp->q.n[CPU_IRQ] + vp->q.n[CPU_TASK];
}

const char *dispatch_wake_name(enum dispatch_wake kind)
{
    static const char *const names[DISPATCH_WAKE_KINDS] = { "escalation", "timer", "prod",
                                                            "interrupt" };
    return (unsigned)kind < DISPATCH_WAKE_KINDS ? names[kind] : "?";
}

/* ---- metrics ------------------------------------------------------------- */

struct dispatch_vp_counters dispatch_vp_counters(const struct dispatch_vp *vp)
{
    struct dispatch_vp_counters n = vp->n;
    if (vp->thread != DISPATCH_NONE)
        n.on_ps += kernel_now(vp->d->env->k) - vp->on_since;
    if (vp->l->dedicated && dispatch_vp_ceded(vp))
        n.cedes++; /* ceded in place, not yet woken */
    return n;
}

uint64_t dispatch_vp_dispatches(const struct dispatch_vp *vp)
{
    return vp->n.dispatches;
}

double dispatch_vp_dispatched_fraction(const struct dispatch_vp *vp)
{
    sim_time_t span = kernel_now(vp->d->env->k) - vp->since;
    struct dispatch_vp_counters n = dispatch_vp_counters(vp);
    return span ? (double)n.on_ps / (double)span : (vp->thread != DISPATCH_NONE);
}

double dispatch_lpar_physc(const struct dispatch *d, unsigned lpar)
{
    if (lpar >= d->nlpars || d->lpars[lpar]->removed)
        return 0;
    const struct lpar_entry *l = d->lpars[lpar];
    sim_time_t span = kernel_now(d->env->k) - l->since;
    double on = 0;
    for (uint32_t i = 0; i < l->nvps; i++)
        on += (double)dispatch_vp_counters(&l->vps[i]).on_ps;
    return span ? on / (double)span : 0;
}

double dispatch_lpar_entc(const struct dispatch *d, unsigned lpar)
{
    if (lpar >= d->nlpars || d->lpars[lpar]->removed)
        return 0;
    return 100 * dispatch_lpar_physc(d, lpar) / d->lpars[lpar]->entitlement;
}

double dispatch_pool_idle(const struct dispatch *d)
{
    sim_time_t now = kernel_now(d->env->k);
    const struct time_avg *a = &d->pool_idle;
    double span = (double)(now - a->since);
    return span > 0 ? (a->area + a->value * (double)(now - a->last)) / span : a->value;
}

uint32_t dispatch_pool_size(const struct dispatch *d)
{
    return d->pool_groups;
}

void dispatch_on_warmup_end(void *ctx, sim_time_t now)
{
    struct dispatch *d = ctx;
    d->since = now;
    time_avg_init(&d->pool_idle, now, d->free_groups);
    for (unsigned i = 0; i < d->nlpars; i++) {
        struct lpar_entry *l = d->lpars[i];
        l->since = now;
        for (uint32_t v = 0; v < l->nvps; v++) {
            struct dispatch_vp *vp = &l->vps[v];
            memset(&vp->n, 0, sizeof vp->n);
            vp->since = now;
            if (vp->thread != DISPATCH_NONE)
                vp->on_since = now;
        }
    }
}

void dispatch_on_finish(void *ctx, sim_time_t now)
{
    struct dispatch *d = ctx;
    struct recorder *rec = d->env->rec;
    char name[40];
    (void)now;
    for (unsigned i = 0; i < d->nlpars; i++) {
        const struct lpar_entry *l = d->lpars[i];
        if (l->removed)
            continue;
        for (uint32_t v = 0; v < l->nvps; v++) {
            const struct dispatch_vp *vp = &l->vps[v];
            struct dispatch_vp_counters n = dispatch_vp_counters(vp);
            recorder_scalar(rec, vp->path, "dispatched_fraction", "",
                            dispatch_vp_dispatched_fraction(vp));
            recorder_scalar(rec, vp->path, "dispatches", "", (double)n.dispatches);
            recorder_scalar(rec, vp->path, "preemptions", "", (double)n.preemptions);
            recorder_scalar(rec, vp->path, "cedes", "", (double)n.cedes);
            for (int k = 0; k < DISPATCH_WAKE_KINDS; k++) {
                snprintf(name, sizeof name, "wakeups_%s", dispatch_wake_name(k));
                recorder_scalar(rec, vp->path, name, "", (double)n.wakeups[k]);
            }
            recorder_scalar(rec, vp->path, "backlog", "", (double)dispatch_vp_backlog(vp));
        }
        recorder_scalar(rec, l->path, "physc", "", dispatch_lpar_physc(d, i));
        recorder_scalar(rec, l->path, "entc", "%", dispatch_lpar_entc(d, i));
    }
    recorder_scalar(rec, d->path, "pool_size", pool_unit(d), (double)d->pool_groups);
    recorder_scalar(rec, d->path, "pool_idle", pool_unit(d), dispatch_pool_idle(d));
}

uint64_t dispatch_vp_work(const struct dispatch_vp *vp, enum dispatch_work kind)
{
    return vp->work[kind];
}
