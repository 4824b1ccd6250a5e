/* workloads/storage.c — storage I/O generator.
 *
 * Open loop: arrivals at `rate`, Poisson (exponential gaps) or constant
 * gaps, independent of completions: this is the M in M/M/1.
 * Closed loop: `depth` I/Os kept outstanding; each completion issues the
 * next after a think time (exponential with the given mean for
 * `arrivals: poisson`, else constant), so throughput X = N / (R + Z).
 * Block size and read/write mix are drawn per I/O. */
#include "workloads/storage.h"

#include <stdlib.h>
#include <string.h>

#include "sim/rng.h"

static const struct param_desc storage_workload_params[] = {
    { "kind", PARAM_ENUM, "", "storage", "workload type", .choices = "storage" },
    { "mode", PARAM_ENUM, "", "open",
      "open: arrivals at a rate; closed: a fixed number outstanding",
      .choices = "open|closed" },
    { "rate", PARAM_RATE, "1/s", "10k/s", "open loop: mean arrival rate",
      .min = "0/s", .max = "1000M/s" },
    { "arrivals", PARAM_ENUM, "", "poisson",
      "gaps between arrivals (and think times): exponential or constant",
      .choices = "poisson|constant" },
    { "depth", PARAM_U64, "", "1", "closed loop: I/Os kept outstanding",
      .min = "1", .max = "1048576" },
    { "think", PARAM_TIME, "ns", "0ns", "closed loop: mean think time" },
    { "block_size", PARAM_SIZE, "B", "4KiB", "bytes per I/O", .min = "1B", .max = "1GiB" },
    { "read_fraction", PARAM_F64, "", "1", "fraction of I/Os that are reads",
      .min = "0", .max = "1" },
    { "start", PARAM_TIME, "ns", "0ns", "time of the first I/O" },
    { 0 }
};

const struct schema storage_workload_schema = {
    .name = "storage_workload",
    .doc = "storage I/O: open-loop rate or closed-loop queue depth",
    .params = storage_workload_params,
};

struct storage_workload {
    struct env *env;
    struct io_notify_port notify;
    struct io_issue_port lpar;
    struct rng rng;
    bool closed, poisson;
    double mean_gap_ps;   /* open loop */
    double think_ps;      /* closed loop */
    uint64_t depth;
    uint32_t block_size;
    double read_fraction;
    sim_time_t start;
    uint64_t next_tag;
};

static sim_time_t draw_gap(struct storage_workload *w, double mean_ps)
{
    double gap = w->poisson ? rng_exponential(&w->rng, mean_ps) : mean_ps;
    return (sim_time_t)(gap + 0.5);
}

static void on_think_done(void *ctx, uint64_t arg);

static void issue_one(struct storage_workload *w)
{
    struct io_spec spec = {
        .bytes = w->block_size,
        .op = rng_uniform(&w->rng) < w->read_fraction ? IO_READ : IO_WRITE,
        .tag = ++w->next_tag,
        .notify = &w->notify,
    };
    if (w->lpar.issue(w->lpar.ctx, &spec) != 0 && w->closed) {
        /* Refused at submit (counted as failed by the LPAR): keep the
         * closed loop's population by trying again later; at least 1 us
         * so a zero think time cannot spin at one instant. */
        double retry = w->think_ps > 1e6 ? w->think_ps : 1e6;
        kernel_schedule_in(w->env->k, draw_gap(w, retry), on_think_done, w, 0);
    }
}

static void on_open_arrival(void *ctx, uint64_t arg)
{
    (void)arg;
    struct storage_workload *w = ctx;
    issue_one(w);
    kernel_schedule_in(w->env->k, draw_gap(w, w->mean_gap_ps), on_open_arrival, w, 0);
}

static void on_think_done(void *ctx, uint64_t arg)
{
    (void)arg;
    issue_one(ctx);
}

static void on_completed(void *ctx, uint64_t tag, enum io_status st)
{
    (void)tag;
    (void)st;
    struct storage_workload *w = ctx;
    if (!w->closed)
        return;
    if (w->think_ps > 0)
        kernel_schedule_in(w->env->k, draw_gap(w, w->think_ps), on_think_done, w, 0);
    else
        issue_one(w);
}

struct storage_workload *storage_workload_create(struct env *e, const char *path,
                                                 const struct cfg_node *cfg,
                                                 struct io_issue_port lpar)
{
    struct storage_workload *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->env = e;
    w->lpar = lpar;
    w->notify = (struct io_notify_port){ on_completed, w };
    rng_seed(&w->rng, e->seed, path);
    w->closed = strcmp(cfg_str(cfg, "mode"), "closed") == 0;
    w->poisson = strcmp(cfg_str(cfg, "arrivals"), "poisson") == 0;
    double rate = cfg_f64(cfg, "rate");
    w->mean_gap_ps = rate > 0 ? 1e12 / rate : 0;
    w->think_ps = cfg_f64(cfg, "think");
    w->depth = cfg_u64(cfg, "depth");
    w->block_size = (uint32_t)cfg_u64(cfg, "block_size");
    w->read_fraction = cfg_f64(cfg, "read_fraction");
    w->start = cfg_u64(cfg, "start");
    return w;
}

struct io_notify_port storage_workload_notify_port(struct storage_workload *w)
{
    return (struct io_notify_port){ on_completed, w };
}

void storage_workload_start(struct storage_workload *w)
{
    if (w->closed) {
        for (uint64_t i = 0; i < w->depth; i++)
            kernel_schedule_at(w->env->k, w->start, on_think_done, w, 0);
    } else if (w->mean_gap_ps > 0) {
        kernel_schedule_at(w->env->k, w->start + draw_gap(w, w->mean_gap_ps),
                           on_open_arrival, w, 0);
    }
}

void storage_workload_destroy(struct storage_workload *w)
{
    free(w);
}
