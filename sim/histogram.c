/* sim/histogram.c — quantiles and bucket iteration of the log-bucketed
 * histogram (see histogram.h for the bucket layout and its error bound). */
#include "sim/histogram.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

uint64_t *histogram_octave(struct histogram *h, unsigned octave)
{
    uint64_t *o = calloc(HIST_SUB, sizeof *o);
    if (!o) {
        fputs("lparsim: out of memory (histogram)\n", stderr);
        abort();
    }
    h->octave[octave] = o;
    return o;
}

void histogram_clear(struct histogram *h)
{
    h->total = h->zero = h->under = h->over = 0;
    for (unsigned i = 0; i < HIST_OCTAVES; i++)
        if (h->octave[i])
            memset(h->octave[i], 0, HIST_SUB * sizeof *h->octave[i]);
}

void histogram_release(struct histogram *h)
{
    for (unsigned i = 0; i < HIST_OCTAVES; i++) {
        free(h->octave[i]);
        h->octave[i] = NULL;
    }
}

void histogram_bounds(unsigned i, double *lower, double *upper)
{
    int exp = (int)(i / HIST_SUB) + HIST_MIN_EXP;
    unsigned sub = i % HIST_SUB;
    *lower = ldexp(1.0 + (double)sub / HIST_SUB, exp);
    *upper = ldexp(1.0 + (double)(sub + 1) / HIST_SUB, exp);
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* 1-based nearest rank of p among n samples. The small slack keeps
 * p * n from rounding just above an integer (0.999 * 100000). */
static uint64_t quantile_rank(double p, uint64_t n)
{
    double r = ceil(p * (double)n - 1e-9);
    if (r < 1)
        return 1;
    if (r > (double)n)
        return n;
    return (uint64_t)r;
}

double histogram_quantile(const struct histogram *h, double p, double min,
                          double max)
{
    if (h->total == 0 || isnan(p))
        return NAN;
    if (p <= 0)
        return min;
    if (p >= 1)
        return max;
    uint64_t rank = quantile_rank(p, h->total);
    uint64_t cum = h->zero;
    if (rank <= cum)
        return clamp(0.0, min, max);
    cum += h->under;
    if (rank <= cum)
        return clamp(HIST_LOW / 2, min, max);
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        uint64_t c = histogram_count(h, i);
        if (c == 0)
            continue;
        cum += c;
        if (rank <= cum) {
            /* The midpoint is within half a bucket (1/128 relative) of
             * every value in the bucket; clamping to the exact extremes
             * makes the outermost quantiles exact. */
            double lo, hi;
            histogram_bounds(i, &lo, &hi);
            return clamp((lo + hi) / 2, min, max);
        }
    }
    return max; /* the rank is among the overflow bucket */
}

void histogram_foreach(const struct histogram *h, double max,
                       void (*fn)(void *ctx, double lower, double upper,
                                  uint64_t count),
                       void *ctx)
{
    if (h->zero + h->under > 0)
        fn(ctx, 0.0, HIST_LOW, h->zero + h->under);
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        uint64_t c = histogram_count(h, i);
        if (c == 0)
            continue;
        double lo, hi;
        histogram_bounds(i, &lo, &hi);
        fn(ctx, lo, hi, c);
    }
    if (h->over > 0) {
        /* An open-ended bucket would need an infinite bound, which the
         * database and JSON cannot hold: end it at the largest value. */
        double upper = max;
        if (!isfinite(upper))
            upper = DBL_MAX;
        if (!(upper > HIST_HIGH))
            upper = nextafter(HIST_HIGH, DBL_MAX);
        fn(ctx, HIST_HIGH, upper, h->over);
    }
}
