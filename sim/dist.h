/* sim/dist.h — time distributions configured from a scenario.
 *
 * A distribution is written as a mapping, e.g.
 *   service: {dist: lognormal, mean: 80us, cv: 0.5}
 * and sampled on the hot path without allocation. The schema `dist_schema`
 * is embedded by any component that needs a time distribution. */
#ifndef LPARSIM_SIM_DIST_H
#define LPARSIM_SIM_DIST_H

#include "sim/config.h"
#include "sim/rng.h"
#include "sim/time.h"

enum dist_kind {
    DIST_CONSTANT,
    DIST_EXPONENTIAL,
    DIST_LOGNORMAL,
    DIST_UNIFORM,
};

struct dist {
    enum dist_kind kind;
    double mean_ps;
    double cv;
    double mu, sigma; /* lognormal parameters of the underlying normal */
    double lo_ps, hi_ps; /* uniform bounds */
};

extern const struct schema dist_schema;

/* Reads a distribution from a CFG_STRUCT node built with dist_schema. */
void dist_from_cfg(struct dist *d, const struct cfg_node *n);
/* Builds one directly (tests, validation). */
void dist_init(struct dist *d, enum dist_kind kind, double mean_ps, double cv);

sim_time_t dist_sample(const struct dist *d, struct rng *r);

/* First and second moments in ps and ps^2 (for M/G/1 references). */
double dist_mean(const struct dist *d);
double dist_second_moment(const struct dist *d);

const char *dist_kind_name(enum dist_kind k);

#endif
