/* sim/env.c — run phases: warm-up, batch boundaries, sampling, finish.
 * One kernel event per phase boundary or sample: nothing per I/O. */
#include "sim/env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void env_init(struct env *e, struct kernel *k, struct recorder *rec,
              uint64_t seed, sim_time_t warmup, sim_time_t duration,
              unsigned batches, sim_time_t sample_interval)
{
    memset(e, 0, sizeof *e);
    e->k = k;
    e->rec = rec;
    e->seed = seed;
    e->warmup = warmup < duration ? warmup : 0;
    e->duration = duration;
    e->batches = batches;
    e->sample_interval = sample_interval;
}

static void hooks_free(struct env_hooks *h)
{
    free(h->v);
    memset(h, 0, sizeof *h);
}

void env_release(struct env *e)
{
    for (size_t i = 0; i < e->ntickers; i++) {
        hooks_free(&e->tickers[i]->hooks);
        free(e->tickers[i]);
    }
    free(e->tickers);
    e->tickers = NULL;
    e->ntickers = 0;
    directory_destroy(e->dir);
    e->dir = NULL;
    free(e->setters.v);
    e->setters = (struct env_setters){ 0 };
    hooks_free(&e->on_warmup_end);
    hooks_free(&e->on_batch_end);
    hooks_free(&e->on_sample);
    hooks_free(&e->on_finish);
}

static void out_of_memory(void)
{
    fprintf(stderr, "lparsim: out of memory\n");
    abort();
}

static void hooks_add(struct env_hooks *h, env_hook_fn fn, void *ctx)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 8;
        struct env_hook *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            out_of_memory();
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = (struct env_hook){ fn, ctx };
}

static void hooks_call(const struct env_hooks *h, sim_time_t now)
{
    for (size_t i = 0; i < h->n; i++)
        h->v[i].fn(h->v[i].ctx, now);
}

void env_on_warmup_end(struct env *e, env_hook_fn fn, void *ctx) { hooks_add(&e->on_warmup_end, fn, ctx); }
void env_on_batch_end(struct env *e, env_hook_fn fn, void *ctx) { hooks_add(&e->on_batch_end, fn, ctx); }
void env_on_sample(struct env *e, env_hook_fn fn, void *ctx) { hooks_add(&e->on_sample, fn, ctx); }
void env_on_finish(struct env *e, env_hook_fn fn, void *ctx) { hooks_add(&e->on_finish, fn, ctx); }

void env_register(struct env *e, const char *path, const struct component_ops *ops, void *obj)
{
    if (!ops)
        return;
    if (!e->dir && !(e->dir = directory_create()))
        out_of_memory();
    if (directory_add(e->dir, path, ops, obj) != 0)
        out_of_memory();
}

void env_unregister(struct env *e, const char *path)
{
    if (e->dir)
        directory_remove(e->dir, path);
}

void *env_find(const struct env *e, const char *path, const char *kind)
{
    return e->dir ? directory_object(e->dir, path, kind) : NULL;
}

void env_on_set(struct env *e, const struct cfg_node *param, env_setter_fn fn, void *ctx)
{
    struct env_setters *s = &e->setters;
    if (!param)
        return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        struct env_setter *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            out_of_memory();
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (struct env_setter){ param, fn, ctx };
}

size_t env_set(struct env *e, const struct cfg_node *param, const struct param_value *v)
{
    size_t heard = 0;
    for (size_t i = 0; i < e->setters.n; i++)
        if (e->setters.v[i].param == param) {
            e->setters.v[i].fn(e->setters.v[i].ctx, param, v);
            heard++;
        }
    return heard;
}

static void on_tick(void *ctx, uint64_t arg)
{
    (void)arg;
    struct env_ticker *t = ctx;
    sim_time_t now = kernel_now(t->e->k);
    hooks_call(&t->hooks, now);
    if (now + t->period <= t->e->duration)
        kernel_schedule_at(t->e->k, now + t->period, on_tick, t, 0);
}

static void ticker_start(struct env_ticker *t)
{
    sim_time_t now = kernel_now(t->e->k);
    t->started = true;
    kernel_schedule_at(t->e->k, (now / t->period + 1) * t->period, on_tick, t, 0);
}

void env_every(struct env *e, sim_time_t period, env_hook_fn fn, void *ctx)
{
    struct env_ticker *t = NULL;
    for (size_t i = 0; i < e->ntickers && !t; i++)
        if (e->tickers[i]->period == period)
            t = e->tickers[i];
    if (!t) {
        /* each ticker is its own allocation: its scheduled event holds it */
        struct env_ticker **v = realloc(e->tickers, (e->ntickers + 1) * sizeof *v);
        if (!v || !(t = calloc(1, sizeof *t)))
            abort(); /* build time, like the hooks */
        e->tickers = v;
        e->tickers[e->ntickers++] = t;
        *t = (struct env_ticker){ .e = e, .period = period };
    }
    hooks_add(&t->hooks, fn, ctx);
    if (e->started && !t->started)
        ticker_start(t);
}

sim_time_t env_batch_len(const struct env *e)
{
    if (e->batches == 0)
        return e->duration - e->warmup;
    return (e->duration - e->warmup) / e->batches;
}

/* Batch b ends at warmup + (b+1) * len; the last batch ends at duration. */
static sim_time_t batch_end_time(const struct env *e, unsigned b)
{
    if (b + 1 >= e->batches)
        return e->duration;
    return e->warmup + (sim_time_t)(b + 1) * env_batch_len(e);
}

static void on_batch_boundary(void *ctx, uint64_t batch)
{
    struct env *e = ctx;
    sim_time_t now = kernel_now(e->k);
    hooks_call(&e->on_batch_end, now);
    unsigned next = (unsigned)batch + 1;
    if (next < e->batches) {
        recorder_set_batch(e->rec, (int)next);
        kernel_schedule_at(e->k, batch_end_time(e, next), on_batch_boundary, e, next);
    } else {
        recorder_set_batch(e->rec, -1);
    }
}

static void on_warmup_end(void *ctx, uint64_t arg)
{
    (void)arg;
    struct env *e = ctx;
    recorder_reset_statistics(e->rec);
    hooks_call(&e->on_warmup_end, kernel_now(e->k));
    if (e->batches > 0) {
        recorder_set_batch(e->rec, 0);
        kernel_schedule_at(e->k, batch_end_time(e, 0), on_batch_boundary, e, 0);
    }
}

static void on_sample(void *ctx, uint64_t arg)
{
    (void)arg;
    struct env *e = ctx;
    sim_time_t now = kernel_now(e->k);
    hooks_call(&e->on_sample, now);
    if (now + e->sample_interval <= e->duration)
        kernel_schedule_in(e->k, e->sample_interval, on_sample, e, 0);
}

void env_start(struct env *e)
{
    /* Scheduled before any workload event at the same time, so the
     * warm-up reset at t = warmup precedes the I/O of that instant. */
    kernel_schedule_at(e->k, e->warmup, on_warmup_end, e, 0);
    if (e->sample_interval > 0)
        kernel_schedule_at(e->k, e->sample_interval, on_sample, e, 0);
    e->started = true;
    for (size_t i = 0; i < e->ntickers; i++)
        if (!e->tickers[i]->started)
            ticker_start(e->tickers[i]);
}

void env_finish(struct env *e)
{
    hooks_call(&e->on_finish, kernel_now(e->k));
}

void env_fail(struct env *e, const char *fmt, ...)
{
    if (e->failure[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->failure, sizeof e->failure, fmt, ap);
    va_end(ap);
}

void env_trace(struct env *e, const char *component, const char *fmt, ...)
{
    if (!e->trace_out)
        return;
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    fprintf(e->trace_out, "%14.3f ns  %-28s %s\n", sim_time_to_ns(kernel_now(e->k)), component,
            text);
    e->trace_lines++;
}
