/* sim/stats.h — statistics recorded by models, aggregated in memory.
 *
 * A model asks the run's recorder for a handle when the machine is built
 * (recorder_statistic, recorder_series) and records into it on the hot
 * path with statistic_add: no allocation, no formatting, no SQL. The
 * recorder owns aggregation and is written to SQLite once, at the end of
 * the run (sim/results.h). This mirrors OMNeT++ signals: models emit,
 * the recorder decides what is kept.
 *
 * A statistic keeps count, mean, stddev (Welford), min, max and a
 * log-bucketed histogram (relative bucket width <= 1/64, so quantiles are
 * within 1% of the exact order statistic), plus optional batch means for
 * confidence intervals (see recorder_set_batch). */
#ifndef LPARSIM_SIM_STATS_H
#define LPARSIM_SIM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

struct recorder;
struct statistic;
struct series;

/* `batches` = number of batch-means batches each statistic keeps (0 for
 * none). */
struct recorder *recorder_create(unsigned batches);
void recorder_destroy(struct recorder *r);

/* Handles; component is a dotted path ("lpar.db1"), unit e.g. "ns".
 * The strings are copied. Asking twice for the same (component, name)
 * returns the same handle. */
struct statistic *recorder_statistic(struct recorder *r, const char *component,
                                     const char *name, const char *unit);
struct series *recorder_series(struct recorder *r, const char *component,
                               const char *name, const char *unit);

/* Hot path. Negative values are clamped to 0 in the histogram (latencies
 * and sizes are never negative) but kept exact in mean/min/max. */
void statistic_add(struct statistic *s, double v);

/* Sampled series point (called from a periodic sampler, not per event). */
void series_append(struct series *s, sim_time_t t, double v);

/* A final value, set once at the end of the run (set again = overwrite). */
void recorder_scalar(struct recorder *r, const char *component,
                     const char *name, const char *unit, double v);

/* A rare, timestamped event row (timeline action, phase mark). */
void recorder_event(struct recorder *r, sim_time_t t, const char *component,
                    const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Forgets every statistic's samples (end of warm-up). Scalars, series and
 * events are kept. */
void recorder_reset_statistics(struct recorder *r);

/* Sets the batch that statistic_add attributes samples to; -1 (the
 * initial state) = no batch. Driven by a periodic kernel event. */
void recorder_set_batch(struct recorder *r, int batch);

/* Read-side of a statistic. */
uint64_t statistic_count(const struct statistic *s);
double statistic_mean(const struct statistic *s);
double statistic_stddev(const struct statistic *s);  /* sample stddev */
double statistic_min(const struct statistic *s);
double statistic_max(const struct statistic *s);
double statistic_quantile(const struct statistic *s, double p); /* 0..1 */
/* Mean over batch means and the half-width of its 95% confidence interval
 * (Student t, batches-1 degrees of freedom), over batches with at least
 * one sample. Returns the number of batches used (< 2: no interval). */
unsigned statistic_batch_ci(const struct statistic *s, double *mean,
                            double *half_width);

/* Iteration for the results writer and for tests. */
size_t recorder_statistic_count(const struct recorder *r);
const struct statistic *recorder_statistic_at(const struct recorder *r, size_t i);
const char *statistic_component(const struct statistic *s);
const char *statistic_name(const struct statistic *s);
const char *statistic_unit(const struct statistic *s);
/* Calls fn for each non-empty histogram bucket in ascending order. */
void statistic_foreach_bucket(const struct statistic *s,
                              void (*fn)(void *ctx, double lower, double upper,
                                         uint64_t count),
                              void *ctx);

struct scalar_row {
    const char *component, *name, *unit;
    double value;
};
struct series_row {
    const char *component, *name, *unit;
    size_t n;
    const sim_time_t *t;
    const double *v;
};
struct event_row {
    sim_time_t t;
    const char *component, *kind, *detail;
};
size_t recorder_scalars(const struct recorder *r, const struct scalar_row **rows);
size_t recorder_series_rows(const struct recorder *r, struct series_row *out, size_t max);
size_t recorder_series_count(const struct recorder *r);
size_t recorder_events(const struct recorder *r, const struct event_row **rows);
/* Looks up a scalar; returns false if it was never set. */
bool recorder_scalar_get(const struct recorder *r, const char *component,
                         const char *name, double *out);
/* Looks up a statistic by component/name; NULL if absent. */
const struct statistic *recorder_find_statistic(const struct recorder *r,
                                                const char *component,
                                                const char *name);

/* Student t quantile t_{0.975, dof} (dof >= 1), for 95% intervals. */
double student_t975(unsigned dof);

#endif
