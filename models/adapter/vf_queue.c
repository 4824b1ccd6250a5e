/* models/adapter/vf_queue.c — a VF's request queue and device service.
 *
 * Requests arrive through the submit link, wait in FIFO order for one of
 * `servers` service units (the parallelism of the device behind the VF:
 * flash channels, NIC engines), are served for a time drawn from the
 * service distribution, and go back through the completion link. With
 * Poisson arrivals this is exactly M/G/c, which is what makes it
 * checkable against closed forms (docs/validation.md).
 *
 * Statistics (docs/metrics.md): queue_wait, service_time (ns);
 * utilisation_per_batch for confidence intervals; scalars ios_served,
 * ios_rejected, utilisation, mean_queue_length; series queue_length. */
#include "models/adapter/vf_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/dist.h"
#include "sim/link.h"
#include "sim/rng.h"
#include "sim/timeavg.h"

struct vf_queue {
    struct env *env;
    char path[128];
    unsigned servers;
    uint64_t queue_entries;
    struct dist service;
    struct rng rng;
    struct link completion; /* device -> initiator */

    unsigned busy;
    uint64_t queued;
    struct io_req *head, *tail;

    /* measurement (reset at the end of warm-up) */
    struct time_avg busy_avg, busy_batch, queue_avg;
    uint64_t served, rejected;
    struct statistic *st_wait, *st_service, *st_util_batch;
    struct series *se_queue;
};

static void finish_service(void *ctx, uint64_t msg);

/* Back to the function's DMA engine (hardware path), or through the
 * completion link straight to the initiator (abstract path). */
static void send_back(struct vf_queue *q, struct io_req *r)
{
    if (r->served)
        r->served->complete(r->served->ctx, r);
    else
        link_send(&q->completion, r);
}

static void start_service(struct vf_queue *q, struct io_req *r)
{
    sim_time_t now = kernel_now(q->env->k);
    r->t_service = now;
    q->busy++;
    time_avg_set(&q->busy_avg, now, q->busy);
    time_avg_set(&q->busy_batch, now, q->busy);
    statistic_add(q->st_wait, sim_time_to_ns(now - r->t_arrived));
    kernel_schedule_in(q->env->k, dist_sample(&q->service, &q->rng),
                       finish_service, q, io_req_arg(r));
}

static struct io_req *queue_pop(struct vf_queue *q)
{
    struct io_req *r = q->head;
    q->head = r->next;
    if (!q->head)
        q->tail = NULL;
    r->next = NULL;
    q->queued--;
    time_avg_set(&q->queue_avg, kernel_now(q->env->k), (double)q->queued);
    return r;
}

static void queue_push(struct vf_queue *q, struct io_req *r)
{
    r->next = NULL;
    if (q->tail)
        q->tail->next = r;
    else
        q->head = r;
    q->tail = r;
    q->queued++;
    time_avg_set(&q->queue_avg, kernel_now(q->env->k), (double)q->queued);
}

static void vf_queue_submit(void *ctx, struct io_req *r)
{
    struct vf_queue *q = ctx;
    r->holder = q;
    r->t_arrived = kernel_now(q->env->k);
    if (q->busy < q->servers) {
        start_service(q, r);
    } else if (q->queued < q->queue_entries) {
        queue_push(q, r);
    } else {
        /* Queue full: the device refuses the command; the initiator sees
         * an error completion, never a silent drop. */
        q->rejected++;
        r->status = IO_ERROR;
        send_back(q, r);
    }
}

/* A service unit is done. The media did the work even for a command the
 * OS took back meanwhile (a reset, a switch): that one is just not sent
 * back. */
static void finish_service(void *ctx, uint64_t msg)
{
    struct vf_queue *q = ctx;
    struct io_req *r = io_req_from(msg);
    sim_time_t now = kernel_now(q->env->k);
    bool stale = io_req_stale(msg);

    q->busy--;
    time_avg_set(&q->busy_avg, now, q->busy);
    time_avg_set(&q->busy_batch, now, q->busy);
    if (!stale) {
        statistic_add(q->st_service, sim_time_to_ns(now - r->t_service));
        q->served++;
        r->status = IO_OK;
        send_back(q, r);
    }
    if (q->head)
        start_service(q, queue_pop(q));
}

void vf_queue_reset(struct vf_queue *q)
{
    while (q->head)
        queue_pop(q); /* aborted: the OS takes them back */
}

bool vf_queue_holds(const struct vf_queue *q, const struct io_req *r)
{
    return r->holder == q;
}

static void deliver_completion(void *dst, void *msg)
{
    (void)dst;
    struct io_req *r = msg;
    r->done->complete(r->done->ctx, r);
}

static void on_warmup_end(void *ctx, sim_time_t now)
{
    struct vf_queue *q = ctx;
    time_avg_init(&q->busy_avg, now, q->busy);
    time_avg_init(&q->busy_batch, now, q->busy);
    time_avg_init(&q->queue_avg, now, (double)q->queued);
    q->served = 0;
    q->rejected = 0;
}

static void on_batch_end(void *ctx, sim_time_t now)
{
    struct vf_queue *q = ctx;
    statistic_add(q->st_util_batch, time_avg_take(&q->busy_batch, now) / q->servers);
}

static void on_sample(void *ctx, sim_time_t now)
{
    struct vf_queue *q = ctx;
    series_append(q->se_queue, now, (double)q->queued);
}

static void on_finish(void *ctx, sim_time_t now)
{
    struct vf_queue *q = ctx;
    struct recorder *rec = q->env->rec;
    recorder_scalar(rec, q->path, "ios_served", "", (double)q->served);
    recorder_scalar(rec, q->path, "ios_rejected", "", (double)q->rejected);
    recorder_scalar(rec, q->path, "utilisation", "",
                    time_avg_take(&q->busy_avg, now) / q->servers);
    recorder_scalar(rec, q->path, "mean_queue_length", "",
                    time_avg_take(&q->queue_avg, now));
}

struct vf_queue *vf_queue_create(struct env *e, const char *path,
                                 const struct cfg_node *cfg)
{
    struct vf_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->env = e;
    snprintf(q->path, sizeof q->path, "%s", path);
    q->servers = (unsigned)cfg_u64(cfg, "servers");
    q->queue_entries = cfg_u64(cfg, "queue_entries");
    dist_from_cfg(&q->service, cfg_find(cfg, "service"));
    rng_seed(&q->rng, e->seed, path);
    link_init(&q->completion, e->k, cfg_u64(cfg, "completion_latency"),
              deliver_completion, q);

    q->st_wait = recorder_statistic(e->rec, path, "queue_wait", "ns");
    q->st_service = recorder_statistic(e->rec, path, "service_time", "ns");
    q->st_util_batch = recorder_statistic(e->rec, path, "utilisation_per_batch", "");
    q->se_queue = recorder_series(e->rec, path, "queue_length", "");
    on_warmup_end(q, 0);

    env_on_warmup_end(e, on_warmup_end, q);
    env_on_batch_end(e, on_batch_end, q);
    env_on_sample(e, on_sample, q);
    env_on_finish(e, on_finish, q);
    return q;
}

void vf_queue_destroy(struct vf_queue *q)
{
    free(q);
}

struct io_sink vf_queue_sink(struct vf_queue *q)
{
    return (struct io_sink){ vf_queue_submit, q };
}
