/* models/hypervisor/lpar.c — LPAR I/O accounting.
 *
 * Every request comes from the LPAR's pool (grown by doubling, never per
 * I/O) and stays accounted for until its completion is seen: at the end
 * of the run each one is completed, failed, in flight (some component
 * holds it) or lost (nobody does). SPEC §4's invariant is checked here:
 * issued = completed + failed + in flight + lost, and lost is reported.
 *
 * Metrics (docs/metrics.md): statistic io_latency (ns, submit -> completion
 * seen by the LPAR), outstanding_per_batch; scalars ios_issued,
 * ios_completed, ios_failed, ios_retried, ios_lost, ios_in_flight,
 * throughput (1/s), mean_outstanding; series iops, outstanding. */
#include "models/hypervisor/lpar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/link.h"
#include "sim/timeavg.h"

const struct param_desc lpar_params[] = {
    { "system", PARAM_REF, "", NULL, "the system the LPAR runs on",
      .choices = "systems" },
    { "adapter", PARAM_STR, "", NULL,
      "adapter (of that system) whose VF is assigned to the LPAR" },
    { "vf", PARAM_U64, "", "0", "index of the assigned VF on that adapter" },
    { "vps", PARAM_U64, "", "1", "virtual processors", .min = "1", .max = "1024" },
    { "memory", PARAM_SIZE, "B", "8GiB", "partition memory", .min = "256MiB" },
    { "activate_at", PARAM_TIME, "ns", "0ns",
      "when the LPAR is activated (modelling choice: 0, it is up when the run starts)" },
    { "boot", PARAM_TIME, "ns", "0ns",
      "from activation to running; I/O issued before waits (modelling choice: 0; an OS "
      "boot takes tens of seconds)" },
    { "max_outstanding", PARAM_U64, "", "65536",
      "I/Os the LPAR may have outstanding; more fail at submit",
      .min = "1", .max = "16777216" },
    { 0 }
};

const struct param_desc lpar_device_params[] = {
    { "adapter", PARAM_STR, "", NULL, "adapter (of the LPAR's system) the VF belongs to" },
    { "vf", PARAM_U64, "", "0", "index of the VF on that adapter" },
    { 0 }
};

#define POOL_CHUNK 1024

/* One device of the LPAR: where its requests go. */
struct lpar_device {
    struct lpar *l;
    struct io_sink dev;
    struct link to_dev;
};

struct lpar {
    struct env *env;
    char path[96];
    uint64_t max_outstanding;
    struct lpar_device *devs;
    size_t ndevs;
    struct io_done done;
    bool traced_lpar;        /* lparsim run --trace-io names this LPAR */
    enum lpar_state state;
    sim_time_t activate_at, boot;
    struct io_req *held_head, *held_tail; /* issued while not running */
    uint64_t held;           /* I/Os that had to wait for the LPAR to run */

    struct io_req **chunks;
    size_t nchunks;
    struct io_req *free_list;

    uint64_t issued, completed, failed, retried, outstanding;
    uint64_t completed_at_warmup, completed_at_sample;
    sim_time_t window_start;
    struct time_avg outstanding_avg, outstanding_batch;
    struct statistic *st_latency, *st_outstanding_batch;
    struct series *se_iops, *se_outstanding;
};

static int pool_grow(struct lpar *l)
{
    struct io_req **chunks = realloc(l->chunks, (l->nchunks + 1) * sizeof *chunks);
    if (!chunks)
        return -1;
    l->chunks = chunks;
    struct io_req *c = calloc(POOL_CHUNK, sizeof *c);
    if (!c)
        return -1;
    l->chunks[l->nchunks++] = c;
    for (size_t i = POOL_CHUNK; i-- > 0;) {
        c[i].next = l->free_list;
        l->free_list = &c[i];
    }
    return 0;
}

static struct io_req *pool_get(struct lpar *l)
{
    if (!l->free_list && pool_grow(l) != 0)
        return NULL;
    struct io_req *r = l->free_list;
    l->free_list = r->next;
    memset(r, 0, sizeof *r);
    r->in_use = 1;
    return r;
}

static void pool_put(struct lpar *l, struct io_req *r)
{
    r->in_use = 0;
    r->next = l->free_list;
    l->free_list = r;
}

static void outstanding_change(struct lpar *l, int delta)
{
    sim_time_t now = kernel_now(l->env->k);
    l->outstanding += (uint64_t)(int64_t)delta;
    time_avg_set(&l->outstanding_avg, now, (double)l->outstanding);
    time_avg_set(&l->outstanding_batch, now, (double)l->outstanding);
}

static void send(struct lpar_device *d, struct io_req *r)
{
    if (d->to_dev.latency)
        link_send(&d->to_dev, r);
    else
        d->dev.submit(d->dev.ctx, r); /* no hop in between: no event */
}

/* An I/O of an LPAR that is not running waits here, in order. */
static void hold(struct lpar *l, struct io_req *r)
{
    r->holder = &l->held_head;
    r->next = NULL;
    if (l->held_tail)
        l->held_tail->next = r;
    else
        l->held_head = r;
    l->held_tail = r;
    l->held++;
    if (r->traced)
        env_trace(l->env, l->path, "I/O %llu waits: the LPAR is %s", (unsigned long long)r->seq,
                  lpar_state_name(l->state));
}

static void release_held(struct lpar *l)
{
    while (l->held_head && l->state == LPAR_RUNNING) {
        struct io_req *r = l->held_head;
        l->held_head = r->next;
        if (!l->held_head)
            l->held_tail = NULL;
        r->next = NULL;
        send(&l->devs[r->device], r);
    }
}

static int lpar_issue(void *ctx, const struct io_spec *spec)
{
    struct lpar_device *d = ctx;
    struct lpar *l = d->l;
    struct io_req *r = l->outstanding < l->max_outstanding ? pool_get(l) : NULL;
    l->issued++;
    if (!r) {
        l->failed++;
        return -1;
    }
    r->seq = l->issued;
    r->tag = spec->tag;
    r->bytes = spec->bytes;
    r->op = spec->op;
    r->offset = spec->offset;
    r->notify = spec->notify;
    r->t_submit = kernel_now(l->env->k);
    r->done = &l->done;
    r->holder = &d->to_dev;
    r->traced = l->traced_lpar && r->seq == l->env->trace_seq;
    if (r->traced)
        env_trace(l->env, l->path, "I/O %llu issued: %s, %u B", (unsigned long long)r->seq,
                  io_op_name(r->op), r->bytes);
    r->device = (uint8_t)(d - l->devs);
    outstanding_change(l, +1);
    if (l->state != LPAR_RUNNING) {
        hold(l, r);
        return 0;
    }
    send(d, r);
    return 0;
}

static void lpar_complete(void *ctx, struct io_req *r)
{
    struct lpar *l = ctx;
    enum io_status st = (enum io_status)r->status;
    if (st == IO_OK) {
        l->completed++;
        statistic_add(l->st_latency, sim_time_to_ns(kernel_now(l->env->k) - r->t_submit));
    } else {
        l->failed++;
    }
    uint64_t tag = r->tag;
    const struct io_notify_port *notify = r->notify;
    if (r->traced)
        env_trace(l->env, l->path, "I/O %llu complete (%s): latency %.1f ns",
                  (unsigned long long)r->seq, st == IO_OK ? "ok" : "error",
                  sim_time_to_ns(kernel_now(l->env->k) - r->t_submit));
    outstanding_change(l, -1);
    pool_put(l, r);
    if (notify && notify->completed)
        notify->completed(notify->ctx, tag, st);
}

static void deliver_to_device(void *dst, void *msg)
{
    const struct io_sink *dev = dst;
    dev->submit(dev->ctx, msg);
}

static void on_warmup_end(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    l->completed_at_warmup = l->completed;
    l->window_start = now;
    time_avg_init(&l->outstanding_avg, now, (double)l->outstanding);
    time_avg_init(&l->outstanding_batch, now, (double)l->outstanding);
}

static void on_batch_end(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    statistic_add(l->st_outstanding_batch, time_avg_take(&l->outstanding_batch, now));
}

static void on_sample(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    double interval = sim_time_to_s(l->env->sample_interval);
    series_append(l->se_iops, now, (double)(l->completed - l->completed_at_sample) / interval);
    series_append(l->se_outstanding, now, (double)l->outstanding);
    l->completed_at_sample = l->completed;
}

/* Walks the pool: an outstanding request that no component holds was
 * dropped somewhere, i.e. lost. */
static uint64_t count_lost(const struct lpar *l, uint64_t *in_flight)
{
    uint64_t lost = 0;
    *in_flight = 0;
    for (size_t c = 0; c < l->nchunks; c++)
        for (size_t i = 0; i < POOL_CHUNK; i++) {
            const struct io_req *r = &l->chunks[c][i];
            if (!r->in_use)
                continue;
            if (r->holder)
                (*in_flight)++;
            else
                lost++;
        }
    return lost;
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    struct recorder *rec = l->env->rec;
    uint64_t in_flight;
    uint64_t lost = count_lost(l, &in_flight);
    double window = sim_time_to_s(now - l->window_start);

    recorder_scalar(rec, l->path, "ios_issued", "", (double)l->issued);
    recorder_scalar(rec, l->path, "ios_completed", "", (double)l->completed);
    recorder_scalar(rec, l->path, "ios_failed", "", (double)l->failed);
    recorder_scalar(rec, l->path, "ios_retried", "", (double)l->retried);
    recorder_scalar(rec, l->path, "ios_in_flight", "", (double)in_flight);
    recorder_scalar(rec, l->path, "ios_lost", "", (double)lost);
    recorder_scalar(rec, l->path, "throughput", "1/s",
                    window > 0 ? (double)(l->completed - l->completed_at_warmup) / window : 0);
    recorder_scalar(rec, l->path, "mean_outstanding", "",
                    time_avg_take(&l->outstanding_avg, now));
    recorder_scalar(rec, l->path, "ios_held", "", (double)l->held);
    if (lost > 0)
        recorder_event(rec, now, l->path, "ios_lost", "%llu I/Os lost",
                       (unsigned long long)lost);
    if (l->issued != l->completed + l->failed + in_flight + lost)
        env_fail(l->env, "%s: I/O accounting broken: issued %llu != completed %llu"
                 " + failed %llu + in flight %llu + lost %llu", l->path,
                 (unsigned long long)l->issued, (unsigned long long)l->completed,
                 (unsigned long long)l->failed, (unsigned long long)in_flight,
                 (unsigned long long)lost);
}

struct lpar *lpar_create(struct env *e, const char *name, const struct cfg_node *cfg,
                         const struct lpar_dev *devs, size_t ndevs)
{
    struct lpar *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->env = e;
    snprintf(l->path, sizeof l->path, "lpar.%s", name);
    l->max_outstanding = cfg_param(cfg, lpar_params, "max_outstanding").u;
    l->done = (struct io_done){ lpar_complete, l };
    l->traced_lpar = e->trace_out && e->trace_lpar && strcmp(e->trace_lpar, name) == 0;
    l->state = LPAR_NOT_ACTIVATED;
    l->activate_at = cfg_param(cfg, lpar_params, "activate_at").u;
    l->boot = cfg_param(cfg, lpar_params, "boot").u;
    if (pool_grow(l) != 0) {
        lpar_destroy(l);
        return NULL;
    }
    l->devs = calloc(ndevs ? ndevs : 1, sizeof *l->devs);
    if (!l->devs) {
        lpar_destroy(l);
        return NULL;
    }
    l->ndevs = ndevs;
    for (size_t i = 0; i < ndevs; i++) {
        struct lpar_device *d = &l->devs[i];
        d->l = l;
        d->dev = devs[i].sink;
        link_init(&d->to_dev, e->k, devs[i].latency, deliver_to_device, &d->dev);
    }

    l->st_latency = recorder_statistic(e->rec, l->path, "io_latency", "ns");
    l->st_outstanding_batch = recorder_statistic(e->rec, l->path, "outstanding_per_batch", "");
    l->se_iops = recorder_series(e->rec, l->path, "iops", "1/s");
    l->se_outstanding = recorder_series(e->rec, l->path, "outstanding", "");
    on_warmup_end(l, 0);
    env_on_warmup_end(e, on_warmup_end, l);
    env_on_batch_end(e, on_batch_end, l);
    env_on_sample(e, on_sample, l);
    env_on_finish(e, on_finish, l);
    return l;
}

void lpar_destroy(struct lpar *l)
{
    if (!l)
        return;
    for (size_t c = 0; c < l->nchunks; c++)
        free(l->chunks[c]);
    free(l->chunks);
    free(l->devs);
    free(l);
}

struct io_issue_port lpar_issue_port(struct lpar *l, size_t dev)
{
    return dev < l->ndevs ? (struct io_issue_port){ lpar_issue, &l->devs[dev] }
                          : (struct io_issue_port){ 0 };
}

/* ---- lifecycle ------------------------------------------------------------ */

int lpar_lifecycle(struct lpar *l, enum lpar_event ev)
{
    int next = lpar_state_next(l->state, ev);
    if (next < 0)
        return -1;
    l->state = (enum lpar_state)next;
    recorder_event(l->env->rec, kernel_now(l->env->k), l->path, "lpar_state", "%s -> %s",
                   lpar_event_name(ev), lpar_state_name(l->state));
    release_held(l);
    return 0;
}

enum lpar_state lpar_current_state(const struct lpar *l)
{
    return l->state;
}

static void on_booted(void *ctx, uint64_t arg)
{
    (void)arg;
    lpar_lifecycle(ctx, LPAR_BOOTED);
}

static void on_activate(void *ctx, uint64_t arg)
{
    (void)arg;
    struct lpar *l = ctx;
    lpar_lifecycle(l, LPAR_ACTIVATE);
    if (l->boot)
        kernel_schedule_in(l->env->k, l->boot, on_booted, l, 0);
    else
        lpar_lifecycle(l, LPAR_BOOTED);
}

void lpar_start(struct lpar *l)
{
    if (!l->activate_at && !l->boot)
        l->state = LPAR_RUNNING; /* up when the run starts: nothing to record */
    else if (l->activate_at)
        kernel_schedule_at(l->env->k, l->activate_at, on_activate, l, 0);
    else
        on_activate(l, 0);
}

