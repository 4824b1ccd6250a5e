/* sim/stats.c — the run's recorder: statistics (Welford moments,
 * log-bucketed histogram, batch means), sampled series, scalars and event
 * rows, all held in memory until the results writer stores them.
 *
 * Everything a handle points to is allocated when the handle is created
 * (machine build time) and never moves, so statistic_add and, amortised,
 * series_append are allocation-free. The recorder keeps arrays of
 * pointers, which may grow, never arrays of the structs handles point
 * into. Lookups by (component, name) go through a small hash index;
 * they happen at build time and at the end of the run, not per event.
 *
 * Allocation failure is fatal (abort): a simulator that silently drops
 * statistics produces wrong results, and there is nothing to recover. */
#include "sim/stats.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/histogram.h"

/* What statistic_add touches every time comes first and fills one cache
 * line (the struct is allocated 64-byte aligned): a large machine has
 * thousands of statistics, and an add that misses cache on three lines
 * instead of one is what made them the largest cost of a run. The current
 * batch's sum and count sit here too and go to `batches` when the batch
 * changes. */
struct statistic {
    uint64_t n;
    double mean, m2; /* Welford running mean and sum of squared deviations */
    double min, max;
    const int *batch; /* the recorder's current batch, -1 for none */
    double cur_sum;   /* of batch cur_batch, not yet in `batches` */
    uint64_t cur_count;
    int cur_batch;
    unsigned nbatches;
    struct batch_acc {
        double sum;
        uint64_t count;
    } *batches;
    char *component, *name, *unit;
    struct histogram hist;
};

struct series {
    char *component, *name, *unit;
    size_t n, cap;
    sim_time_t *t;
    double *v;
};

/* Open-addressing hash from (component, name) to an index in one of the
 * recorder's arrays. Keys point at strings owned by the indexed items. */
struct name_slot {
    const char *component, *name;
    size_t idx; /* index + 1; 0 = empty */
};
struct name_index {
    struct name_slot *slot;
    size_t cap, used;
};

struct recorder {
    unsigned nbatches;
    int batch;

    struct statistic **stats;
    size_t nstats, capstats;
    struct name_index stat_index;

    struct series **series;
    size_t nseries, capseries;
    struct name_index series_index;

    struct scalar_row *scalars; /* strings owned here */
    size_t nscalars, capscalars;
    struct name_index scalar_index;

    struct event_row *events; /* strings owned here */
    size_t nevents, capevents;
};

/* ---- allocation helpers ---- */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "lparsim: out of memory (recorder)\n");
        abort();
    }
    return q;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "lparsim: out of memory (recorder)\n");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

/* Makes room for one more element in a growable array (doubling). */
static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 16;
    return xrealloc(arr, *cap * elem);
}

/* ---- name index ---- */

static uint64_t name_hash(const char *component, const char *name)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = component; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull; /* separator: "a.b"+"c" != "a"+"b.c" */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

static struct name_slot *index_probe(const struct name_index *ix,
                                     const char *component, const char *name)
{
    size_t mask = ix->cap - 1;
    size_t i = (size_t)name_hash(component, name) & mask;
    for (;; i = (i + 1) & mask) {
        struct name_slot *s = &ix->slot[i];
        if (!s->idx || (strcmp(s->name, name) == 0 &&
                        strcmp(s->component, component) == 0))
            return s;
    }
}

/* Index of (component, name), or -1. */
static long index_find(const struct name_index *ix, const char *component,
                       const char *name)
{
    if (!ix->cap)
        return -1;
    const struct name_slot *s = index_probe(ix, component, name);
    return s->idx ? (long)(s->idx - 1) : -1;
}

static void index_put(struct name_index *ix, const char *component,
                      const char *name, size_t idx);

static void index_rehash(struct name_index *ix)
{
    struct name_index old = *ix;
    ix->cap = old.cap ? old.cap * 2 : 64;
    ix->used = 0;
    ix->slot = xcalloc(ix->cap, sizeof *ix->slot);
    for (size_t i = 0; i < old.cap; i++)
        if (old.slot[i].idx)
            index_put(ix, old.slot[i].component, old.slot[i].name,
                      old.slot[i].idx - 1);
    free(old.slot);
}

static void index_put(struct name_index *ix, const char *component,
                      const char *name, size_t idx)
{
    if ((ix->used + 1) * 2 > ix->cap) /* keep the load factor <= 1/2 */
        index_rehash(ix);
    struct name_slot *s = index_probe(ix, component, name);
    if (!s->idx)
        ix->used++;
    *s = (struct name_slot){ component, name, idx + 1 };
}

/* ---- recorder ---- */

struct recorder *recorder_create(unsigned batches)
{
    struct recorder *r = xcalloc(1, sizeof *r);
    r->nbatches = batches;
    r->batch = -1;
    return r;
}

static void statistic_free(struct statistic *s)
{
    free(s->component);
    free(s->name);
    free(s->unit);
    free(s->batches);
    histogram_release(&s->hist);
    free(s);
}

static void series_free(struct series *s)
{
    free(s->component);
    free(s->name);
    free(s->unit);
    free(s->t);
    free(s->v);
    free(s);
}

void recorder_destroy(struct recorder *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nstats; i++)
        statistic_free(r->stats[i]);
    for (size_t i = 0; i < r->nseries; i++)
        series_free(r->series[i]);
    for (size_t i = 0; i < r->nscalars; i++) {
        free((char *)r->scalars[i].component);
        free((char *)r->scalars[i].name);
        free((char *)r->scalars[i].unit);
    }
    for (size_t i = 0; i < r->nevents; i++) {
        free((char *)r->events[i].component);
        free((char *)r->events[i].kind);
        free((char *)r->events[i].detail);
    }
    free(r->stats);
    free(r->series);
    free(r->scalars);
    free(r->events);
    free(r->stat_index.slot);
    free(r->series_index.slot);
    free(r->scalar_index.slot);
    free(r);
}

static void statistic_clear(struct statistic *s)
{
    s->n = 0;
    s->mean = 0;
    s->m2 = 0;
    s->min = INFINITY;
    s->max = -INFINITY;
    s->cur_sum = 0;
    s->cur_count = 0;
    s->cur_batch = -1;
    if (s->nbatches) {
        memset(s->batches, 0, s->nbatches * sizeof *s->batches);
    }
    histogram_clear(&s->hist);
}

/* Moves the current batch's sum and count into `batches`. */
static void batch_flush(struct statistic *s)
{
    if (s->cur_batch >= 0 && s->cur_count) {
        s->batches[s->cur_batch].sum += s->cur_sum;
        s->batches[s->cur_batch].count += s->cur_count;
    }
    s->cur_sum = 0;
    s->cur_count = 0;
}

/* Batch b's sum and count, the part not yet flushed included. */
static struct batch_acc batch_at(const struct statistic *s, unsigned b)
{
    struct batch_acc a = s->batches[b];
    if ((int)b == s->cur_batch) {
        a.sum += s->cur_sum;
        a.count += s->cur_count;
    }
    return a;
}

struct statistic *recorder_statistic(struct recorder *r, const char *component,
                                     const char *name, const char *unit)
{
    assert(r && component && name);
    long found = index_find(&r->stat_index, component, name);
    if (found >= 0)
        return r->stats[found];
    struct statistic *s = aligned_alloc(64, (sizeof *s + 63) / 64 * 64);
    if (!s) {
        fputs("lparsim: out of memory (statistic)\n", stderr);
        abort();
    }
    memset(s, 0, sizeof *s);
    s->component = xstrdup(component);
    s->name = xstrdup(name);
    s->unit = xstrdup(unit);
    s->batch = &r->batch;
    s->nbatches = r->nbatches;
    if (r->nbatches) {
        s->batches = xcalloc(r->nbatches, sizeof *s->batches);
    }
    statistic_clear(s);
    r->stats = grow(r->stats, &r->capstats, r->nstats, sizeof *r->stats);
    r->stats[r->nstats] = s;
    index_put(&r->stat_index, s->component, s->name, r->nstats);
    r->nstats++;
    return s;
}

struct series *recorder_series(struct recorder *r, const char *component,
                               const char *name, const char *unit)
{
    assert(r && component && name);
    long found = index_find(&r->series_index, component, name);
    if (found >= 0)
        return r->series[found];
    struct series *s = xcalloc(1, sizeof *s);
    s->component = xstrdup(component);
    s->name = xstrdup(name);
    s->unit = xstrdup(unit);
    r->series = grow(r->series, &r->capseries, r->nseries, sizeof *r->series);
    r->series[r->nseries] = s;
    index_put(&r->series_index, s->component, s->name, r->nseries);
    r->nseries++;
    return s;
}

/* ---- recording ---- */

void statistic_add(struct statistic *s, double v)
{
    /* A NULL handle is a statistic the configuration did not ask for; a
     * NaN would poison every moment, so it is dropped. */
    if (!s || isnan(v))
        return;
    s->n++;
    double d = v - s->mean;
    s->mean += d / (double)s->n;
    s->m2 += d * (v - s->mean);
    if (v < s->min)
        s->min = v;
    if (v > s->max)
        s->max = v;
    int b = *s->batch;
    if (b != s->cur_batch) {
        batch_flush(s);
        s->cur_batch = b;
    }
    s->cur_sum += v;
    s->cur_count++;
    histogram_add(&s->hist, v);
}

void series_append(struct series *s, sim_time_t t, double v)
{
    if (!s)
        return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->t = xrealloc(s->t, s->cap * sizeof *s->t);
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->t[s->n] = t;
    s->v[s->n] = v;
    s->n++;
}

void recorder_scalar(struct recorder *r, const char *component,
                     const char *name, const char *unit, double v)
{
    if (!r)
        return;
    assert(component && name);
    long found = index_find(&r->scalar_index, component, name);
    if (found >= 0) {
        struct scalar_row *row = &r->scalars[found];
        row->value = v;
        free((char *)row->unit);
        row->unit = xstrdup(unit);
        return;
    }
    r->scalars = grow(r->scalars, &r->capscalars, r->nscalars,
                      sizeof *r->scalars);
    struct scalar_row *row = &r->scalars[r->nscalars];
    *row = (struct scalar_row){ xstrdup(component), xstrdup(name),
                                xstrdup(unit), v };
    /* The index keeps the string pointers, which survive the array's
     * reallocation. */
    index_put(&r->scalar_index, row->component, row->name, r->nscalars);
    r->nscalars++;
}

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return xstrdup("");
    char *s = xrealloc(NULL, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void recorder_event(struct recorder *r, sim_time_t t, const char *component,
                    const char *kind, const char *fmt, ...)
{
    if (!r)
        return;
    r->events = grow(r->events, &r->capevents, r->nevents, sizeof *r->events);
    struct event_row *e = &r->events[r->nevents++];
    e->t = t;
    e->component = xstrdup(component);
    e->kind = xstrdup(kind);
    va_list ap;
    va_start(ap, fmt);
    e->detail = vformat(fmt ? fmt : "", ap);
    va_end(ap);
}

void recorder_reset_statistics(struct recorder *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nstats; i++)
        statistic_clear(r->stats[i]);
}

void recorder_set_batch(struct recorder *r, int batch)
{
    if (!r)
        return;
    /* Out of range means "no batch" rather than a write past the arrays. */
    r->batch = (batch >= 0 && (unsigned)batch < r->nbatches) ? batch : -1;
}

/* ---- read side ---- */

uint64_t statistic_count(const struct statistic *s)
{
    return s->n;
}

double statistic_mean(const struct statistic *s)
{
    return s->n ? s->mean : NAN;
}

double statistic_stddev(const struct statistic *s)
{
    if (s->n < 2)
        return NAN; /* the sample stddev needs two samples */
    double var = s->m2 / (double)(s->n - 1);
    return sqrt(var > 0 ? var : 0);
}

double statistic_min(const struct statistic *s)
{
    return s->n ? s->min : NAN;
}

double statistic_max(const struct statistic *s)
{
    return s->n ? s->max : NAN;
}

double statistic_quantile(const struct statistic *s, double p)
{
    if (!s->n)
        return NAN;
    return histogram_quantile(&s->hist, p, s->min, s->max);
}

unsigned statistic_batch_ci(const struct statistic *s, double *mean,
                            double *half_width)
{
    unsigned k = 0;
    double m = 0, m2 = 0; /* Welford over the batch means */
    for (unsigned b = 0; b < s->nbatches; b++) {
        struct batch_acc a = batch_at(s, b);
        if (!a.count)
            continue;
        double x = a.sum / (double)a.count;
        k++;
        double d = x - m;
        m += d / k;
        m2 += d * (x - m);
    }
    if (mean)
        *mean = k ? m : NAN;
    if (half_width) {
        if (k < 2)
            *half_width = NAN;
        else
            *half_width = student_t975(k - 1) * sqrt(m2 / (k - 1)) / sqrt(k);
    }
    return k;
}

size_t recorder_statistic_count(const struct recorder *r)
{
    return r->nstats;
}

const struct statistic *recorder_statistic_at(const struct recorder *r, size_t i)
{
    return i < r->nstats ? r->stats[i] : NULL;
}

const char *statistic_component(const struct statistic *s)
{
    return s->component;
}

const char *statistic_name(const struct statistic *s)
{
    return s->name;
}

const char *statistic_unit(const struct statistic *s)
{
    return s->unit;
}

void statistic_foreach_bucket(const struct statistic *s,
                              void (*fn)(void *ctx, double lower, double upper,
                                         uint64_t count),
                              void *ctx)
{
    histogram_foreach(&s->hist, s->max, fn, ctx);
}

size_t recorder_scalars(const struct recorder *r, const struct scalar_row **rows)
{
    *rows = r->scalars;
    return r->nscalars;
}

size_t recorder_series_rows(const struct recorder *r, struct series_row *out,
                            size_t max)
{
    size_t n = r->nseries < max ? r->nseries : max;
    for (size_t i = 0; i < n; i++) {
        const struct series *s = r->series[i];
        out[i] = (struct series_row){ s->component, s->name, s->unit,
                                      s->n, s->t, s->v };
    }
    return n;
}

size_t recorder_series_count(const struct recorder *r)
{
    return r->nseries;
}

size_t recorder_events(const struct recorder *r, const struct event_row **rows)
{
    *rows = r->events;
    return r->nevents;
}

bool recorder_scalar_get(const struct recorder *r, const char *component,
                         const char *name, double *out)
{
    long i = index_find(&r->scalar_index, component, name);
    if (i < 0)
        return false;
    if (out)
        *out = r->scalars[i].value;
    return true;
}

const struct statistic *recorder_find_statistic(const struct recorder *r,
                                                const char *component,
                                                const char *name)
{
    long i = index_find(&r->stat_index, component, name);
    return i >= 0 ? r->stats[i] : NULL;
}
