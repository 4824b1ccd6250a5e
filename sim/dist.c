/* sim/dist.c — time distributions (see dist.h).
 *
 * Lognormal is parameterised by its mean and coefficient of variation,
 * the way storage latency is usually reported: sigma^2 = ln(1 + cv^2),
 * mu = ln(mean) - sigma^2 / 2. Uniform with mean m and cv c spans
 * m(1 -+ sqrt(3) c), clamped at 0. */
#include "sim/dist.h"

#include <assert.h>
#include <math.h>
#include <string.h>

static const struct param_desc dist_params[] = {
    { "dist", PARAM_ENUM, "", "exponential",
      "shape of the distribution", .choices = "constant|exponential|lognormal|uniform" },
    { "mean", PARAM_TIME, "ns", "10us", "mean value", .min = "0ps" },
    { "cv", PARAM_F64, "", "1",
      "coefficient of variation (stddev/mean); lognormal and uniform only",
      .min = "0", .max = "100" },
    { 0 }
};

const struct schema dist_schema = {
    .name = "distribution",
    .doc = "a time distribution: constant, exponential, lognormal or uniform",
    .params = dist_params,
};

static const char *const kind_names[] = {
    [DIST_CONSTANT] = "constant",
    [DIST_EXPONENTIAL] = "exponential",
    [DIST_LOGNORMAL] = "lognormal",
    [DIST_UNIFORM] = "uniform",
};

const char *dist_kind_name(enum dist_kind k)
{
    return kind_names[k];
}

static enum dist_kind kind_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(kind_names[i], name) == 0)
            return (enum dist_kind)i;
    assert(!"distribution kind validated by the loader");
    return DIST_CONSTANT;
}

void dist_init(struct dist *d, enum dist_kind kind, double mean_ps, double cv)
{
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->mean_ps = mean_ps;
    d->cv = kind == DIST_EXPONENTIAL ? 1.0 : kind == DIST_CONSTANT ? 0.0 : cv;
    if (kind == DIST_LOGNORMAL && mean_ps > 0) {
        d->sigma = sqrt(log1p(cv * cv));
        d->mu = log(mean_ps) - d->sigma * d->sigma / 2;
    }
    if (kind == DIST_UNIFORM) {
        double half = sqrt(3.0) * cv * mean_ps;
        d->lo_ps = mean_ps - half > 0 ? mean_ps - half : 0;
        d->hi_ps = mean_ps + half;
    }
}

void dist_from_cfg(struct dist *d, const struct cfg_node *n)
{
    dist_init(d, kind_from_name(cfg_str(n, "dist")), cfg_f64(n, "mean"),
              cfg_f64(n, "cv"));
}

static sim_time_t to_time(double ps)
{
    return ps <= 0 ? 0 : (sim_time_t)(ps + 0.5);
}

sim_time_t dist_sample(const struct dist *d, struct rng *r)
{
    switch (d->kind) {
    case DIST_CONSTANT:
        return to_time(d->mean_ps);
    case DIST_EXPONENTIAL:
        return to_time(rng_exponential(r, d->mean_ps));
    case DIST_LOGNORMAL:
        return d->mean_ps <= 0 ? 0 : to_time(exp(d->mu + d->sigma * rng_normal(r)));
    case DIST_UNIFORM:
        return to_time(d->lo_ps + (d->hi_ps - d->lo_ps) * rng_uniform(r));
    }
    return 0;
}

double dist_mean(const struct dist *d)
{
    if (d->kind == DIST_UNIFORM)
        return (d->lo_ps + d->hi_ps) / 2;
    return d->mean_ps;
}

double dist_second_moment(const struct dist *d)
{
    double m = d->mean_ps;
    switch (d->kind) {
    case DIST_CONSTANT:
        return m * m;
    case DIST_EXPONENTIAL:
        return 2 * m * m;
    case DIST_LOGNORMAL:
        return m * m * (1 + d->cv * d->cv);
    case DIST_UNIFORM: {
        double a = d->lo_ps, b = d->hi_ps;
        return (a * a + a * b + b * b) / 3;
    }
    }
    return 0;
}
