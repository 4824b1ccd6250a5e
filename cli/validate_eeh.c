/* cli/validate_eeh.c — EEH rows of the validation table (docs/validation.md:
 * the EEH recovery time for each answer, and a reset that needs all 3
 * attempts, exactly to the picosecond).
 *
 * One LPAR on one VF of a storage adapter, a closed loop of 4 I/Os, the
 * default EEH timings (docs/model-reference.md), and one fault per case.
 * The references come from the resolved scenario's parameters, with
 * cb = eeh_callback, H = reset_hold, S = reset_settle, C = configure,
 * R = restore, T = thaw, I = reinit, Z = hotplug_sleep, Q queue pairs,
 * V = one H_VIOCTL (vioctl cycles at the core frequency, rounded to the
 * picosecond as every CPU cost is); a recovery runs from the start of
 * error_detected to the end of resume (eeh_start .. eeh_end):
 *   reset         3 cb + (H + S) + C + R + I + Q V
 *   reset, 3      3 cb + 3 (H + S) + C + R + I + Q V   (the adapter fails
 *                 and is repaired between the 2nd and 3rd reset)
 *   recover       3 cb + 2 T + I + Q V
 *   none          cb + (H + S) + C + R + Z + I + Q V
 *   given up      cb + A (H + S)                       (never repaired,
 *                 A = reset_attempts)
 *   detect, mmio_poll   the first poll (k P, k >= 1) at or after the
 *                       freeze, minus the freeze
 *   detect, timeout     the oldest stalled command's doorbell (issued at
 *                       the workload's start, submit_cycles later) +
 *                       io_timeout, rounded up to a whole second (blk-mq's
 *                       timer: round_jiffies_up), minus the freeze
 *   retried             the closed loop's depth (every command stalls),
 *                       and in general the sum of what the
 *                       eeh_error_detected_end events report. */
#include "cli/validate_eeh.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registry.h"
#include "cli/run.h"
#include "sim/scenario.h"

#define COMP "eeh.s0.nvme0.vf0"
#define FREEZE_PS UINT64_C(503000000000) /* 503 ms: between two polls */

static const char *template =
    "name: eeh-validation\n"
    "seed: 1\n"
    "duration: %s\n"
    "systems:\n"
    "  - name: s0\n"
    "    cores: 4\n"
    "    threads_per_core: 1\n"
    "    frequency: 3.8GHz\n"
    "    adapters:\n"
    "      - name: nvme0\n"
    "        kind: storage\n"
    "        vfs: 2\n"
    "        servers: 8\n"
    "        service: {dist: constant, mean: 80us}\n"
    "lpars:\n"
    "  - name: db1\n"
    "    system: s0\n"
    "    adapter: nvme0\n"
    "    vps: 4\n"
    "    driver: {detect: %s, poll_interval: 10ms, eeh: %s}\n"
    "    workload: {kind: storage, mode: closed, depth: 4, think: %s, start: %s,\n"
    "               block_size: 4KiB}\n"
    "timeline:\n"
    "%s";

/* ---- the parameters ------------------------------------------------------ */

struct params {
    uint64_t cb, hold, settle, configure, restore, thaw, reinit, hotplug, poll, timeout;
    uint64_t submit, vioctl, queue_pairs, attempts, depth;
};

__extension__ typedef unsigned __int128 u128;

static uint64_t cycles_ps(uint64_t cycles, uint64_t hz)
{
    return (uint64_t)(((u128)cycles * 1000000000000u + hz / 2) / hz);
}

static void params_of(const struct cfg_node *root, struct params *p)
{
    const struct cfg_node *ad = cfg_find(root, "systems.s0.adapters.nvme0");
    const struct cfg_node *drv = cfg_find(root, "lpars.db1.driver");
    uint64_t hz = (uint64_t)llround(cfg_f64(root, "systems.s0.frequency"));
    *p = (struct params){
        .cb = cfg_u64(drv, "eeh_callback"), .hold = cfg_u64(ad, "eeh.reset_hold"),
        .settle = cfg_u64(ad, "eeh.reset_settle"), .configure = cfg_u64(ad, "eeh.configure"),
        .restore = cfg_u64(ad, "eeh.restore"), .thaw = cfg_u64(ad, "eeh.thaw"),
        .reinit = cfg_u64(drv, "reinit"), .hotplug = cfg_u64(drv, "hotplug_sleep"),
        .poll = cfg_u64(drv, "poll_interval"), .timeout = cfg_u64(drv, "io_timeout"),
        .submit = cycles_ps(cfg_u64(drv, "submit_cycles"), hz),
        .vioctl = cycles_ps(cfg_u64(root, "systems.s0.hcalls.vioctl"), hz),
        .queue_pairs = cfg_u64(ad, "queue_pairs"), .attempts = cfg_u64(drv, "reset_attempts"),
        .depth = cfg_u64(root, "lpars.db1.workload.depth"),
    };
}

static uint64_t tail(const struct params *p) /* reinit with its H_VIOCTLs */
{
    return p->reinit + p->queue_pairs * p->vioctl;
}

static uint64_t next_poll(const struct params *p, uint64_t t)
{
    return (t + p->poll - 1) / p->poll * p->poll;
}

/* ---- running a case -------------------------------------------------------- */

struct eeh_run {
    struct scenario *s;
    struct run_outcome out;
    struct params p;
};

static struct scenario *load_case(const char *duration, const char *detect,
                                  const char *answer, const char *think, const char *start,
                                  const char *timeline)
{
    char text[2048];
    struct diag err;
    snprintf(text, sizeof text, template, duration, detect, answer, think, start, timeline);
    struct scenario *s = scenario_load_string("eeh-validation.yaml", text, &scenario_schema,
                                              &err);
    if (!s)
        diag_print(&err, stderr);
    return s;
}

static int run_case(struct eeh_run *r, enum kernel_backend k, const char *duration,
                    const char *detect, const char *answer, const char *think,
                    const char *start, const char *timeline)
{
    struct diag err;
    struct run_options o = { .kernel = k };
    memset(r, 0, sizeof *r);
    r->s = load_case(duration, detect, answer, think, start, timeline);
    if (!r->s)
        return -1;
    if (run_scenario(r->s, &o, &r->out, &err) != 0) {
        diag_print(&err, stderr);
        recorder_destroy(r->out.rec);
        scenario_free(r->s);
        return -1;
    }
    params_of(r->s->root, &r->p);
    return 0;
}

static void run_free(struct eeh_run *r)
{
    recorder_destroy(r->out.rec);
    scenario_free(r->s);
}

/* Time of the n-th event `kind` of the VF's EEH component (0: none). */
static uint64_t event_t(const struct eeh_run *r, const char *kind, size_t n)
{
    const struct event_row *rows;
    size_t count = recorder_events(r->out.rec, &rows);
    for (size_t i = 0; i < count; i++)
        if (strcmp(rows[i].component, COMP) == 0 && strcmp(rows[i].kind, kind) == 0 && n-- == 0)
            return rows[i].t;
    return 0;
}

static uint64_t recovery(const struct eeh_run *r)
{
    uint64_t start = event_t(r, "eeh_start", 0), end = event_t(r, "eeh_end", 0);
    return start && end > start ? end - start : 0;
}

static double scalar(const struct eeh_run *r, const char *comp, const char *name)
{
    double v = NAN;
    recorder_scalar_get(r->out.rec, comp, name, &v);
    return v;
}

/* The sum of the counts the eeh_error_detected_end events report. */
static double taken_back(const struct eeh_run *r)
{
    const struct event_row *rows;
    size_t count = recorder_events(r->out.rec, &rows);
    double sum = 0;
    for (size_t i = 0; i < count; i++) {
        const char *p = strcmp(rows[i].component, COMP) == 0 &&
                        strcmp(rows[i].kind, "eeh_error_detected_end") == 0
                            ? strstr(rows[i].detail, ": ") : NULL;
        if (p)
            sum += strtod(p + 2, NULL);
    }
    return sum;
}

/* ---- rows ------------------------------------------------------------------- */

/* A time row, exact to the picosecond; shown in ms. A run whose checks
 * failed (an I/O lost) fails its rows too. */
static int time_row(FILE *out, const char *scenario, const char *quantity,
                    const struct eeh_run *r, uint64_t ref, uint64_t sim)
{
    bool pass = r->out.ok && sim == ref;
    double rel = ref ? 100.0 * ((double)sim - (double)ref) / (double)ref : 0;
    char s[32];
    snprintf(s, sizeof s, "%.9f", (double)sim / 1e9);
    fprintf(out, "%-14s %-28s %-5s %12.6f  %-22s %+7.2f%%  %s\n", scenario, quantity, "ms",
            (double)ref / 1e9, s, rel, pass ? "PASS" : "FAIL");
    return !pass;
}

static int count_row(FILE *out, const char *scenario, const char *quantity,
                     const struct eeh_run *r, double ref, double sim)
{
    bool pass = r->out.ok && sim == ref;
    double rel = ref != 0 ? 100.0 * (sim - ref) / ref : 0;
    char s[32];
    snprintf(s, sizeof s, "%.0f", sim);
    fprintf(out, "%-14s %-28s %-5s %12.0f  %-22s %+7.2f%%  %s\n", scenario, quantity, "",
            ref, s, rel, pass ? "PASS" : "FAIL");
    return !pass;
}

static const char *one_freeze = "  - {at: 503ms, action: freeze, target: s0.nvme0.vf0}\n";

int validate_eeh(FILE *out, enum kernel_backend k)
{
    struct eeh_run r;
    int failed = 0;
    char timeline[256];

    /* reset, noticed by polling */
    if (run_case(&r, k, "4s", "mmio_poll", "reset", "1ms", "0ns", one_freeze) != 0)
        return -1;
    const struct params *p = &r.p;
    failed += time_row(out, "eeh-reset", "recovery 3cb+(H+S)+C+R+I+QV", &r,
                       3 * p->cb + p->hold + p->settle + p->configure + p->restore + tail(p),
                       recovery(&r));
    failed += time_row(out, "eeh-reset", "detect, mmio_poll", &r,
                       next_poll(p, FREEZE_PS) - FREEZE_PS, event_t(&r, "eeh_detect_end", 0) -
                       FREEZE_PS);
    run_free(&r);

    /* reset, the adapter failed and repaired half-way between the 2nd and
     * the 3rd reset's deassert (where the device is found alive or not),
     * placed from the parameters: the poll that notices, error_detected,
     * then hold + settle per attempt */
    struct scenario *s = load_case("8s", "mmio_poll", "reset", "1ms", "0ns", one_freeze);
    if (!s)
        return -1;
    struct params q;
    params_of(s->root, &q);
    scenario_free(s);
    uint64_t ed_end = next_poll(&q, FREEZE_PS) + q.cb;
    uint64_t repair = ed_end + (q.hold + q.settle) + q.hold + (q.hold + q.settle) / 2;
    snprintf(timeline, sizeof timeline,
             "  - {at: 503ms, action: fail, target: s0.nvme0}\n"
             "  - {at: %" PRIu64 "ps, action: repair, target: s0.nvme0}\n", repair);
    if (run_case(&r, k, "8s", "mmio_poll", "reset", "1ms", "0ns", timeline) != 0)
        return -1;
    failed += time_row(out, "eeh-reset-3", "recovery 3cb+3(H+S)+C+R+I+QV", &r,
                       3 * p->cb + 3 * (p->hold + p->settle) + p->configure + p->restore +
                           tail(p), recovery(&r));
    failed += count_row(out, "eeh-reset-3", "retried = sum taken back", &r, taken_back(&r),
                        scalar(&r, "lpar.db1", "ios_retried"));
    run_free(&r);

    /* recover */
    if (run_case(&r, k, "2s", "mmio_poll", "recover", "1ms", "0ns", one_freeze) != 0)
        return -1;
    failed += time_row(out, "eeh-recover", "recovery 3cb+2T+I+QV", &r,
                       3 * p->cb + 2 * p->thaw + tail(p), recovery(&r));
    run_free(&r);

    /* none: removed, slept, added back */
    if (run_case(&r, k, "9s", "mmio_poll", "none", "1ms", "0ns", one_freeze) != 0)
        return -1;
    failed += time_row(out, "eeh-none", "recovery cb+(H+S)+C+R+Z+I+QV", &r,
                       p->cb + p->hold + p->settle + p->configure + p->restore + p->hotplug +
                           tail(p), recovery(&r));
    run_free(&r);

    /* given up: the adapter is never repaired */
    if (run_case(&r, k, "8s", "mmio_poll", "reset", "1ms", "0ns",
                 "  - {at: 503ms, action: fail, target: s0.nvme0}\n") != 0)
        return -1;
    failed += time_row(out, "eeh-give-up", "given up after cb+A(H+S)", &r,
                       p->cb + p->attempts * (p->hold + p->settle), recovery(&r));
    failed += count_row(out, "eeh-give-up", "permanent_failures", &r, 1,
                        scalar(&r, COMP, "permanent_failures"));
    run_free(&r);

    /* noticed by the I/O timeout (30 s): the PE freezes at 5 ms, before
     * the loop starts at 10 ms, so its 4 commands (one per VP) stall from
     * their doorbells on */
    if (run_case(&r, k, "33s", "timeout", "reset", "0ns", "10ms",
                 "  - {at: 5ms, action: freeze, target: s0.nvme0.vf0}\n") != 0)
        return -1;
    uint64_t freeze = UINT64_C(5000000000), start = UINT64_C(10000000000);
    uint64_t second = UINT64_C(1000000000000);
    uint64_t due = start + p->submit + p->timeout;
    failed += time_row(out, "eeh-timeout", "detect, ceil_s(oldest+timeout)", &r,
                       (due + second - 1) / second * second - freeze,
                       event_t(&r, "eeh_detect_end", 0) - freeze);
    failed += count_row(out, "eeh-timeout", "retried = depth D", &r, (double)p->depth,
                        scalar(&r, "lpar.db1", "ios_retried"));
    run_free(&r);
    return failed;
}
