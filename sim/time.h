/* sim/time.h — simulated time: an unsigned 64-bit count of picoseconds.
 * 2^64 ps is about 213 days of simulated time, far beyond any scenario. */
#ifndef LPARSIM_SIM_TIME_H
#define LPARSIM_SIM_TIME_H

#include <stdint.h>

typedef uint64_t sim_time_t;

#define SIM_PS  ((sim_time_t)1)
#define SIM_NS  ((sim_time_t)1000)
#define SIM_US  ((sim_time_t)1000000)
#define SIM_MS  ((sim_time_t)1000000000)
#define SIM_S   ((sim_time_t)1000000000000)
#define SIM_TIME_MAX UINT64_MAX

/* Seconds <-> picoseconds for models that compute with rates. Rounds to
 * the nearest picosecond so that results do not depend on truncation. */
static inline sim_time_t sim_time_from_s(double s)
{
    return (sim_time_t)(s * 1e12 + 0.5);
}

static inline double sim_time_to_s(sim_time_t t)
{
    return (double)t * 1e-12;
}

static inline double sim_time_to_ns(sim_time_t t)
{
    return (double)t * 1e-3;
}

#endif
