/* models/hypervisor/dispatch_lpar.c — the dispatcher's LPARs: create and
 * destroy the dispatcher, add LPARs (before or after the start), remove
 * them with their work (to resubmit elsewhere: live partition mobility),
 * start (docs/model-cpu.md, "Run-time VPs").
 *
 * VP ids are slots 0..vp_capacity-1; an LPAR's VPs take the lowest free
 * ones and keep them until it is removed. Each slot has a generation,
 * bumped when a VP takes it, so a late H_PROD for a removed VP is
 * recognised. LPAR indices only grow. */
#include "models/hypervisor/dispatch_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARE_MIN 0.05
#define SHARE_MAX 1.0
#define EPS 1e-9

struct dispatch *dispatch_create(struct env *e, const char *path, struct cpu *cpu,
                                 const struct dispatch_config *c)
{
    if (!c->window_ps || !c->vp_capacity || !c->excess_slice_ps)
        return NULL;
    struct dispatch *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->env = e;
    d->cpu = cpu;
    d->cfg = *c;
    snprintf(d->path, sizeof d->path, "%s", path);
    d->switch_in_ps = cpu_cycles_to_ps(cpu, c->switch_in);
    d->switch_out_ps = cpu_cycles_to_ps(cpu, c->switch_out);
    d->escalation_ps = cpu_cycles_to_ps(cpu, c->escalation);
    d->nthreads = cpu_threads(cpu);
    d->tpc = cpu_threads_per_core(cpu);
    d->ngroups = c->granularity == DISPATCH_CORE ? d->nthreads / d->tpc : d->nthreads;
    d->threads = calloc(d->nthreads, sizeof *d->threads);
    d->groups = calloc(d->ngroups, sizeof *d->groups);
    d->slots = calloc(c->vp_capacity, sizeof *d->slots);
    d->slot_gen = calloc(c->vp_capacity, sizeof *d->slot_gen);
    if (!d->threads || !d->groups || !d->slots || !d->slot_gen) {
        dispatch_destroy(d);
        return NULL;
    }
    for (uint32_t g = 0; g < d->ngroups; g++)
        d->groups[g].owner = -1;
    d->pool_groups = d->free_groups = d->ngroups;
    d->tick_at = SIM_TIME_MAX;
    d->since = kernel_now(e->k);
    time_avg_init(&d->pool_idle, d->since, d->free_groups);
    cpu_set_idle_hook(cpu, dispatch_on_idle, d);
    for (uint32_t t = 0; t < d->nthreads; t++)
        cpu_thread_notify_idle(cpu, t, true);
    env_on_warmup_end(e, dispatch_on_warmup_end, d);
    env_on_finish(e, dispatch_on_finish, d);
    return d;
}

void dispatch_destroy(struct dispatch *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < d->nlpars; i++) {
        free(d->lpars[i]->vps);
        free(d->lpars[i]);
    }
    free(d->lpars);
    free(d->slots);
    free(d->slot_gen);
    free(d->threads);
    free(d->groups);
    free(d);
}

/* ---- adding an LPAR ----------------------------------------------------- */

static int lpar_check(const struct dispatch *d, const char *path,
                      const struct dispatch_lpar_config *c, const struct dispatch_saved *saved,
                      struct diag *err)
{
    if (c->vps == 0)
        return diag_set(err, NULL, "LPAR '%s' has no virtual processors", path);
    if (saved && saved->nvps != c->vps)
        return diag_set(err, NULL, "LPAR '%s': %u VPs, but its saved work is for %u", path,
                        c->vps, saved->nvps);
    if (c->vps > d->cfg.vp_capacity - d->nvps)
        return diag_set(err, NULL, "LPAR '%s': %u VPs, but only %u of %s's %u VP ids are "
                        "free", path, c->vps, d->cfg.vp_capacity - d->nvps, d->path,
                        d->cfg.vp_capacity);
    if (c->mode != DISPATCH_SHARED)
        return 0;
    double share = c->entitlement / c->vps;
    if (share < SHARE_MIN - EPS || share > SHARE_MAX + EPS)
        return diag_set(err, NULL,
                        "LPAR '%s': entitlement %g over %u VPs is %g per VP; it must be "
                        "between %g and %g", path, c->entitlement, c->vps, share,
                        SHARE_MIN, SHARE_MAX);
    if (c->weight > DISPATCH_WEIGHT_MAX)
        return diag_set(err, NULL, "LPAR '%s': weight %u is above %u", path, c->weight,
                        DISPATCH_WEIGHT_MAX);
    return 0;
}

static int check_pool(const struct dispatch *d, double entitlement, uint32_t groups,
                      struct diag *err)
{
    if (entitlement > groups + EPS)
        return diag_set(err, NULL, "%s: shared LPARs are entitled to %g processing units "
                        "but the shared pool has %u %s", d->path, entitlement, groups,
                        pool_unit(d));
    return 0;
}

/* Threads for the dedicated VPs not placed yet (out[i] == DISPATCH_NONE):
 * pinned[i], then (unless pinned_only) the lowest free, one without a VP
 * first. */
static int choose_dedicated(const struct dispatch *d, const char *path, uint32_t n,
                            const uint32_t *pinned, bool *taken, uint32_t *out,
                            bool pinned_only, struct diag *err)
{
    for (int pass = 0; pass < (pinned_only ? 1 : 3); pass++)
        for (uint32_t i = 0; i < n; i++) {
            if (out[i] != DISPATCH_NONE || (pass == 0) != (pinned[i] != DISPATCH_NONE))
                continue;
            uint32_t t = pinned[i];
            if (pass == 0) {
                if (t >= d->nthreads || taken[t])
                    return diag_set(err, NULL, "%s.vp%u: thread %u is %s", path, i, t,
                                    t >= d->nthreads ? "out of range" : "already taken");
            } else {
                for (t = 0; t < d->nthreads; t++)
                    if (!taken[t] && (pass == 2 || !d->threads[t].vp))
                        break;
                if (t == d->nthreads) {
                    if (pass == 1)
                        continue;
                    return diag_set(err, NULL, "%s.vp%u: no free hardware thread for a "
                                    "dedicated VP (%u threads)", path, i, d->nthreads);
                }
            }
            taken[t] = true;
            out[i] = t;
        }
    return 0;
}

/* Pool groups left once dedicated VPs own `taken` threads. */
static uint32_t pool_after(const struct dispatch *d, const bool *taken)
{
    uint32_t n = 0;
    for (uint32_t g = 0; g < d->ngroups; g++) {
        bool ded = false;
        for (uint32_t t = 0; t < d->nthreads && !ded; t++)
            ded = group_of(d, t) == g && taken[t];
        n += !ded;
    }
    return n;
}

static int load_saved(struct dispatch *d, struct dispatch_vp *vp,
                      const struct dispatch_saved_vp *s)
{
    for (size_t i = 0; i < s->njobs; i++) {
        const struct dispatch_saved_job *sj = &s->jobs[i];
        struct cpu_job *j = cpu_job_new(d->cpu, sj->kind, sj->cycles, sj->fn, sj->ctx, sj->arg);
        if (!j)
            return -1;
        j->t_submit = sj->t_submit;
        j->started = sj->started;
        cpu_jobq_push(&vp->q, j);
        vp->ceded = false; /* it was runnable when it left */
    }
    struct dispatch_vp_counters *n = &vp->n;
    n->dispatches += s->counters.dispatches;
    n->preemptions += s->counters.preemptions;
    n->cedes += s->counters.cedes;
    n->on_ps += s->counters.on_ps;
    for (int k = 0; k < DISPATCH_WAKE_KINDS; k++)
        n->wakeups[k] += s->counters.wakeups[k];
    return 0;
}

static void drop_jobs(struct dispatch *d, struct cpu_jobq *q, struct dispatch_saved_job *out)
{
    size_t n = 0;
    for (int k = 0; k < CPU_KINDS; k++) {
        struct cpu_job *j = q->head[k];
        while (j) {
            struct cpu_job *next = j->next;
            if (out)
                out[n++] = (struct dispatch_saved_job){ (enum cpu_kind)j->kind, j->started,
                                                        j->cycles, j->fn, j->ctx, j->arg,
                                                        j->t_submit };
            cpu_job_free(d->cpu, j);
            j = next;
        }
    }
    cpu_jobq_init(q);
}

static struct lpar_entry *lpar_new(struct dispatch *d, const char *path,
                                   const struct dispatch_lpar_config *c, const uint32_t *threads)
{
    struct lpar_entry **v = realloc(d->lpars, (d->nlpars + 1) * sizeof *v);
    if (!v)
        return NULL;
    d->lpars = v;
    struct lpar_entry *l = calloc(1, sizeof *l);
    struct dispatch_vp *vps = l ? calloc(c->vps, sizeof *vps) : NULL;
    if (!vps) {
        free(l);
        return NULL;
    }
    sim_time_t now = kernel_now(d->env->k);
    *l = (struct lpar_entry){
        .index = d->nlpars, .dedicated = c->mode == DISPATCH_DEDICATED,
        .excess = c->mode == DISPATCH_SHARED && c->sharing == DISPATCH_UNCAPPED && c->weight > 0,
        .weight = c->weight, .snooze = c->snooze_ps, .nvps = c->vps, .vps = vps, .since = now,
        .entitlement = c->mode == DISPATCH_SHARED ? c->entitlement : (double)c->vps,
    };
    snprintf(l->path, sizeof l->path, "%s", path);
    uint32_t slot = 0;
    for (uint32_t i = 0; i < c->vps; i++) {
        struct dispatch_vp *vp = &vps[i];
        while (d->slots[slot])
            slot++;
        d->slots[slot] = vp;
        *vp = (struct dispatch_vp){
            .d = d, .l = l, .dedicated = l->dedicated, .id = slot,
            .gen = ++d->slot_gen[slot], .index = i,
            .state = l->dedicated ? VP_NEW : VP_IDLE, .ceded = true,
            .thread = DISPATCH_NONE, .last_thread = DISPATCH_NONE,
            .pinned = l->dedicated && threads ? threads[i] : DISPATCH_NONE,
            .share = l->dedicated ? 1.0 : c->entitlement / c->vps,
            .ev_at = SIM_TIME_MAX, .since = now,
        };
        snprintf(vp->path, sizeof vp->path, "%s.vp%u", path, i);
        cpu_jobq_init(&vp->q);
        vp->budget = l->dedicated ? 0 : vp_window_budget(vp, window_left(d, now));
        vp->st_wait = recorder_statistic(d->env->rec, vp->path, "dispatch_wait", "ns");
    }
    d->lpars[d->nlpars++] = l;
    d->nvps += c->vps;
    if (!l->dedicated) {
        d->shared_entitlement += c->entitlement;
        d->shared_vps += c->vps;
    }
    return l;
}

/* A running dispatcher: dedicated VPs take their threads (preempting any
 * shared VP of another LPAR there, or on their core), shared VPs with
 * work wait for a thread. */
static void lpar_join(struct dispatch *d, struct lpar_entry *l, const uint32_t *placed)
{
    for (uint32_t i = 0; i < l->nvps; i++) {
        struct dispatch_vp *vp = &l->vps[i];
        if (!l->dedicated) {
            if (!cpu_jobq_empty(&vp->q))
                vp_make_runnable(d, vp);
            continue;
        }
        for (uint32_t t = 0; t < d->nthreads; t++) {
            struct dispatch_vp *x = d->threads[t].vp;
            if (x && !x->l->dedicated && group_of(d, t) == group_of(d, placed[i]))
                vp_preempt(d, x);
        }
        vp_dedicated_start(d, vp, placed[i]);
    }
}

/* Threads for a dedicated LPAR joining a running dispatcher (*placed,
 * allocated here). */
static int place_new_dedicated(const struct dispatch *d, const char *path,
                               const struct dispatch_lpar_config *c, const uint32_t *threads,
                               uint32_t **placed, struct diag *err)
{
    uint32_t *out = malloc(c->vps * sizeof *out);
    uint32_t *pinned = malloc(c->vps * sizeof *pinned);
    bool *taken = calloc(d->nthreads, sizeof *taken);
    int rc = -1;
    if (!out || !pinned || !taken) {
        diag_set(err, NULL, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < c->vps; i++) {
        pinned[i] = threads ? threads[i] : DISPATCH_NONE;
        out[i] = DISPATCH_NONE;
    }
    for (uint32_t t = 0; t < d->nthreads; t++)
        taken[t] = d->threads[t].ded != NULL;
    if (choose_dedicated(d, path, c->vps, pinned, taken, out, false, err) == 0 &&
        check_pool(d, d->shared_entitlement, pool_after(d, taken), err) == 0) {
        *placed = out;
        out = NULL;
        rc = 0;
    }
out:
    free(out);
    free(pinned);
    free(taken);
    return rc;
}

int dispatch_add_lpar(struct dispatch *d, const char *path,
                      const struct dispatch_lpar_config *c, const uint32_t *threads,
                      const struct dispatch_saved *saved, struct diag *err)
{
    uint32_t *placed = NULL;
    if (lpar_check(d, path, c, saved, err) != 0)
        return -1;
    if (d->started && c->mode == DISPATCH_SHARED &&
        check_pool(d, d->shared_entitlement + c->entitlement, d->pool_groups, err) != 0)
        return -1;
    if (d->started && c->mode == DISPATCH_DEDICATED &&
        place_new_dedicated(d, path, c, threads, &placed, err) != 0)
        return -1;
    struct lpar_entry *l = lpar_new(d, path, c, threads);
    if (!l) {
        free(placed);
        return diag_set(err, NULL, "out of memory");
    }
    for (uint32_t i = 0; saved && i < l->nvps; i++)
        if (load_saved(d, &l->vps[i], &saved->vps[i]) != 0) {
            dispatch_remove_lpar(d, l->index, NULL);
            free(placed);
            return diag_set(err, NULL, "out of memory");
        }
    if (d->started) {
        d->hold++;
        lpar_join(d, l, placed);
        clock_start(d);
        d->hold--;
        pool_fill(d);
    }
    free(placed);
    return (int)l->index;
}

/* ---- removing an LPAR --------------------------------------------------- */

int dispatch_remove_lpar(struct dispatch *d, unsigned lpar, struct dispatch_saved *saved)
{
    if (lpar >= d->nlpars || d->lpars[lpar]->removed)
        return -1;
    struct lpar_entry *l = d->lpars[lpar];
    sim_time_t now = kernel_now(d->env->k);
    bool *was = calloc(l->nvps, sizeof *was);
    if (!was)
        return -1;
    if (saved) {
        saved->nvps = l->nvps;
        saved->vps = calloc(l->nvps, sizeof *saved->vps);
        if (!saved->vps) {
            free(was);
            return -1;
        }
    }
    d->hold++;
    /* First every VP stops taking work onto a thread or waking, so what
     * the jobs completing below submit lands in its backlog. */
    for (uint32_t i = 0; i < l->nvps; i++) {
        struct dispatch_vp *vp = &l->vps[i];
        vp_account(vp, now);
        was[i] = vp->on_cpu;
        vp->on_cpu = false;
        vp->snoozing = false;
        vp->state = VP_LEAVING;
        rq_remove(d, vp);
        vp_set_active(d, vp, false);
        if (vp->ev_at != SIM_TIME_MAX)
            kernel_cancel(d->env->k, vp->ev);
        vp->ev_at = SIM_TIME_MAX;
    }
    for (uint32_t i = 0; i < l->nvps; i++) {
        struct dispatch_vp *vp = &l->vps[i];
        uint32_t t = vp->thread;
        if (t == DISPATCH_NONE)
            continue;
        vp_leave_thread(d, vp, was[i]);
        if (l->dedicated)
            pool_set_dedicated(d, t, NULL);
    }
    for (uint32_t i = 0; i < l->nvps; i++) {
        struct dispatch_vp *vp = &l->vps[i];
        struct dispatch_saved_vp *s = saved ? &saved->vps[i] : NULL;
        size_t njobs = vp->q.n[CPU_IRQ] + vp->q.n[CPU_TASK];
        if (s) {
            s->counters = vp->n;
            s->jobs = njobs ? calloc(njobs, sizeof *s->jobs) : NULL;
            s->njobs = s->jobs ? njobs : 0;
        }
        drop_jobs(d, &vp->q, s ? s->jobs : NULL);
        d->slots[vp->id] = NULL;
    }
    d->nvps -= l->nvps;
    if (!l->dedicated) {
        d->shared_entitlement -= l->entitlement;
        d->shared_vps -= l->nvps;
    }
    l->removed = true;
    free(l->vps);
    l->vps = NULL;
    l->nvps = 0;
    free(was);
    d->hold--;
    pool_fill(d);
    clock_stop_if_idle(d);
    return 0;
}

void dispatch_saved_free(struct dispatch_saved *s)
{
    if (!s || !s->vps)
        return;
    for (uint32_t i = 0; i < s->nvps; i++)
        free(s->vps[i].jobs);
    free(s->vps);
    s->vps = NULL;
    s->nvps = 0;
}

/* ---- start --------------------------------------------------------------- */

int dispatch_start(struct dispatch *d, struct diag *err)
{
    if (d->started)
        return diag_set(err, NULL, "%s: dispatcher started twice", d->path);
    bool *taken = calloc(d->nthreads, sizeof *taken);
    uint32_t **placed = calloc(d->nlpars + 1, sizeof *placed);
    uint32_t **pinned = calloc(d->nlpars + 1, sizeof *pinned);
    int rc = -1;
    if (!taken || !placed || !pinned)
        goto oom;
    for (unsigned i = 0; i < d->nlpars; i++) {
        const struct lpar_entry *l = d->lpars[i];
        if (l->removed || !l->dedicated)
            continue;
        placed[i] = malloc(l->nvps * sizeof **placed);
        pinned[i] = malloc(l->nvps * sizeof **pinned);
        if (!placed[i] || !pinned[i])
            goto oom;
        for (uint32_t v = 0; v < l->nvps; v++) {
            placed[i][v] = DISPATCH_NONE;
            pinned[i][v] = l->vps[v].pinned;
        }
    }
    /* Every LPAR's requested threads first, then the lowest free. */
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < d->nlpars; i++)
            if (placed[i] && choose_dedicated(d, d->lpars[i]->path, d->lpars[i]->nvps,
                                              pinned[i], taken, placed[i], pass == 0, err) != 0)
                goto out;
    if (check_pool(d, d->shared_entitlement, pool_after(d, taken), err) != 0)
        goto out;
    d->started = true;
    d->hold++;
    for (unsigned i = 0; i < d->nlpars; i++)
        if (!d->lpars[i]->removed)
            lpar_join(d, d->lpars[i], placed[i]);
    clock_start(d);
    d->hold--;
    pool_fill(d);
    rc = 0;
    goto out;
oom:
    diag_set(err, NULL, "out of memory");
out:
    for (unsigned i = 0; placed && pinned && i < d->nlpars; i++) {
        free(placed[i]);
        free(pinned[i]);
    }
    free(placed);
    free(pinned);
    free(taken);
    return rc;
}
