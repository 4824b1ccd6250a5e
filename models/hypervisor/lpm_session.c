/* models/hypervisor/lpm_session.c — live partition mobility: the
 * `migrate` action, validation of the target, the concurrency limit, the
 * sequence of phases, abort, and the results (see lpm_session.h). The
 * phases' work is in lpm_precopy.c and lpm_switchover.c. */
#include "models/hypervisor/lpm_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct param_desc lpm_system_params[] = {
    { "max_concurrent", PARAM_U64, "", "4",
      "migrations at once that involve this system, as source or target; more wait "
      "(IBM Power Systems docs, \"Firmware support matrix for partition mobility\": 4 "
      "concurrent migrations per system at every firmware level; later levels allow more)",
      .min = "1", .max = "1024" },
    { 0 }
};

const struct schema lpm_system_schema = {
    .name = "lpm",
    .doc = "live partition mobility limits of the system",
    .params = lpm_system_params,
};

const char *const lpm_phase_names[] = {
    "validate", "prepare", "unplug", "precopy", "vasi_wait", "drain", "join", "suspend",
    "stop_copy", "mappings", "rebuild_dma", "map_target", "resume", "plug", "dt_update",
    "post_copy", "cleanup", "done",
};

static const struct mech_step step_error_state = {
    "lpm.error_state", "eeh: the target VF is not placed in error state: the guest never "
    "recovers it, its queues are never attached and the I/O the source held is stranded" };
static const struct mech_step step_drain_wait = {
    "lpm.drain_wait", "drain: the queue state is moved while responses are outstanding: the "
    "commands the source VF held are dropped with it" };
static const struct mech_step step_restore_queues = {
    "lpm.restore_queues", "drain: the moved queue state is not restored on the target VF: its "
    "rings are never read" };
static const struct mech_step step_unplug_wait = {
    "lpm.unplug_wait", "unplug: the VF is removed while it holds I/O: that I/O is dropped" };
static const struct mech_step step_rollback = {
    "lpm.rollback", "abort: the source's queues and interrupts are not given back: the LPAR "
    "runs on the source with rings nobody reads" };

const struct mech_step *const lpm_steps[] = {
    &step_error_state, &step_drain_wait, &step_restore_queues, &step_unplug_wait,
    &step_rollback,
};
const size_t lpm_nsteps = sizeof lpm_steps / sizeof lpm_steps[0];

/* ---- the service ----------------------------------------------------------- */

struct lpm_system {
    struct hypervisor *h;
    uint64_t max_concurrent, active;
};

struct lpm_service {
    struct env *env;
    struct lpm_system *systems;
    size_t nsystems;
    struct mover_link **links;
    size_t nlinks;
    struct lpm_tally **tallies;
    size_t ntallies;
    struct virtual_device **vdevs;   /* kept to the end: their I/O may still be due */
    size_t nvdevs;
    struct lpm_session *queue_head;  /* waiting for a free slot, in order */
};

static const struct component_ops service_ops = { "lpm_service", NULL, NULL, NULL };
static const struct component_ops tally_ops = { "lpm", NULL, NULL, NULL };

static int grow(void **v, size_t n, size_t size)
{
    if (n & (n - 1) && n) /* not a power of two: room left */
        return 0;
    void *w = realloc(*v, (n ? 2 * n : 4) * size);
    if (!w)
        return -1;
    *v = w;
    return 0;
}

struct lpm_service *lpm_service_create(struct env *e)
{
    struct lpm_service *svc = calloc(1, sizeof *svc);
    if (!svc)
        return NULL;
    svc->env = e;
    env_register(e, "lpm", &service_ops, svc);
    return svc;
}

void lpm_service_destroy(struct lpm_service *svc)
{
    if (!svc)
        return;
    for (size_t i = 0; i < svc->ntallies; i++) {
        struct lpm_session *s = svc->tallies[i]->running;
        if (s) {
            for (size_t d = 0; d < s->ndev; d++)
                free(s->dev[d].heads);
            dispatch_saved_free(&s->saved);
            free(s);
        }
        free(svc->tallies[i]);
    }
    while (svc->queue_head) {
        struct lpm_session *s = svc->queue_head;
        svc->queue_head = s->next_queued;
        free(s);
    }
    for (size_t i = 0; i < svc->nvdevs; i++)
        virtual_device_destroy(svc->vdevs[i]);
    for (size_t i = 0; i < svc->nlinks; i++)
        mover_link_destroy(svc->links[i]);
    free(svc->vdevs);
    free(svc->links);
    free(svc->tallies);
    free(svc->systems);
    free(svc);
}

int lpm_service_add_system(struct lpm_service *svc, struct hypervisor *h,
                           const struct cfg_node *lpm_cfg)
{
    if (grow((void **)&svc->systems, svc->nsystems, sizeof *svc->systems) != 0)
        return -1;
    svc->systems[svc->nsystems++] = (struct lpm_system){
        h, cfg_param(lpm_cfg, lpm_system_params, "max_concurrent").u, 0 };
    return 0;
}

int lpm_service_add_link(struct lpm_service *svc, struct mover_link *l)
{
    if (grow((void **)&svc->links, svc->nlinks, sizeof *svc->links) != 0)
        return -1;
    svc->links[svc->nlinks++] = l;
    return 0;
}

struct virtual_device *lpm_service_vdev(struct lpm_service *svc, struct lpar_device *d,
                                        sim_time_t per_io)
{
    struct virtual_device *v = virtual_device_create(svc->env, d, per_io);
    if (!v || grow((void **)&svc->vdevs, svc->nvdevs, sizeof *svc->vdevs) != 0) {
        virtual_device_destroy(v);
        return NULL;
    }
    svc->vdevs[svc->nvdevs++] = v;
    return v;
}

static struct lpm_system *system_of(struct lpm_service *svc, const struct hypervisor *h)
{
    for (size_t i = 0; i < svc->nsystems; i++)
        if (svc->systems[i].h == h)
            return &svc->systems[i];
    return NULL;
}

static struct hypervisor *system_named(struct lpm_service *svc, const char *name)
{
    for (size_t i = 0; i < svc->nsystems; i++)
        if (strcmp(hypervisor_name(svc->systems[i].h), name) == 0)
            return svc->systems[i].h;
    return NULL;
}

static struct mover_link *link_named(struct lpm_service *svc, const char *name)
{
    for (size_t i = 0; i < svc->nlinks; i++)
        if (strcmp(mover_link_name(svc->links[i]), name) == 0)
            return svc->links[i];
    return NULL;
}

/* ---- results ------------------------------------------------------------------ */

static void on_finish(void *ctx, sim_time_t now)
{
    struct lpm_tally *t = ctx;
    struct recorder *rec = t->svc->env->rec;
    recorder_scalar(rec, t->path, "migrations", "", (double)t->migrations);
    recorder_scalar(rec, t->path, "aborts", "", (double)t->aborts);
    recorder_scalar(rec, t->path, "refusals", "", (double)t->refusals);
    recorder_scalar(rec, t->path, "total_time", "ns", t->total_ns);
    recorder_scalar(rec, t->path, "downtime", "ns", t->downtime_ns);
    recorder_scalar(rec, t->path, "io_blackout", "ns", t->blackout_ns);
    recorder_scalar(rec, t->path, "precopy_rounds", "", (double)t->rounds);
    recorder_scalar(rec, t->path, "bytes_moved", "B", t->bytes);
    recorder_scalar(rec, t->path, "ios_at_error", "", (double)t->at_error);
    recorder_scalar(rec, t->path, "postcopy_faults", "", (double)t->faults);
    recorder_scalar(rec, t->path, "postcopy_stall", "ns", t->stall_ns);
    if (t->blackout_armed) /* nothing completed after the resume: the blackout so far */
        recorder_scalar(rec, t->path, "io_blackout", "ns",
                        sim_time_to_ns(now - t->t_last_done));
}

int lpm_service_declare(struct lpm_service *svc, struct lpar *l)
{
    char path[112];
    snprintf(path, sizeof path, "lpm.%s", lpar_name(l));
    if (env_find(svc->env, path, "lpm"))
        return 0;
    struct lpm_tally *t = calloc(1, sizeof *t);
    if (!t || grow((void **)&svc->tallies, svc->ntallies, sizeof *svc->tallies) != 0) {
        free(t);
        return -1;
    }
    svc->tallies[svc->ntallies++] = t;
    t->svc = svc;
    t->l = l;
    snprintf(t->path, sizeof t->path, "%s", path);
    t->st_latency = recorder_statistic(svc->env->rec, path, "io_latency", "ns");
    t->se_round_bytes = recorder_series(svc->env->rec, path, "round_bytes", "B");
    env_register(svc->env, path, &tally_ops, t);
    env_on_finish(svc->env, on_finish, t);
    return 0;
}

/* ---- phases ------------------------------------------------------------------- */

const char *lpm_comp(const struct lpm_session *s)
{
    return s->tally->path;
}

bool lpm_skip(struct lpm_session *s, const char *step)
{
    return mech_skip(s->env, lpm_comp(s), "lpm", step);
}

static sim_time_t now_of(const struct lpm_session *s)
{
    return kernel_now(s->env->k);
}

/* Whether the phase is part of this migration. */
static bool in_sequence(const struct lpm_session *s, enum lpm_phase ph)
{
    bool unplug = s->p.quiesce == LPM_UNPLUG;
    switch (ph) {
    case PH_UNPLUG:
    case PH_PLUG: return unplug;
    case PH_DRAIN: return s->p.quiesce == LPM_DRAIN;
    case PH_STOP_COPY: return s->p.switchover == LPM_STOP_COPY;
    case PH_POST_COPY: return s->p.switchover == LPM_POST_COPY;
    case PH_REBUILD_DMA:
    case PH_MAP_TARGET: return !unplug;
    default: return true;
    }
}

static void run_phase(struct lpm_session *s);
static void start_session(struct lpm_session *s);
static void refuse(struct lpm_session *s, const char *why);

static void release_slots(struct lpm_session *s)
{
    struct lpm_system *a = system_of(s->svc, s->src), *b = system_of(s->svc, s->dst);
    if (a && a->active)
        a->active--;
    if (b && b->active)
        b->active--;
}

static bool slots_free(struct lpm_session *s)
{
    struct lpm_system *a = system_of(s->svc, s->src), *b = system_of(s->svc, s->dst);
    return a && b && a->active < a->max_concurrent && b->active < b->max_concurrent;
}

/* The first waiting migration that can run now, each time one ends. */
static void start_queued(struct lpm_service *svc)
{
    for (struct lpm_session **pp = &svc->queue_head; *pp;) {
        struct lpm_session *s = *pp;
        if (!slots_free(s)) {
            pp = &s->next_queued;
            continue;
        }
        *pp = s->next_queued;
        s->queued = false;
        start_session(s);
    }
}

static void finish(struct lpm_session *s, const char *how)
{
    struct lpm_tally *t = s->tally;
    sim_time_t took = now_of(s) - s->t_start;
    t->win_end = now_of(s);
    t->at_error = s->at_error;
    for (size_t i = 0; i < s->ndev; i++) {
        s->dev[i].d->mechanism = NULL;
        free(s->dev[i].heads);
    }
    dispatch_saved_free(&s->saved);
    mech_mark(s->env, lpm_comp(s), "lpm", NULL, MECH_END, "%s in %.6g ms", how,
              sim_time_to_ns(took) / 1e6);
    t->running = NULL;
    release_slots(s);
    struct lpm_service *svc = s->svc;
    free(s);
    start_queued(svc);
}

static void on_phase_end(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpm_session *s = ctx;
    s->ev_armed = false;
    lpm_phase_end(s);
}

static void done(struct lpm_session *s)
{
    struct lpm_tally *t = s->tally;
    t->migrations++;
    t->total_ns = sim_time_to_ns(now_of(s) - s->t_start);
    t->downtime_ns = sim_time_to_ns(s->t_resume - s->t_suspend);
    t->rounds = s->round;
    t->bytes = (double)s->bytes_sent;
    t->at_error = s->at_error;
    t->faults = lpar_memory_end_postcopy(lpar_memory(s->l));
    t->stall_ns = (double)t->faults * sim_time_to_ns(s->p.fault);
    recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_completed",
                   "%s -> %s: %llu pre-copy round(s), %.6g MiB moved, downtime %.6g ms",
                   hypervisor_name(s->src), hypervisor_name(s->dst),
                   (unsigned long long)s->round, (double)s->bytes_sent / 1048576.0,
                   t->downtime_ns / 1e6);
    finish(s, "migrated");
}

void lpm_phase_end(struct lpm_session *s)
{
    enum lpm_phase ph = s->phase;
    mech_mark(s->env, lpm_comp(s), "lpm", lpm_phase_names[ph], MECH_END, "%s done",
              lpm_phase_names[ph]);
    s->phase_open = false;
    do
        s->phase = (enum lpm_phase)(s->phase + 1);
    while (s->phase != PH_DONE && !in_sequence(s, s->phase));
    run_phase(s);
}

/* What stops the migration before resume: the link or a target adapter
 * failed. NULL when nothing does. */
static const char *blocked(const struct lpm_session *s)
{
    if (!mover_link_up(s->link))
        return "the mover link failed";
    for (size_t i = 0; i < s->ndev; i++)
        if (s->dev[i].to && adapter_failed(s->dev[i].to))
            return "a target adapter failed";
    return NULL;
}

static sim_time_t validate(struct lpm_session *s);

static sim_time_t perform(struct lpm_session *s, enum lpm_phase ph)
{
    switch (ph) {
    case PH_VALIDATE: return validate(s);
    case PH_PREPARE:
        s->dst_base = hypervisor_reserve_memory(s->dst, s->memory);
        s->reserved = true;
        s->t_vasi_from = now_of(s) + s->p.prepare; /* the guest is told: it polls */
        return s->p.prepare;
    case PH_UNPLUG: return lpm_unplug_begin(s);
    case PH_PRECOPY: return lpm_precopy_begin(s);
    case PH_VASI_WAIT: return lpm_vasi_wait(s);
    case PH_DRAIN: return lpm_drain_begin(s);
    case PH_JOIN: return s->p.join;
    case PH_SUSPEND: return lpm_suspend(s);
    case PH_STOP_COPY: return lpm_stop_copy_begin(s);
    case PH_MAPPINGS: return lpm_mappings(s);
    case PH_REBUILD_DMA: return lpm_rebuild_dma(s);
    case PH_MAP_TARGET: return lpm_map_target(s);
    case PH_RESUME: return lpm_resume(s);
    case PH_PLUG: return lpm_plug(s);
    case PH_POST_COPY: return lpm_post_copy_begin(s);
    case PH_DT_UPDATE: return s->p.dt_update;
    case PH_CLEANUP: return lpm_cleanup(s);
    default: return 0;
    }
}

static void run_phase(struct lpm_session *s)
{
    enum lpm_phase ph = s->phase;
    if (ph == PH_DONE) {
        done(s);
        return;
    }
    const char *why = ph > PH_VALIDATE && ph <= PH_RESUME ? blocked(s) : NULL;
    if (why) {
        lpm_abort(s, "%s before %s", why, lpm_phase_names[ph]);
        return;
    }
    mech_mark(s->env, lpm_comp(s), "lpm", lpm_phase_names[ph], MECH_START, "%s",
              lpm_phase_names[ph]);
    s->phase_open = true;
    s->why[0] = 0;
    sim_time_t cost = perform(s, ph);
    if (cost == LPM_REFUSED) {
        refuse(s, s->why);
        return;
    }
    if (s->aborting)
        return; /* the phase aborted it */
    if (cost == SIM_TIME_MAX) {
        lpm_abort(s, "%s", s->why[0] ? s->why : "a step failed");
        return;
    }
    if (cost == LPM_ASYNC)
        return;
    s->ev = kernel_schedule_in(s->env->k, cost, on_phase_end, s, 0);
    s->ev_armed = true;
}

/* ---- abort -------------------------------------------------------------------- */

static void on_rolled_back(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpm_session *s = ctx;
    lpm_rollback_done(s);
    mech_mark(s->env, lpm_comp(s), "lpm", "rollback", MECH_END, "the LPAR runs on %s",
              hypervisor_name(s->src));
    finish(s, "aborted");
}

void lpm_abort(struct lpm_session *s, const char *fmt, ...)
{
    if (s->aborting)
        return;
    s->aborting = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->why, sizeof s->why, fmt, ap);
    va_end(ap);
    if (s->ev_armed)
        kernel_cancel(s->env->k, s->ev);
    s->ev_armed = false;
    lpm_precopy_cancel(s);
    s->tally->aborts++;
    if (s->phase_open)
        mech_mark(s->env, lpm_comp(s), "lpm", lpm_phase_names[s->phase], MECH_END,
                  "aborted: %s", s->why);
    s->phase_open = false;
    recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_aborted", "at %s: %s",
                   lpm_phase_names[s->phase], s->why);
    mech_mark(s->env, lpm_comp(s), "lpm", "rollback", MECH_START, "undoing what %s got",
              hypervisor_name(s->dst));
    sim_time_t cost = lpm_rollback(s);
    kernel_schedule_in(s->env->k, cost, on_rolled_back, s, 0);
}

static void refuse(struct lpm_session *s, const char *why)
{
    s->phase_open = false;
    s->tally->refusals++;
    mech_mark(s->env, lpm_comp(s), "lpm", "validate", MECH_END, "refused: %s", why);
    recorder_event(s->env->rec, now_of(s), lpm_comp(s), "lpm_refused", "%s -> %s: %s",
                   hypervisor_name(s->src), hypervisor_name(s->dst), why);
    finish(s, "refused");
}

/* ---- validation of the target --------------------------------------------------- */

static bool vf_taken(const struct lpm_session *s, size_t upto, const struct adapter *a,
                     unsigned vf)
{
    for (size_t i = 0; i < upto; i++)
        if (s->dev[i].to == a && s->dev[i].vf == vf)
            return true;
    return false;
}

/* A compatible adapter of the target with a VF free for device i. */
static int pick_vf(struct lpm_session *s, size_t i, char *why, size_t n)
{
    struct lpm_dev *ld = &s->dev[i];
    const struct cfg_node *ads = cfg_find(s->dst->cfg, "adapters");
    char path[160];
    bool kind_seen = false;
    for (size_t a = 0; ads && a < ads->nkids; a++) {
        snprintf(path, sizeof path, "%s.%s", hypervisor_name(s->dst), ads->kids[a]->key);
        struct adapter *ad = env_find(s->env, path, "adapter");
        snprintf(path, sizeof path, "%s.%s.link", hypervisor_name(s->dst), ads->kids[a]->key);
        struct phb *phb = env_find(s->env, path, "pcie_link");
        if (!ad || !phb || adapter_is_abstract(ad) || adapter_failed(ad) ||
            adapter_is_network(ad) != adapter_is_network(ld->src->adapter) ||
            adapter_queue_pairs(ad) != ld->d->queue_pairs)
            continue;
        kind_seen = true;
        for (unsigned vf = 0; vf < adapter_vfs(ad); vf++)
            if (!adapter_vf_assigned(ad, vf) && !vf_taken(s, i, ad, vf)) {
                ld->to = ad;
                ld->vf = vf;
                ld->phb = phb;
                return 0;
            }
    }
    snprintf(why, n, kind_seen ? "no free VF on a compatible adapter of %s for %s"
             : "%s has no working adapter like %s's (kind and queue pairs) on the hardware path",
             hypervisor_name(s->dst), ld->d->vf_name[0] ? ld->d->vf_name : "its device");
    return -1;
}

static sim_time_t validate(struct lpm_session *s)
{
    uint64_t free_mem = hypervisor_memory_size(s->dst) - hypervisor_memory_used(s->dst);
    if (!mover_link_up(s->link))
        return snprintf(s->why, sizeof s->why, "the mover link is down"), LPM_REFUSED;
    if (free_mem < s->memory)
        return snprintf(s->why, sizeof s->why, "%s has %.6g GiB of memory free, the LPAR needs "
                        "%.6g GiB", hypervisor_name(s->dst), (double)free_mem / 1073741824.0,
                        (double)s->memory / 1073741824.0), LPM_REFUSED;
    if (dispatch_vp_count(s->dst->dispatch) + lpar_vps(s->l) >
        dispatch_vp_capacity(s->dst->dispatch))
        return snprintf(s->why, sizeof s->why, "%s cannot hold %u more VPs",
                        hypervisor_name(s->dst), lpar_vps(s->l)), LPM_REFUSED;
    for (size_t i = 0; i < s->ndev; i++)
        if (pick_vf(s, i, s->why, sizeof s->why) != 0)
            return LPM_REFUSED;
    /* the VFs are the migration's from now on: another one validated
     * meanwhile must not pick them */
    for (size_t i = 0; i < s->ndev; i++) {
        adapter_vf_set_assigned(s->dev[i].to, s->dev[i].vf, true);
        s->dev[i].reserved = true;
    }
    return s->p.validate;
}

/* ---- starting one ----------------------------------------------------------------- */

static void start_session(struct lpm_session *s)
{
    struct lpm_system *a = system_of(s->svc, s->src), *b = system_of(s->svc, s->dst);
    a->active++;
    b->active++;
    struct lpm_tally *t = s->tally;
    s->t_start = now_of(s);
    t->win_start = s->t_start;
    t->win_end = SIM_TIME_MAX;
    t->blackout_armed = false;
    t->t_last_done = 0;
    for (size_t i = 0; i < s->ndev; i++)
        if (s->dev[i].d->t_last_done > t->t_last_done)
            t->t_last_done = s->dev[i].d->t_last_done;
    if (!t->watching) /* kept from now on: I/O issued now may complete much later */
        lpar_set_io_watch(s->l, lpm_io_done, t);
    t->watching = true;
    mech_mark(s->env, lpm_comp(s), "lpm", NULL, MECH_START, "%s -> %s via %s, quiesce %s, %s",
              hypervisor_name(s->src), hypervisor_name(s->dst), mover_link_name(s->link),
              s->p.quiesce == LPM_EEH ? "eeh" : s->p.quiesce == LPM_DRAIN ? "drain" : "unplug",
              s->p.switchover == LPM_STOP_COPY ? "stop_copy" : "post_copy");
    s->phase = PH_VALIDATE;
    run_phase(s);
}

static void params_of(struct lpm_params *p, const struct cfg_node *it)
{
    const char *q = cfg_str(it, "quiesce");
    p->quiesce = strcmp(q, "drain") == 0 ? LPM_DRAIN : strcmp(q, "unplug") == 0 ? LPM_UNPLUG
                                                                              : LPM_EEH;
    p->switchover = strcmp(cfg_str(it, "switchover"), "post_copy") == 0 ? LPM_POST_COPY
                                                                          : LPM_STOP_COPY;
    p->dma_dirty = strcmp(cfg_str(it, "dma_dirty"), "tce_writable") == 0 ? LPM_DMA_TCE_WRITABLE
                                                                         : LPM_DMA_EXACT;
    p->fallback = strcmp(cfg_str(it, "fallback"), "virtual") == 0;
    p->downtime_limit = cfg_u64(it, "downtime_limit");
    p->max_rounds = cfg_u64(it, "max_rounds");
    p->max_factor = cfg_f64(it, "max_factor");
    p->validate = cfg_u64(it, "validate");
    p->prepare = cfg_u64(it, "prepare");
    p->vasi_poll = cfg_u64(it, "vasi_poll");
    p->join = cfg_u64(it, "join");
    p->suspend = cfg_u64(it, "suspend");
    p->mappings = cfg_u64(it, "mappings");
    p->resume = cfg_u64(it, "resume");
    p->dt_update = cfg_u64(it, "dt_update");
    p->cleanup = cfg_u64(it, "cleanup");
    p->miimon = cfg_u64(it, "miimon");
    p->unplug = cfg_u64(it, "unplug");
    p->probe = cfg_u64(it, "probe");
    p->virtual_io = cfg_u64(it, "virtual_io");
    p->fault = cfg_u64(it, "fault");
}

static int fire_migrate(const struct timeline_fire *f, char *why, size_t n)
{
    struct lpm_service *svc = env_find(f->env, "lpm", "lpm_service");
    char path[160];
    snprintf(path, sizeof path, "lpar.%s", cfg_str(f->item, "lpar"));
    struct lpar *l = env_find(f->env, path, "lpar");
    snprintf(path, sizeof path, "lpm.%s", cfg_str(f->item, "lpar"));
    struct lpm_tally *t = env_find(f->env, path, "lpm");
    if (!svc || !l || !t)
        return snprintf(why, n, "no such LPAR"), -1;
    struct hypervisor *src = lpar_placement(l)->hyp;
    struct hypervisor *dst = system_named(svc, cfg_str(f->item, "to"));
    struct mover_link *link = link_named(svc, cfg_str(f->item, "via"));
    if (t->running)
        return snprintf(why, n, "a migration of this LPAR is already %s",
                        t->running->queued ? "waiting" : "running"), -1;
    if (!src || lpar_current_state(l) != LPAR_RUNNING)
        return snprintf(why, n, "the LPAR is not running"), -1;
    if (!dst || !link || dst == src || !mover_link_joins(link, hypervisor_name(src),
                                                         hypervisor_name(dst)))
        return snprintf(why, n, "no mover link '%s' between %s and %s",
                        cfg_str(f->item, "via"), hypervisor_name(src),
                        cfg_str(f->item, "to")), -1;
    if (lpar_device_count(l) > LPM_MAX_DEVICES)
        return snprintf(why, n, "more than %d devices", LPM_MAX_DEVICES), -1;
    for (size_t i = 0; i < lpar_device_count(l); i++) {
        struct lpar_device *d = lpar_device(l, i);
        if (!d->driver || !d->vf || d->pool)
            return snprintf(why, n, "device %zu has no VF of its own to move (a vNIC or the "
                            "abstract path)", i), -1;
        if (d->mechanism)
            return snprintf(why, n, "a switch of its device is running"), -1;
    }
    struct lpm_session *s = calloc(1, sizeof *s);
    if (!s)
        return snprintf(why, n, "out of memory"), -1;
    *s = (struct lpm_session){ .svc = svc, .env = f->env, .tally = t, .l = l, .src = src,
                               .dst = dst, .link = link, .ndev = lpar_device_count(l) };
    params_of(&s->p, f->item);
    s->memory = cfg_u64(lpar_cfg(l), "memory");
    s->page = lpar_memory_page_size(lpar_memory(l));
    s->src_base = lpar_placement(l)->mem_base;
    for (size_t i = 0; i < s->ndev; i++) {
        struct lpar_device *d = lpar_device(l, i);
        s->dev[i] = (struct lpm_dev){ .d = d, .src = d->vf };
        d->mechanism = s;
    }
    t->running = s;
    if (!slots_free(s)) {
        s->queued = true;
        struct lpm_session **pp = &svc->queue_head;
        while (*pp)
            pp = &(*pp)->next_queued;
        *pp = s;
        recorder_event(f->env->rec, now_of(s), t->path, "lpm_queued",
                       "%s -> %s waits: max_concurrent migrations running",
                       hypervisor_name(src), hypervisor_name(dst));
        return 0;
    }
    start_session(s);
    return 0;
}

const struct timeline_action migrate_action = {
    "migrate",
    "lpar|to|via|quiesce|downtime_limit|max_rounds|max_factor|switchover|dma_dirty|fallback|"
    "validate|prepare|vasi_poll|join|suspend|mappings|resume|dt_update|cleanup|miimon|unplug|"
    "probe|virtual_io|fault",
    fire_migrate,
};
