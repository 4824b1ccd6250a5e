/* sim/rng.c — xoshiro256** streams (see rng.h). The algorithms are the
 * published ones: splitmix64 for seeding, xoshiro256** for output. */
#include "sim/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t hash_str64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

void rng_seed(struct rng *r, uint64_t seed, const char *stream)
{
    uint64_t x = seed ^ hash_str64(stream ? stream : "");
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double rng_uniform_pos(struct rng *r)
{
    return ((double)(rng_next(r) >> 11) + 1.0) * 0x1.0p-53;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
    /* Lemire's multiply-shift; the tiny bias (< n / 2^64) is irrelevant
     * for workload choices and keeps the draw count fixed per call. */
    return (uint64_t)(((__uint128_t)rng_next(r) * n) >> 64);
}

double rng_exponential(struct rng *r, double mean)
{
    return -mean * log(rng_uniform_pos(r));
}

double rng_normal(struct rng *r)
{
    /* Box-Muller, one value per call (two draws): a fixed number of draws
     * per sample keeps streams aligned across runs. */
    double u1 = rng_uniform_pos(r);
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}
