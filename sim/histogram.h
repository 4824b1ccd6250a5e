/* sim/histogram.h — the log-bucketed histogram behind every statistic.
 *
 * HDR-histogram style: each power of two [2^e, 2^(e+1)) is split into 64
 * equal sub-buckets, so a bucket is at most 1/64 of its lower bound wide
 * and the bucket midpoint is within 1/128 (< 1%) of any value inside it.
 * Octaves cover [2^-10, 2^60) (~1e-3 .. ~1e18): 70 octaves of 64
 * counters (512 bytes), each allocated the first time a value falls in
 * it, so a statistic holds only the few octaves its values span (a
 * latency spans three to six): a machine with thousands of statistics
 * stays small and its hot counters stay in cache. At most 70 allocations
 * per statistic in a run, never one per value once its range is seen.
 * Values in [0, 2^-10) (exact zeros are kept apart, for exact quantiles)
 * and values >= 2^60 go to edge buckets. */
#ifndef LPARSIM_SIM_HISTOGRAM_H
#define LPARSIM_SIM_HISTOGRAM_H

#include <stdint.h>
#include <string.h>

#define HIST_SUB_BITS 6
#define HIST_SUB (1 << HIST_SUB_BITS)   /* sub-buckets per octave */
#define HIST_MIN_EXP (-10)              /* first octave: [2^-10, 2^-9) */
#define HIST_MAX_EXP 60                 /* octaves end at 2^60 */
#define HIST_OCTAVES (HIST_MAX_EXP - HIST_MIN_EXP)
#define HIST_BUCKETS (HIST_OCTAVES * HIST_SUB) /* bucket numbers */
#define HIST_LOW 0x1p-10                /* 2^HIST_MIN_EXP */
#define HIST_HIGH 0x1p60                /* 2^HIST_MAX_EXP */

struct histogram {
    uint64_t total;
    uint64_t zero;   /* v <= 0 (negatives are clamped to 0) */
    uint64_t under;  /* 0 < v < HIST_LOW */
    uint64_t over;   /* v >= HIST_HIGH, including +inf */
    uint64_t *octave[HIST_OCTAVES]; /* HIST_SUB counters each; NULL: none yet */
};

/* Bucket of a value in [HIST_LOW, HIST_HIGH), read straight from the
 * IEEE-754 bits: the exponent picks the octave and the top six mantissa
 * bits the sub-bucket. No log(), no division: this is the hot path. */
static inline unsigned histogram_index(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int exp = (int)((bits >> 52) & 0x7ff) - 1023;
    unsigned sub = (unsigned)(bits >> (52 - HIST_SUB_BITS)) & (HIST_SUB - 1);
    return (unsigned)(exp - HIST_MIN_EXP) * HIST_SUB + sub;
}

/* The counters of an octave, allocated on its first value (zeroed).
 * Allocation failure aborts, as everywhere in the recorder (sim/stats.c:
 * a statistic that silently lost values would be worse). */
uint64_t *histogram_octave(struct histogram *h, unsigned octave);

/* v must not be NaN. */
static inline void histogram_add(struct histogram *h, double v)
{
    h->total++;
    if (!(v > 0)) {
        h->zero++;
    } else if (v < HIST_LOW) {
        h->under++;
    } else if (v >= HIST_HIGH) {
        h->over++;
    } else {
        unsigned i = histogram_index(v);
        uint64_t *o = h->octave[i / HIST_SUB];
        if (!o)
            o = histogram_octave(h, i / HIST_SUB);
        o[i % HIST_SUB]++;
    }
}

/* Count of bucket i (0 <= i < HIST_BUCKETS). */
static inline uint64_t histogram_count(const struct histogram *h, unsigned i)
{
    const uint64_t *o = h->octave[i / HIST_SUB];
    return o ? o[i % HIST_SUB] : 0;
}

/* Forgets every value; the octaves stay allocated (they will be needed
 * again). */
void histogram_clear(struct histogram *h);
/* Frees the octaves. */
void histogram_release(struct histogram *h);

/* Lower and upper bound of bucket i (0 <= i < HIST_BUCKETS). */
void histogram_bounds(unsigned i, double *lower, double *upper);

/* Estimate of the p-quantile (nearest-rank order statistic), given the
 * exact min and max seen; NaN when empty. */
double histogram_quantile(const struct histogram *h, double p, double min,
                          double max);

/* Non-empty buckets in ascending order, lower < upper. Zeros and values
 * below HIST_LOW are reported as one bucket [0, HIST_LOW); values above
 * HIST_HIGH as [HIST_HIGH, max]. */
void histogram_foreach(const struct histogram *h, double max,
                       void (*fn)(void *ctx, double lower, double upper,
                                  uint64_t count),
                       void *ctx);

#endif
