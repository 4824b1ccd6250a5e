/* sim/timeavg.h — time-weighted average of a piecewise-constant quantity
 * (busy servers, requests in the system). O(1) per change, no storage:
 * the area under the curve is accumulated as the value changes. */
#ifndef LPARSIM_SIM_TIMEAVG_H
#define LPARSIM_SIM_TIMEAVG_H

#include "sim/time.h"

struct time_avg {
    double value;      /* current level */
    double area;       /* integral of value dt since `since`, in level*ps */
    sim_time_t last;   /* time of the last change */
    sim_time_t since;  /* start of the averaging window */
};

static inline void time_avg_init(struct time_avg *a, sim_time_t now, double value)
{
    a->value = value;
    a->area = 0;
    a->last = now;
    a->since = now;
}

static inline void time_avg_set(struct time_avg *a, sim_time_t now, double value)
{
    a->area += a->value * (double)(now - a->last);
    a->last = now;
    a->value = value;
}

static inline void time_avg_add(struct time_avg *a, sim_time_t now, double delta)
{
    time_avg_set(a, now, a->value + delta);
}

/* Mean over [since, now]; then a new window starts at now. */
static inline double time_avg_take(struct time_avg *a, sim_time_t now)
{
    time_avg_set(a, now, a->value);
    double span = (double)(now - a->since);
    double mean = span > 0 ? a->area / span : a->value;
    a->area = 0;
    a->since = now;
    return mean;
}

#endif
