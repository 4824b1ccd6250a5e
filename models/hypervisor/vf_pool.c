/* models/hypervisor/vf_pool.c — VF pool failover for virtual NICs (see
 * vf_pool.h). The heartbeat interval, login and announcement costs are
 * not published for PowerVM's vNIC: their defaults are marked choices
 * (docs/model-reference.md). */
#include "models/hypervisor/vf_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/hypervisor/hypervisor_internal.h"
#include "models/hypervisor/lpar.h"
#include "models/hypervisor/vf_assign.h"

static const struct param_desc vnic_params[] = {
    { "priority", PARAM_U64, "", "50",
      "failover priority of the device's own VF: 1 (most preferred) to 100 (PowerVM vNIC "
      "backing devices; default 50)", .min = "1", .max = "100" },
    { "selection", PARAM_ENUM, "", "priority",
      "which healthy backing device takes over: the lowest priority number, or the one on "
      "the least loaded adapter", .choices = "priority|least_load" },
    { "heartbeat", PARAM_TIME, "ns", "1s",
      "interval at which the hypervisor checks each backing device (unverified: not "
      "published for PowerVM; modelling choice)", .min = "1us" },
    { "login", PARAM_TIME, "ns", "20ms",
      "the client's login over the control path after a failover: queues set up again "
      "(unverified; modelling choice)" },
    { "announce", PARAM_TIME, "ns", "1ms",
      "sending the gratuitous announcement (ARP) after login (modelling choice)" },
    { "failback", PARAM_BOOL, "", "true",
      "go back to the preferred backing device when it is healthy again" },
    { 0 }
};

const struct schema vnic_schema = {
    .name = "vnic",
    .doc = "virtual NIC failover over the device's backing VFs (US10884878B2)",
    .params = vnic_params,
};

static const struct param_desc vnic_backup_params[] = {
    { "adapter", PARAM_STR, "", NULL, "adapter (of the LPAR's system) of the backing VF" },
    { "vf", PARAM_U64, "", "0", "the VF on that adapter" },
    { "priority", PARAM_U64, "", "50", "failover priority, 1 (most preferred) to 100",
      .min = "1", .max = "100" },
    { 0 }
};

const struct schema vnic_backup_schema = {
    .name = "vnic_backup",
    .doc = "a backing VF of a virtual NIC",
    .params = vnic_backup_params,
};

static const struct mech_step step_reset = {
    "failover.reset", "the client's queues keep what the old VF held: it is stranded" };
static const struct mech_step step_assign = {
    "failover.assign", "no VF is bound after the release: the client's I/O goes nowhere" };

const struct mech_step *const failover_steps[] = { &step_reset, &step_assign };
const size_t failover_nsteps = sizeof failover_steps / sizeof failover_steps[0];

struct backing {
    const char *name;
    struct adapter *ad;
    struct phb *phb;
    unsigned vf;
    unsigned priority;
};

enum fo_step { FO_DETECT, FO_RESET, FO_RELEASE, FO_ASSIGN, FO_LOGIN, FO_ANNOUNCE, FO_DONE };

static const char *const fo_names[] = {
    "detect", "reset", "release", "assign", "login", "announce", "done",
};

struct vf_pool {
    struct hypervisor *h;
    struct env *env;
    struct lpar_device *d;
    struct backing *b;
    size_t n, active;
    bool least_load, failback;
    sim_time_t heartbeat, login, announce;
    /* the failover running now */
    bool running, is_failback;
    size_t to;
    enum fo_step at;
    sim_time_t t_fail;
    uint64_t failed_before;
    bool refused;            /* said once that no backing device is healthy */
};

bool vf_pool_is_vnic(const struct cfg_node *dev_cfg)
{
    const struct cfg_node *b = dev_cfg ? cfg_find(dev_cfg, "backups") : NULL;
    return b && b->nkids > 0;
}

/* ---- health and choice ------------------------------------------------------ */

/* A backing device answers its heartbeat: its adapter works and its port
 * is up; the bound one's PE must also let DMA through. */
static bool healthy(const struct vf_pool *p, size_t i)
{
    const struct backing *b = &p->b[i];
    if (adapter_failed(b->ad) || !adapter_port_up(b->ad))
        return false;
    if (i == p->active && p->d->vf) {
        const struct pe *pe = vf_binding_pe(p->d->vf);
        return pe && !pe_offline(pe) && pe_state(pe) == PE_STATE_NORMAL;
    }
    return !adapter_vf_assigned(b->ad, b->vf);
}

/* vNICs bound to an adapter now: its load. */
static size_t load_of(const struct vf_pool *p, const struct adapter *ad)
{
    size_t n = 0;
    for (size_t i = 0; i < p->h->nbindings; i++)
        n += p->h->bindings[i]->adapter == ad;
    return n;
}

/* The best healthy backing device other than the active one, or n. */
static size_t best_backup(const struct vf_pool *p)
{
    size_t best = p->n;
    for (size_t i = 0; i < p->n; i++) {
        if (i == p->active || !healthy(p, i))
            continue;
        if (best == p->n)
            best = i;
        else if (p->least_load ? load_of(p, p->b[i].ad) < load_of(p, p->b[best].ad)
                               : p->b[i].priority < p->b[best].priority)
            best = i;
    }
    return best;
}

/* ---- results ------------------------------------------------------------------ */

static void on_finish(void *ctx, sim_time_t now)
{
    (void)now;
    struct vf_pool *p = ctx;
    const struct mech_tally *t = &p->d->failover_tally;
    struct recorder *rec = p->env->rec;
    recorder_scalar(rec, t->path, "failovers", "", (double)(t->count - t->replayed));
    recorder_scalar(rec, t->path, "failbacks", "", (double)t->replayed);
    recorder_scalar(rec, t->path, "failover_time", "ns",
                    t->count ? t->time_ns / (double)t->count : 0);
    recorder_scalar(rec, t->path, "packets_lost", "", (double)t->lost);
}

/* ---- the failover ------------------------------------------------------------- */

static const char *comp(const struct vf_pool *p)
{
    return p->d->failover_tally.path;
}

static sim_time_t perform(struct vf_pool *p, enum fo_step s, char *why, size_t n)
{
    sim_time_t c = 0;
    struct diag err;
    switch (s) {
    case FO_RESET:
        if (!mech_skip(p->env, comp(p), "failover", "reset"))
            vf_driver_fail_all(p->d->driver, false);
        return 0;
    case FO_RELEASE:
        if (p->d->vf)
            vf_unassign(p->d->vf, &c);
        return c;
    case FO_ASSIGN:
        if (mech_skip(p->env, comp(p), "failover", "assign"))
            return 0;
        if (!vf_assign(p->h, p->d, p->b[p->to].ad, p->b[p->to].vf, p->b[p->to].phb, &c, &err))
            return snprintf(why, n, "%.200s", err.msg), SIM_TIME_MAX;
        p->active = p->to;
        return c;
    case FO_LOGIN: return p->login;
    case FO_ANNOUNCE: return p->announce;
    default: return 0;
    }
}

static void next(struct vf_pool *p);

static void finish(struct vf_pool *p, const char *how)
{
    struct mech_tally *t = &p->d->failover_tally;
    sim_time_t now = kernel_now(p->env->k);
    vf_driver_thaw(p->d->driver, true);
    uint64_t lost = p->d->failed - p->failed_before;
    t->count++;
    t->replayed += p->is_failback; /* failbacks, in this tally */
    t->time_ns += sim_time_to_ns(now - p->t_fail);
    t->lost += lost;
    mech_mark(p->env, comp(p), "failover", NULL, MECH_END, "%s in %.6g ms, %llu packet(s) lost",
              how, sim_time_to_ns(now - p->t_fail) / 1e6, (unsigned long long)lost);
    p->running = false;
}

static void on_step_end(void *ctx, uint64_t arg)
{
    (void)arg;
    struct vf_pool *p = ctx;
    mech_mark(p->env, comp(p), "failover", fo_names[p->at], MECH_END, "%s done", fo_names[p->at]);
    p->at++;
    next(p);
}

static void next(struct vf_pool *p)
{
    char why[256] = "";
    if (p->at == FO_DONE) {
        finish(p, p->is_failback ? "failed back" : "failed over");
        return;
    }
    mech_mark(p->env, comp(p), "failover", fo_names[p->at], MECH_START, "%s", fo_names[p->at]);
    sim_time_t c = perform(p, p->at, why, sizeof why);
    if (c == SIM_TIME_MAX) {
        mech_mark(p->env, comp(p), "failover", fo_names[p->at], MECH_END, "failed: %s", why);
        finish(p, "aborted");
        return;
    }
    kernel_schedule_in(p->env->k, c, on_step_end, p, 0);
}

static void start(struct vf_pool *p, size_t to, bool failback, sim_time_t t_fail)
{
    sim_time_t now = kernel_now(p->env->k);
    p->running = true;
    p->is_failback = failback;
    p->to = to;
    p->t_fail = t_fail;
    p->refused = false;
    recorder_event(p->env->rec, t_fail, comp(p), "failover_start", "%s %s -> %s (priority %u)",
                   failback ? "failback" : "failover", p->b[p->active].name, p->b[to].name,
                   p->b[to].priority);
    recorder_event(p->env->rec, t_fail, comp(p), "failover_detect_start", "%s",
                   failback ? "the preferred device is healthy again" : "the backing device fails");
    mech_mark(p->env, comp(p), "failover", "detect", MECH_END, "heartbeat %s after %.6g ms",
              failback ? "sees it" : "missed", sim_time_to_ns(now - t_fail) / 1e6);
    p->at = FO_RESET;
    next(p);
}

/* When the active backing device stopped answering. */
static sim_time_t fault_time(const struct vf_pool *p)
{
    const struct backing *b = &p->b[p->active];
    sim_time_t t = adapter_fault_time(b->ad);
    if (!t && p->d->vf) {
        const struct pe *pe = vf_binding_pe(p->d->vf);
        t = pe ? pe_last_freeze(pe) : 0;
    }
    return t ? t : kernel_now(p->env->k);
}

static void on_heartbeat(void *ctx, sim_time_t now)
{
    struct vf_pool *p = ctx;
    if (p->running)
        return;
    if (healthy(p, p->active)) {
        p->failed_before = p->d->failed;
        size_t best = best_backup(p);
        if (p->failback && !p->least_load && best < p->n &&
            p->b[best].priority < p->b[p->active].priority)
            start(p, best, true, now);
        return;
    }
    size_t to = best_backup(p);
    if (to < p->n) {
        start(p, to, false, fault_time(p));
    } else if (!p->refused) {
        p->refused = true;
        recorder_event(p->env->rec, now, comp(p), "failover_refused",
                       "the backing device failed and no other one is healthy");
    }
}

/* ---- construction --------------------------------------------------------------- */

static int backing_of(struct vf_pool *p, struct backing *b, const char *name, const char *adapter,
                      unsigned vf, unsigned priority, struct diag *err)
{
    char path[160];
    snprintf(path, sizeof path, "%s.%s", hypervisor_name(p->h), adapter);
    b->ad = env_find(p->env, path, "adapter");
    snprintf(path, sizeof path, "%s.%s.link", hypervisor_name(p->h), adapter);
    b->phb = env_find(p->env, path, "pcie_link");
    *b = (struct backing){ name, b->ad, b->phb, vf, priority };
    if (!b->ad || !b->phb)
        return diag_set(err, p->d->cfg ? &p->d->cfg->loc : NULL,
                        "backing adapter '%s' is not on the hardware path of system '%s'",
                        adapter, hypervisor_name(p->h));
    return 0;
}

struct vf_pool *vf_pool_create(struct hypervisor *h, struct lpar_device *d, struct diag *err)
{
    const struct cfg_node *list = cfg_find(d->cfg, "backups");
    const struct cfg_node *vc = cfg_find(d->cfg, "vnic");
    struct vf_pool *p = calloc(1, sizeof *p);
    struct backing *b = calloc(list->nkids + 1, sizeof *b);
    if (!p || !b) {
        free(p);
        free(b);
        diag_set(err, NULL, "out of memory");
        return NULL;
    }
    *p = (struct vf_pool){
        .h = h, .env = h->env, .d = d, .b = b, .n = list->nkids + 1,
        .least_load = strcmp(cfg_param(vc, vnic_params, "selection").s, "least_load") == 0,
        .failback = cfg_param(vc, vnic_params, "failback").u != 0,
        .heartbeat = cfg_param(vc, vnic_params, "heartbeat").u,
        .login = cfg_param(vc, vnic_params, "login").u,
        .announce = cfg_param(vc, vnic_params, "announce").u,
    };
    int rc = backing_of(p, &b[0], "primary", cfg_str(d->cfg, "adapter"),
                        (unsigned)cfg_u64(d->cfg, "vf"),
                        (unsigned)cfg_param(vc, vnic_params, "priority").u, err);
    for (size_t i = 0; rc == 0 && i < list->nkids; i++) {
        const struct cfg_node *it = list->kids[i];
        rc = backing_of(p, &b[i + 1], it->key, cfg_str(it, "adapter"),
                        (unsigned)cfg_u64(it, "vf"), (unsigned)cfg_u64(it, "priority"), err);
    }
    if (rc != 0) {
        vf_pool_destroy(p);
        return NULL;
    }
    struct mech_tally *t = &d->failover_tally;
    if (d->index == 0)
        snprintf(t->path, sizeof t->path, "failover.%s", lpar_name(d->lpar));
    else
        snprintf(t->path, sizeof t->path, "failover.%s.%s", lpar_name(d->lpar), d->name);
    env_every(p->env, p->heartbeat, on_heartbeat, p);
    env_on_finish(p->env, on_finish, p);
    return p;
}

void vf_pool_destroy(struct vf_pool *p)
{
    if (!p)
        return;
    free(p->b);
    free(p);
}
