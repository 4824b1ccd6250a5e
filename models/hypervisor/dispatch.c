/* models/hypervisor/dispatch.c — dedicated and shared-pool VP dispatch.
 *
 * Numbers (docs/model-cpu.md):
 * - dispatch_window 10 ms: "At the end of the POWER Hypervisor's dispatch
 *   cycle (10 ms), all partitions receive total CPU time equal to their
 *   processing units entitlement" (IBM Redbooks, POWER7/POWER8 technical
 *   overviews, "Shared mode");
 * - a VP's share of its LPAR's entitlement lies in [0.05, 1.0] processing
 *   units (PowerVM since POWER7+: minimum 0.05 per VP, maximum 1.0);
 * - the layout of slices in the window is a modelling choice (fixed,
 *   wrap-around, same every window): PowerVM does not publish its
 *   dispatcher, and a fixed layout makes the added latency analytic.
 *
 * The schedule is a sorted list of transitions (offset in the window,
 * thread, VP leaving, VP arriving); one kernel event at a time walks it,
 * handling all transitions of an offset together. */
#include "models/hypervisor/dispatch.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hypervisor/lpar.h"
#include "sim/timeavg.h"

const struct param_desc dispatch_params[] = {
    { "dispatch_window", PARAM_TIME, "ms", "10ms",
      "shared pool dispatch cycle: each VP gets its entitlement once per window "
      "(PowerVM: 10 ms, IBM Redbooks)", .min = "1us", .max = "10s" },
    { 0 }
};

const struct schema dispatch_schema = {
    .name = "dispatch",
    .doc = "hypervisor VP dispatcher: the shared pool's dispatch window",
    .params = dispatch_params,
};

const struct param_desc dispatch_lpar_params[] = {
    { "mode", PARAM_ENUM, "", "dedicated",
      "dedicated: each VP owns a thread; shared: VPs share the pool by entitlement",
      .choices = "dedicated|shared" },
    { "entitlement", PARAM_F64, "", "1.0",
      "shared: processing units of the LPAR, split evenly over its VPs "
      "(PowerVM: 0.05 to 1.0 per VP)", .min = "0.05", .max = "1024" },
    { 0 }
};

const struct schema dispatch_lpar_schema = {
    .name = "processors",
    .doc = "how an LPAR's virtual processors get hardware threads",
    .params = dispatch_lpar_params,
};

#define SHARE_MIN 0.05
#define SHARE_MAX 1.0
#define EPS 1e-9

struct dispatch_vp {
    struct dispatch *d;
    uint32_t id;
    unsigned lpar;
    char path[112];
    uint32_t thread;         /* CPU_NO_THREAD: not dispatched */
    uint32_t pinned;         /* dedicated: requested thread or CPU_NO_THREAD */
    bool on_cpu;             /* jobs go straight to the thread */
    double share;            /* processing units of this VP (1 if dedicated) */
    sim_time_t slice;
    struct cpu_jobq q;       /* jobs waiting for the next dispatch */
    struct cpu_job *unwaited[CPU_KINDS]; /* first job whose wait is open */
    struct time_avg disp;
    uint64_t dispatches;
    struct statistic *st_wait;
};

struct lpar_entry {
    struct dispatch_vp *vps;
    uint32_t nvps;
    enum dispatch_mode mode;
};

struct transition {
    sim_time_t offset;
    uint32_t thread;
    struct dispatch_vp *off, *on;
};

struct segment {
    uint32_t thread;
    sim_time_t start, end;
    struct dispatch_vp *vp;
};

struct dispatch {
    struct env *env;
    struct cpu *cpu;
    char path[96];
    sim_time_t window;
    struct dispatch_listener listeners[DISPATCH_MAX_LISTENERS];
    unsigned nlisteners;
    struct lpar_entry *lpars;
    unsigned nlpars;
    struct dispatch_vp **vps;
    uint32_t nvps;
    bool started;

    struct transition *trans;
    size_t ntrans, next;
    sim_time_t window_start;
};

/* ---- configuration ------------------------------------------------------ */

void dispatch_config_init(struct dispatch_config *c, const struct cfg_node *cfg)
{
    c->window_ps = cfg_param(cfg, dispatch_params, "dispatch_window").u;
}

void dispatch_lpar_config_init(struct dispatch_lpar_config *c, const struct cfg_node *lpar_cfg,
                               const struct cfg_node *proc_cfg)
{
    c->vps = (uint32_t)cfg_param(lpar_cfg, lpar_params, "vps").u;
    const char *mode = cfg_param(proc_cfg, dispatch_lpar_params, "mode").s;
    c->mode = strcmp(mode, "shared") == 0 ? DISPATCH_SHARED : DISPATCH_DEDICATED;
    c->entitlement = cfg_param(proc_cfg, dispatch_lpar_params, "entitlement").d;
}

static void on_warmup_end(void *ctx, sim_time_t now);
static void on_finish(void *ctx, sim_time_t now);

struct dispatch *dispatch_create(struct env *e, const char *path, struct cpu *cpu,
                                 const struct dispatch_config *c)
{
    if (!c->window_ps)
        return NULL;
    struct dispatch *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->env = e;
    d->cpu = cpu;
    d->window = c->window_ps;
    snprintf(d->path, sizeof d->path, "%s", path);
    env_on_warmup_end(e, on_warmup_end, d);
    env_on_finish(e, on_finish, d);
    return d;
}

void dispatch_destroy(struct dispatch *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < d->nlpars; i++)
        free(d->lpars[i].vps);
    free(d->lpars);
    free(d->vps);
    free(d->trans);
    free(d);
}

int dispatch_add_listener(struct dispatch *d, const struct dispatch_listener *l)
{
    if (d->started || d->nlisteners == DISPATCH_MAX_LISTENERS)
        return -1;
    d->listeners[d->nlisteners++] = *l;
    return 0;
}

static int lpar_check(const struct dispatch *d, const char *path,
                      const struct dispatch_lpar_config *c, struct diag *err)
{
    if (d->started)
        return diag_set(err, NULL, "LPAR '%s' added after the dispatcher started", path);
    if (c->vps == 0)
        return diag_set(err, NULL, "LPAR '%s' has no virtual processors", path);
    if (c->mode != DISPATCH_SHARED)
        return 0;
    double share = c->entitlement / c->vps;
    if (share < SHARE_MIN - EPS || share > SHARE_MAX + EPS)
        return diag_set(err, NULL,
                        "LPAR '%s': entitlement %g over %u VPs is %g per VP; it must be "
                        "between %g and %g", path, c->entitlement, c->vps, share,
                        SHARE_MIN, SHARE_MAX);
    return 0;
}

static void vp_init(struct dispatch *d, struct dispatch_vp *vp, const char *path,
                    const struct dispatch_lpar_config *c, const uint32_t *threads, uint32_t i)
{
    vp->d = d;
    vp->id = d->nvps + i;
    vp->lpar = d->nlpars;
    snprintf(vp->path, sizeof vp->path, "%s.vp%u", path, i);
    vp->thread = CPU_NO_THREAD;
    vp->pinned = c->mode == DISPATCH_DEDICATED && threads ? threads[i] : CPU_NO_THREAD;
    vp->share = c->mode == DISPATCH_SHARED ? fmin(c->entitlement / c->vps, SHARE_MAX) : 1.0;
    cpu_jobq_init(&vp->q);
    time_avg_init(&vp->disp, kernel_now(d->env->k), 0);
    vp->st_wait = recorder_statistic(d->env->rec, vp->path, "dispatch_wait", "ns");
}

int dispatch_add_lpar(struct dispatch *d, const char *path,
                      const struct dispatch_lpar_config *c, const uint32_t *threads,
                      struct diag *err)
{
    if (lpar_check(d, path, c, err) != 0)
        return -1;
    struct lpar_entry *lpars = realloc(d->lpars, (d->nlpars + 1) * sizeof *lpars);
    if (!lpars)
        return diag_set(err, NULL, "out of memory");
    d->lpars = lpars;
    struct dispatch_vp **all = realloc(d->vps, (d->nvps + c->vps) * sizeof *all);
    if (!all)
        return diag_set(err, NULL, "out of memory");
    d->vps = all;
    struct dispatch_vp *vps = calloc(c->vps, sizeof *vps);
    if (!vps)
        return diag_set(err, NULL, "out of memory");
    for (uint32_t i = 0; i < c->vps; i++) {
        vp_init(d, &vps[i], path, c, threads, i);
        d->vps[d->nvps + i] = &vps[i];
    }
    d->lpars[d->nlpars] = (struct lpar_entry){ vps, c->vps, c->mode };
    d->nvps += c->vps;
    return (int)d->nlpars++;
}

/* ---- dispatch and undispatch -------------------------------------------- */

/* The jobs submitted while the VP was off its thread are a suffix of each
 * backlog list (jobs taken back at undispatch go in front), so only they
 * are walked: each job's wait is recorded once. */
static void record_waits(struct dispatch_vp *vp, sim_time_t now)
{
    for (int k = 0; k < CPU_KINDS; k++) {
        for (struct cpu_job *j = vp->unwaited[k]; j; j = j->next)
            statistic_add(vp->st_wait, sim_time_to_ns(now - j->t_submit));
        vp->unwaited[k] = NULL;
    }
}

/* Listeners first: work they submit (a redelivered interrupt) joins the
 * VP's backlog in order, and the backlog goes to the thread in one piece,
 * interrupts ahead of tasks. */
static void vp_dispatch(struct dispatch *d, struct dispatch_vp *vp, uint32_t thread)
{
    sim_time_t now = kernel_now(d->env->k);
    assert(vp->thread == CPU_NO_THREAD && !vp->on_cpu);
    vp->thread = thread;
    vp->dispatches++;
    time_avg_set(&vp->disp, now, 1);
    for (unsigned i = 0; i < d->nlisteners; i++)
        if (d->listeners[i].dispatched)
            d->listeners[i].dispatched(d->listeners[i].ctx, vp, thread);
    record_waits(vp, now);
    cpu_thread_give(d->cpu, thread, &vp->q);
    vp->on_cpu = true;
}

static void vp_undispatch(struct dispatch *d, struct dispatch_vp *vp)
{
    uint32_t thread = vp->thread;
    assert(thread != CPU_NO_THREAD);
    vp->on_cpu = false;
    cpu_thread_take(d->cpu, thread, &vp->q);
    vp->thread = CPU_NO_THREAD;
    time_avg_set(&vp->disp, kernel_now(d->env->k), 0);
    for (unsigned i = 0; i < d->nlisteners; i++)
        if (d->listeners[i].undispatched)
            d->listeners[i].undispatched(d->listeners[i].ctx, vp, thread);
}

/* ---- hot path ----------------------------------------------------------- */

static int vp_submit(struct dispatch_vp *vp, enum cpu_kind kind, uint64_t cycles,
                     event_fn fn, void *ctx, uint64_t arg)
{
    struct dispatch *d = vp->d;
    struct cpu_job *j = cpu_job_new(d->cpu, kind, cycles, fn, ctx, arg);
    if (!j)
        return -1;
    if (vp->on_cpu) {
        statistic_add(vp->st_wait, 0);
        cpu_thread_push(d->cpu, vp->thread, j);
    } else {
        cpu_jobq_push(&vp->q, j);
        if (!vp->unwaited[kind])
            vp->unwaited[kind] = j;
    }
    return 0;
}

int dispatch_submit(struct dispatch_vp *vp, uint64_t cycles, event_fn fn, void *ctx,
                    uint64_t arg)
{
    return vp_submit(vp, CPU_TASK, cycles, fn, ctx, arg);
}

int dispatch_submit_irq(struct dispatch_vp *vp, uint64_t handler, event_fn fn, void *ctx,
                        uint64_t arg)
{
    return vp_submit(vp, CPU_IRQ, cpu_irq_cycles(vp->d->cpu, handler), fn, ctx, arg);
}

/* ---- the window clock --------------------------------------------------- */

static void on_boundary(void *ctx, uint64_t first);

/* Schedules the transitions at d->next, wrapping into the next window. */
static void schedule_next(struct dispatch *d)
{
    if (d->next == d->ntrans) {
        d->next = 0;
        d->window_start += d->window;
    }
    kernel_schedule_at(d->env->k, d->window_start + d->trans[d->next].offset, on_boundary, d,
                       d->next);
}

static void on_boundary(void *ctx, uint64_t first)
{
    struct dispatch *d = ctx;
    size_t end = (size_t)first;
    sim_time_t offset = d->trans[first].offset;
    while (end < d->ntrans && d->trans[end].offset == offset)
        end++;
    for (size_t i = (size_t)first; i < end; i++)
        if (d->trans[i].off)
            vp_undispatch(d, d->trans[i].off);
    for (size_t i = (size_t)first; i < end; i++)
        if (d->trans[i].on)
            vp_dispatch(d, d->trans[i].on, d->trans[i].thread);
    d->next = end;
    schedule_next(d);
}

/* ---- building the schedule ---------------------------------------------- */

/* Dedicated VPs: requested threads first, then the lowest free ones. */
static int place_dedicated(struct dispatch *d, bool *taken, struct diag *err)
{
    uint32_t n = cpu_threads(d->cpu), next = 0;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < d->nvps; i++) {
            struct dispatch_vp *vp = d->vps[i];
            if (d->lpars[vp->lpar].mode != DISPATCH_DEDICATED ||
                (pass == 0) != (vp->pinned != CPU_NO_THREAD))
                continue;
            if (pass == 1) {
                while (next < n && taken[next])
                    next++;
                if (next == n)
                    return diag_set(err, NULL, "%s: no free hardware thread for a "
                                    "dedicated VP (%u threads)", vp->path, n);
                vp->pinned = next;
            } else if (vp->pinned >= n || taken[vp->pinned]) {
                return diag_set(err, NULL, "%s: thread %u is %s", vp->path, vp->pinned,
                                vp->pinned >= n ? "out of range" : "already taken");
            }
            taken[vp->pinned] = true;
            vp->slice = d->window;
        }
    return 0;
}

/* Lays the shared VPs' slices end to end over the pool threads. Slice
 * edges are rounded from the running sum of entitlements, so the slices
 * add up exactly and each is within 1 ps of share x window. */
static int layout_pool(struct dispatch *d, const uint32_t *pool, uint32_t npool,
                       struct segment *segs, size_t *nsegs, struct diag *err)
{
    double total = 0;
    for (uint32_t i = 0; i < d->nvps; i++)
        if (d->lpars[d->vps[i]->lpar].mode == DISPATCH_SHARED)
            total += d->vps[i]->share;
    if (total > npool + EPS)
        return diag_set(err, NULL, "%s: shared LPARs are entitled to %g processing units "
                        "but the shared pool has %u threads", d->path, total, npool);
    const sim_time_t w = d->window;
    double sum = 0;
    *nsegs = 0;
    for (uint32_t i = 0; i < d->nvps; i++) {
        struct dispatch_vp *vp = d->vps[i];
        if (d->lpars[vp->lpar].mode != DISPATCH_SHARED)
            continue;
        sim_time_t a = (sim_time_t)llround(sum * (double)w);
        sum += vp->share;
        sim_time_t b = (sim_time_t)llround(sum * (double)w);
        if (b > (sim_time_t)npool * w)
            b = (sim_time_t)npool * w;
        vp->slice = b - a;
        uint32_t k = (uint32_t)(a / w);
        sim_time_t a_off = a - (sim_time_t)k * w;
        if (b <= (sim_time_t)(k + 1) * w) {
            segs[(*nsegs)++] = (struct segment){ pool[k], a_off, b - (sim_time_t)k * w, vp };
        } else {
            segs[(*nsegs)++] = (struct segment){ pool[k], a_off, w, vp };
            segs[(*nsegs)++] = (struct segment){ pool[k + 1], 0, b - (sim_time_t)(k + 1) * w, vp };
        }
    }
    return 0;
}

static int cmp_segment(const void *pa, const void *pb)
{
    const struct segment *a = pa, *b = pb;
    if (a->thread != b->thread)
        return a->thread < b->thread ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

static int cmp_transition(const void *pa, const void *pb)
{
    const struct transition *a = pa, *b = pb;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return a->thread < b->thread ? -1 : a->thread > b->thread;
}

/* Who holds the thread just after / just before offset p (cyclically:
 * just before 0 is the end of the window). s[0..m) are one thread's. */
static struct dispatch_vp *holder_after(const struct segment *s, size_t m, sim_time_t p)
{
    for (size_t i = 0; i < m; i++)
        if (s[i].start <= p && p < s[i].end)
            return s[i].vp;
    return NULL;
}

static struct dispatch_vp *holder_before(const struct segment *s, size_t m, sim_time_t p,
                                         sim_time_t w)
{
    for (size_t i = 0; i < m; i++)
        if (p == 0 ? s[i].end == w : (s[i].start < p && p <= s[i].end))
            return s[i].vp;
    return NULL;
}

/* Transitions of one thread: at 0 and at every segment edge inside the
 * window where the holder changes. The segments are sorted and disjoint,
 * so the edges 0, start0, end0, start1, ... never decrease and a shared
 * edge appears twice in a row. */
static void thread_transitions(struct dispatch *d, const struct segment *s, size_t m)
{
    sim_time_t prev = 0;
    for (size_t i = 0; i <= 2 * m; i++) {
        sim_time_t p = i == 0 ? 0 : (i % 2 ? s[(i - 1) / 2].start : s[(i - 1) / 2].end);
        if (p >= d->window || (i > 0 && p == prev))
            continue;
        prev = p;
        struct dispatch_vp *before = holder_before(s, m, p, d->window);
        struct dispatch_vp *after = holder_after(s, m, p);
        if (before != after)
            d->trans[d->ntrans++] = (struct transition){ p, s[0].thread, before, after };
    }
}

static int build_schedule(struct dispatch *d, struct segment *segs, size_t *nsegs,
                          struct diag *err)
{
    uint32_t n = cpu_threads(d->cpu), npool = 0;
    bool *taken = calloc(n, sizeof *taken);
    uint32_t *pool = calloc(n, sizeof *pool);
    int rc = -1;
    if (!taken || !pool) {
        diag_set(err, NULL, "out of memory");
        goto out;
    }
    if (place_dedicated(d, taken, err) != 0)
        goto out;
    for (uint32_t t = 0; t < n; t++)
        if (!taken[t])
            pool[npool++] = t;
    if (layout_pool(d, pool, npool, segs, nsegs, err) != 0)
        goto out;
    qsort(segs, *nsegs, sizeof *segs, cmp_segment);
    d->trans = calloc(3 * *nsegs + 1, sizeof *d->trans);
    if (!d->trans) {
        diag_set(err, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0, j; i < *nsegs; i = j) {
        for (j = i; j < *nsegs && segs[j].thread == segs[i].thread; j++)
            ;
        thread_transitions(d, segs + i, j - i);
    }
    qsort(d->trans, d->ntrans, sizeof *d->trans, cmp_transition);
    rc = 0;
out:
    free(taken);
    free(pool);
    return rc;
}

int dispatch_start(struct dispatch *d, struct diag *err)
{
    if (d->started)
        return diag_set(err, NULL, "%s: dispatcher started twice", d->path);
    struct segment *segs = calloc(2 * (size_t)d->nvps + 1, sizeof *segs);
    size_t nsegs = 0;
    if (!segs)
        return diag_set(err, NULL, "out of memory");
    if (build_schedule(d, segs, &nsegs, err) != 0) {
        free(segs);
        return -1;
    }
    d->started = true;
    d->window_start = kernel_now(d->env->k);
    for (uint32_t i = 0; i < d->nvps; i++)
        if (d->lpars[d->vps[i]->lpar].mode == DISPATCH_DEDICATED)
            vp_dispatch(d, d->vps[i], d->vps[i]->pinned);
    for (size_t i = 0; i < nsegs; i++)
        if (segs[i].start == 0)
            vp_dispatch(d, segs[i].vp, segs[i].thread);
    free(segs);
    /* Transitions at offset 0 belong to the next window's start. */
    for (d->next = 0; d->next < d->ntrans && d->trans[d->next].offset == 0; d->next++)
        ;
    if (d->ntrans)
        schedule_next(d);
    return 0;
}

/* ---- inspection and measurement ----------------------------------------- */

uint32_t dispatch_vp_count(const struct dispatch *d) { return d->nvps; }

struct dispatch_vp *dispatch_vp_at(struct dispatch *d, uint32_t id)
{
    return id < d->nvps ? d->vps[id] : NULL;
}

struct dispatch_vp *dispatch_lpar_vp(struct dispatch *d, unsigned lpar, uint32_t i)
{
    return lpar < d->nlpars && i < d->lpars[lpar].nvps ? &d->lpars[lpar].vps[i] : NULL;
}

uint32_t dispatch_vp_id(const struct dispatch_vp *vp) { return vp->id; }
unsigned dispatch_vp_lpar(const struct dispatch_vp *vp) { return vp->lpar; }

int64_t dispatch_vp_thread(const struct dispatch_vp *vp)
{
    return vp->thread == CPU_NO_THREAD ? -1 : (int64_t)vp->thread;
}

bool dispatch_is_dispatched(const struct dispatch_vp *vp)
{
    return vp->thread != CPU_NO_THREAD;
}

sim_time_t dispatch_vp_slice(const struct dispatch_vp *vp) { return vp->slice; }
uint64_t dispatch_vp_dispatches(const struct dispatch_vp *vp) { return vp->dispatches; }

uint64_t dispatch_vp_backlog(const struct dispatch_vp *vp)
{
    return vp->q.n[CPU_IRQ] + vp->q.n[CPU_TASK];
}

double dispatch_vp_dispatched_fraction(const struct dispatch_vp *vp)
{
    sim_time_t now = kernel_now(vp->d->env->k);
    const struct time_avg *a = &vp->disp;
    double span = (double)(now - a->since);
    return span > 0 ? (a->area + a->value * (double)(now - a->last)) / span : a->value;
}

static void on_warmup_end(void *ctx, sim_time_t now)
{
    struct dispatch *d = ctx;
    for (uint32_t i = 0; i < d->nvps; i++) {
        time_avg_init(&d->vps[i]->disp, now, d->vps[i]->disp.value);
        d->vps[i]->dispatches = 0;
    }
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct dispatch *d = ctx;
    (void)now;
    for (uint32_t i = 0; i < d->nvps; i++) {
        const struct dispatch_vp *vp = d->vps[i];
        recorder_scalar(d->env->rec, vp->path, "dispatched_fraction", "",
                        dispatch_vp_dispatched_fraction(vp));
        recorder_scalar(d->env->rec, vp->path, "dispatches", "", (double)vp->dispatches);
        recorder_scalar(d->env->rec, vp->path, "backlog", "", (double)dispatch_vp_backlog(vp));
    }
}
