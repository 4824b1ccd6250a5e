/* cli/validate_switch.c — switch and failover rows (see validate_switch.h).
 *
 * The machine of every row: one system at 3 GHz with hypervisor-call
 * costs that are not the defaults, two storage adapters (or three network
 * ones) of 2 queue pairs, a driver with 128-entry rings and 16 buffers of
 * 16 KiB in 4 KiB I/O pages (set: the default page follows the driver's
 * mapping, 64 KiB for this static one). So the driver's window holds
 *   rings:   2 x ceil(128 x (64 + 16) / 4096) = 6 pages
 *   buffers: 16 x 16384 / 4096                = 64 pages
 * and a VF assignment maps P = 70 TCEs (static mapping). With c(x) = a
 * cycle count x at 3 GHz, rounded to the ps as each call is charged:
 *   enable / disable VF   c(vioctl)
 *   map the window        c(ceil(P / tpc) put_tce_indirect + P per_tce)
 *   clear the window      c(ceil(P / tpc) stuff_tce + P stuff_per_tce)
 *   per queue pair:       attach + MSI-X c(vioctl); (un)bind c(iscfg)
 * On a failure, to the standby: detect first, then the same steps.
 * Transparent switch = prepare (enable + map) + stop (2 vioctl) + remap
 *   + reroute (2 unbind + 2 (vioctl + bind)) + replay (H x replay)
 *   + release (clear + disable).
 * Error-state switch = collect (2 vioctl) + configure (enable + map +
 *   2 unbind + 2 (vioctl + bind)) + deconfigure (remap + clear + disable).
 * vNIC failover = detect (the heartbeat after the failure: ceil(t/hb) hb
 *   - t) + release (2 unbind + clear + disable) + assign (enable + map +
 *   2 (vioctl + bind)) + login + announce. */
#include "cli/validate_switch.h"

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
#define REPLAY_PS 2000000ull
#define DETECT_PS 25000000ull
#define HEARTBEAT_PS 400000000000ull
#define T_FAIL_PS 1300000000000ull
#define LOGIN_PS 15000000000ull
#define ANNOUNCE_PS 2000000000ull
#define DEPTH 6

static const char *const machine =
    "seed: 3\n"
    "systems:\n"
    "  - name: s0\n"
    "    frequency: 3GHz\n"
    "    hcalls: {vioctl: 300000, put_tce_indirect: 3000, put_tce_indirect_per_tce: 100,\n"
    "             stuff_tce: 2500, stuff_tce_per_tce: 30, int_set_source_config: 15000,\n"
    "             tces_per_call: 256}\n"
    "    switch: {remap: 3us, replay: 2us, detect: 25us}\n"
    "    adapters:\n";

static const char *const driver =
    "    driver: {queue_entries: 128, buffers: 16, buffer_size: 16KiB}\n";

/* Rows print microseconds; references and scalars are in ns. */
/* x cycles at FREQ, to the nearest ps (halves up), as the model charges. */
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

static int print_row(FILE *out, const char *scenario, const char *quantity, double reference,
                     double simulated)
{
    bool ok = simulated == reference;
    double rel = reference != 0 ? 100 * (simulated - reference) / reference : 0;
    fprintf(out, "%-14s %-28s %-5s %12.10g  %-22.10g %+7.2f%%  %s\n", scenario, quantity, "us",
            reference / 1000, simulated / 1000, rel, ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

/* Runs `text` and reads one scalar; NAN when the run or the scalar fails. */
static double run_scalar(const char *text, enum kernel_backend k, const char *comp,
                         const char *name)
{
    struct recorder *rec = validate_run_text("validate-switch", text, k, "switch row");
    double v = NAN;
    if (rec && !recorder_scalar_get(rec, comp, name, &v))
        fprintf(stderr, "lparsim: validate: switch row: no scalar %s %s\n", comp, name);
    recorder_destroy(rec);
    return v;
}

static double switch_scenario(enum kernel_backend k, const char *method, const char *workload,
                              const char *name, const char *scalar)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name: %s\nduration: 3s\n%s"
             "      - {name: a0, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}, service: {dist: constant, mean: 10s}}\n"
             "      - {name: a1, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}, service: {dist: constant, mean: 10s}}\n"
             "lpars:\n"
             "  - name: db\n    system: s0\n    adapter: a0\n    vps: 2\n%s%s"
             "timeline:\n"
             "  - {at: 1s, action: switch_adapter, lpar: db, to: a1, method: %s}\n",
             name, machine, driver, workload, method);
    return run_scalar(text, k, "switch.db", scalar);
}

/* db on a0 with standby a1; a0 fails at 1 s: detect + the idle switch. */
static double standby_scenario(enum kernel_backend k)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name: switch-standby\nduration: 3s\n%s"
             "      - {name: a0, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}}\n"
             "      - {name: a1, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}}\n"
             "lpars:\n"
             "  - name: db\n    system: s0\n    adapter: a0\n    vps: 2\n    standby: a1\n%s"
             "timeline:\n"
             "  - {at: 1s, action: fail, target: s0.a0}\n",
             machine, driver);
    return run_scalar(text, k, "switch.db", "switch_time");
}

static int rows_switch(FILE *out, enum kernel_backend k)
{
    uint64_t prepare = c(VIOCTL) + map_window();
    uint64_t stop = 2 * c(VIOCTL);
    uint64_t reroute = 2 * c(ISCFG) + 2 * (c(VIOCTL) + c(ISCFG));
    uint64_t release = clear_window() + c(VIOCTL);
    uint64_t idle = prepare + stop + REMAP_PS + reroute + release;
    int failed = 0;
    double t = switch_scenario(k, "transparent", "", "switch-idle", "switch_time");
    if (isnan(t))
        return -1;
    failed += print_row(out, "switch-idle", "transparent switch_time", (double)idle / 1000, t);
    /* a closed loop of DEPTH commands that take 10 s each: all DEPTH are at
     * the device when it switches, and replayed */
    char wl[128];
    snprintf(wl, sizeof wl, "    workload: {kind: storage, mode: closed, depth: %d}\n", DEPTH);
    t = switch_scenario(k, "transparent", wl, "switch-held", "switch_time");
    if (isnan(t))
        return -1;
    failed += print_row(out, "switch-held", "switch_time, 6 replayed",
                        (double)(idle + DEPTH * REPLAY_PS) / 1000, t);
    uint64_t error_state = 2 * c(VIOCTL) + prepare + 2 * c(ISCFG) + 2 * (c(VIOCTL) + c(ISCFG)) +
                           REMAP_PS + release;
    t = standby_scenario(k);
    if (isnan(t))
        return -1;
    failed += print_row(out, "switch-standby", "switch_time on failure",
                        (double)(DETECT_PS + idle) / 1000, t);
    t = switch_scenario(k, "error_state", "", "switch-error", "switch_time");
    if (isnan(t))
        return -1;
    failed += print_row(out, "switch-error", "error_state switch_time",
                        (double)error_state / 1000, t);
    return failed;
}

static int rows_failover(FILE *out, enum kernel_backend k)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name: vnic\nduration: 3s\n%s"
             "      - {name: e0, kind: network, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}}\n"
             "      - {name: e1, kind: network, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}}\n"
             "      - {name: e2, kind: network, vfs: 2, queue_pairs: 2, dma_window: {page_size: 4KiB}}\n"
             "lpars:\n"
             "  - name: web\n    system: s0\n    adapter: e0\n    vps: 2\n%s"
             "    vnic: {priority: 10, heartbeat: 400ms, login: 15ms, announce: 2ms}\n"
             "    backups:\n"
             "      - {name: b1, adapter: e1, priority: 40}\n"
             "      - {name: b2, adapter: e2, priority: 30}\n"
             "    workload: {kind: network, tx_rate: 1k/s, rx_rate: 1k/s}\n"
             "timeline:\n"
             "  - {at: 1300ms, action: fail, target: s0.e0}\n",
             machine, driver);
    uint64_t detect = (T_FAIL_PS + HEARTBEAT_PS - 1) / HEARTBEAT_PS * HEARTBEAT_PS - T_FAIL_PS;
    uint64_t release = 2 * c(ISCFG) + clear_window() + c(VIOCTL);
    uint64_t assign = c(VIOCTL) + map_window() + 2 * (c(VIOCTL) + c(ISCFG));
    uint64_t total = detect + release + assign + LOGIN_PS + ANNOUNCE_PS;
    double t = run_scalar(text, k, "failover.web", "failover_time");
    if (isnan(t))
        return -1;
    return print_row(out, "vnic-failover", "failover_time", (double)total / 1000, t);
}

int validate_switch(FILE *out, enum kernel_backend k)
{
    int a = rows_switch(out, k);
    if (a < 0)
        return -1;
    int b = rows_failover(out, k);
    return b < 0 ? -1 : a + b;
}
