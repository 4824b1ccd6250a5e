/* cli/validate_lpm.c — live partition mobility rows (see validate_lpm.h).
 *
 * The machine of every row: two systems at 3 GHz with the hypervisor-call
 * costs of cli/validate_switch.c (so a VF assignment's window holds P = 70
 * TCEs: 2 queue pairs of 128-entry rings, 16 buffers of 16 KiB in 4 KiB
 * I/O pages), one storage adapter of 2 queue pairs each, a mover link of
 * 10 Gbps (rate R = 1.25e9 B/s), an LPAR on system a with no I/O, moved
 * to b with quiesce eeh. With c(x) a cycle count at 3 GHz rounded to the
 * ps, the phases cost:
 *   validate V, prepare P (the guest polls H_VASI_STATE every vasi_poll
 *   from the end of prepare), pre-copy rounds, the wait for the next
 *   poll, join J,
 *   suspend     S + 2 c(iscfg)            (the source's interrupts unbound)
 *   stop_copy   N_stop x page / R + L     (nothing when N_stop = 0)
 *   mappings    M
 *   rebuild_dma c(vioctl) + map_window    (the target VF enabled, P TCEs)
 *   map_target  remap
 *   resume      Rs + 2 (c(vioctl) + c(iscfg))  (MSI-X programmed, bound)
 *   dt_update   D, cleanup C + clear_window + c(vioctl)
 * downtime = suspend .. resume; total_time = validate .. cleanup. */
#include "cli/validate_lpm.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cli/validate_run.h"

#define FREQ 3000000000ull
#define VIOCTL 300000ull
#define INDIRECT 3000ull
#define INDIRECT_PER 100ull
#define STUFF 2500ull
#define STUFF_PER 30ull
#define ISCFG 15000ull
#define TPC 256ull
#define PAGES 70ull
#define REMAP_PS 3000000ull
#define PS 1e12

/* The migrate item's fixed costs in every row (ps). */
#define T_AT 1000000000000ull
#define T_VALIDATE 100000000000ull
#define T_PREPARE 200000000000ull
#define T_SUSPEND 10000000000ull
#define T_MAPPINGS 1000000000ull
#define T_RESUME 10000000000ull
#define T_DT 100000000000ull
#define T_CLEANUP 500000000000ull
#define RATE 1.25e9 /* 10 Gbps */
#define PAGE 65536.0

static const char *const machine =
    "systems:\n"
    "  - name: a\n    frequency: 3GHz\n%s"
    "  - name: b\n    frequency: 3GHz\n%s"
    "links:\n"
    "  - {name: m0, between: [a, b], bandwidth: 10Gbps, latency: %s}\n"
    "lpars:\n"
    "  - name: vm\n    system: a\n    adapter: nvme0\n    vps: 2\n    memory: %s\n"
    "    driver: {queue_entries: 128, buffers: 16, buffer_size: 16KiB}\n%s"
    "timeline:\n"
    "  - {at: 1s, action: migrate, lpar: vm, to: b, via: m0, validate: 100ms, prepare: 200ms,\n"
    "     suspend: 10ms, mappings: 1ms, resume: 10ms, dt_update: 100ms, cleanup: 500ms,\n"
    "     vasi_poll: %s, join: %s, downtime_limit: %s, max_rounds: %u, max_factor: %g}\n";

static const char *const system_body =
    "    hcalls: {vioctl: 300000, put_tce_indirect: 3000, put_tce_indirect_per_tce: 100,\n"
    "             stuff_tce: 2500, stuff_tce_per_tce: 30, int_set_source_config: 15000,\n"
    "             tces_per_call: 256}\n"
    "    switch: {remap: 3us}\n"
    "    adapters:\n"
    "      - {name: nvme0, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}}\n";

static uint64_t c(uint64_t cycles)
{
    return (cycles * 1000000000000ull + FREQ / 2) / FREQ;
}

static uint64_t calls(uint64_t n)
{
    return (n + TPC - 1) / TPC;
}

static uint64_t map_window(void) { return c(calls(PAGES) * INDIRECT + PAGES * INDIRECT_PER); }
static uint64_t clear_window(void) { return c(calls(PAGES) * STUFF + PAGES * STUFF_PER); }

/* Every phase after pre-copy that does not depend on memory (ps). */
static uint64_t switchover_fixed(void)
{
    return T_SUSPEND + 2 * c(ISCFG) + T_MAPPINGS + c(VIOCTL) + map_window() + REMAP_PS +
           T_RESUME + 2 * (c(VIOCTL) + c(ISCFG));
}

static uint64_t after_resume(void)
{
    return T_DT + T_CLEANUP + clear_window() + c(VIOCTL);
}

/* B bytes at RATE, to the ps, as the link charges. */
static uint64_t send_ps(uint64_t bytes)
{
    return (uint64_t)llround((double)bytes * PS / RATE);
}

/* ---- the recursion --------------------------------------------------------------- */

static double rel_gap(double x, double th)
{
    return th > 0 ? fabs(x - th) / th : INFINITY;
}

void lpm_model_recursion(double pages, double page, double w, double d, double r,
                         double lat_s, double dl_s, unsigned max_rounds, double max_factor,
                         struct lpm_model *m)
{
    double n = pages, sent = 0, t = 0, margin = INFINITY;
    unsigned rounds = 0;
    for (;;) {
        double ti = n * page / r + lat_s;
        t += ti;
        sent += n;
        rounds++;
        double next = w * (1 - pow(1 - 1 / w, d * ti));
        double fit = next * page / r;
        margin = fmin(margin, rel_gap(fit, dl_s));
        if (fit <= dl_s || rounds >= max_rounds)
            { n = next; break; }
        margin = fmin(margin, rel_gap(sent * page, max_factor * pages * page));
        if (sent * page > max_factor * pages * page)
            { n = next; break; }
        n = next;
    }
    *m = (struct lpm_model){ rounds, n, sent + n, t, margin };
}

/* ---- running a row ------------------------------------------------------------------ */

struct row_run {
    double total, downtime, rounds, bytes;
};

static int run_row(enum kernel_backend k, const char *name, const char *memory,
                   const char *workload, const char *latency, const char *vasi_poll,
                   const char *join, const char *dl, unsigned max_rounds, double max_factor,
                   const char *duration, struct row_run *out)
{
    char body[4096], text[6144];
    snprintf(body, sizeof body, machine, system_body, system_body, latency, memory, workload,
             vasi_poll, join, dl, max_rounds, max_factor);
    snprintf(text, sizeof text, "name: %s\nseed: 5\nduration: %s\n%s", name, duration, body);
    struct recorder *rec = validate_run_text(name, text, k, "lpm row");
    if (!rec)
        return -1;
    static const char *const names[] = { "total_time", "downtime", "precopy_rounds",
                                         "bytes_moved" };
    double *v[] = { &out->total, &out->downtime, &out->rounds, &out->bytes };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < 4; i++)
        if (!recorder_scalar_get(rec, "lpm.vm", names[i], v[i]))
            rc = -1;
    if (rc != 0)
        fprintf(stderr, "lparsim: validate: lpm row %s: no lpm.vm scalars\n", name);
    recorder_destroy(rec);
    return rc;
}

/* tol 0: exact; else the relative tolerance. Rows print ms (times), MiB
 * (bytes) or the count. */
static int print_row(FILE *out, const char *scenario, const char *quantity, const char *unit,
                     double reference, double simulated, double tol)
{
    double rel = reference != 0 ? (simulated - reference) / reference : simulated;
    bool ok = tol == 0 ? simulated == reference : fabs(rel) <= tol;
    double div = strcmp(unit, "ms") == 0 ? 1e6 : strcmp(unit, "MiB") == 0 ? 1048576.0 : 1;
    fprintf(out, "%-14s %-28s %-5s %12.10g  %-22.10g %+7.2f%%  %s\n", scenario, quantity, unit,
            reference / div, simulated / div, 100 * rel, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

/* No dirtying, no I/O: exact. 4 GiB at 10 Gbps; the guest polls every 1 s. */
static int row_exact(FILE *out, enum kernel_backend k)
{
    const uint64_t mem = 4ull << 30, lat = 50000000ull, poll = 1000000000000ull, join = 1000000000ull;
    struct row_run r;
    if (run_row(k, "lpm-exact", "4GiB", "", "50us", "1s", "1ms", "300ms", 30, 3, "20s", &r) != 0)
        return -1;
    uint64_t pre = send_ps(mem) + lat;
    uint64_t wait = (pre + poll - 1) / poll * poll - pre;
    uint64_t down = switchover_fixed();
    uint64_t total = T_VALIDATE + T_PREPARE + pre + wait + join + down + after_resume();
    int failed = 0;
    failed += print_row(out, "lpm-exact", "total_time", "ms", (double)total / 1000, r.total, 0);
    failed += print_row(out, "lpm-exact", "downtime", "ms", (double)down / 1000, r.downtime, 0);
    failed += print_row(out, "lpm-exact", "precopy_rounds", "", 1, r.rounds, 0);
    failed += print_row(out, "lpm-exact", "bytes_moved", "MiB", (double)mem, r.bytes, 0);
    return failed;
}

/* One point of the uniform-dirtying recursion (vasi_poll and join 0, so
 * the stop-and-copy sends the last dirty set exactly). */
struct point {
    const char *name, *memory, *ws, *dl;
    double pages, w, d, dl_s;
    unsigned max_rounds;
    double max_factor;
    const char *duration;
};

static int row_point(FILE *out, enum kernel_backend k, const struct point *p, bool geometric)
{
    char wl[256];
    snprintf(wl, sizeof wl, "    workload: {kind: dirty, rate: %g/s, working_set: %s}\n", p->d,
             p->ws);
    struct row_run r;
    if (run_row(k, p->name, p->memory, wl, geometric ? "0us" : "50us", "0s", "0s", p->dl,
                p->max_rounds, p->max_factor, p->duration, &r) != 0)
        return -1;
    double lat = geometric ? 0 : 50e-6, fixed_pre = (double)(T_VALIDATE + T_PREPARE) / PS;
    double ref_rounds, ref_bytes, ref_down, ref_total;
    if (!geometric) {
        struct lpm_model m;
        lpm_model_recursion(p->pages, PAGE, p->w, p->d, RATE, lat, p->dl_s, p->max_rounds,
                            p->max_factor, &m);
        if (m.margin < 0.05)
            fprintf(stderr, "lparsim: validate: %s is %.1f%% from a stop threshold (< 5%%)\n",
                    p->name, 100 * m.margin);
        ref_rounds = m.rounds;
        ref_bytes = m.sent_pages * PAGE;
        ref_down = (m.stop_pages > 0 ? m.stop_pages * PAGE / RATE + lat : 0) +
                   (double)switchover_fixed() / PS;
        ref_total = fixed_pre + m.precopy_s + ref_down + (double)after_resume() / PS;
    } else {
        /* Akoush et al.: lambda = D / R, n = min(ceil(log_lambda(V_th / V)), n_max) */
        double v = p->pages * PAGE, lambda = p->d * PAGE / RATE, vth = p->dl_s * RATE;
        double n = fmin(ceil(log(vth / v) / log(lambda)), p->max_rounds);
        double series = (1 - pow(lambda, n + 1)) / (1 - lambda);
        ref_rounds = n;
        ref_bytes = v * series;
        ref_down = v * pow(lambda, n) / RATE + (double)switchover_fixed() / PS;
        ref_total = fixed_pre + v / RATE * series + (double)switchover_fixed() / PS +
                    (double)after_resume() / PS;
    }
    int failed = 0;
    failed += print_row(out, p->name, "precopy_rounds", "", ref_rounds, r.rounds, 0);
    failed += print_row(out, p->name, "bytes_moved", "MiB", ref_bytes, r.bytes, 0.02);
    failed += print_row(out, p->name, "total_time", "ms", ref_total * 1e9, r.total, 0.02);
    failed += print_row(out, p->name, "downtime", "ms", ref_down * 1e9, r.downtime, 0.02);
    return failed;
}

int validate_lpm(FILE *out, enum kernel_backend k)
{
    /* 4 GiB = 65536 pages of 64 KiB; T(0) = 3.436 s at 10 Gbps */
    static const struct point points[] = {
        /* converges: W = 1 GiB at 5000 pages/s stops after 2 rounds */
        { "lpm-converge", "4GiB", "1GiB", "300ms", 65536, 16384, 5000, 0.3, 30, 3, "20s" },
        /* W = memory at 50000 pages/s never fits 100 ms: max_rounds 4 */
        { "lpm-maxrounds", "4GiB", "0", "100ms", 65536, 65536, 50000, 0.1, 4, 10, "30s" },
        /* the same until more than 2.5 x memory is sent (after round 2) */
        { "lpm-maxfactor", "4GiB", "0", "100ms", 65536, 65536, 50000, 0.1, 30, 2.5, "30s" },
    };
    /* 64 GiB = 1 Mi pages, T(0) = 55 s: d = 190 pages/s is d T(0) = 1% of W
     * (lambda = 0.00996); a downtime limit of 1 ms (V_th / V = 1.8e-5) needs
     * ceil(2.37) = 3 rounds */
    static const struct point geo = { "lpm-geometric", "64GiB", "0", "1ms", 1048576,
                                      1048576, 190, 0.001, 30, 3, "80s" };
    int failed = row_exact(out, k);
    if (failed < 0)
        return -1;
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        int f = row_point(out, k, &points[i], false);
        if (f < 0)
            return -1;
        failed += f;
    }
    int f = row_point(out, k, &geo, true);
    return f < 0 ? -1 : failed + f;
}
