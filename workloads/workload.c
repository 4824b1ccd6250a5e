/* workloads/workload.c — the workload component: one parameter table for
 * every kind (so `lparsim params workload` documents them all in one
 * place), the check that a scenario sets only parameters of the kind it
 * names, and dispatch to the kind files (kinds.h): storage_io.c,
 * network.c, compute.c, dirty.c, replay.c.
 *
 * Shared here: the I/O accounting of the kinds that issue I/O. Each I/O
 * carries this workload's notify port and its issue time as tag, so the
 * completion comes back to the workload that issued it and its latency
 * (statistic `latency`, issue -> completion seen by the LPAR) is known
 * without a per-I/O record. It is kept only when the LPAR runs several I/O
 * workloads: with one, the LPAR's io_latency is the same numbers. */
#include "workloads/workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/units.h"
#include "workloads/kinds.h"

/* The storage rows keep the names, defaults and ranges of the first
 * (storage-only) generator, so its scenarios mean what they meant. */
static const struct param_desc workload_params[] = {
    { "kind", PARAM_ENUM, "", "storage", "what the workload does (all kinds)",
      .choices = "storage|network|compute|dirty|replay" },
    { "start", PARAM_TIME, "ns", "0ns",
      "all kinds: time of the first arrival; left out: when its LPAR starts running" },
    { "device", PARAM_STR, "", "",
      "storage, network, replay: the LPAR device (an item of its `devices`) the I/O goes "
      "to; empty: the LPAR's own adapter/vf" },
    { "mode", PARAM_ENUM, "", "open",
      "storage, compute: open = arrivals at `rate`; closed = `depth` I/Os (items) kept "
      "outstanding",
      .choices = "open|closed" },
    { "rate", PARAM_RATE, "1/s", "10k/s",
      "storage (open): I/Os/s; compute: work items/s; dirty: pages written/s",
      .min = "0/s", .max = "1000M/s", .runtime = true },
    { "arrivals", PARAM_ENUM, "", "poisson",
      "storage, network, compute: gaps (and think times) exponential or constant",
      .choices = "poisson|constant" },
    { "depth", PARAM_U64, "", "1", "storage, compute (closed): I/Os (items) kept outstanding",
      .min = "1", .max = "1048576" },
    { "think", PARAM_TIME, "ns", "0ns",
      "storage, compute (closed): mean think time after a completion" },
    { "block_size", PARAM_SIZE, "B", "4KiB", "storage: bytes per I/O", .min = "1B",
      .max = "1GiB" },
    { "block_sizes", PARAM_STR, "", "",
      "storage: size mix instead of block_size, e.g. \"4KiB:0.7,64KiB:0.3\"" },
    { "read_fraction", PARAM_F64, "", "1", "storage: fraction of I/Os that are reads",
      .min = "0", .max = "1" },
    { "pattern", PARAM_ENUM, "", "random",
      "storage: offsets uniform over the device, or sequential (wrapping)",
      .choices = "random|sequential" },
    { "device_size", PARAM_SIZE, "B", "1TiB", "storage: bytes addressed by the offsets",
      .min = "1B" },
    { "tx_rate", PARAM_RATE, "1/s", "10k/s", "network: packets sent per second",
      .min = "0/s", .max = "1000M/s", .runtime = true },
    { "rx_rate", PARAM_RATE, "1/s", "10k/s", "network: packets arriving per second",
      .min = "0/s", .max = "1000M/s", .runtime = true },
    { "packet_size", PARAM_SIZE, "B", "1500B", "network: bytes per packet", .min = "64B",
      .max = "9000B" },
    { "packet_sizes", PARAM_STR, "", "",
      "network: size mix instead of packet_size, e.g. \"64B:0.5,1500B:0.5\"" },
    { "cycles", PARAM_U64, "", "100000", "compute: cycles per work item", .min = "1" },
    { "working_set", PARAM_SIZE, "B", "0B",
      "dirty: pages written lie in the first working_set bytes (0 = all memory)" },
    { "dirty_batch", PARAM_TIME, "ns", "1ms",
      "dirty: one event writes rate x dirty_batch pages", .min = "1us", .max = "1s" },
    { "file", PARAM_STR, "", "",
      "replay: CSV trace (time,op,bytes,offset); relative to the scenario file" },
    { "time_scale", PARAM_F64, "", "1", "replay: multiplies the trace's times",
      .min = "0.000001", .max = "1000000" },
    { "loop", PARAM_BOOL, "", "false", "replay: start the trace again after its end" },
    { 0 }
};

const struct schema workload_schema = {
    .name = "workload",
    .doc = "what an LPAR runs: storage, network, compute, dirty-memory or trace replay",
    .params = workload_params,
};

static const struct workload_kind *const kinds[] = {
    &workload_storage_kind, &workload_network_kind, &workload_compute_kind,
    &workload_dirty_kind,   &workload_replay_kind,
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

static const struct workload_kind *kind_named(const char *name)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i]->name, name) == 0)
            return kinds[i];
    return NULL; /* the schema's choices and this table disagree */
}

/* Whether `name` is one of the '|'-separated words of `list`. */
static bool in_list(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        size_t w = strcspn(p, "|");
        if (w == len && memcmp(p, name, len) == 0)
            return true;
        p += w + (p[w] == '|');
    }
    return false;
}

static bool applies_to_all(const char *name)
{
    return strcmp(name, "kind") == 0 || strcmp(name, "start") == 0 ||
           strcmp(name, "name") == 0; /* a list item's name */
}

/* "storage", "storage and compute", "storage, compute and dirty". */
static void kinds_using(const char *param, char *buf, size_t n)
{
    const char *users[NKINDS];
    size_t nu = 0, o = 0;
    for (size_t i = 0; i < NKINDS; i++)
        if (in_list(kinds[i]->params, param))
            users[nu++] = kinds[i]->name;
    buf[0] = '\0';
    for (size_t i = 0; i < nu && o < n; i++) {
        const char *sep = i == 0 ? "" : i + 1 == nu ? " and " : ", ";
        int w = snprintf(buf + o, n - o, "%s%s", sep, users[i]);
        o += w > 0 ? (size_t)w : 0;
    }
}

static bool loc_before(const struct src_loc *a, const struct src_loc *b)
{
    return a->line < b->line || (a->line == b->line && a->col < b->col);
}

uint64_t workload_largest_io(const struct cfg_node *cfg, const struct cfg_node **where)
{
    const char *kind = cfg_str(cfg, "kind");
    bool storage = strcmp(kind, "storage") == 0;
    if (!storage && strcmp(kind, "network") != 0)
        return 0;
    const char *size_key = storage ? "block_size" : "packet_size";
    const char *mix_key = storage ? "block_sizes" : "packet_sizes";
    struct size_mix m;
    struct diag err;
    if (size_mix_from_cfg(&m, cfg, size_key, mix_key, 1, UINT32_MAX, &err) != 0)
        return 0;
    const struct cfg_node *mix = cfg_find(cfg, mix_key);
    *where = mix->v.s[0] ? mix : cfg_find(cfg, size_key);
    return size_mix_largest(&m);
}

bool workload_does_io(const struct cfg_node *cfg)
{
    const struct workload_kind *k = kind_named(cfg_str(cfg, "kind"));
    return k && k->does_io;
}

bool workload_param_applies(const struct cfg_node *cfg, const char *name)
{
    const struct workload_kind *k = kind_named(cfg_str(cfg, "kind"));
    return !k || applies_to_all(name) || in_list(k->params, name);
}

int workload_check(const struct cfg_node *cfg, struct diag *err)
{
    const struct workload_kind *k = kind_named(cfg_str(cfg, "kind"));
    if (!k)
        return diag_set(err, cfg_loc(cfg, "kind"), "internal error: no workload kind '%s'",
                        cfg_str(cfg, "kind"));
    /* Of several misplaced parameters, report the first one written. */
    const struct cfg_node *bad = NULL;
    for (size_t i = 0; i < cfg->nkids; i++) {
        const struct cfg_node *v = cfg->kids[i];
        if (!v || v->kind != CFG_VALUE || v->is_default || applies_to_all(v->key) ||
            in_list(k->params, v->key))
            continue;
        if (!bad || loc_before(&v->loc, &bad->loc))
            bad = v;
    }
    if (bad) {
        char users[128];
        kinds_using(bad->key, users, sizeof users);
        return diag_set(err, &bad->loc, "'%s' does not apply to a %s workload (it is a %s parameter)",
                        bad->key, k->name, users);
    }
    return k->check ? k->check(cfg, err) : 0;
}

/* ---- shared I/O accounting ---------------------------------------------- */

static void on_io_completed(void *ctx, uint64_t tag, enum io_status st)
{
    struct workload *w = ctx;
    if (st == IO_OK) {
        w->ios_completed++;
        statistic_add(w->st_io_latency, sim_time_to_ns(kernel_now(w->env->k) - tag));
    } else {
        w->ios_failed++;
    }
    if (w->kind->completed)
        w->kind->completed(w, st);
}

int workload_issue(struct workload *w, enum io_op op, uint32_t bytes, uint64_t offset)
{
    struct io_spec spec = {
        .bytes = bytes,
        .op = (uint8_t)op,
        .offset = offset,
        .tag = kernel_now(w->env->k),
        .notify = &w->notify,
    };
    w->ios_issued++;
    if (w->ports.io.issue(w->ports.io.ctx, &spec) == 0)
        return 0;
    w->ios_failed++;
    return -1;
}

sim_time_t workload_gap(struct workload *w, bool poisson, double mean_ps)
{
    double gap = poisson ? rng_exponential(&w->rng, mean_ps) : mean_ps;
    return (sim_time_t)(gap + 0.5);
}

void arrivals_init(struct arrivals *a, struct workload *w, bool poisson, double rate,
                   event_fn fn, void *ctx, uint64_t arg)
{
    *a = (struct arrivals){ w, poisson, rate > 0 ? 1e12 / rate : 0, fn, ctx, arg, { 0, 0 } };
}

void arrivals_start(struct arrivals *a, sim_time_t from)
{
    if (a->mean_ps > 0)
        a->next = kernel_schedule_at(a->w->env->k, from + workload_gap(a->w, a->poisson, a->mean_ps),
                                     a->fn, a->ctx, a->arg);
}

void arrivals_next(struct arrivals *a)
{
    arrivals_start(a, kernel_now(a->w->env->k));
}

void arrivals_set_rate(struct arrivals *a, double rate)
{
    kernel_cancel(a->w->env->k, a->next);
    a->next = (struct event_id){ 0, 0 };
    a->mean_ps = rate > 0 ? 1e12 / rate : 0;
    sim_time_t now = kernel_now(a->w->env->k);
    arrivals_start(a, now > a->w->start ? now : a->w->start);
}

const char *workload_show(enum param_type t, uint64_t v, char *buf, size_t n)
{
    struct param_value pv = { .u = v, .d = (double)v };
    if (t == PARAM_SIZE && v % 1024 != 0) { /* 9000B, not 9KB: say it as written */
        snprintf(buf, n, "%lluB", (unsigned long long)v);
        return buf;
    }
    unit_format(t, &pv, buf, n);
    return buf;
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct workload *w = ctx;
    struct recorder *rec = w->env->rec;
    if (w->kind->does_io) {
        recorder_scalar(rec, w->path, "ios_issued", "", (double)w->ios_issued);
        recorder_scalar(rec, w->path, "ios_completed", "", (double)w->ios_completed);
        recorder_scalar(rec, w->path, "ios_failed", "", (double)w->ios_failed);
        recorder_scalar(rec, w->path, "ios_in_flight", "",
                        (double)(w->ios_issued - w->ios_completed - w->ios_failed));
    }
    if (w->kind->finish)
        w->kind->finish(w, now);
}

/* ---- run-time parameters -------------------------------------------------- */

static void on_set(void *ctx, const struct cfg_node *param, const struct param_value *v)
{
    struct workload *w = ctx;
    w->kind->set(w, param->key, v);
}

/* The kind's run-time parameters hear timeline `set`s. */
static void register_setters(struct workload *w, const struct cfg_node *cfg)
{
    if (!w->kind->set)
        return;
    for (const struct param_desc *p = workload_params; p->name; p++)
        if (p->runtime && in_list(w->kind->params, p->name))
            env_on_set(w->env, cfg_find(cfg, p->name), on_set, w);
}

/* ---- lifecycle ------------------------------------------------------------ */

struct workload *workload_create(struct env *e, const char *path, const struct cfg_node *cfg,
                                 const struct workload_ports *ports, struct diag *err)
{
    const struct workload_kind *k = kind_named(cfg_str(cfg, "kind"));
    if (!k) {
        diag_set(err, cfg_loc(cfg, "kind"), "internal error: no workload kind '%s'",
                 cfg_str(cfg, "kind"));
        return NULL;
    }
    if (k->does_io && !ports->io.issue) {
        diag_set(err, cfg_loc(cfg, "kind"), "a %s workload needs an LPAR with an I/O port",
                 k->name);
        return NULL;
    }
    struct workload *w = calloc(1, k->size);
    if (!w) {
        diag_set(err, cfg_loc(cfg, "kind"), "out of memory");
        return NULL;
    }
    w->kind = k;
    w->env = e;
    snprintf(w->path, sizeof w->path, "%s", path);
    rng_seed(&w->rng, e->seed, path);
    w->ports = *ports;
    w->start = cfg_u64(cfg, "start");
    w->start_given = !cfg_find(cfg, "start")->is_default;
    w->notify = (struct io_notify_port){ on_io_completed, w };
    if (k->does_io && ports->own_latency)
        w->st_io_latency = recorder_statistic(e->rec, w->path, "latency", "ns");
    if (k->init(w, cfg, err) != 0) {
        workload_destroy(w);
        return NULL;
    }
    env_on_finish(e, on_finish, w);
    register_setters(w, cfg);
    return w;
}

void workload_start(struct workload *w)
{
    w->kind->start(w);
}

bool workload_start_given(const struct workload *w)
{
    return w->start_given;
}

void workload_start_from(struct workload *w, sim_time_t t)
{
    if (t > w->start)
        w->start = t;
    w->kind->start(w);
}

void workload_destroy(struct workload *w)
{
    if (!w)
        return;
    if (w->kind->fini)
        w->kind->fini(w);
    free(w);
}
