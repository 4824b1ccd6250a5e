/* bench/kernel_hold.c — the classic hold model, to measure the event
 * kernel (docs/performance.md).
 *
 * N events start pending at exponential delays (mean 1 ms); every fired
 * event schedules one more at now + exp(1 ms); the run stops after M
 * events. Backends: `systemc` and `native` go through the kernel API;
 * `bare` is a 4-ary (time, seq) heap loop written here without the API,
 * the reference for what a heap alone costs. All three draw the same
 * random numbers in the same order, so they end at the same simulated
 * time (printed as a cross-check).
 *
 *   kernel-hold --backend systemc|native|bare --pending N --events M
 *               [--seed S] [--slice-ns T]
 * --slice-ns drives the kernel backends with kernel_run_until every T ns
 * of simulated time instead of one kernel_run (not for bare).
 * The last line is `events_per_s=<number>` (fired events / wall second of
 * the run phase, setup excluded). */
/* clock_gettime, getrusage: POSIX beyond strict C17. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/kernel.h"

#define MEAN_DELAY_PS 1e9 /* 1 ms */

/* splitmix64: a 64-bit counter stepped by an odd constant, then mixed.
 * Tiny, fast and good enough for delays; the bench owns its generator so
 * the numbers do not depend on any other part of the tree. */
struct rng {
    uint64_t state;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Exponential delay in ps: -mean * ln(u), u uniform in (0, 1]. */
static sim_time_t rng_exp_delay(struct rng *r)
{
    double u = (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
    return (sim_time_t)(-MEAN_DELAY_PS * log(u));
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- kernel API backends ---------------------------------------------- */

struct hold {
    struct kernel *k;
    struct rng rng;
    uint64_t fired;
    uint64_t target;
};

static void hold_event(void *ctx, uint64_t arg)
{
    struct hold *h = ctx;
    if (++h->fired >= h->target) {
        kernel_stop(h->k);
        return;
    }
    kernel_schedule_in(h->k, rng_exp_delay(&h->rng), hold_event, h, arg);
}

/* Returns the run phase's wall seconds; *end_ps gets the final time.
 * slice_ps 0: one kernel_run. Otherwise kernel_run_until in slices of
 * slice_ps, which costs the SystemC backend one sc_start and one
 * dispatcher activation per slice (a model sampling statistics every
 * slice would do this). */
static double run_kernel(enum kernel_backend b, uint64_t n, uint64_t m,
                         uint64_t seed, sim_time_t slice_ps,
                         sim_time_t *end_ps)
{
    struct hold h = { .rng = { seed }, .target = m };
    h.k = kernel_create(b, (size_t)n);
    if (!h.k) {
        fprintf(stderr, "kernel-hold: cannot create the %s kernel\n",
                kernel_backend_name(b));
        exit(1);
    }
    for (uint64_t i = 0; i < n; i++)
        kernel_schedule_in(h.k, rng_exp_delay(&h.rng), hold_event, &h, i);
    double t0 = wall_s();
    if (slice_ps == 0)
        kernel_run(h.k);
    else
        while (h.fired < m)
            kernel_run_until(h.k, kernel_now(h.k) + slice_ps);
    double t1 = wall_s();
    *end_ps = kernel_now(h.k);
    if (h.fired != m) {
        fprintf(stderr, "kernel-hold: fired %llu events, wanted %llu\n",
                (unsigned long long)h.fired, (unsigned long long)m);
        exit(1);
    }
    kernel_destroy(h.k);
    return t1 - t0;
}

/* ---- bare heap ---------------------------------------------------------- */

struct bare_entry {
    uint64_t time;
    uint64_t seq;
};

struct bare_heap {
    struct bare_entry *e;
    size_t n;
    uint64_t seq;
};

static inline bool bare_before(struct bare_entry x, struct bare_entry y)
{
    /* Written so the likely-unequal test is the branch and the 50/50
     * order test can become a conditional move. */
    if (x.time != y.time)
        return x.time < y.time;
    return x.seq < y.seq;
}

static void bare_push(struct bare_heap *h, uint64_t time)
{
    struct bare_entry x = { time, h->seq++ };
    size_t i = h->n++;
    while (i > 0 && x.time < h->e[(i - 1) / 4].time) { /* x loses ties */
        h->e[i] = h->e[(i - 1) / 4];
        i = (i - 1) / 4;
    }
    h->e[i] = x;
}

static struct bare_entry bare_pop(struct bare_heap *h)
{
    struct bare_entry top = h->e[0];
    size_t n = --h->n;
    struct bare_entry x = h->e[n];
    size_t i = 0;
    for (;;) {
        size_t c = 4 * i + 1;
        if (c >= n)
            break;
        size_t best = c;
        if (c + 3 < n) { /* full family: a two-round tournament */
            size_t b1 = bare_before(h->e[c + 1], h->e[c]) ? c + 1 : c;
            size_t b2 = bare_before(h->e[c + 3], h->e[c + 2]) ? c + 3 : c + 2;
            best = bare_before(h->e[b2], h->e[b1]) ? b2 : b1;
        } else {
            for (size_t j = c + 1; j < n; j++)
                if (bare_before(h->e[j], h->e[best]))
                    best = j;
        }
        if (!bare_before(h->e[best], x))
            break;
        h->e[i] = h->e[best];
        i = best;
    }
    h->e[i] = x;
    return top;
}

static double run_bare(uint64_t n, uint64_t m, uint64_t seed,
                       sim_time_t *end_ps)
{
    struct rng rng = { seed };
    struct bare_heap h = { .e = malloc((size_t)(n + 1) * sizeof *h.e) };
    if (!h.e) {
        fputs("kernel-hold: out of memory\n", stderr);
        exit(1);
    }
    for (uint64_t i = 0; i < n; i++)
        bare_push(&h, rng_exp_delay(&rng));
    double t0 = wall_s();
    uint64_t now = 0;
    for (uint64_t fired = 1;; fired++) {
        now = bare_pop(&h).time;
        if (fired >= m)
            break;
        bare_push(&h, now + rng_exp_delay(&rng));
    }
    double t1 = wall_s();
    *end_ps = now;
    free(h.e);
    return t1 - t0;
}

/* ---- command line ------------------------------------------------------- */

_Noreturn static void usage(void)
{
    fputs("usage: kernel-hold --backend systemc|native|bare --pending N "
          "--events M [--seed S] [--slice-ns T]\n", stderr);
    exit(2);
}

/* Accepts 1000, 1e6, 1.5e5: counts are easier to read in float notation. */
static uint64_t parse_count(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 1) || v > 1e15)
        usage();
    return (uint64_t)v;
}

int main(int argc, char **argv)
{
    const char *backend = "systemc";
    uint64_t n = 1000, m = 10000000, seed = 1;
    sim_time_t slice_ps = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--backend") == 0)
            backend = argv[i + 1];
        else if (strcmp(argv[i], "--pending") == 0)
            n = parse_count(argv[i + 1]);
        else if (strcmp(argv[i], "--events") == 0)
            m = parse_count(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--slice-ns") == 0)
            slice_ps = parse_count(argv[i + 1]) * SIM_NS;
        else
            usage();
    }
    if (argc % 2 == 0)
        usage();

    sim_time_t end_ps;
    double secs;
    enum kernel_backend b;
    if (strcmp(backend, "bare") == 0 && slice_ps == 0)
        secs = run_bare(n, m, seed, &end_ps);
    else if (kernel_backend_parse(backend, &b))
        secs = run_kernel(b, n, m, seed, slice_ps, &end_ps);
    else
        usage();

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("backend=%s\npending=%llu\nevents=%llu\nseed=%llu\n", backend,
           (unsigned long long)n, (unsigned long long)m,
           (unsigned long long)seed);
    if (slice_ps)
        printf("slice_ns=%llu\n", (unsigned long long)(slice_ps / SIM_NS));
    printf("end_ps=%llu\nwall_s=%.3f\npeak_rss_kb=%ld\n",
           (unsigned long long)end_ps, secs, ru.ru_maxrss);
    printf("events_per_s=%.0f\n", (double)m / secs);
    return 0;
}
