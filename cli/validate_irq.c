/* cli/validate_irq.c — interrupt coalescing rows of the validation table
 * (docs/validation.md "Coalescing rows"). Each row runs a whole-path
 * storage scenario (one VF, one queue pair, servers 1) and compares the
 * VF's MSIs per completion with a closed form of its coalescing:
 *
 * fixed-poisson. count k and timer T; Poisson arrivals at lambda through
 * an exponential server (M/M/1: departures are Poisson at lambda, Burke).
 * A group starts at its first completion and ends at the k-th or T after
 * the first, so its size is N = min(k, 1 + A), A ~ Poisson(lambda T) the
 * completions in T after the first, and
 *   E[N] = 1 + sum_{j=1}^{k-1} P(A >= j),   MSIs per completion = 1 / E[N].
 * PASS within 1.5% (the run's completions are a finite sample).
 *
 * vic-closed. vIC (models/adapter/coalesce_vic.h) under a closed loop of
 * depth D with a constant service S of one server: each completion comes
 * S after the last, long after the D - j commands still out and the g
 * the guest issues again once an interrupt delivers a group (its path
 * takes microseconds), so the j-th completion of a group sees CIF =
 * D - j, and the group ends at the first j with j >= k(D - j),
 * k(c) = min(max_batch, floor(c / cif_threshold)) (1 at or below the
 * threshold):
 *   D = 3  (CIF <= 4):               g = 1,
 *   D = 12 (k(11) = 2 at j = 2):     g = 2,
 *   D = 32 (k(26) = 6 at j = 6):     g = 6,
 *   D = 64 (k(56) = 8 = max_batch):  g = 8,
 *   D = 32 with S = 1 ms (1000 IOPS, below the 2000 threshold): g = 1.
 * MSIs per completion = 1 / g; PASS within 1% (groups cut by the warm-up
 * and the end of the run). */
#include "cli/validate_irq.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/validate_run.h"

static int print_row(FILE *out, const char *scenario, const char *quantity, double reference,
                     double simulated, double tol)
{
    double rel = reference != 0 ? (simulated - reference) / reference : 0;
    bool ok = fabs(rel) <= tol;
    fprintf(out, "%-14s %-28s %-5s %12.4g  %-22.4g %+7.2f%%  %s\n", scenario, quantity, "",
            reference, simulated, 100 * rel, ok ? "PASS*" : "FAIL");
    return ok ? 0 : 1;
}

/* Runs `text`; the VF's MSIs per completion, NAN on failure. */
static double msis_per_completion(const char *text, enum kernel_backend k)
{
    struct recorder *rec = validate_run_text("validate-irq", text, k, "coalescing row");
    double msis = NAN, done = NAN;
    if (rec && (!recorder_scalar_get(rec, "s0.nvme0.vf0.fn", "msis", &msis) ||
                !recorder_scalar_get(rec, "s0.nvme0.vf0.fn", "ios_completed", &done)))
        fprintf(stderr, "lparsim: validate: coalescing row: no msis scalar\n");
    recorder_destroy(rec);
    return done > 0 ? msis / done : NAN;
}

static double fixed_reference(unsigned k, double lambda_t)
{
    double en = 1, term = exp(-lambda_t), cdf = term; /* P(A <= j - 1) */
    for (unsigned j = 1; j < k; j++) {
        en += 1 - cdf;
        term *= lambda_t / j;
        cdf += term;
    }
    return 1 / en;
}

static int row_fixed(FILE *out, enum kernel_backend k)
{
    /* lambda = 20k/s, T = 100 us: lambda T = 2; exponential 20 us (rho 0.4) */
    const char *text =
        "name: fixed-poisson\nseed: 21\nduration: 6s\nwarmup: 200ms\n"
        "stats: {sample_interval: 0ns}\n"
        "systems:\n  - name: s0\n    adapters:\n      - name: nvme0\n        servers: 1\n"
        "        coalescing: {kind: fixed, count: 4, time: 100us}\n"
        "        service: {dist: exponential, mean: 20us}\n"
        "lpars:\n  - name: db1\n    system: s0\n    adapter: nvme0\n    vps: 2\n"
        "    processors: {snooze: 1000s}\n"
        "    workload: {kind: storage, mode: open, rate: 20k/s, block_size: 4KiB}\n";
    double v = msis_per_completion(text, k);
    if (isnan(v))
        return -1;
    return print_row(out, "fixed-poisson", "MSIs/completion k=4 T=100us", fixed_reference(4, 2.0),
                     v, 0.015);
}

static int row_vic(FILE *out, enum kernel_backend k, unsigned depth, const char *service,
                   unsigned group)
{
    char text[2048], quantity[64];
    snprintf(text, sizeof text,
             "name: vic-closed\nseed: 5\nduration: 3s\nwarmup: 500ms\n"
             "stats: {sample_interval: 0ns}\n"
             "systems:\n  - name: s0\n    adapters:\n      - name: nvme0\n        servers: 1\n"
             "        coalescing: {kind: dynamic}\n"
             "        service: {dist: constant, mean: %s}\n"
             "lpars:\n  - name: db1\n    system: s0\n    adapter: nvme0\n    vps: 2\n"
             "    workload: {kind: storage, mode: closed, depth: %u, block_size: 4KiB}\n",
             service, depth);
    double v = msis_per_completion(text, k);
    if (isnan(v))
        return -1;
    snprintf(quantity, sizeof quantity, "MSIs/completion D=%u S=%s", depth, service);
    return print_row(out, "vic-closed", quantity, 1.0 / group, v, 0.01);
}

int validate_irq(FILE *out, enum kernel_backend k)
{
    static const struct {
        unsigned depth;
        const char *service;
        unsigned group;
    } vic[] = { { 3, "100us", 1 }, { 12, "100us", 2 }, { 32, "100us", 6 },
                { 64, "100us", 8 }, { 32, "1ms", 1 } };
    int failed = row_fixed(out, k);
    for (size_t i = 0; failed >= 0 && i < sizeof vic / sizeof vic[0]; i++) {
        int f = row_vic(out, k, vic[i].depth, vic[i].service, vic[i].group);
        failed = f < 0 ? -1 : failed + f;
    }
    return failed;
}
