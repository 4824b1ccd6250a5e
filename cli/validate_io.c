/* cli/validate_io.c — completion-path rows (see validate_io.h).
 *
 * The machine of every row: one system at 3 GHz, one storage adapter with
 * one queue pair and a constant 20 us service, one dedicated LPAR running
 * a closed loop of depth 1 (4 KiB reads, no think time), a driver with 8
 * buffers of 4 KiB. With static mapping the window's I/O pages are 64 KiB:
 * the ring page and the 8 buffers are 9 TCEs, which the 64-entry TCE cache
 * holds after the warm-up, so every I/O after it takes the same path and
 * has the same latency (the VP snoozes between I/Os, 20 us < the 100 us
 * snooze: no cede exit). Each row changes one parameter and compares the
 * change of that latency with the cycles the parameter adds at 3 GHz:
 *   same-VP wake-up:  + wakeup_cycles                   (min latency, 1 VP)
 *   IPI wake-up:      + irq_entry + ipi_cycles + wakeup_cycles + eoi
 *                     + irq_exit      (max latency, 2 VPs on one queue pair:
 *                                      VP 1's I/Os interrupt VP 0)
 *   notify + EOI:     + notify + ceil(eoi_load x 3 GHz) cycles (1 VP)
 * The reference is exact to the picosecond. */
#include "cli/validate_io.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli/validate_run.h"

#define FREQ 3000000000ull
#define WAKEUP 6000ull
#define IPI 1500ull
#define IRQ_ENTRY 500ull  /* the cpu's defaults */
#define IRQ_EXIT 400ull
#define NOTIFY_PS 250000ull
#define EOI_PS 400000ull

/* cycles at FREQ, to the nearest ps (halves up), as the CPU charges a job */
static double ns_of(uint64_t cycles)
{
    return (double)((cycles * 1000000000000ull + FREQ / 2) / FREQ) / 1000;
}

/* The ESB load-EOI in cycles, as the hypervisor converts it (rounded up). */
static uint64_t eoi_cycles(uint64_t eoi_ps)
{
    return (eoi_ps * FREQ + 999999999999ull) / 1000000000000ull;
}

/* The LPAR's io_latency minimum (want_max false) or maximum, in ns. */
static double latency(enum kernel_backend k, unsigned vps, uint64_t wakeup, uint64_t notify_ps,
                      uint64_t eoi_ps, bool want_max)
{
    char text[2048];
    snprintf(text, sizeof text,
             "name: validate-io\nseed: 7\nduration: 20ms\nwarmup: 2ms\n"
             "systems:\n"
             "  - name: s0\n    frequency: 3GHz\n"
             "    xive: {notify: %llups, eoi_load: %llups}\n"
             "    adapters:\n"
             "      - {name: a0, queue_pairs: 1, service: {dist: constant, mean: 20us}}\n"
             "lpars:\n"
             "  - name: db\n    system: s0\n    adapter: a0\n    vps: %u\n"
             "    driver: {buffers: 8, buffer_size: 4KiB, wakeup_cycles: %llu, ipi_cycles: %llu}\n"
             "    workload: {kind: storage, mode: closed, depth: 1, block_size: 4KiB,"
             " read_fraction: 1}\n",
             (unsigned long long)notify_ps, (unsigned long long)eoi_ps, vps,
             (unsigned long long)wakeup, IPI);
    struct recorder *rec = validate_run_text("validate-io", text, k, "completion row");
    double v = NAN;
    const struct statistic *st = rec ? recorder_find_statistic(rec, "lpar.db", "io_latency") : NULL;
    if (st && statistic_count(st) > 100)
        v = want_max ? statistic_max(st) : statistic_min(st);
    else if (rec)
        fprintf(stderr, "lparsim: validate: completion row: no io_latency\n");
    recorder_destroy(rec);
    return v;
}

static int print_row(FILE *out, const char *scenario, const char *quantity, double reference,
                     double simulated)
{
    bool ok = fabs(simulated - reference) < 0.0005; /* to the ps */
    double rel = reference != 0 ? 100 * (simulated - reference) / reference : 0;
    fprintf(out, "%-14s %-28s %-5s %12.10g  %-22.10g %+7.2f%%  %s\n", scenario, quantity, "ns",
            reference, simulated, rel, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

int validate_io(FILE *out, enum kernel_backend k)
{
    uint64_t eoi = eoi_cycles(EOI_PS);
    double same0 = latency(k, 1, 0, NOTIFY_PS, EOI_PS, false);
    double same = latency(k, 1, WAKEUP, NOTIFY_PS, EOI_PS, false);
    double cross0 = latency(k, 2, 0, NOTIFY_PS, EOI_PS, true);
    double cross = latency(k, 2, WAKEUP, NOTIFY_PS, EOI_PS, true);
    double bare = latency(k, 1, WAKEUP, 0, 0, false);
    if (isnan(same0) || isnan(same) || isnan(cross0) || isnan(cross) || isnan(bare))
        return -1;
    int failed = 0;
    failed += print_row(out, "io-wake-local", "+ wake-up on the irq's VP", ns_of(WAKEUP),
                        same - same0);
    failed += print_row(out, "io-wake-ipi", "+ IPI and remote wake-up",
                        ns_of(IRQ_ENTRY + IPI + WAKEUP + eoi + IRQ_EXIT), cross - cross0);
    failed += print_row(out, "io-xive", "+ notify and ESB load-EOI",
                        (double)NOTIFY_PS / 1000 + ns_of(eoi), same - bare);
    return failed;
}
