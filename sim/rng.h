/* sim/rng.h — reproducible random streams.
 *
 * xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64. Each
 * component draws from its own stream, derived from the run seed and the
 * component's name, so adding a component does not shift the numbers any
 * other component sees. */
#ifndef LPARSIM_SIM_RNG_H
#define LPARSIM_SIM_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* Seeds a stream from the run seed and a stream name ("lpar.db1"). */
void rng_seed(struct rng *r, uint64_t seed, const char *stream);

uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(struct rng *r);
/* Uniform in (0, 1]: safe under log(). */
double rng_uniform_pos(struct rng *r);
/* Uniform integer in [0, n). */
uint64_t rng_below(struct rng *r, uint64_t n);
double rng_exponential(struct rng *r, double mean);
double rng_normal(struct rng *r); /* standard normal */

/* FNV-1a 64-bit hash of a string: used to derive stream seeds. */
uint64_t hash_str64(const char *s);

#endif
