/* models/hypervisor/lpar_io.c — an LPAR's I/O accounting.
 *
 * Every request comes from the LPAR's pool (grown by doubling, never per
 * I/O) and stays accounted for until its completion is seen: at the end
 * of the run each one is completed, failed, in flight (a component
 * assigned to the LPAR holds it) or lost. Lost means dropped (nobody
 * holds it), held by a component no longer assigned to the LPAR (a VF
 * taken away, rings no VF reads), or outstanding longer than
 * debug.stuck_after since it was issued or last retried, unless its
 * device waits on EEH (a freeze the guest has not noticed yet, or a
 * recovery running: eeh_core_waiting). The invariant
 * issued = completed + failed + in flight + lost is checked, and any
 * loss fails the run's checks (status check_failed), naming the protocol
 * step a scenario removed with debug.skip_step if it did.
 *
 * Metrics (docs/metrics.md): statistic io_latency (ns, submit ->
 * completion seen by the LPAR), outstanding_per_batch; scalars
 * ios_issued, ios_completed, ios_failed, ios_retried, ios_lost,
 * ios_in_flight, ios_held, throughput (1/s), mean_outstanding; series
 * iops, outstanding, and on request io_latency_p99 (the p99 of the I/Os
 * completed in each sample interval, from a histogram cleared at every
 * sample: no allocation per I/O). */
#include "models/hypervisor/lpar_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/guest/eeh_core.h"
#include "models/hypervisor/vf_assign.h"

#define POOL_CHUNK 1024

static int pool_grow(struct lpar_io *io)
{
    struct io_req **chunks = realloc(io->chunks, (io->nchunks + 1) * sizeof *chunks);
    if (!chunks)
        return -1;
    io->chunks = chunks;
    struct io_req *c = calloc(POOL_CHUNK, sizeof *c);
    if (!c)
        return -1;
    io->chunks[io->nchunks++] = c;
    for (size_t i = POOL_CHUNK; i-- > 0;) {
        c[i].next = io->free_list;
        io->free_list = &c[i];
    }
    return 0;
}

static struct io_req *pool_get(struct lpar_io *io)
{
    if (!io->free_list && pool_grow(io) != 0)
        return NULL;
    struct io_req *r = io->free_list;
    io->free_list = r->next;
    uint16_t epoch = r->epoch; /* stays: a stale event may still name this slot */
    memset(r, 0, sizeof *r);
    r->epoch = epoch + 1;
    r->in_use = 1;
    return r;
}

static void pool_put(struct lpar_io *io, struct io_req *r)
{
    r->in_use = 0;
    r->next = io->free_list;
    io->free_list = r;
}

static void outstanding_change(struct lpar *l, int delta)
{
    sim_time_t now = kernel_now(l->env->k);
    l->io.outstanding += (uint64_t)(int64_t)delta;
    time_avg_set(&l->io.outstanding_avg, now, (double)l->io.outstanding);
    time_avg_set(&l->io.outstanding_batch, now, (double)l->io.outstanding);
}

static void send(struct lpar_port *p, struct io_req *r)
{
    if (p->to_dev.latency)
        link_send(&p->to_dev, r);
    else
        p->dev->sink.submit(p->dev->sink.ctx, r); /* no hop in between: no event */
}

/* An I/O of an LPAR that is not running waits here, in order. */
static void hold(struct lpar *l, struct io_req *r)
{
    struct lpar_io *io = &l->io;
    r->holder = &io->held_head;
    r->next = NULL;
    if (io->held_tail)
        io->held_tail->next = r;
    else
        io->held_head = r;
    io->held_tail = r;
    io->held++;
    io->held_now++;
    if (r->traced)
        env_trace(l->env, l->path, "I/O %llu waits: the LPAR is %s", (unsigned long long)r->seq,
                  lpar_state_name(l->state));
}

void lpar_io_release_held(struct lpar *l)
{
    struct lpar_io *io = &l->io;
    while (io->held_head && !l->gate_closed) {
        struct io_req *r = io->held_head;
        io->held_head = r->next;
        io->held_now--;
        if (!io->held_head)
            io->held_tail = NULL;
        r->next = NULL;
        send(&io->ports[r->device], r);
    }
}

static int lpar_issue(void *ctx, const struct io_spec *spec)
{
    struct lpar_port *p = ctx;
    struct lpar *l = p->l;
    struct lpar_io *io = &l->io;
    struct io_req *r = io->outstanding < io->max_outstanding ? pool_get(io) : NULL;
    io->issued++;
    if (!r) {
        io->failed++;
        return -1;
    }
    r->seq = io->issued;
    r->tag = spec->tag;
    r->bytes = spec->bytes;
    r->op = spec->op;
    r->offset = spec->offset;
    r->notify = spec->notify;
    r->t_submit = kernel_now(l->env->k);
    r->done = &io->done;
    r->holder = &p->to_dev;
    r->traced = io->traced_lpar && r->seq == l->env->trace_seq;
    if (r->traced)
        env_trace(l->env, l->path, "I/O %llu issued: %s, %u B", (unsigned long long)r->seq,
                  io_op_name(r->op), r->bytes);
    r->device = (uint8_t)p->dev->index;
    outstanding_change(l, +1);
    if (l->gate_closed) {
        hold(l, r);
        return 0;
    }
    send(p, r);
    return 0;
}

static void lpar_complete(void *ctx, struct io_req *r)
{
    struct lpar *l = ctx;
    struct lpar_io *io = &l->io;
    if (!r->in_use) { /* a model bug: say so rather than corrupt the pool */
        env_fail(l->env, "%s: I/O %llu completed twice", l->path, (unsigned long long)r->seq);
        return;
    }
    enum io_status st = (enum io_status)r->status;
    if (st == IO_OK) {
        io->completed++;
        double ns = sim_time_to_ns(kernel_now(l->env->k) - r->t_submit);
        statistic_add(io->st_latency, ns);
        if (io->se_p99) {
            histogram_add(&io->interval, ns);
            io->interval_min = ns < io->interval_min ? ns : io->interval_min;
            io->interval_max = ns > io->interval_max ? ns : io->interval_max;
        }
    } else {
        io->failed++;
    }
    uint64_t tag = r->tag;
    const struct io_notify_port *notify = r->notify;
    if (r->traced)
        env_trace(l->env, l->path, "I/O %llu complete (%s): latency %.1f ns",
                  (unsigned long long)r->seq, st == IO_OK ? "ok" : "error",
                  sim_time_to_ns(kernel_now(l->env->k) - r->t_submit));
    outstanding_change(l, -1);
    if (io->watch) /* a migration in progress: one branch otherwise */
        io->watch(io->watch_ctx, r, kernel_now(l->env->k));
    struct lpar_device *d = &l->devs[r->device];
    d->t_last_done = kernel_now(l->env->k);
    d->failed += st != IO_OK;
    if (d->on_done && st == IO_OK)
        d->on_done(d->on_done_ctx, d->t_last_done);
    pool_put(io, r);
    if (notify && notify->completed)
        notify->completed(notify->ctx, tag, st);
}

static void lpar_retried(void *ctx, struct io_req *r)
{
    lpar_count_retry(ctx, r);
}

static void deliver_to_device(void *dst, void *msg)
{
    const struct lpar_device *d = dst;
    d->sink.submit(d->sink.ctx, msg);
}

void lpar_each_request(struct lpar *l, void (*fn)(void *ctx, struct io_req *r), void *ctx)
{
    for (size_t c = 0; c < l->io.nchunks; c++)
        for (size_t i = 0; i < POOL_CHUNK; i++)
            if (l->io.chunks[c][i].in_use)
                fn(ctx, &l->io.chunks[c][i]);
}

void lpar_io_pause(struct lpar *l, bool paused)
{
    l->io.paused = paused;
    lpar_update_gate(l);
}

uint64_t lpar_io_at_devices(const struct lpar *l)
{
    return l->io.outstanding - l->io.held_now;
}

void lpar_set_io_watch(struct lpar *l, void (*fn)(void *ctx, const struct io_req *r,
                                                  sim_time_t now), void *ctx)
{
    l->io.watch = fn;
    l->io.watch_ctx = ctx;
}

void lpar_count_retry(struct lpar *l, struct io_req *r)
{
    l->io.retried++;
    r->t_retry = kernel_now(l->env->k);
}

/* ---- run phases ----------------------------------------------------------- */

static void on_warmup_end(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    struct lpar_io *io = &l->io;
    io->completed_at_warmup = io->completed;
    io->window_start = now;
    time_avg_init(&io->outstanding_avg, now, (double)io->outstanding);
    time_avg_init(&io->outstanding_batch, now, (double)io->outstanding);
}

static void on_batch_end(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    statistic_add(l->io.st_outstanding_batch, time_avg_take(&l->io.outstanding_batch, now));
}

static void on_sample(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    struct lpar_io *io = &l->io;
    double interval = sim_time_to_s(l->env->sample_interval);
    series_append(io->se_iops, now, (double)(io->completed - io->completed_at_sample) / interval);
    series_append(io->se_outstanding, now, (double)io->outstanding);
    io->completed_at_sample = io->completed;
    if (io->interval.total) /* an interval without completions has no p99 */
        series_append(io->se_p99, now,
                      histogram_quantile(&io->interval, 0.99, io->interval_min, io->interval_max));
    histogram_clear(&io->interval);
    io->interval_min = HUGE_VAL;
    io->interval_max = 0;
}

/* Whether something still assigned to the LPAR holds r: the LPAR itself
 * (held, or on its way to the device), its device's driver, the rings of
 * a queue the VF reads, or the VF assigned now. */
static bool reachable(const struct lpar *l, const struct io_req *r)
{
    if (!r->holder)
        return false;
    if (r->holder == &l->io.held_head || r->holder == &l->io.ports[r->device].to_dev)
        return true;
    const struct lpar_device *d = &l->devs[r->device];
    if (!d->driver)
        return true; /* abstract path: the media queue answers by itself */
    if (d->alt_holder && r->holder == d->alt_holder)
        return true; /* the virtual device standing in for the VF */
    int ring = vf_driver_ring_of(d->driver, r);
    if (ring >= 0)
        return d->vf && vf_binding_queue_attached(d->vf, (uint32_t)ring);
    if (vf_driver_holds(d->driver, r))
        return true;
    return d->vf && vf_binding_holds(d->vf, r);
}

struct census {
    const struct lpar *l;
    sim_time_t now;
    uint64_t in_flight, lost, stranded, stuck;
};

static void count_one(void *ctx, struct io_req *r)
{
    struct census *c = ctx;
    sim_time_t since = r->t_retry > r->t_submit ? r->t_retry : r->t_submit;
    sim_time_t limit = c->l->env->stuck_after;
    if (!reachable(c->l, r)) {
        c->lost++;
        c->stranded += r->holder != NULL;
    } else if (limit && c->now - since > limit && !eeh_core_waiting(c->l->devs[r->device].eeh)) {
        c->lost++;
        c->stuck++;
    } else {
        c->in_flight++;
    }
}

static void report_loss(struct lpar *l, const struct census *c, sim_time_t now)
{
    struct env *e = l->env;
    recorder_event(e->rec, now, l->path, "ios_lost",
                   "%llu I/Os lost (%llu dropped, %llu held by a component no longer assigned, "
                   "%llu stuck longer than debug.stuck_after)", (unsigned long long)c->lost,
                   (unsigned long long)(c->lost - c->stranded - c->stuck),
                   (unsigned long long)c->stranded, (unsigned long long)c->stuck);
    if (e->skip_step && e->skip_step[0])
        env_fail(e, "%s: ios_lost = %llu: debug.skip_step '%s' removed that protocol step%s",
                 l->path, (unsigned long long)c->lost, e->skip_step,
                 e->step_skipped ? "" : " (though it was never reached)");
    else
        env_fail(e, "%s: ios_lost = %llu (%llu dropped, %llu stranded, %llu stuck)", l->path,
                 (unsigned long long)c->lost,
                 (unsigned long long)(c->lost - c->stranded - c->stuck),
                 (unsigned long long)c->stranded, (unsigned long long)c->stuck);
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct lpar *l = ctx;
    struct lpar_io *io = &l->io;
    struct recorder *rec = l->env->rec;
    struct census c = { l, now, 0, 0, 0, 0 };
    lpar_each_request(l, count_one, &c);
    double window = sim_time_to_s(now - io->window_start);

    recorder_scalar(rec, l->path, "ios_issued", "", (double)io->issued);
    recorder_scalar(rec, l->path, "ios_completed", "", (double)io->completed);
    recorder_scalar(rec, l->path, "ios_failed", "", (double)io->failed);
    recorder_scalar(rec, l->path, "ios_retried", "", (double)io->retried);
    recorder_scalar(rec, l->path, "ios_in_flight", "", (double)c.in_flight);
    recorder_scalar(rec, l->path, "ios_lost", "", (double)c.lost);
    recorder_scalar(rec, l->path, "throughput", "1/s",
                    window > 0 ? (double)(io->completed - io->completed_at_warmup) / window : 0);
    recorder_scalar(rec, l->path, "mean_outstanding", "",
                    time_avg_take(&io->outstanding_avg, now));
    recorder_scalar(rec, l->path, "ios_held", "", (double)io->held);
    if (c.lost > 0)
        report_loss(l, &c, now);
    if (io->issued != io->completed + io->failed + c.in_flight + c.lost)
        env_fail(l->env, "%s: I/O accounting broken: issued %llu != completed %llu"
                 " + failed %llu + in flight %llu + lost %llu", l->path,
                 (unsigned long long)io->issued, (unsigned long long)io->completed,
                 (unsigned long long)io->failed, (unsigned long long)c.in_flight,
                 (unsigned long long)c.lost);
}

/* ---- construction --------------------------------------------------------- */

int lpar_io_init(struct lpar *l)
{
    struct env *e = l->env;
    struct lpar_io *io = &l->io;
    io->max_outstanding = cfg_param(l->cfg, lpar_params, "max_outstanding").u;
    io->done = (struct io_done){ lpar_complete, l, lpar_retried };
    io->traced_lpar = e->trace_out && e->trace_lpar && strcmp(e->trace_lpar, l->name) == 0;
    io->ports = calloc(l->ndevs ? l->ndevs : 1, sizeof *io->ports);
    if (!io->ports || pool_grow(io) != 0)
        return -1;
    for (size_t i = 0; i < l->ndevs; i++) {
        struct lpar_port *p = &io->ports[i];
        p->l = l;
        p->dev = &l->devs[i];
        link_init(&p->to_dev, e->k, l->devs[i].latency, deliver_to_device, &l->devs[i]);
    }
    io->st_latency = recorder_statistic(e->rec, l->path, "io_latency", "ns");
    io->st_outstanding_batch = recorder_statistic(e->rec, l->path, "outstanding_per_batch", "");
    io->se_iops = recorder_series(e->rec, l->path, "iops", "1/s");
    io->se_outstanding = recorder_series(e->rec, l->path, "outstanding", "");
    io->interval_min = HUGE_VAL;
    on_warmup_end(l, 0);
    env_on_warmup_end(e, on_warmup_end, l);
    env_on_batch_end(e, on_batch_end, l);
    env_on_sample(e, on_sample, l);
    env_on_finish(e, on_finish, l);
    return 0;
}

void lpar_record_p99(struct lpar *l)
{
    if (l->env->sample_interval && !l->io.se_p99)
        l->io.se_p99 = recorder_series(l->env->rec, l->path, "io_latency_p99", "ns");
}

void lpar_io_fini(struct lpar *l)
{
    histogram_release(&l->io.interval);
    for (size_t c = 0; c < l->io.nchunks; c++)
        free(l->io.chunks[c]);
    free(l->io.chunks);
    free(l->io.ports);
}

struct io_issue_port lpar_issue_port(struct lpar *l, size_t dev)
{
    return dev < l->ndevs ? (struct io_issue_port){ lpar_issue, &l->io.ports[dev] }
                          : (struct io_issue_port){ 0 };
}
