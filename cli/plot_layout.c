/* cli/plot_layout.c — axis ranges and tics: padded around the data and
 * never below zero for data that are not, round tic steps, a quantile's
 * histogram resolution. (A timeline's lanes and keys: plot_lanes.c.) */
#include "cli/plot_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/histogram.h"

void plot_pad_range(double lo, double hi, bool log, double *a, double *b)
{
    if (log && lo > 0) {
        double f = hi > lo ? pow(hi / lo, 0.05) : 1.25;
        *a = lo / f;
        *b = hi * f;
        return;
    }
    double pad = hi > lo ? 0.05 * (hi - lo) : (hi != 0 ? 0.05 * fabs(hi) : 1);
    *a = lo - pad;
    *b = hi + pad;
    if (lo >= 0 && *a < 0)
        *a = 0;
}

double plot_nice_step(double hi)
{
    double raw = hi / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

double plot_round_up(double hi)
{
    if (!(hi > 0))
        return 1;
    double step = plot_nice_step(hi);
    return ceil(hi / step * (1 - 1e-12)) * step;
}

double plot_bucket_half_width(double v)
{
    if (!(v > HIST_LOW))
        return 0;
    int e;
    frexp(v, &e); /* v = m 2^e, 0.5 <= m < 1: the octave is [2^(e-1), 2^e) */
    return ldexp(1.0, e - 1) / HIST_SUB / 2;
}
