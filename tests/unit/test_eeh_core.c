/* tests/unit/test_eeh_core.c — EEH recovery end to end (models/guest/
 * eeh_core.c with the driver, the hypervisor's RTAS calls and the PE),
 * through run_scenario, against closed forms derived from the parameters
 * only (docs/validation.md "EEH recovery"). Every parameter is set to a
 * value other than its default, so a model that ignores one fails.
 *
 * With cb = eeh_callback, H = reset_hold, S = reset_settle, C = configure,
 * R = restore, T = thaw, I = reinit, Z = hotplug_sleep, Q queue pairs and
 * V = one H_VIOCTL (vioctl cycles at the core frequency, rounded to the
 * picosecond as every CPU cost is), a recovery lasts, from the start of
 * error_detected to its end (eeh_start .. eeh_end):
 *   reset, k attempts:  3 cb + k (H + S) + C + R + I + Q V
 *                       (error_detected, slot_reset, resume callbacks)
 *   recover:            3 cb + 2 T + I + Q V
 *                       (error_detected, mmio_enabled, resume; 2 thaws)
 *   none:               cb + (H + S) + C + R + Z + I + Q V
 *   given up after A failed resets: cb + A (H + S), then the device's I/O
 *   fails (ios_failed), none is lost.
 * Detection: mmio_poll reads at k P (k >= 1), so a freeze at t is noticed
 * at the next multiple of P after t; timeout notices it at the oldest
 * outstanding command's start + io_timeout, and a command starts when its
 * doorbell is written, submit_cycles after it is issued.
 * The I/O the device held at error_detected (a closed loop of depth D
 * whose device stalls: all D) is retried: ios_retried equals the sum of
 * the counts the eeh_error_detected_end events report. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/registry.h"
#include "cli/run.h"
#include "cli/timeline_actions.h"
#include "models/guest/eeh_core.h"
#include "sim/scenario.h"

/* ---- the parameters (each off its default) and the closed forms --------- */

#define MS UINT64_C(1000000000)
#define US UINT64_C(1000000)

static const uint64_t CB = 21 * US;         /* eeh_callback */
static const uint64_t THAW = 3 * US;        /* eeh.thaw */
static const uint64_t HOLD = 120 * MS;      /* eeh.reset_hold */
static const uint64_t SETTLE = 700 * MS;    /* eeh.reset_settle */
static const uint64_t CONFIGURE = 7 * US;   /* eeh.configure */
static const uint64_t RESTORE = 33 * US;    /* eeh.restore */
static const uint64_t REINIT = 123 * MS;    /* driver reinit */
static const uint64_t HOTPLUG = 1500 * MS;  /* driver hotplug_sleep */
static const uint64_t POLL = 7 * MS;        /* driver poll_interval */
static const uint64_t QP = 2;               /* adapter queue_pairs */
static const uint64_t FREQ_HZ = 3000000000; /* 3GHz */
static const uint64_t VIOCTL_CYCLES = 380000;
static const uint64_t SUBMIT_CYCLES = 6000; /* driver default */

/* cycles at the core frequency, to the nearest picosecond */
static uint64_t cycles_ps(uint64_t cycles)
{
    return (cycles * UINT64_C(1000000000000) + FREQ_HZ / 2) / FREQ_HZ;
}

static uint64_t vioctls(void) { return QP * cycles_ps(VIOCTL_CYCLES); }

static uint64_t reset_time(uint64_t attempts)
{
    return 3 * CB + attempts * (HOLD + SETTLE) + CONFIGURE + RESTORE + REINIT + vioctls();
}

static uint64_t recover_time(void) { return 3 * CB + 2 * THAW + REINIT + vioctls(); }

static uint64_t none_time(void)
{
    return CB + HOLD + SETTLE + CONFIGURE + RESTORE + HOTPLUG + REINIT + vioctls();
}

/* the first poll at or after t (polls at k P, k >= 1) */
static uint64_t next_poll(uint64_t t) { return (t + POLL - 1) / POLL * POLL; }

/* ---- running a case ------------------------------------------------------ */

struct eeh_case {
    const char *answer;     /* reset | recover | none */
    const char *detect;     /* mmio_poll | timeout */
    const char *io_timeout; /* "50ms" */
    unsigned reset_attempts, max_freezes, depth;
    const char *start;      /* workload start */
    const char *timeline;   /* the items, YAML lines */
    const char *debug;      /* a `debug:` section's flow mapping, or NULL */
};

static const char *yaml_fmt =
    "name: eeh\n"
    "seed: 11\n"
    "duration: 4s\n"
    "systems:\n"
    "  - name: s0\n"
    "    cores: 4\n"
    "    threads_per_core: 1\n"
    "    frequency: 3GHz\n"
    "    hcalls: {vioctl: %" PRIu64 "}\n"
    "    adapters:\n"
    "      - name: nvme0\n"
    "        kind: storage\n"
    "        vfs: 2\n"
    "        servers: 8\n"
    "        queue_pairs: %" PRIu64 "\n"
    "        service: {dist: constant, mean: 50us}\n"
    "        eeh: {thaw: %" PRIu64 "ps, reset_hold: %" PRIu64 "ps, reset_settle: %" PRIu64 "ps,\n"
    "              configure: %" PRIu64 "ps, restore: %" PRIu64 "ps, max_freezes: %u}\n"
    "lpars:\n"
    "  - name: db1\n"
    "    system: s0\n"
    "    adapter: nvme0\n"
    "    vps: 4\n"
    "    driver: {detect: %s, poll_interval: %" PRIu64 "ps, io_timeout: %s, eeh: %s,\n"
    "             reinit: %" PRIu64 "ps, eeh_callback: %" PRIu64 "ps, reset_attempts: %u,\n"
    "             hotplug_sleep: %" PRIu64 "ps}\n"
    "    workload: {kind: storage, mode: closed, depth: %u, think: 100us, start: %s,\n"
    "               block_size: 4KiB}\n"
    "timeline:\n"
    "%s";

static struct run_outcome run_case(const struct eeh_case *c, enum kernel_backend k)
{
    char text[4096];
    snprintf(text, sizeof text, yaml_fmt, VIOCTL_CYCLES, QP, THAW, HOLD, SETTLE, CONFIGURE,
             RESTORE, c->max_freezes ? c->max_freezes : 5, c->detect, POLL,
             c->io_timeout ? c->io_timeout : "30s", c->answer, REINIT, CB,
             c->reset_attempts ? c->reset_attempts : 3, HOTPLUG, c->depth ? c->depth : 4,
             c->start ? c->start : "0ns", c->timeline);
    if (c->debug)
        snprintf(text + strlen(text), sizeof text - strlen(text), "debug: %s\n", c->debug);
    struct diag err;
    struct scenario *s = scenario_load_string("eeh.yaml", text, &scenario_schema, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    struct run_options o = { .kernel = k };
    struct run_outcome out;
    ck_assert_msg(run_scenario(s, &o, &out, &err) == 0, "%s", err.msg);
    scenario_free(s);
    return out;
}

static double scalar_of(const struct run_outcome *o, const char *comp, const char *name)
{
    double v = NAN;
    ck_assert_msg(recorder_scalar_get(o->rec, comp, name, &v), "no scalar %s %s", comp, name);
    return v;
}

#define EEH_COMP "eeh.s0.nvme0.vf0"

/* The n-th (0-based) event of `kind` on `comp`, or NULL. */
static const struct event_row *event_nth(const struct run_outcome *o, const char *comp,
                                         const char *kind, size_t n)
{
    const struct event_row *rows;
    size_t count = recorder_events(o->rec, &rows);
    for (size_t i = 0; i < count; i++)
        if (strcmp(rows[i].component, comp) == 0 && strcmp(rows[i].kind, kind) == 0 && n-- == 0)
            return &rows[i];
    return NULL;
}

static size_t event_count(const struct run_outcome *o, const char *comp, const char *kind)
{
    size_t n = 0;
    while (event_nth(o, comp, kind, n))
        n++;
    return n;
}

static uint64_t event_t(const struct run_outcome *o, const char *comp, const char *kind, size_t n)
{
    const struct event_row *e = event_nth(o, comp, kind, n);
    ck_assert_msg(e != NULL, "no event %s %s #%zu", comp, kind, n);
    return e->t;
}

/* eeh_end - eeh_start of the n-th recovery, in ps */
static uint64_t recovery_ps(const struct run_outcome *o, size_t n)
{
    return event_t(o, EEH_COMP, "eeh_end", n) - event_t(o, EEH_COMP, "eeh_start", n);
}

/* The sum of the counts the eeh_error_detected_end events report. */
static uint64_t taken_back(const struct run_outcome *o)
{
    uint64_t sum = 0;
    const struct event_row *e;
    for (size_t i = 0; (e = event_nth(o, EEH_COMP, "eeh_error_detected_end", i)); i++) {
        const char *p = strstr(e->detail, ": ");
        ck_assert_msg(p != NULL, "detail '%s'", e->detail);
        sum += strtoull(p + 2, NULL, 10);
    }
    return sum;
}

static void assert_no_loss(const struct run_outcome *o)
{
    ck_assert_msg(o->ok, "run failed its checks: %s", o->error);
    ck_assert_double_eq(scalar_of(o, "lpar.db1", "ios_lost"), 0);
}

/* ---- recovery time per answer --------------------------------------------- */

static const char *one_freeze = "  - {at: 100500us, action: freeze, target: s0.nvme0.vf0}\n";
static const uint64_t FREEZE_AT = 100500 * US; /* 100.5 ms */

static void check_recovery(const char *answer, uint64_t want, enum kernel_backend k)
{
    struct eeh_case c = { .answer = answer, .detect = "mmio_poll", .timeline = one_freeze };
    struct run_outcome o = run_case(&c, k);
    assert_no_loss(&o);
    ck_assert_uint_eq(event_t(&o, "timeline", "freeze", 0), FREEZE_AT);
    ck_assert_uint_eq(event_t(&o, EEH_COMP, "eeh_start", 0), next_poll(FREEZE_AT));
    ck_assert_uint_eq(recovery_ps(&o, 0), want);
    ck_assert_double_eq_tol(scalar_of(&o, EEH_COMP, "recovery_time"), (double)want / 1e3, 1e-6);
    ck_assert_double_eq_tol(scalar_of(&o, EEH_COMP, "detect_time"),
                            (double)(next_poll(FREEZE_AT) - FREEZE_AT) / 1e3, 1e-6);
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "freezes"), 1);
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "recoveries"), 1);
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "permanent_failures"), 0);
    ck_assert_uint_eq((uint64_t)scalar_of(&o, "lpar.db1", "ios_retried"), taken_back(&o));
    recorder_destroy(o.rec);
}

START_TEST(reset_recovery_closed_form)
{
    check_recovery("reset", reset_time(1), KERNEL_NATIVE);
}
END_TEST

START_TEST(reset_recovery_closed_form_systemc)
{
    check_recovery("reset", reset_time(1), KERNEL_SYSTEMC);
}
END_TEST

START_TEST(recover_recovery_closed_form)
{
    check_recovery("recover", recover_time(), KERNEL_NATIVE);
}
END_TEST

START_TEST(none_recovery_closed_form)
{
    /* no handler: the device is removed, its I/O fails, nothing is retried */
    struct eeh_case c = { .answer = "none", .detect = "mmio_poll", .timeline = one_freeze };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    ck_assert_uint_eq(recovery_ps(&o, 0), none_time());
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_retried"), 0);
    ck_assert_uint_eq(taken_back(&o), 0);
    ck_assert(scalar_of(&o, "lpar.db1", "ios_failed") > 0);
    recorder_destroy(o.rec);
}
END_TEST

/* ---- resets that fail while the adapter is down ---------------------------- */

/* The adapter fails at FREEZE_AT; it is repaired half-way between the
 * deassert of attempt `repaired_before` - 1 and that of attempt
 * `repaired_before` (the device answers a reset if it is alive when the
 * reset is deasserted), so that attempt is the first to succeed. */
static void check_attempts(unsigned attempts_allowed, unsigned repaired_before)
{
    uint64_t ed_end = next_poll(FREEZE_AT) + CB;
    uint64_t deassert_prev = ed_end + (repaired_before - 2) * (HOLD + SETTLE) + HOLD;
    uint64_t repair = deassert_prev + (HOLD + SETTLE) / 2;
    char timeline[256];
    snprintf(timeline, sizeof timeline,
             "  - {at: 100500us, action: fail, target: s0.nvme0}\n"
             "  - {at: %" PRIu64 "ps, action: repair, target: s0.nvme0}\n", repair);
    struct eeh_case c = { .answer = "reset", .detect = "mmio_poll", .timeline = timeline,
                          .reset_attempts = attempts_allowed };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    ck_assert_uint_eq(recovery_ps(&o, 0), reset_time(repaired_before));
    ck_assert_uint_eq(event_count(&o, EEH_COMP, "eeh_reset_end"), repaired_before);
    for (unsigned i = 0; i + 1 < repaired_before; i++)
        ck_assert_str_eq(event_nth(&o, EEH_COMP, "eeh_reset_end", i)->detail,
                         "slot inactive after reset");
    ck_assert_str_eq(event_nth(&o, EEH_COMP, "eeh_reset_end", repaired_before - 1)->detail,
                     "the device answers");
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "recoveries"), 1);
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "permanent_failures"), 0);
    /* the closed loop's 4 I/Os were in the dead device: all taken back */
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_retried"), 4);
    ck_assert_uint_eq(taken_back(&o), 4);
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_failed"), 0);
    recorder_destroy(o.rec);
}

START_TEST(reset_needing_all_three_attempts)
{
    check_attempts(3, 3);
}
END_TEST

START_TEST(reset_needing_four_of_five_attempts)
{
    check_attempts(5, 4);
}
END_TEST

START_TEST(failed_resets_give_the_pe_up)
{
    /* never repaired: after reset_attempts (4) failed resets the PE is
     * permanently offline and the LPAR's I/O fails visibly from then on */
    struct eeh_case c = { .answer = "reset", .detect = "mmio_poll", .reset_attempts = 4,
                          .timeline = "  - {at: 100500us, action: fail, target: s0.nvme0}\n" };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    ck_assert_uint_eq(recovery_ps(&o, 0), CB + 4 * (HOLD + SETTLE));
    ck_assert_ptr_nonnull(strstr(event_nth(&o, EEH_COMP, "eeh_end", 0)->detail,
                                 "every reset attempt failed"));
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "permanent_failures"), 1);
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "recoveries"), 0);
    /* the polls keep reading all-ones: the given-up PE is not detected again */
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "freezes"), 1);
    ck_assert_uint_eq(event_count(&o, EEH_COMP, "eeh_start"), 1);
    ck_assert(scalar_of(&o, "lpar.db1", "ios_failed") > 1000);
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_in_flight"), 0);
    recorder_destroy(o.rec);
}
END_TEST

START_TEST(recover_on_a_dead_adapter_gives_up)
{
    /* a thaw cannot bring back a device that does not answer: the MMIO
     * thaw fails and recovery gives up at once (Linux eeh_pci_enable) */
    struct eeh_case c = { .answer = "recover", .detect = "mmio_poll",
                          .timeline = "  - {at: 100500us, action: fail, target: s0.nvme0}\n" };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    ck_assert_uint_eq(recovery_ps(&o, 0), CB + THAW);
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "permanent_failures"), 1);
    ck_assert(scalar_of(&o, "lpar.db1", "ios_failed") > 0);
    recorder_destroy(o.rec);
}
END_TEST

START_TEST(too_many_freezes_take_the_pe_offline)
{
    /* max_freezes 2: the third freeze (each after the previous recovery)
     * puts the PE permanently offline; the next poll gives it up */
    uint64_t t3 = 2 * 1000 * MS + FREEZE_AT;
    struct eeh_case c = { .answer = "reset", .detect = "mmio_poll", .max_freezes = 2,
                          .timeline =
                              "  - {at: 100500us, action: freeze, target: s0.nvme0.vf0}\n"
                              "  - {at: 1100500us, action: freeze, target: s0.nvme0.vf0}\n"
                              "  - {at: 2100500us, action: freeze, target: s0.nvme0.vf0}\n" };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    ck_assert_uint_eq(recovery_ps(&o, 0), reset_time(1));
    ck_assert_uint_eq(recovery_ps(&o, 1), reset_time(1));
    ck_assert_uint_eq(event_t(&o, EEH_COMP, "eeh_end", 2), next_poll(t3));
    ck_assert_ptr_nonnull(strstr(event_nth(&o, EEH_COMP, "eeh_end", 2)->detail,
                                 "max_freezes"));
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "freezes"), 3);
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "recoveries"), 2);
    ck_assert_double_eq(scalar_of(&o, EEH_COMP, "permanent_failures"), 1);
    ck_assert(scalar_of(&o, "lpar.db1", "ios_failed") > 0);
    /* what the device held at the last freeze failed: not retried */
    ck_assert_uint_eq((uint64_t)scalar_of(&o, "lpar.db1", "ios_retried"), taken_back(&o));
    recorder_destroy(o.rec);
}
END_TEST

/* ---- detection by I/O timeout, retried count ------------------------------- */

/* t rounded up to a whole second. */
static uint64_t ceil_s(uint64_t t)
{
    return (t + SIM_S - 1) / SIM_S * SIM_S;
}

START_TEST(timeout_detection_and_retried_depth)
{
    /* The PE freezes at 5 ms, before the closed loop starts at 10 ms: its
     * D = 4 commands (one per VP) get their doorbells, dropped, at
     * 10 ms + submit_cycles and stall. The I/O timeout (50 ms) expires on
     * the oldest of them; the all-ones read that follows starts recovery.
     * Every command the device held is taken back and retried. */
    const uint64_t freeze = 5 * MS, start = 10 * MS, timeout = 50 * MS;
    struct eeh_case c = { .answer = "reset", .detect = "timeout", .io_timeout = "50ms",
                          .start = "10ms", .depth = 4,
                          .timeline = "  - {at: 5ms, action: freeze, target: s0.nvme0.vf0}\n" };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    /* blk-mq's timer is rounded up to a whole second (round_jiffies_up) */
    uint64_t detect = ceil_s(start + cycles_ps(SUBMIT_CYCLES) + timeout);
    ck_assert_uint_eq(event_t(&o, EEH_COMP, "eeh_detect_end", 0), detect);
    ck_assert_double_eq_tol(scalar_of(&o, EEH_COMP, "detect_time"),
                            (double)(detect - freeze) / 1e3, 1e-6);
    ck_assert_double_eq(scalar_of(&o, "lpar.db1.driver", "timeouts"), 1);
    ck_assert_uint_eq(recovery_ps(&o, 0), reset_time(1));
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_retried"), 4);
    ck_assert_uint_eq(taken_back(&o), 4);
    recorder_destroy(o.rec);
}
END_TEST

START_TEST(timeout_detection_of_a_stall_mid_run)
{
    /* Depth 16 on 4 VPs, running: the freeze at 100.5 ms stalls all 16
     * (a command whose doorbell the frozen PE drops stalls too). The
     * timeout falls io_timeout after the oldest stalled command began;
     * that command was outstanding at the freeze (begun less than 1 ms
     * before it), and blk-mq's timer is rounded up to a whole second
     * (round_jiffies_up), so detection is at the first whole second at
     * or after freeze + io_timeout. */
    struct eeh_case c = { .answer = "recover", .detect = "timeout", .io_timeout = "40ms",
                          .depth = 16, .timeline = one_freeze };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    uint64_t detect = event_t(&o, EEH_COMP, "eeh_detect_end", 0);
    ck_assert_uint_eq(ceil_s(FREEZE_AT + 39 * MS), ceil_s(FREEZE_AT + 40 * MS));
    ck_assert_uint_eq(detect, ceil_s(FREEZE_AT + 40 * MS));
    ck_assert_uint_eq(recovery_ps(&o, 0), recover_time());
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_retried"), 16);
    ck_assert_uint_eq(taken_back(&o), 16);
    recorder_destroy(o.rec);
}
END_TEST

/* ---- waiting on EEH is not being stuck --------------------------------------- */

START_TEST(a_freeze_not_yet_noticed_is_no_loss)
{
    /* The default 30 s I/O timeout has not expired when the run ends, 3.9 s
     * after the freeze: the stalled commands are outstanding longer than
     * debug.stuck_after (1 s here), but the guest has not noticed the
     * freeze yet, so they are in flight, not lost. */
    struct eeh_case c = { .answer = "reset", .detect = "timeout", .timeline = one_freeze,
                          .debug = "{stuck_after: 1s}" };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_in_flight"), 4);
    ck_assert_uint_eq(event_count(&o, EEH_COMP, "eeh_start"), 0);
    recorder_destroy(o.rec);
}
END_TEST

START_TEST(a_long_recovery_is_no_loss)
{
    /* 5 reset attempts against a dead adapter (4.1 s) with stuck_after
     * 1 s: the I/O taken back at error_detected waits on the recovery */
    struct eeh_case c = { .answer = "reset", .detect = "mmio_poll", .reset_attempts = 5,
                          .timeline = "  - {at: 100500us, action: fail, target: s0.nvme0}\n",
                          .debug = "{stuck_after: 1s}" };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    assert_no_loss(&o);
    /* still recovering at the end (4 s): attempt 5 would end at 4.2 s */
    ck_assert_uint_eq(event_count(&o, EEH_COMP, "eeh_end"), 0);
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_in_flight"), 4);
    recorder_destroy(o.rec);
}
END_TEST

/* ---- the steps debug.skip_step can remove ---------------------------------- */

START_TEST(steps_are_listed_once_each)
{
    const struct mech_step *const *all;
    size_t n = timeline_steps(&all);
    ck_assert_uint_ge(n, eeh_nsteps);
    for (size_t i = 0; i < eeh_nsteps; i++) {
        ck_assert_msg(strncmp(eeh_steps[i]->name, "eeh.", 4) == 0, "%s", eeh_steps[i]->name);
        ck_assert(eeh_steps[i]->doc && eeh_steps[i]->doc[0]);
        size_t found = 0;
        for (size_t j = 0; j < n; j++)
            found += strcmp(all[j]->name, eeh_steps[i]->name) == 0;
        ck_assert_uint_eq(found, 1);
    }
}
END_TEST

START_TEST(a_skipped_retry_is_reported_lost)
{
    struct eeh_case c = { .answer = "reset", .detect = "mmio_poll", .timeline = one_freeze };
    struct run_outcome o = run_case(&c, KERNEL_NATIVE);
    ck_assert(o.ok);
    recorder_destroy(o.rec);
    /* the same with eeh.retry left out: the 4 I/Os taken back are dropped */
    c.debug = "{skip_step: eeh.retry}";
    o = run_case(&c, KERNEL_NATIVE);
    ck_assert(!o.ok);
    ck_assert_double_eq(scalar_of(&o, "lpar.db1", "ios_lost"), 4);
    ck_assert_ptr_nonnull(strstr(o.error, "'eeh.retry'"));
    ck_assert_str_eq(run_status(&o), "check_failed");
    recorder_destroy(o.rec);
}
END_TEST

static Suite *eeh_suite(void)
{
    Suite *s = suite_create("eeh_core");
    TCase *t = tcase_create("recovery");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, reset_recovery_closed_form);
    tcase_add_test(t, reset_recovery_closed_form_systemc);
    tcase_add_test(t, recover_recovery_closed_form);
    tcase_add_test(t, none_recovery_closed_form);
    tcase_add_test(t, reset_needing_all_three_attempts);
    tcase_add_test(t, reset_needing_four_of_five_attempts);
    tcase_add_test(t, failed_resets_give_the_pe_up);
    tcase_add_test(t, recover_on_a_dead_adapter_gives_up);
    tcase_add_test(t, too_many_freezes_take_the_pe_offline);
    tcase_add_test(t, timeout_detection_and_retried_depth);
    tcase_add_test(t, timeout_detection_of_a_stall_mid_run);
    tcase_add_test(t, a_freeze_not_yet_noticed_is_no_loss);
    tcase_add_test(t, a_long_recovery_is_no_loss);
    tcase_add_test(t, steps_are_listed_once_each);
    tcase_add_test(t, a_skipped_retry_is_reported_lost);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(eeh_suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
