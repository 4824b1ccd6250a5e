/* models/hypervisor/irq_manager.c — interrupt policies and the
 * metric-threshold interrupt manager (see irq_manager.h). */
#include "models/hypervisor/irq_manager.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hypervisor/hypervisor_internal.h"
#include "models/hypervisor/irq_stats.h"
#include "models/hypervisor/lirq.h"
#include "models/hypervisor/lpar.h"
#include "models/hypervisor/vf_assign.h"
#include "sim/mechanism.h"

const struct param_desc irq_policy_params[] = {
    { "kind", PARAM_ENUM, "", "static",
      "interrupt management: static (targets set when the machine is built), irqbalance "
      "(Linux's daemon in each guest) or metric-threshold (the hypervisor's interrupt manager, "
      "US11281490B2)", .choices = "static|irqbalance|metric-threshold" },
    { "load_series", PARAM_BOOL, "", "false",
      "record each VP's interrupt load as a series (lpar.<L>.vp<i> irq_load), every "
      "stats.sample_interval" },
    { 0 }
};

static const struct param_desc irq_manager_params[] = {
    { "interval", PARAM_TIME, "ns", "100ms",
      "monitoring interval: metrics are measured over it and acted on at its end "
      "(modelling choice; the patents give none)", .min = "1us" },
    { "latency_threshold", PARAM_TIME, "ns", "50us",
      "a VF whose mean interrupt latency (trigger to handler end) reaches this is hot "
      "(0: off; modelling choice)" },
    { "latency_release", PARAM_TIME, "ns", "20us",
      "a hot VF cools when its latency is at or below this (and its other metrics at or "
      "below theirs; modelling choice)" },
    { "usage_threshold", PARAM_F64, "", "0.9",
      "a VF whose busiest target VP is this busy is hot (0: off; modelling choice: 90%)",
      .min = "0", .max = "1000" },
    { "usage_release", PARAM_F64, "", "0.7",
      "usage at or below which a hot VF may cool (modelling choice)", .min = "0",
      .max = "1000" },
    { "rate_threshold", PARAM_RATE, "1/s", "0/s",
      "a VF completing this many transfers per second is hot (0: off)" },
    { "rate_release", PARAM_RATE, "1/s", "0/s",
      "transfers per second at or below which a hot VF may cool" },
    { "dwell", PARAM_TIME, "ns", "1s",
      "an interrupt moved stays at least this long (hysteresis; modelling choice)" },
    { "max_moves", PARAM_U64, "", "4",
      "most interrupts moved per LPAR per interval (modelling choice)", .min = "1",
      .max = "1024" },
    { 0 }
};

const struct schema irq_manager_schema = {
    .name = "metric_threshold",
    .doc = "the hypervisor's metric-threshold interrupt manager (US11281490B2)",
    .params = irq_manager_params,
};

enum irq_policy irq_policy_of(const struct cfg_node *interrupts)
{
    const char *k = cfg_param(interrupts, irq_policy_params, "kind").s;
    return strcmp(k, "irqbalance") == 0         ? IRQ_POLICY_IRQBALANCE
           : strcmp(k, "metric-threshold") == 0 ? IRQ_POLICY_METRIC
                                                : IRQ_POLICY_STATIC;
}

/* What the manager keeps of one LPAR on its system. */
struct mt_lpar {
    struct lpar *l;
    uint32_t vps, nirqs;
    uint64_t *irq_raw, *task_raw;   /* per VP, the dispatcher's counters */
    double *usage, *irq_usage;      /* per VP, over the last interval */
    double *irq_usage0;             /* irq_usage before this interval's moves */
    bool *hot_vp;                   /* per VP: a hot VF's interrupt targets it */
    uint32_t *plan;                 /* per LISN: its VP once the planned moves are made */
    uint32_t *src;                  /* per LISN: the source last read */
    uint64_t *handled_raw, *dh;
    sim_time_t *lat_raw, *dl, *moved_at;
    bool hot;                       /* has a hot VF now */
};

/* One device (the VF bound to it may change). */
struct mt_dev {
    struct lpar_device *dev;
    struct adapter *ad;
    unsigned vf;
    uint64_t done_raw;
    bool hot;
};

struct mt_move {
    struct lpar *l;
    uint32_t lisn, vp;
};

struct irq_manager {
    struct env *env;
    struct hypervisor *h;
    char path[96];
    sim_time_t interval, dwell;
    double lat_thr, lat_rel, use_thr, use_rel, rate_thr, rate_rel; /* ns, fraction, 1/s */
    uint32_t max_moves;
    struct mt_lpar *lpars;
    size_t nlpars, cap_lpars;
    struct mt_dev *devs;
    size_t ndevs, cap_devs;
    struct mt_move *moves;          /* this interval's, applied one by one */
    size_t nmoves, next_move, cap_moves;
    sim_time_t retarget_ps;
    uint64_t hot_count, move_count, at_warmup[2];
};

/* ---- records -------------------------------------------------------------- */

static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return v;
    size_t c = *cap ? 2 * *cap : 8;
    void *nv = realloc(v, c * size);
    if (!nv)
        abort(); /* control path, as the env's hooks */
    memset((char *)nv + *cap * size, 0, (c - *cap) * size);
    *cap = c;
    return nv;
}

static struct mt_lpar *lpar_rec(struct irq_manager *m, struct lpar *l)
{
    for (size_t i = 0; i < m->nlpars; i++)
        if (m->lpars[i].l == l)
            return &m->lpars[i];
    m->lpars = grow(m->lpars, &m->cap_lpars, m->nlpars, sizeof *m->lpars);
    struct mt_lpar *r = &m->lpars[m->nlpars++];
    uint32_t vps = lpar_vps(l), n = lpar_lirq_count(l) ? lpar_lirq_count(l) : 1;
    *r = (struct mt_lpar){
        .l = l, .vps = vps, .nirqs = lpar_lirq_count(l),
        .irq_raw = calloc(vps, sizeof(uint64_t)), .task_raw = calloc(vps, sizeof(uint64_t)),
        .usage = calloc(vps, sizeof(double)), .irq_usage = calloc(vps, sizeof(double)),
        .irq_usage0 = calloc(vps, sizeof(double)), .hot_vp = calloc(vps, sizeof(bool)),
        .plan = calloc(n, sizeof(uint32_t)),
        .src = calloc(n, sizeof(uint32_t)), .handled_raw = calloc(n, sizeof(uint64_t)),
        .dh = calloc(n, sizeof(uint64_t)), .lat_raw = calloc(n, sizeof(sim_time_t)),
        .dl = calloc(n, sizeof(sim_time_t)), .moved_at = calloc(n, sizeof(sim_time_t)),
    };
    if (!r->irq_raw || !r->task_raw || !r->usage || !r->irq_usage || !r->irq_usage0 ||
        !r->hot_vp || !r->plan || !r->src ||
        !r->handled_raw || !r->dh || !r->lat_raw || !r->dl || !r->moved_at)
        abort();
    for (uint32_t i = 0; i < n; i++) {
        r->src[i] = LIRQ_UNBOUND;
        r->moved_at[i] = SIM_TIME_MAX;
    }
    return r;
}

static struct mt_dev *dev_rec(struct irq_manager *m, const struct vf_binding *b)
{
    for (size_t i = 0; i < m->ndevs; i++)
        if (m->devs[i].dev == b->dev) {
            if (m->devs[i].ad != b->adapter || m->devs[i].vf != b->vf) { /* another VF now */
                m->devs[i].ad = b->adapter;
                m->devs[i].vf = b->vf;
                m->devs[i].done_raw = adapter_vf_completions(b->adapter, b->vf);
            }
            return &m->devs[i];
        }
    m->devs = grow(m->devs, &m->cap_devs, m->ndevs, sizeof *m->devs);
    struct mt_dev *d = &m->devs[m->ndevs++];
    *d = (struct mt_dev){ .dev = b->dev, .ad = b->adapter, .vf = b->vf,
                          .done_raw = adapter_vf_completions(b->adapter, b->vf) };
    return d;
}

/* ---- measuring ------------------------------------------------------------ */

static void measure_lpar(struct irq_manager *m, struct mt_lpar *r, double span_ps)
{
    const struct lpar_placement *p = lpar_placement(r->l);
    for (uint32_t v = 0; v < r->vps; v++) {
        uint64_t irq = 0, task = 0;
        r->usage[v] = r->irq_usage[v] = 0;
        if (hypervisor_vp_work(m->h, p->dispatch_lpar, v, &irq, &task) != 0)
            continue;
        uint64_t di = irq >= r->irq_raw[v] ? irq - r->irq_raw[v] : irq;
        uint64_t dt = task >= r->task_raw[v] ? task - r->task_raw[v] : task;
        r->irq_raw[v] = irq;
        r->task_raw[v] = task;
        r->irq_usage[v] = (double)hypervisor_cycles_ps(m->h, di) / span_ps;
        r->usage[v] = (double)hypervisor_cycles_ps(m->h, di + dt) / span_ps;
    }
    for (uint32_t i = 0; i < r->nirqs; i++) {
        const struct lirq *li = lpar_lirq(r->l, i);
        uint64_t handled;
        sim_time_t lat;
        r->dh[i] = 0;
        r->dl[i] = 0;
        if (li->src == LIRQ_UNBOUND ||
            hypervisor_source_stats(m->h, li->src, &handled, &lat) != 0)
            continue;
        bool same = li->src == r->src[i] && handled >= r->handled_raw[i];
        r->dh[i] = same ? handled - r->handled_raw[i] : handled;
        r->dl[i] = same ? lat - r->lat_raw[i] : lat;
        r->src[i] = li->src;
        r->handled_raw[i] = handled;
        r->lat_raw[i] = lat;
    }
}

/* A device's metrics; updates its hot state. Returns true if it is hot. */
static bool judge(struct irq_manager *m, struct mt_dev *d, const struct mt_lpar *r,
                  double span_s)
{
    uint64_t handled = 0;
    sim_time_t lat = 0;
    double usage = 0;
    for (uint32_t q = 0; q < d->dev->queue_pairs; q++) {
        uint32_t i = d->dev->lisn_base + q;
        const struct lirq *li = lpar_lirq(r->l, i);
        handled += r->dh[i];
        lat += r->dl[i];
        if (li->vp < r->vps && r->usage[li->vp] > usage)
            usage = r->usage[li->vp];
    }
    uint64_t done = adapter_vf_completions(d->ad, d->vf);
    double rate = (double)(done >= d->done_raw ? done - d->done_raw : done) / span_s;
    d->done_raw = done;
    double lat_ns = handled ? sim_time_to_ns(lat) / (double)handled : 0;
    bool over = (m->lat_thr > 0 && lat_ns >= m->lat_thr) ||
                (m->use_thr > 0 && usage >= m->use_thr) ||
                (m->rate_thr > 0 && rate >= m->rate_thr);
    bool under = (m->lat_thr <= 0 || lat_ns <= m->lat_rel) &&
                 (m->use_thr <= 0 || usage <= m->use_rel) &&
                 (m->rate_thr <= 0 || rate <= m->rate_rel);
    if (!d->hot && over) {
        d->hot = true;
        m->hot_count++;
        recorder_event(m->env->rec, kernel_now(m->env->k), m->path, "irqmgr_hot",
                       "%s (%s): latency %.1f us, usage %.2f, %.0f transfers/s", d->dev->vf_name,
                       lpar_name(r->l), lat_ns / 1000, usage, rate);
    } else if (d->hot && under) {
        d->hot = false;
        recorder_event(m->env->rec, kernel_now(m->env->k), m->path, "irqmgr_cool",
                       "%s (%s): latency %.1f us, usage %.2f, %.0f transfers/s", d->dev->vf_name,
                       lpar_name(r->l), lat_ns / 1000, usage, rate);
    }
    return d->hot;
}

/* ---- choosing moves ------------------------------------------------------- */

/* Whether VP vp takes (in the plan) a latency-sensitive interrupt other
 * than `except`. */
static bool vp_has_ls(const struct mt_lpar *r, uint32_t vp, uint32_t except)
{
    for (uint32_t i = 0; i < r->nirqs; i++)
        if (i != except && r->plan[i] == vp && lpar_lirq(r->l, i)->latency_sensitive)
            return true;
    return false;
}

/* Interrupt i's share of its VP's usage: its part of the VP's interrupts
 * over the interval (counted on the VP it was on then), times that VP's
 * interrupt usage. */
static double share_of(const struct mt_lpar *r, uint32_t i)
{
    uint32_t vp = lpar_lirq(r->l, i)->vp;
    uint64_t all = 0;
    for (uint32_t j = 0; j < r->nirqs; j++)
        if (lpar_lirq(r->l, j)->vp == vp)
            all += r->dh[j];
    return all && vp < r->vps ? r->irq_usage0[vp] * (double)r->dh[i] / (double)all : 0;
}

struct choice {
    uint32_t lisn, to;
    double result, share;
    bool found;
};

/* A move must lower the larger of the two VPs' usages by this share of
 * the source's at least (not a swap of equals). */
#define MIN_GAIN 0.01

/* The best move of interrupt i off its planned VP, if it lowers the
 * larger of the two VPs' usages below the source's. */
static void consider(struct irq_manager *m, const struct mt_lpar *r, uint32_t i,
                     struct choice *best)
{
    const struct lirq *li = lpar_lirq(r->l, i);
    sim_time_t now = kernel_now(m->env->k);
    uint32_t v = r->plan[i];
    if (v >= r->vps || !r->hot_vp[v] || li->src == LIRQ_UNBOUND ||
        (r->moved_at[i] != SIM_TIME_MAX && now - r->moved_at[i] < m->dwell))
        return;
    double s = share_of(r, i);
    if (s <= 0)
        return;
    for (uint32_t u = 0; u < r->vps; u++) {
        if (u == v || (li->hinted && !vp_mask_test(&li->hint, u)))
            continue;
        if (vp_has_ls(r, u, i)) /* a latency-sensitive interrupt keeps its VP to itself */
            continue;
        double a = r->usage[v] - s, b = r->usage[u] + s;
        double res = a > b ? a : b;
        if (res < r->usage[v] * (1 - MIN_GAIN) && (!best->found || res < best->result))
            *best = (struct choice){ i, u, res, s, true };
    }
}

static bool targets_hot(const struct irq_manager *m, const struct mt_lpar *r, uint32_t vp)
{
    for (size_t k = 0; k < m->ndevs; k++) {
        const struct mt_dev *d = &m->devs[k];
        if (!d->hot || d->dev->lpar != r->l)
            continue;
        for (uint32_t q = 0; q < d->dev->queue_pairs; q++)
            if (lpar_lirq(r->l, d->dev->lisn_base + q)->vp == vp)
                return true;
    }
    return false;
}

static void rebalance(struct irq_manager *m, struct mt_lpar *r)
{
    for (uint32_t i = 0; i < r->nirqs; i++)
        r->plan[i] = lpar_lirq(r->l, i)->vp;
    for (uint32_t v = 0; v < r->vps; v++) {
        r->hot_vp[v] = targets_hot(m, r, v);
        r->irq_usage0[v] = r->irq_usage[v];
    }
    for (uint32_t n = 0; n < m->max_moves; n++) {
        struct choice best = { 0 };
        for (int ls = 0; ls <= 1 && !best.found; ls++) /* the others first */
            for (uint32_t i = 0; i < r->nirqs; i++)
                if (lpar_lirq(r->l, i)->latency_sensitive == (ls == 1))
                    consider(m, r, i, &best);
        if (!best.found)
            break;
        uint32_t from = r->plan[best.lisn];
        r->usage[from] -= best.share;
        r->usage[best.to] += best.share;
        r->plan[best.lisn] = best.to;
        r->moved_at[best.lisn] = kernel_now(m->env->k);
        m->moves = grow(m->moves, &m->cap_moves, m->nmoves, sizeof *m->moves);
        m->moves[m->nmoves++] = (struct mt_move){ r->l, best.lisn, best.to };
    }
}

/* ---- applying moves ------------------------------------------------------- */

static void move_start(struct irq_manager *m);

static void move_end(void *ctx, uint64_t arg)
{
    (void)arg;
    struct irq_manager *m = ctx;
    const struct mt_move *mv = &m->moves[m->next_move++];
    struct lirq *li = lpar_lirq(mv->l, mv->lisn);
    uint32_t from = li->vp;
    bool ok = lpar_placement(mv->l)->hyp == m->h && lirq_move(m->h, li, mv->vp) != SIM_TIME_MAX;
    if (ok) {
        m->move_count++;
        irq_stats_move(m->h->irq);
    }
    mech_mark(m->env, m->path, "irqmgr", "retarget", MECH_END, "%s LISN %u: VP %u -> VP %u%s",
              lpar_name(mv->l), mv->lisn, from, mv->vp, ok ? "" : ": not bound now");
    move_start(m);
}

static void move_start(struct irq_manager *m)
{
    if (m->next_move == m->nmoves) {
        mech_mark(m->env, m->path, "irqmgr", NULL, MECH_END, "%zu interrupt(s) moved",
                  m->nmoves);
        m->nmoves = m->next_move = 0;
        return;
    }
    const struct mt_move *mv = &m->moves[m->next_move];
    mech_mark(m->env, m->path, "irqmgr", "retarget", MECH_START,
              "%s LISN %u -> VP %u (router retarget %.1f ns)", lpar_name(mv->l), mv->lisn,
              mv->vp, sim_time_to_ns(m->retarget_ps));
    kernel_schedule_in(m->env->k, m->retarget_ps, move_end, m, 0);
}

static void on_tick(void *ctx, sim_time_t now)
{
    (void)now;
    struct irq_manager *m = ctx;
    double span_ps = (double)m->interval, span_s = sim_time_to_s(m->interval);
    if (m->nmoves)
        return; /* the last interval's moves are still being made */
    for (size_t b = 0; b < m->h->nbindings; b++) {
        const struct vf_binding *vb = m->h->bindings[b];
        if (vb->dev && lpar_placement(vb->dev->lpar)->hyp == m->h) {
            lpar_rec(m, vb->dev->lpar);
            dev_rec(m, vb);
        }
    }
    for (size_t i = 0; i < m->nlpars; i++) {
        m->lpars[i].hot = false;
        if (lpar_placement(m->lpars[i].l)->hyp == m->h)
            measure_lpar(m, &m->lpars[i], span_ps);
    }
    for (size_t k = 0; k < m->ndevs; k++) {
        struct mt_dev *d = &m->devs[k];
        if (!d->dev->vf || d->dev->vf->h != m->h)
            continue; /* not assigned here now */
        struct mt_lpar *r = lpar_rec(m, d->dev->lpar);
        r->hot |= judge(m, d, r, span_s);
    }
    for (size_t i = 0; i < m->nlpars; i++)
        if (m->lpars[i].hot)
            rebalance(m, &m->lpars[i]);
    if (m->nmoves) {
        mech_mark(m->env, m->path, "irqmgr", NULL, MECH_START,
                  "%zu interrupt(s) to move off the VPs of hot VFs", m->nmoves);
        move_start(m);
    }
}

/* ---- run phases, construction --------------------------------------------- */

static void on_warmup_end(void *ctx, sim_time_t now)
{
    (void)now;
    struct irq_manager *m = ctx;
    m->at_warmup[0] = m->hot_count;
    m->at_warmup[1] = m->move_count;
}

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct irq_manager *m = ctx;
    recorder_scalar(m->env->rec, m->path, "hot", "", (double)(m->hot_count - m->at_warmup[0]));
    recorder_scalar(m->env->rec, m->path, "moves", "",
                    (double)(m->move_count - m->at_warmup[1]));
}

struct irq_manager *irq_manager_create(struct env *e, struct hypervisor *h,
                                       const struct cfg_node *cfg, struct diag *err)
{
    struct irq_manager *m = calloc(1, sizeof *m);
    if (!m) {
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    m->env = e;
    m->h = h;
    snprintf(m->path, sizeof m->path, "irqmgr.%s", h->name);
    m->interval = cfg_param(cfg, irq_manager_params, "interval").u;
    m->lat_thr = sim_time_to_ns(cfg_param(cfg, irq_manager_params, "latency_threshold").u);
    m->lat_rel = sim_time_to_ns(cfg_param(cfg, irq_manager_params, "latency_release").u);
    m->use_thr = cfg_param(cfg, irq_manager_params, "usage_threshold").d;
    m->use_rel = cfg_param(cfg, irq_manager_params, "usage_release").d;
    m->rate_thr = cfg_param(cfg, irq_manager_params, "rate_threshold").d;
    m->rate_rel = cfg_param(cfg, irq_manager_params, "rate_release").d;
    m->dwell = cfg_param(cfg, irq_manager_params, "dwell").u;
    m->max_moves = (uint32_t)cfg_param(cfg, irq_manager_params, "max_moves").u;
    m->retarget_ps = hypervisor_cycles_ps(h, hypervisor_retarget_cycles(h));
    env_every(e, m->interval, on_tick, m);
    env_on_warmup_end(e, on_warmup_end, m);
    env_on_finish(e, on_finish, m);
    return m;
}

void irq_manager_destroy(struct irq_manager *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nlpars; i++) {
        struct mt_lpar *r = &m->lpars[i];
        free(r->irq_raw);
        free(r->task_raw);
        free(r->usage);
        free(r->irq_usage);
        free(r->irq_usage0);
        free(r->hot_vp);
        free(r->plan);
        free(r->src);
        free(r->handled_raw);
        free(r->dh);
        free(r->lat_raw);
        free(r->dl);
        free(r->moved_at);
    }
    free(m->lpars);
    free(m->devs);
    free(m->moves);
    free(m);
}
