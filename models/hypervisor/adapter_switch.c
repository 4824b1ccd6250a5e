/* models/hypervisor/adapter_switch.c — adapter switch and interrupt
 * migration through the error state (see adapter_switch.h). */
#include "models/hypervisor/adapter_switch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hypervisor/hypervisor_internal.h"
#include "models/hypervisor/lirq.h"
#include "models/hypervisor/lpar.h"
#include "models/hypervisor/vf_assign.h"

static const struct param_desc switch_params[] = {
    { "detect", PARAM_TIME, "ns", "10us",
      "from a PE freeze to the hypervisor starting a switch to the standby (modelling choice: "
      "the PHB's error interrupt and the hypervisor's handler)" },
    { "remap", PARAM_TIME, "ns", "2us",
      "pointing the guest's BAR at another VF: a partition page-table update and TLB "
      "invalidation (modelling choice)" },
    { "replay", PARAM_TIME, "ns", "1us",
      "re-issuing one command a failed or stopped VF held on the target VF (modelling "
      "choice: a descriptor write through the PF)" },
    { 0 }
};

const struct schema switch_schema = {
    .name = "switch",
    .doc = "adapter switch costs the hypervisor's calls do not cover",
    .params = switch_params,
};

enum sw_step {
    SW_DETECT, SW_PREPARE, SW_STOP, SW_REMAP, SW_REROUTE, SW_REPLAY, SW_RELEASE,
    SW_COLLECT, SW_CONFIGURE, SW_ERROR_STATE, SW_DECONFIGURE, SW_DONE,
};

static const char *const step_names[] = {
    "detect", "prepare", "stop_source", "remap", "reroute", "replay", "release",
    "collect", "configure", "error_state", "deconfigure", "done",
};

static const enum sw_step seq_transparent[] = {
    SW_PREPARE, SW_STOP, SW_REMAP, SW_REROUTE, SW_REPLAY, SW_RELEASE, SW_DONE,
};
static const enum sw_step seq_failover[] = {
    SW_DETECT, SW_PREPARE, SW_STOP, SW_REMAP, SW_REROUTE, SW_REPLAY, SW_RELEASE, SW_DONE,
};
static const enum sw_step seq_error_state[] = {
    SW_COLLECT, SW_CONFIGURE, SW_ERROR_STATE, SW_DECONFIGURE, SW_DONE,
};

static const struct mech_step step_remap = {
    "switch.remap", "the guest's BAR keeps mapping the old VF: its doorbells go nowhere" };
static const struct mech_step step_reroute = {
    "switch.reroute", "the rings are not attached to the target and the interrupts not moved" };
static const struct mech_step step_replay = {
    "switch.replay", "the commands the source held are dropped, not issued on the target" };
static const struct mech_step step_error_state = {
    "switch.error_state", "the PEs are not frozen: the guest never re-initialises the target, "
    "whose queues stay detached" };

const struct mech_step *const switch_steps[] = {
    &step_remap, &step_reroute, &step_replay, &step_error_state,
};
const size_t switch_nsteps = sizeof switch_steps / sizeof switch_steps[0];

struct adapter_switch {
    struct hypervisor *h;
    struct env *env;
    struct lpar_device *d;
    enum switch_method method;
    struct vf_binding *src, *dst;
    struct adapter *to;
    struct phb *phb;
    unsigned vf;
    const enum sw_step *seq;
    size_t at;
    sim_time_t t_start, t_ref;
    uint32_t *heads;
    struct io_req **held;
    size_t nheld;
};

void adapter_switch_config(struct hypervisor *h, const struct cfg_node *cfg)
{
    h->switch_detect = cfg_param(cfg, switch_params, "detect").u;
    h->switch_remap = cfg_param(cfg, switch_params, "remap").u;
    h->switch_replay = cfg_param(cfg, switch_params, "replay").u;
}

/* ---- results -------------------------------------------------------------- */

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    const struct lpar_device *d = ctx;
    const struct mech_tally *t = &d->switch_tally;
    struct recorder *rec = d->lpar ? lpar_env(d->lpar)->rec : NULL;
    if (!rec)
        return;
    recorder_scalar(rec, t->path, "switches", "", (double)t->count);
    recorder_scalar(rec, t->path, "switch_time", "ns", t->count ? t->time_ns / (double)t->count : 0);
    recorder_scalar(rec, t->path, "io_blackout", "ns",
                    t->blackouts ? t->blackout_ns / (double)t->blackouts : 0);
    recorder_scalar(rec, t->path, "ios_replayed", "", (double)t->replayed);
}

void adapter_switch_declare(struct lpar_device *d)
{
    struct mech_tally *t = &d->switch_tally;
    if (t->hooked)
        return;
    t->hooked = true;
    if (d->index == 0)
        snprintf(t->path, sizeof t->path, "switch.%s", lpar_name(d->lpar));
    else
        snprintf(t->path, sizeof t->path, "switch.%s.%s", lpar_name(d->lpar), d->name);
    env_on_finish(lpar_env(d->lpar), on_finish, d);
}

static void tally_hook(struct adapter_switch *s)
{
    adapter_switch_declare(s->d);
}

/* The first completion after the interrupts moved ends the blackout. */
static void first_done(void *ctx, sim_time_t t)
{
    struct lpar_device *d = ctx;
    struct mech_tally *tally = &d->switch_tally;
    if (!vf_driver_running(d->driver))
        return; /* a completion the guest's recovery took while its queues were stopped */
    d->on_done = NULL;
    tally->blackouts++;
    tally->blackout_ns += sim_time_to_ns(t - d->blackout_from);
    recorder_event(lpar_env(d->lpar)->rec, t, tally->path, "switch_io_resumed",
                   "first completion after the switch: blackout %.6g ms",
                   sim_time_to_ns(t - d->blackout_from) / 1e6);
}

static void watch_blackout(struct adapter_switch *s)
{
    s->d->blackout_from = s->t_ref;
    s->d->on_done = first_done;
    s->d->on_done_ctx = s->d;
}

/* ---- the commands the source held ------------------------------------------ */

struct collect {
    struct adapter_switch *s;
    size_t cap;
};

static void collect_one(void *ctx, struct io_req *r)
{
    struct collect *c = ctx;
    struct adapter_switch *s = c->s;
    if (r->device != s->d->index || !vf_binding_held(s->src, r))
        return;
    if (s->nheld == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct io_req **v = realloc(s->held, cap * sizeof *v);
        if (!v)
            return; /* it stays where it is: stranded, and counted so */
        s->held = v;
        c->cap = cap;
    }
    s->held[s->nheld++] = r;
}

/* The source is stopped: what it held is collected, it is reset (its
 * media queue forgets its waiting commands), and the commands are taken
 * back for the replay. */
static void take_back_held(struct adapter_switch *s)
{
    struct collect c = { s, 0 };
    lpar_each_request(s->d->lpar, collect_one, &c);
    vf_binding_reset(s->src);
    for (size_t i = 0; i < s->nheld; i++) {
        struct io_req *r = s->held[i];
        io_req_take_back(r, s->d->driver);
        if (r->done->retried)
            r->done->retried(r->done->ctx, r);
    }
}

/* ---- steps ------------------------------------------------------------------ */

static const char *comp(const struct adapter_switch *s)
{
    return s->d->switch_tally.path;
}

static sim_time_t release_source(struct adapter_switch *s)
{
    sim_time_t c1, c2, c3;
    if (s->d->vf == s->src)
        s->d->vf = NULL; /* remap was left out: the guest's BAR maps nothing now */
    vf_binding_disconnect(s->src, &c1);
    vf_binding_unmap_dma(s->src, &c2);
    vf_binding_destroy(s->src, &c3);
    s->src = NULL;
    return c1 + c2 + c3;
}

static sim_time_t prepare_target(struct adapter_switch *s, char *why, size_t n)
{
    sim_time_t c1 = 0, c2 = 0;
    struct diag err;
    s->dst = vf_binding_create(s->h, s->d, s->to, s->vf, s->phb, &c1, &err);
    if (!s->dst) {
        snprintf(why, n, "%.200s", err.msg);
        return SIM_TIME_MAX;
    }
    vf_binding_map_dma(s->dst, &c2);
    return c1 + c2;
}

static bool skip(struct adapter_switch *s, const char *step)
{
    return mech_skip(s->env, comp(s), "switch", step);
}

/* What the step does now; its cost. SIM_TIME_MAX: it failed (why). */
static sim_time_t perform(struct adapter_switch *s, enum sw_step st, char *why, size_t n)
{
    sim_time_t c = 0, c2 = 0;
    switch (st) {
    case SW_DETECT: return s->h->switch_detect;
    case SW_PREPARE: return prepare_target(s, why, n);
    case SW_STOP:
        vf_binding_stop(s->src, s->heads, &c);
        take_back_held(s);
        return c;
    case SW_REMAP:
        if (!skip(s, "remap"))
            s->d->vf = s->dst;
        return s->h->switch_remap;
    case SW_REROUTE:
        if (skip(s, "reroute"))
            return 0;
        c = vf_binding_unbind_irqs(s->src);
        if (vf_binding_connect_at(s->dst, s->heads, &c2) != 0)
            return snprintf(why, n, "the target's interrupt sources ran out"), SIM_TIME_MAX;
        watch_blackout(s);
        return c + c2;
    case SW_REPLAY: return (sim_time_t)s->nheld * s->h->switch_replay;
    case SW_RELEASE: return release_source(s);
    case SW_COLLECT: return (sim_time_t)s->d->queue_pairs * cpu_cycles_to_ps(s->h->cpu,
                            hcall_cycles(s->h->hcall, HCALL_VIOCTL, 1));
    case SW_CONFIGURE:
        c = prepare_target(s, why, n);
        if (c == SIM_TIME_MAX)
            return c;
        c2 = vf_binding_unbind_irqs(s->src);
        sim_time_t c3 = 0;
        if (vf_binding_connect_irqs(s->dst, &c3) != 0)
            return snprintf(why, n, "the target's interrupt sources ran out"), SIM_TIME_MAX;
        return c + c2 + c3;
    case SW_ERROR_STATE:
        if (skip(s, "error_state"))
            return 0;
        phb_upstream(s->src->phb).error(s->src->phb, adapter_vf_rid(s->src->adapter, s->src->vf),
                                        "error state of an interrupt migration");
        phb_upstream(s->phb).error(s->phb, adapter_vf_rid(s->to, s->vf),
                                   "error state of an interrupt migration");
        return 0;
    case SW_DECONFIGURE:
        s->d->vf = s->dst;
        c = release_source(s);
        watch_blackout(s);
        return s->h->switch_remap + c;
    default: return 0;
    }
}

static void next_step(struct adapter_switch *s);

static void finish(struct adapter_switch *s, const char *how)
{
    struct mech_tally *t = &s->d->switch_tally;
    sim_time_t took = kernel_now(s->env->k) - s->t_start;
    t->count++;
    t->time_ns += sim_time_to_ns(took);
    t->replayed += s->nheld;
    mech_mark(s->env, comp(s), "switch", NULL, MECH_END, "%s in %.6g ms", how,
              sim_time_to_ns(took) / 1e6);
    s->d->mechanism = NULL;
    free(s->heads);
    free(s->held);
    free(s);
}

static void on_step_end(void *ctx, uint64_t arg)
{
    (void)arg;
    struct adapter_switch *s = ctx;
    enum sw_step st = s->seq[s->at];
    if (st == SW_REPLAY) {
        bool drop = skip(s, "replay");
        for (size_t i = 0; i < s->nheld; i++)
            if (drop)
                s->held[i]->holder = NULL; /* left out: dropped */
            else
                adapter_pf_replay(s->to, s->vf, s->held[i]);
        mech_mark(s->env, comp(s), "switch", "replay", MECH_END, "%zu command(s) %s", s->nheld,
                  drop ? "dropped" : "issued on the target");
    } else {
        mech_mark(s->env, comp(s), "switch", step_names[st], MECH_END, "%s done", step_names[st]);
    }
    s->at++;
    next_step(s);
}

static void next_step(struct adapter_switch *s)
{
    enum sw_step st = s->seq[s->at];
    char why[256] = "";
    if (st == SW_DONE) {
        finish(s, s->method == SWITCH_ERROR_STATE ? "interrupts migrated; the guest's EEH "
               "recovery finishes it" : "switched");
        return;
    }
    mech_mark(s->env, comp(s), "switch", step_names[st], MECH_START, "%s", step_names[st]);
    sim_time_t cost = perform(s, st, why, sizeof why);
    if (cost == SIM_TIME_MAX) {
        mech_mark(s->env, comp(s), "switch", step_names[st], MECH_END, "failed: %s", why);
        finish(s, "aborted");
        return;
    }
    kernel_schedule_in(s->env->k, cost, on_step_end, s, 0);
}

/* ---- starting one ------------------------------------------------------------- */

/* Whether VF vf of `to` can back device d: the same kind and shape. */
static int check_target(const struct lpar_device *d, const struct adapter *to, int vf, char *why,
                        size_t n)
{
    const struct vf_binding *b = d->vf;
    if (vf < 0)
        return snprintf(why, n, "adapter %s has no free VF", adapter_path(to)), -1;
    if (adapter_vf_assigned(to, (unsigned)vf))
        return snprintf(why, n, "VF %d of %s is assigned", vf, adapter_path(to)), -1;
    if (adapter_is_network(to) != adapter_is_network(b->adapter) ||
        adapter_queue_pairs(to) != d->queue_pairs || adapter_is_abstract(to))
        return snprintf(why, n, "%s is not an adapter of the same kind and queue pairs as %s",
                        adapter_path(to), adapter_path(b->adapter)), -1;
    return 0;
}

int adapter_switch_start(struct hypervisor *h, struct lpar_device *d, struct adapter *to,
                         struct phb *phb, int vf, enum switch_method m, bool on_failure,
                         char *why, size_t n)
{
    if (!d->vf || !d->driver)
        return snprintf(why, n, "the device has no VF to switch from"), -1;
    if (d->mechanism)
        return snprintf(why, n, "a switch of this device is already running"), -1;
    if (to == d->vf->adapter)
        return snprintf(why, n, "the device is on %s already", adapter_path(to)), -1;
    if (vf < 0)
        vf = adapter_free_vf(to);
    if (check_target(d, to, vf, why, n) != 0)
        return -1;
    struct adapter_switch *s = calloc(1, sizeof *s);
    uint32_t *heads = calloc(d->queue_pairs ? d->queue_pairs : 1, sizeof *heads);
    if (!s || !heads) {
        free(s);
        free(heads);
        return snprintf(why, n, "out of memory"), -1;
    }
    *s = (struct adapter_switch){
        .h = h, .env = lpar_env(d->lpar), .d = d, .method = m, .src = d->vf, .to = to,
        .phb = phb, .vf = (unsigned)vf, .heads = heads,
        .seq = m == SWITCH_ERROR_STATE ? seq_error_state
               : on_failure ? seq_failover : seq_transparent,
    };
    s->t_start = kernel_now(s->env->k);
    s->t_ref = on_failure ? s->t_start : d->t_last_done;
    d->mechanism = s;
    tally_hook(s);
    mech_mark(s->env, comp(s), "switch", NULL, MECH_START, "%s %s -> %s.vf%u%s",
              m == SWITCH_ERROR_STATE ? "error_state" : "transparent", adapter_path(d->vf->adapter),
              adapter_path(to), s->vf, on_failure ? " (the adapter failed)" : "");
    next_step(s);
    return 0;
}

/* ---- on a failure, to the standby ---------------------------------------------- */

void adapter_switch_on_freeze(struct hypervisor *h, struct phb *phb, uint32_t pe)
{
    for (size_t i = 0; i < h->nbindings; i++) {
        struct vf_binding *b = h->bindings[i];
        if (b->phb != phb || b->pe != pe || !b->dev || b->dev->vf != b || b->dev->mechanism)
            continue;
        const char *standby = cfg_str(b->dev->cfg, "standby");
        if (!standby[0])
            return;
        char path[160];
        snprintf(path, sizeof path, "%s.%s", hypervisor_name(h), standby);
        struct adapter *to = env_find(h->env, path, "adapter");
        snprintf(path, sizeof path, "%s.%s.link", hypervisor_name(h), standby);
        struct phb *to_phb = env_find(h->env, path, "pcie_link");
        char why[256];
        if (!to || !to_phb ||
            adapter_switch_start(h, b->dev, to, to_phb, -1, SWITCH_TRANSPARENT, true, why,
                                 sizeof why) != 0)
            recorder_event(h->env->rec, kernel_now(h->env->k), lpar_path(b->dev->lpar),
                           "switch_refused", "no switch to standby %s: %s", standby,
                           to && to_phb ? why : "no such adapter on the hardware path");
        return;
    }
}

/* ---- the timeline's switch_adapter ---------------------------------------------- */

static int fire_switch(const struct timeline_fire *f, char *why, size_t n)
{
    char path[160];
    snprintf(path, sizeof path, "lpar.%s", cfg_str(f->item, "lpar"));
    struct lpar *l = env_find(f->env, path, "lpar");
    struct lpar_device *d = l ? lpar_device_named(l, cfg_str(f->item, "device")) : NULL;
    struct hypervisor *h = l ? lpar_placement(l)->hyp : NULL;
    if (!d || !h)
        return snprintf(why, n, "no such LPAR device, or the LPAR is not placed"), -1;
    snprintf(path, sizeof path, "%s.%s", hypervisor_name(h), cfg_str(f->item, "to"));
    struct adapter *to = env_find(f->env, path, "adapter");
    snprintf(path, sizeof path, "%s.%s.link", hypervisor_name(h), cfg_str(f->item, "to"));
    struct phb *phb = env_find(f->env, path, "pcie_link");
    if (!to || !phb)
        return snprintf(why, n, "no adapter '%s' on the hardware path of system %s",
                        cfg_str(f->item, "to"), hypervisor_name(h)), -1;
    enum switch_method m = strcmp(cfg_str(f->item, "method"), "error_state") == 0
                               ? SWITCH_ERROR_STATE : SWITCH_TRANSPARENT;
    return adapter_switch_start(h, d, to, phb, -1, m, false, why, n);
}

const struct timeline_action switch_adapter_action = {
    "switch_adapter", "lpar|to|device|method", fire_switch,
};
