/* workloads/storage_io.c — the storage kind: block I/O on the LPAR's VF.
 *
 * Open loop: arrivals at `rate`, Poisson (exponential gaps) or constant
 * gaps, independent of completions: the M in M/M/1.
 * Closed loop: `depth` I/Os kept outstanding; each completion issues the
 * next after a think time (exponential with the given mean for
 * `arrivals: poisson`, else constant), so throughput X = N / (R + Z).
 * Per I/O: read or write by `read_fraction`; a size from the mix
 * (`block_sizes`, else `block_size`); an offset aligned to that size,
 * uniform over `device_size` (random) or following the previous I/O and
 * wrapping to 0 at the end of the device (sequential).
 *
 * Arrival times and read/write come from the workload's stream exactly as
 * in the first storage generator; sizes and offsets come from a second
 * stream (`<path>.layout`), so a scenario that uses neither mixes nor
 * offsets draws the same arrivals as before. */
#include <string.h>

#include "workloads/kinds.h"

struct storage {
    struct workload w;
    struct rng layout;     /* sizes and offsets */
    bool closed, poisson, sequential;
    struct arrivals open;  /* open loop */
    double think_ps;       /* closed loop */
    uint64_t depth;
    double read_fraction;
    struct size_mix sizes;
    uint64_t device_size;
    uint64_t cursor;       /* next sequential offset */
};

static int storage_check(const struct cfg_node *cfg, struct diag *err)
{
    struct size_mix m;
    if (size_mix_from_cfg(&m, cfg, "block_size", "block_sizes", 1, 1u << 30, err) != 0)
        return -1;
    uint64_t device = cfg_u64(cfg, "device_size"), largest = size_mix_largest(&m);
    if (device < largest) {
        char a[32], b[32];
        return diag_set(err, cfg_loc(cfg, "device_size"),
                        "'device_size' = %s is smaller than an I/O (%s)",
                        workload_show(PARAM_SIZE, device, a, sizeof a),
                        workload_show(PARAM_SIZE, largest, b, sizeof b));
    }
    return 0;
}

/* Offset of the next I/O of `bytes`, aligned to `bytes`. */
static uint64_t next_offset(struct storage *s, uint32_t bytes)
{
    uint64_t slots = s->device_size / bytes; /* >= 1: checked */
    if (!s->sequential)
        return rng_below(&s->layout, slots) * bytes;
    /* Round up to this I/O's alignment; wrap when it no longer fits. */
    uint64_t off = (s->cursor + bytes - 1) / bytes * bytes;
    if (off / bytes >= slots)
        off = 0;
    s->cursor = off + bytes;
    return off;
}

static void on_think_done(void *ctx, uint64_t arg);

static void issue_one(struct storage *s)
{
    enum io_op op = rng_uniform(&s->w.rng) < s->read_fraction ? IO_READ : IO_WRITE;
    uint32_t bytes = size_mix_draw(&s->sizes, &s->layout);
    if (workload_issue(&s->w, op, bytes, next_offset(s, bytes)) != 0 && s->closed) {
        /* Refused at submit (counted as failed): keep the closed loop's
         * population by trying again later; at least 1 us so a zero think
         * time cannot spin at one instant. */
        double retry = s->think_ps > 1e6 ? s->think_ps : 1e6;
        kernel_schedule_in(s->w.env->k, workload_gap(&s->w, s->poisson, retry), on_think_done,
                           s, 0);
    }
}

static void on_open_arrival(void *ctx, uint64_t arg)
{
    (void)arg;
    struct storage *s = ctx;
    issue_one(s);
    arrivals_next(&s->open);
}

static void on_think_done(void *ctx, uint64_t arg)
{
    (void)arg;
    issue_one(ctx);
}

static void storage_completed(struct workload *w, enum io_status st)
{
    /* A failed I/O frees its slot in the loop like a good one. A device
     * that is gone fails I/O at once: with no think time the loop would
     * spin at one instant, so it waits at least 1 us, as after a refusal. */
    struct storage *s = (struct storage *)w;
    if (!s->closed)
        return;
    double think = st != IO_OK && s->think_ps < 1e6 ? 1e6 : s->think_ps;
    if (think > 0)
        kernel_schedule_in(w->env->k, workload_gap(w, s->poisson, think), on_think_done, s, 0);
    else
        issue_one(s);
}

static int storage_init(struct workload *w, const struct cfg_node *cfg, struct diag *err)
{
    struct storage *s = (struct storage *)w;
    if (storage_check(cfg, err) != 0)
        return -1;
    char stream[sizeof w->path + 8];
    snprintf(stream, sizeof stream, "%s.layout", w->path);
    rng_seed(&s->layout, w->env->seed, stream);
    s->closed = strcmp(cfg_str(cfg, "mode"), "closed") == 0;
    s->poisson = strcmp(cfg_str(cfg, "arrivals"), "poisson") == 0;
    s->sequential = strcmp(cfg_str(cfg, "pattern"), "sequential") == 0;
    arrivals_init(&s->open, w, s->poisson, cfg_f64(cfg, "rate"), on_open_arrival, s, 0);
    s->think_ps = (double)cfg_u64(cfg, "think");
    s->depth = cfg_u64(cfg, "depth");
    s->read_fraction = cfg_f64(cfg, "read_fraction");
    s->device_size = cfg_u64(cfg, "device_size");
    return size_mix_from_cfg(&s->sizes, cfg, "block_size", "block_sizes", 1, 1u << 30, err);
}

static void storage_start(struct workload *w)
{
    struct storage *s = (struct storage *)w;
    if (s->closed) {
        for (uint64_t i = 0; i < s->depth; i++)
            kernel_schedule_at(w->env->k, w->start, on_think_done, s, 0);
    } else {
        arrivals_start(&s->open, w->start);
    }
}

/* `rate` (the open loop's) changes at run time. */
static void storage_set(struct workload *w, const char *key, const struct param_value *v)
{
    struct storage *s = (struct storage *)w;
    if (strcmp(key, "rate") == 0 && !s->closed)
        arrivals_set_rate(&s->open, v->d);
}

const struct workload_kind workload_storage_kind = {
    .name = "storage",
    .params = "device|mode|rate|arrivals|depth|think|block_size|block_sizes|read_fraction|pattern|"
              "device_size",
    .size = sizeof(struct storage),
    .does_io = true,
    .check = storage_check,
    .init = storage_init,
    .start = storage_start,
    .completed = storage_completed,
    .set = storage_set,
};
